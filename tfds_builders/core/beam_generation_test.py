"""The Beam builds (DirectRunner) of the large builders equal their plain builds, on the dummy data.

Skips without apache-beam (the ``beam`` extra: it pins protobuf below 7, so it is kept out of ``dev``).
"""

import importlib
import pathlib

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
    options = beam.options.pipeline_options.PipelineOptions(["--runner=DirectRunner"])
    with_beam, builder = _examples(name, tmp_path / "beam", options)
    plain, _ = _examples(name, tmp_path / "plain")
    assert builder._use_beam
    assert sum(len(v) for v in with_beam.values()) > 0
    _assert_same(with_beam, plain, name)


def test_beam_only_when_asked():
    assert not beam_generation.beam_requested(tfds.download.DownloadConfig())
    assert beam_generation.beam_requested(tfds.download.DownloadConfig(beam_runner="DirectRunner"))
