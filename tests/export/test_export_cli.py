"""``keras-saliency export``: one real export from a preset folder, and the errors a user can make."""

import pytest

from keras_saliency.cli import main
from keras_saliency.zoo.wepsam import WEPSAM

pytest.importorskip("ai_edge_litert", reason="needs the export extra (ai-edge-litert, onnxruntime, tf2onnx)")


def test_export_a_preset_folder_to_litert(tmp_path, capsys):
    WEPSAM(conv_filters=(4, 8, 8), hidden_units=32, input_size=32, map_size=8).save_to_preset(tmp_path / "preset")
    out = tmp_path / "wepsam.tflite"
    assert main(["export", str(tmp_path / "preset"), "--format", "tflite", "-o", str(out), "--input-size", "48x40"]) == 0
    printed = capsys.readouterr().out
    assert out.is_file() and "input (1, 48, 40, 3)" in printed and "max |diff| from Keras" in printed
    assert main(["export", str(tmp_path / "preset"), "--format", "tflite", "-o", str(out)]) == 2
    assert "already exists; pass --overwrite" in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["gbvs", "--format", "onnx"], "'gbvs' is a classical model"),
    (["unisal_lite0_mit1003_osie", "--format", "onnx", "--input-size", "288by384"], "--input-size must be HxW"),
    (["no_such_model", "--format", "onnx"], "cannot load model 'no_such_model'"),
    (["unisal_lite0_mit1003_osie", "--format", "onnx", "--check-image", "missing.png"], "missing.png: no such file"),
])
def test_user_errors_exit_2_with_one_line(tmp_path, capsys, argv, message):
    assert main(["export", *argv, "-o", str(tmp_path / "out.onnx")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out.onnx").exists()


def test_unknown_format_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "center_bias", "--format", "tfjs", "-o", "x"])
    assert exit_info.value.code == 2 and "invalid choice: 'tfjs'" in capsys.readouterr().err
