"""The Beam builds (BundleBasedDirectRunner) of the large builders equal their plain builds, on the dummy data.

Skips without apache-beam (the ``beam`` extra: it pins protobuf below 7, so it is kept out of ``dev``).
"""

import importlib
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow_datasets as tfds

beam = pytest.importorskip("apache_beam", reason="needs apache-beam (pip install 'keras-saliency[beam]')")

from tfds_builders.core import beam_generation  # noqa: E402

NAMES = ("salicon", "dhf1k", "hollywood2", "ucf_sports", "eye_tracking_causality")


def _examples(name, data_dir, beam_options=None):
    module = importlib.import_module(f"tfds_builders.{name}.{name}_dataset_builder")
    builder = module.Builder(data_dir=str(data_dir))
    manual_dir = pathlib.Path(module.__file__).parent / "dummy_data"
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir), beam_options=beam_options)
    )
    key = "image_id" if "image_id" in builder.info.features else "video_id"
    return {
        split: {e[key]: e for e in tfds.as_numpy(builder.as_dataset(split=split))} for split in builder.info.splits
    }, builder


def _assert_same(a, b, where):
    if isinstance(a, dict):
        assert sorted(a) == sorted(b), where
        for k in a:
            _assert_same(a[k], b[k], f"{where}/{k}")
    else:
        np.testing.assert_array_equal(a, b, err_msg=where)


@pytest.mark.parametrize("name", NAMES)
def test_beam_build_equals_plain_build(name, tmp_path):
    options = beam.options.pipeline_options.PipelineOptions(["--runner=BundleBasedDirectRunner"])
    with_beam, builder = _examples(name, tmp_path / "beam", options)
    plain, _ = _examples(name, tmp_path / "plain")
    assert builder._use_beam
    assert sum(len(v) for v in with_beam.values()) > 0
    _assert_same(with_beam, plain, name)


def test_beam_only_when_asked():
    assert not beam_generation.beam_requested(tfds.download.DownloadConfig())
    assert beam_generation.beam_requested(tfds.download.DownloadConfig(beam_runner="DirectRunner"))


def test_the_tfds_cli_builds_with_beam(tmp_path):
    """`tfds build ... --beam_pipeline_options=runner=BundleBasedDirectRunner` (the CLI needs mlcroissant) gives the
    plain build. (Beam 2.77's ``DirectRunner`` first tries to download its Prism runner from GitHub.)"""
    pytest.importorskip("mlcroissant", reason="the tfds CLI needs mlcroissant")
    root = pathlib.Path(__file__).resolve().parents[2]
    manual = root / "tfds_builders" / "dhf1k" / "dummy_data"
    command = [sys.executable, "-m", "tensorflow_datasets.scripts.cli.main", "build", "dhf1k", "--imports",
               "tfds_builders", "--manual_dir", str(manual), "--data_dir", str(tmp_path / "cli"),
               "--beam_pipeline_options=runner=BundleBasedDirectRunner"]
    result = subprocess.run(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
                            env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stdout[-3000:]
    assert "dhf1k: building with Apache Beam" in result.stdout and "prism" not in result.stdout.lower()
    cli = tfds.builder("dhf1k", data_dir=str(tmp_path / "cli"))
    plain, _ = _examples("dhf1k", tmp_path / "plain")
    built = {split: {e["video_id"]: e for e in tfds.as_numpy(cli.as_dataset(split=split))} for split in cli.info.splits}
    _assert_same(built, plain, "dhf1k (tfds build)")
