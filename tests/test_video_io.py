"""Video files (PyAV): frame count and fps per container, overlay round trip, clear errors, nothing half-written."""

import numpy as np
import pytest

av = pytest.importorskip("av", reason="video files need PyAV: pip install 'keras-saliency[video]'")

from keras_saliency import classical, prediction  # noqa: E402
from keras_saliency.cli import main  # noqa: E402
from keras_saliency.models import SaliencyContract  # noqa: E402
from keras_saliency.video_io import VideoFileError, VideoReader, VideoWriter, write_video  # noqa: E402
from keras_saliency.video_prediction import predict_video_file  # noqa: E402

HEIGHT, WIDTH = 48, 64


class Brightness(SaliencyContract):
    """A frame-dependent saliency map (its brightness), four frames per batch: misaligned frames would show."""

    output_kind = "saliency_map"
    default_batch_size = 4

    def _predict_batch(self, images):
        return images.mean(axis=-1) + 1.0


def _frames(count, seed=0):
    """Smooth moving blobs (lossy codecs keep them within a few grey levels)."""
    y, x = np.mgrid[:HEIGHT, :WIDTH]
    frames = []
    for t in range(count):
        blob = np.exp(-((x - 8 - 6 * t) ** 2 + (y - 24) ** 2) / 60.0)
        frames.append(np.stack([200 * blob + 20, 120 + 0 * blob, 60 + 100 * blob + seed], -1).astype(np.uint8))
    return np.stack(frames)


def _encode(path, frames, codec, fps):
    """A video written with PyAV itself (any container)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize("suffix, codec, fps", [(".mp4", "libx264", 25), (".mov", "libx264", 30),
                                                (".avi", "mpeg4", 24), (".mkv", "libx264", 30),
                                                (".webm", "libvpx-vp9", 15)])
def test_containers_decode_to_their_frame_count_and_fps(tmp_path, suffix, codec, fps):
    frames = _frames(9)
    reader = VideoReader(_encode(tmp_path / f"clip{suffix}", frames, codec, fps))
    assert (len(reader), reader.fps, reader.shape) == (9, fps, (9, HEIGHT, WIDTH, 3))
    decoded = np.stack(list(reader))
    assert decoded.dtype == np.uint8 and decoded.shape == frames.shape
    assert np.abs(decoded.astype(float) - frames).mean() < 4  # lossy, but the same pictures in the same order
    assert str(reader.path) in repr(reader)


def test_writer_round_trip_odd_size_and_fractional_fps(tmp_path):
    frames = _frames(5)[:, :47, :63]
    path = write_video(tmp_path / "odd.mp4", frames, fps=30000 / 1001)
    reader = VideoReader(path)
    assert len(reader) == 5 and reader.fps == pytest.approx(29.97, abs=1e-3)
    assert (reader.height, reader.width) == (48, 64)  # padded by one replicated row and column
    assert np.abs(reader.read_all()[:, :47, :63].astype(float) - frames).mean() < 4
    assert [p.name for p in tmp_path.iterdir()] == ["odd.mp4"]
    with pytest.raises(VideoFileError, match="no frames were written"):
        VideoWriter(tmp_path / "empty.mp4", 25).close()
    with pytest.raises(VideoFileError, match=r"written as \.mp4"):
        VideoWriter(tmp_path / "x.avi", 25)


def test_overlay_and_log_densities_round_trip(tmp_path):
    frames = _frames(10)
    clip = write_video(tmp_path / "clip.mp4", frames, fps=25)
    npy, overlay = tmp_path / "out" / "clip_log_density.npy", tmp_path / "out" / "clip_overlay.mp4"
    npy.parent.mkdir()
    model = Brightness()
    result = predict_video_file(clip, model, log_density_path=npy, overlay_path=overlay, progress=False)
    assert (result.fps, result.log_density.shape, result.log_density.dtype) == (25, (10, HEIGHT, WIDTH), np.float32)
    assert isinstance(result.log_density, np.memmap)  # read back memory-mapped, not loaded
    decoded = VideoReader(clip).read_all()
    expected = np.log(decoded.mean(axis=-1) + 1.0)
    expected -= np.log(np.exp(expected).sum(axis=(1, 2), keepdims=True))
    np.testing.assert_allclose(np.load(npy), expected, atol=1e-5)
    video = VideoReader(overlay)
    assert (len(video), video.fps, video.height, video.width) == (10, 25, HEIGHT, WIDTH)
    peaks = np.unravel_index(expected.reshape(10, -1).argmax(axis=1), (HEIGHT, WIDTH))
    change = np.abs(video.read_all().astype(float) - decoded)[np.arange(10), peaks[0], peaks[1]].sum(axis=-1)
    assert (change > 60).all()  # the heatmap is drawn over each frame's most salient pixel
    assert sorted(p.name for p in npy.parent.iterdir()) == ["clip_log_density.npy", "clip_overlay.mp4"]
    # keras_saliency.predict takes the file too: a memory-mapped result without written files
    (same,) = prediction.predict(clip, model=model, progress=False)
    np.testing.assert_array_equal(same.log_density, np.load(npy))
    assert same.overlay_path is None and len(same.frames) == 10


@pytest.fixture
def bad_videos(tmp_path):
    frames = _frames(60)
    good_mp4 = write_video(tmp_path / "good.mp4", frames, fps=30).read_bytes()
    noise = np.random.default_rng(0).integers(0, 255, frames.shape, dtype=np.uint8)  # big frames: cut mid-stream
    good_avi = _encode(tmp_path / "good.avi", noise, "mpeg4", 30).read_bytes()
    good_mkv = _encode(tmp_path / "good.mkv", frames, "libx264", 30).read_bytes()
    files = {"truncated.mp4": good_mp4[: len(good_mp4) // 2], "truncated.avi": good_avi[: len(good_avi) * 6 // 10],
             "truncated.mkv": good_mkv[: len(good_mkv) * 6 // 10], "text.mp4": b"not a video at all\n",
             "unknown_codec.mkv": good_mkv.replace(b"V_MPEG4/ISO/AVC", b"V_UNKNOWN/XX/YY")}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


@pytest.mark.parametrize("name, message", [("truncated.mp4", "Cannot decode video file"),
                                           ("truncated.avi", "truncated or corrupt: decoded .* of the 60 frames"),
                                           ("truncated.mkv", "is truncated: it holds"),
                                           ("text.mp4", "Cannot decode video file"),
                                           ("unknown_codec.mkv", "unsupported video codec")])
def test_bad_videos_are_clear_errors_and_nothing_is_written(bad_videos, name, message):
    path = bad_videos / name
    out = bad_videos / "out"
    out.mkdir(exist_ok=True)
    with pytest.raises(VideoFileError, match=message) as error:
        predict_video_file(path, classical.get("center_bias"), log_density_path=out / "x.npy",
                           overlay_path=out / "x.mp4", progress=False)
    assert str(path) in str(error.value)
    assert list(out.iterdir()) == []  # no result and no temporary file
    with pytest.raises(FileNotFoundError, match="No such video file"):
        VideoReader(bad_videos / "missing.mp4")


def test_cli_predicts_video_files_and_skips_failed_ones(bad_videos, tmp_path, capsys):
    clip = _encode(tmp_path / "clip.mkv", _frames(6), "libx264", 30)
    out = tmp_path / "out"
    args = ["predict", str(clip), str(bad_videos / "truncated.avi"), "--model", "center_bias", "-o", str(out),
            "--no-progress"]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "wrote 2 files for 0 images and 1 videos" in captured.out and "1 inputs failed" in captured.out
    assert "truncated.avi is truncated or corrupt" in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["clip_log_density.npy", "clip_overlay.mp4"]
    assert np.load(out / "clip_log_density.npy").shape == (6, HEIGHT, WIDTH)
    assert len(VideoReader(out / "clip_overlay.mp4")) == 6
    assert main(args[:2] + args[3:] + ["--skip-existing"]) == 0
    assert "skipped 1 inputs already written" in capsys.readouterr().out
