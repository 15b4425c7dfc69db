"""Unknown dataset or config names list what exists (TFDS's own message promises matches and lists none)."""

import pytest

import tfds_builders
from keras_saliency.cli import main
from tfds_builders.core.builder_names import check_builder_name


def _configs(dataset):
    import tensorflow_datasets as tfds

    return ", ".join(config.name for config in tfds.builder_cls(dataset).BUILDER_CONFIGS)


@pytest.mark.parametrize("name, message", [
    ("cat2000/art", "cat2000 has no config 'art'; did you mean 'Art'? choose one of: all, Action, Affective, Art,"),
    ("mit1003/foo", "mit1003 has no config 'foo'; choose one of: {mit1003}."),
    ("osie/x", "osie has no configs: use 'osie', not 'osie/x'."),
    ("mit1004", "unknown dataset 'mit1004'; did you mean 'mit1003', 'mit300'? choose one of: mit1003, mit300,"),
])
def test_unknown_names_list_the_valid_ones(name, message):
    with pytest.raises(ValueError) as error:
        check_builder_name(name, tfds_builders.NAMES)
    assert str(error.value).startswith(message.format(mit1003=_configs("mit1003")))


def test_valid_names_pass():
    for name in ("mit1003", "mit1003/official", "cat2000/Art", "osie:1.0.0"):
        check_builder_name(name, tfds_builders.NAMES)


@pytest.mark.parametrize("command", ["build", "evaluate"])
def test_the_cli_prints_them_as_one_line(command, tmp_path, capsys):
    argv = ["build", "mit1003/foo", "--data_dir", str(tmp_path)] if command == "build" else \
        ["evaluate", "--dataset", "mit1003/foo", "--data-dir", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"keras-saliency {command}: error: mit1003 has no config 'foo'; choose one of: {_configs('mit1003')}.\n"
