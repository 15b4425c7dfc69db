"""Value test of the frame-folder video base builder (via DHF1K's dummy data)."""

import pathlib

import numpy as np
import tensorflow_datasets as tfds
from PIL import Image

from tfds_builders.dhf1k import dhf1k_dataset_builder

DUMMY = pathlib.Path(dhf1k_dataset_builder.__file__).parent / "dummy_data"


def test_frames_maps_and_per_frame_fixations(tmp_path):
    builder = dhf1k_dataset_builder.Builder(data_dir=str(tmp_path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(DUMMY)))
    example = next(iter(tfds.as_numpy(builder.as_dataset(split="validation"))))
    folder = DUMMY / "annotation" / example["video_id"].decode()
    assert example["frames"].shape == (3, 12, 16, 3) and example["saliency_maps"].shape == (3, 12, 16, 1)
    assert example["fps"] == 30.0
    np.testing.assert_array_equal(example["frames"][1], np.asarray(Image.open(folder / "images" / "0002.png")))
    fix = example["fixations"]
    for t in range(3):
        rows, cols = np.nonzero(np.asarray(Image.open(folder / "fixation" / f"{t + 1:04d}.png")) >= 128)
        mine = fix["frame"] == t
        got = sorted(zip(fix["y"][mine] - 0.5, fix["x"][mine] - 0.5))
        assert got == sorted(zip(rows.astype(np.float32), cols.astype(np.float32)))


def test_dhf1k_frames_from_the_official_video_file(tmp_path):
    import shutil

    import pytest

    av = pytest.importorskip("av", reason="decoding videos needs PyAV: pip install 'keras-saliency[video]'")
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual)
    folder = manual / "annotation" / "0601"
    frames = np.stack([np.asarray(Image.open(p)) for p in sorted((folder / "images").iterdir())])
    shutil.rmtree(folder / "images")
    (manual / "video").mkdir()
    with av.open(str(manual / "video" / "601.AVI"), "w", format="avi") as container:
        stream = container.add_stream("ffv1", rate=30)  # lossless: the decoded frames must be the originals
        stream.width, stream.height, stream.pix_fmt = 16, 12, "bgr0"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24").reformat(format="bgr0")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    builder = dhf1k_dataset_builder.Builder(data_dir=str(tmp_path / "data"))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(manual)))
    example = next(iter(tfds.as_numpy(builder.as_dataset(split="validation"))))
    np.testing.assert_array_equal(example["frames"], frames)
