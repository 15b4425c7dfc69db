"""``keras-saliency evaluate`` keeps finished images and never reports a partial table as complete.

The dataset is replaced by synthetic samples (``load_dataset`` patched), the model is ``center_bias``."""

import json
import types

import numpy as np
import pytest

from keras_saliency.cli import evaluate as evaluate_cli
from keras_saliency.cli import main
from keras_saliency.fixations import Fixations


class Unreadable:
    """An image whose pixels cannot be decoded (like a damaged record)."""

    shape = (24, 32, 3)

    def __array__(self, dtype=None, copy=None):
        raise ValueError("img_1: cannot decode the image (corrupt JPEG data)")


class Interrupting(Unreadable):
    def __array__(self, dtype=None, copy=None):
        raise KeyboardInterrupt


def _samples(images):
    rng = np.random.default_rng(0)
    samples = []
    for i, image in enumerate(images):
        if image is None:
            image = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
        samples.append({"image": image, "image_size": (24, 32), "image_id": f"img_{i}",
                        "fixations": Fixations(rng.uniform(0, 32, 5), rng.uniform(0, 24, 5))})
    return samples


@pytest.fixture
def dataset(monkeypatch):
    """``dataset([None, Unreadable(), ...])``: the samples `evaluate` gets (None: a random image)."""
    def install(images, unreadable_headers=()):
        def load_dataset(name, data_dir, split, limit, unreadable):
            unreadable.extend((i, f"{i}: not a readable image (truncated)") for i in unreadable_headers)
            return types.SimpleNamespace(info=types.SimpleNamespace(full_name="toy/1.0.0")), _samples(images)
        monkeypatch.setattr(evaluate_cli, "load_dataset", load_dataset)
    return install


ARGV = ["evaluate", "--model", "center_bias", "--dataset", "toy", "--metrics", "nss,sauc", "--no-progress"]


def test_a_failed_image_is_reported_left_out_and_the_table_marked_partial(dataset, tmp_path, capsys):
    dataset([None, Unreadable(), None])
    out = tmp_path / "m.json"
    assert main(ARGV + ["--format", "json", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "keras-saliency evaluate: failed: img_1: cannot decode the image" in err
    assert "1 of 3 images failed and are left out: img_1" in err
    table = json.loads(out.read_text())
    assert table["complete"] is False and table["images"] == 2 and "img_1" in table["partial"]
    assert not (tmp_path / "m.json.partial").exists() and not list(tmp_path.glob(".*.tmp"))


def test_an_unreadable_header_counts_as_a_failed_image(dataset, capsys):
    dataset([None, None], unreadable_headers=["img_9"])
    assert main(ARGV + ["--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("# PARTIAL: 1 of 3 images failed and are left out: img_9\nmetric,")
    assert "failed: img_9: not a readable image" in captured.err


def test_strict_stops_at_the_first_failed_image_and_writes_no_table(dataset, tmp_path, capsys):
    dataset([None, Unreadable(), None])
    out = tmp_path / "m.md"
    assert main(ARGV + ["--strict", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "img_1: cannot decode the image" in err and "--strict: stopped; 1 of 3 images evaluated" in err
    assert err.count("\n") == 1 and not out.exists()


def test_ctrl_c_exits_130_and_leaves_a_partial_marked_table(dataset, tmp_path, capsys):
    dataset([None, None, Interrupting(), None])
    out = tmp_path / "m.md"
    assert main(ARGV + ["-o", str(out)]) == 130
    err = capsys.readouterr().err
    partial = tmp_path / "m.md.partial"
    assert f"interrupted; 2 of 4 images evaluated; partial table in {partial}" in err
    assert not out.exists(), "an interrupted run must not leave a complete-looking table"
    text = partial.read_text()
    assert text.startswith("**PARTIAL**: interrupted after 2 of 4 images.") and "| nss |" in text
    assert not list(tmp_path.glob(".*.tmp"))


def test_ctrl_c_to_stdout_prints_the_partial_table_marked(dataset, capsys):
    dataset([None, Interrupting()])
    assert main(ARGV + ["--format", "json"]) == 130
    table = json.loads(capsys.readouterr().out)
    assert table["complete"] is False and table["images"] == 1


def test_a_complete_run_replaces_the_partial_file(dataset, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(evaluate_cli, "PARTIAL_EVERY_S", 0.0)  # rewrite the partial table after every image
    seen = []
    original = evaluate_cli._Tables.progress

    def progress(self, evaluation, scored, total):
        original(self, evaluation, scored, total)
        seen.append(self.partial_path.read_text())
    monkeypatch.setattr(evaluate_cli._Tables, "progress", progress)
    dataset([None, None, None])
    out = tmp_path / "m.md"
    assert main(ARGV + ["-o", str(out)]) == 0
    assert seen[0].startswith("**PARTIAL**: 1 of 3 images so far.") and len(seen) == 3
    assert not out.read_text().startswith("**PARTIAL**") and not (tmp_path / "m.md.partial").exists()


def test_output_is_checked_before_the_dataset_and_the_model_load(dataset, tmp_path, monkeypatch, capsys):
    def no_dataset(*args):
        raise AssertionError("the dataset was loaded before --output was checked")
    monkeypatch.setattr(evaluate_cli, "load_dataset", no_dataset)
    (tmp_path / "file").write_text("x")
    assert main(ARGV + ["-o", str(tmp_path / "file" / "m.md")]) == 2
    assert "cannot be created: " in capsys.readouterr().err


def test_encoded_images_that_cannot_be_read_are_value_errors_naming_them():
    import io

    from PIL import Image

    from keras_saliency.data import EncodedImage

    with pytest.raises(ValueError, match="^img_7: not a readable image"):
        EncodedImage(b"not an image", name="img_7")
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(buffer, format="PNG")
    damaged = EncodedImage(buffer.getvalue()[:60], name="img_8")  # the header survives, the pixels do not
    assert damaged.shape == (16, 16, 3)
    with pytest.raises(ValueError, match="^img_8: cannot decode the image"):
        np.asarray(damaged)


@pytest.mark.parametrize("interactive, flag, shown", [(True, [], True), (False, [], False), (True, ["--quiet"], False)])
def test_the_progress_bar_shows_on_a_terminal_unless_quiet(dataset, monkeypatch, capsys, interactive, flag, shown):
    from keras_saliency import progress

    monkeypatch.setattr(progress, "_interactive", lambda: interactive)
    dataset([None, None])
    argv = [a for a in ARGV if a != "--no-progress"] + flag
    assert main(argv) == 0
    assert ("evaluate: 100%" in capsys.readouterr().err) is shown
