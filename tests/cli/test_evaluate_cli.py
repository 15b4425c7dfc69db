"""``keras-saliency evaluate`` on MIT1003 built from the builder's dummy data (3 tiny images)."""

import json
from pathlib import Path

import numpy as np
import pytest

from keras_saliency.cli import main

ROOT = Path(__file__).resolve().parents[2]
MIT1003_DUMMY = ROOT / "tfds_builders" / "mit1003" / "dummy_data"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401  (registers the builders)

    path = tmp_path_factory.mktemp("tfds")
    builder = tfds.builder("mit1003", data_dir=str(path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(MIT1003_DUMMY)))
    return path


def _expected_summary(data_dir, metrics, limit=None):
    """The same evaluation through the Python API on TFDS-decoded images."""
    import tensorflow_datasets as tfds

    from keras_saliency import classical
    from keras_saliency.fixations import Fixations
    from keras_saliency.metrics import evaluate

    ds = tfds.load("mit1003", split="train", data_dir=str(data_dir), shuffle_files=False)
    samples = [{"image": e["image"], "fixations": Fixations(e["fixations"]["x"], e["fixations"]["y"])}
               for e in tfds.as_numpy(ds)][:limit]
    return evaluate(classical.get("center_bias"), samples, metrics).summary()


def test_json_table_equals_the_python_api(data_dir, tmp_path, capsys):
    out = tmp_path / "metrics.json"
    argv = ["evaluate", "--model", "center_bias", "--dataset", "mit1003", "--data-dir", str(data_dir),
            "--format", "json", "--output", str(out), "--no-progress"]
    assert main(argv) == 0
    assert f"wrote json metrics of 3 images to {out}" in capsys.readouterr().out
    table = json.loads(out.read_text())
    assert table["images"] == 3 and table["dataset"] == "mit1003/fixatons/1.0.0" and table["fixations"] > 3
    expected = _expected_summary(data_dir, ("auc_judd", "sauc", "nss", "cc", "kld", "sim", "information_gain"))
    assert set(table["summary"]) == set(expected)
    for name, row in expected.items():
        for key, value in row.items():
            assert table["summary"][name][key] == pytest.approx(value, rel=1e-9, abs=1e-12), (name, key)
    assert not list(tmp_path.glob(".*.tmp"))


def test_markdown_to_stdout_and_csv_with_limit(data_dir, tmp_path, capsys):
    argv = ["evaluate", "--model", "center_bias", "--dataset", "mit1003", "--data-dir", str(data_dir),
            "--limit", "2", "--metrics", "nss,auc_judd", "--no-progress"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "`center_bias` on `mit1003/fixatons/1.0.0` split `train (first 2)`: 2 images" in text
    assert "| metric | by image | by fixation |" in text and "| nss |" in text and "| cc |" not in text
    expected = _expected_summary(data_dir, ("nss", "auc_judd"), limit=2)
    assert f"| auc_judd | {expected['auc_judd']['by_image']:.4f} |" in text
    out = tmp_path / "sub" / "m.csv"
    assert main(argv + ["--format", "csv", "-o", str(out)]) == 0
    rows = [line.split(",") for line in out.read_text().splitlines()]
    assert rows[0] == ["metric", "by_image", "by_fixation"] and [r[0] for r in rows[1:]] == ["nss", "auc_judd"]
    assert float(rows[1][1]) == pytest.approx(expected["nss"]["by_image"])


@pytest.mark.parametrize("args, message", [
    (["--dataset", "imagenet"], "unknown dataset 'imagenet'; choose one of: mit1003"),
    (["--dataset", "mit1003", "--data-dir", "{tmp}/missing"], "--data-dir {tmp}/missing does not exist"),
    (["--dataset", "osie", "--data-dir", "{tmp}"], "osie/1.0.0 is not prepared in"),
    (["--dataset", "mit1003", "--data-dir", "{data}", "--metrics", "nss,auc_foo"], "unknown metric(s) auc_foo"),
    (["--dataset", "mit1003", "--data-dir", "{data}", "--split", "test"], "mit1003 has the splits train"),
    (["--dataset", "mit1003", "--data-dir", "{data}", "--model", "no_such_model"], "cannot load model 'no_such_model'"),
    (["--dataset", "mit1003", "--data-dir", "{data}", "--limit", "0"], "--limit must be >= 1"),
    (["--dataset", "mit1003", "--data-dir", "{data}", "-o", "{tmp}"], "--output {tmp} is a folder; give the file"),
])
def test_user_errors_exit_2_with_one_line(data_dir, tmp_path, capsys, args, message):
    args = [a.format(tmp=tmp_path, data=data_dir) for a in args]
    assert main(["evaluate", *args, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message.format(tmp=tmp_path) in err
    assert err.startswith("keras-saliency evaluate: error:") and err.count("\n") == 1


def test_encoded_images_decode_like_tfds(data_dir):
    import tensorflow_datasets as tfds

    from keras_saliency.data import evaluation_samples

    builder = tfds.builder("mit1003", data_dir=str(data_dir))
    samples = evaluation_samples(builder, "train", limit=2)
    decoded = [e["image"] for e in tfds.as_numpy(builder.as_dataset(split="train", shuffle_files=False))]
    assert len(samples) == 2
    for sample, image in zip(samples, decoded):
        assert sample["image"].shape == image.shape and sample["image_size"] == image.shape[:2]
        np.testing.assert_array_equal(np.asarray(sample["image"]), image)
