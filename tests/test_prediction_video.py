"""Videos in ``keras_saliency.predict`` and ``keras-saliency predict``: frame folders, GIFs, bad files, UNISAL."""

import numpy as np
import pytest
from PIL import Image

from keras_saliency import classical, prediction
from keras_saliency.cli import main
from keras_saliency.presets import PresetNotFoundError

RNG = np.random.default_rng(0)


@pytest.fixture
def frames_dir(tmp_path):
    frames = RNG.integers(0, 255, (3, 30, 40, 3)).astype(np.uint8)
    folder = tmp_path / "clip"
    folder.mkdir()
    for index, frame in enumerate(frames[::-1]):  # written in reverse: sorting by name must restore the order
        Image.fromarray(frame).save(folder / f"{2 - index:03d}.png")
    return folder, frames


def test_image_model_runs_frame_by_frame(frames_dir):
    folder, frames = frames_dir
    result = prediction.predict(prediction.Video(folder), model="center_bias", progress=False)[0]
    assert isinstance(result, prediction.VideoPrediction) and result.source == str(folder)
    np.testing.assert_array_equal(result.frames, frames)
    model = classical.get("center_bias")
    expected = np.stack([model.predict_log_density(frame[None])[0] for frame in frames])
    np.testing.assert_allclose(result.log_density, expected, rtol=0, atol=1e-12)
    # the same folder without the Video marker is three images
    images = prediction.predict(folder, model="center_bias", progress=False)
    assert [type(r) for r in images] == [prediction.Prediction] * 3


def test_unreadable_video_files_and_missing_paths_are_named(tmp_path):
    pytest.importorskip("av", reason="video files need PyAV: pip install 'keras-saliency[video]'")
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    with pytest.raises(ValueError, match=r"Cannot decode video file .*clip.mp4"):
        prediction.predict_video(clip, model="center_bias")
    with pytest.raises(FileNotFoundError, match="No such video"):
        prediction.predict_video(tmp_path / "missing", model="center_bias")


def test_cli_writes_frames_and_one_log_density_per_video(frames_dir, tmp_path, capsys):
    folder, frames = frames_dir
    gif = tmp_path / "anim.gif"
    Image.fromarray(frames[0]).save(gif, save_all=True, append_images=[Image.fromarray(f) for f in frames[1:]])
    out = tmp_path / "out"
    assert main(["predict", str(folder), str(gif), "--video", "--model", "center_bias", "-o", str(out),
                 "--no-progress"]) == 0
    assert "wrote 14 files for 0 images and 2 videos" in capsys.readouterr().out
    for stem in ("clip", "anim"):
        log_density = np.load(out / f"{stem}_log_density.npy")
        assert log_density.shape == (3, 30, 40)
        np.testing.assert_allclose(np.exp(log_density.astype(np.float64)).sum(axis=(1, 2)), 1.0, atol=1e-4)
        for t in range(3):
            assert Image.open(out / stem / f"{t:06d}_overlay.png").size == (40, 30)
            assert (out / stem / f"{t:06d}_saliency.png").is_file()
    assert not list(out.rglob(".*tmp"))


def test_cli_video_file_error_is_one_line_and_a_failed_input(tmp_path, capsys):
    pytest.importorskip("av", reason="video files need PyAV: pip install 'keras-saliency[video]'")
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 16)
    assert main(["predict", str(clip), "-o", str(tmp_path / "out"), "--model", "center_bias"]) == 1
    captured = capsys.readouterr()
    assert f"keras-saliency predict: failed: Cannot decode video file {clip}" in captured.err
    assert captured.err.count("\n") == 1 and f"1 inputs failed: {clip}" in captured.out
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def unisal():
    from keras_saliency.zoo.unisal import UNISAL

    model = UNISAL(domains=("DHF1K", "SALICON"))
    model.build()
    return model


@pytest.fixture(scope="module")
def small_unisal(unisal):
    """The same weights with a 64x64 video input size (fast clips)."""
    from keras_saliency.zoo.unisal import UNISAL

    small = UNISAL.from_config({**unisal.get_config(), "video_input_size": [64, 64]})
    small.build()
    small.set_weights(unisal.get_weights())
    return small


def test_unisal_videos_run_as_clips_and_images_in_the_static_domain(unisal, small_unisal, frames_dir):
    from keras_saliency.data import optimal_size
    from keras_saliency.zoo.unisal import recurrent_inference

    folder, frames = frames_dir
    assert (unisal.default_domain(), unisal.default_domain(static=False)) == ("SALICON", "DHF1K")
    result = prediction.predict_video(folder, model=small_unisal, progress=False)
    expected = recurrent_inference(unisal, frames, domain="DHF1K", input_size=(64, 64), progress=False)
    np.testing.assert_allclose(result.log_density, expected, atol=1e-5)
    # an image: the static domain SALICON at the grid-rule size 288x384
    image = frames[0]
    (single,) = prediction.predict(image, model=unisal, progress=False)
    assert optimal_size(30, 40) == (288, 384)
    x = np.asarray(Image.fromarray(image).resize((384, 288), Image.LANCZOS), np.float32)[None]
    direct = np.asarray(unisal({"image": x, "domain": "SALICON"}, target_size=(30, 40)))[0]
    np.testing.assert_allclose(single.log_density, direct, atol=1e-5)
    with pytest.raises(ValueError, match="Unknown domain 'MIT1003'"):
        unisal.predict_log_density(image[None], domain="MIT1003")


def test_unisal_streams_a_video_file_through_its_recurrent_inference(unisal, small_unisal, tmp_path):
    pytest.importorskip("av", reason="video files need PyAV: pip install 'keras-saliency[video]'")
    from keras_saliency.video_io import VideoReader, write_video
    from keras_saliency.video_prediction import predict_video_file
    from keras_saliency.zoo.unisal import recurrent_inference

    clip = write_video(tmp_path / "clip.mp4", RNG.integers(0, 255, (7, 32, 48, 3)).astype(np.uint8), fps=30)
    result = predict_video_file(clip, small_unisal, progress=False)
    frames = VideoReader(clip).read_all()
    expected = recurrent_inference(unisal, frames, domain="DHF1K", input_size=(64, 64), progress=False)
    np.testing.assert_allclose(result.log_density, expected, atol=1e-4)


def test_frames_of_an_animated_image_are_decoded_like_image_files(tmp_path):
    from keras_saliency.video_frames import load_frames

    frames = [Image.fromarray(np.array([[[255, 0, 0, alpha], [0, 0, 255, 255]]], np.uint8)) for alpha in (0, 255)]
    path = tmp_path / "clip.png"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert Image.open(path).n_frames == 2
    np.testing.assert_array_equal(load_frames(path), [[[[255, 255, 255], [0, 0, 255]]],  # transparent -> white
                                                      [[[255, 0, 0], [0, 0, 255]]]])


def test_without_a_model_images_and_videos_use_their_own_defaults(frames_dir, tmp_path, monkeypatch):
    folder, frames = frames_dir
    monkeypatch.setattr(prediction, "DEFAULT_MODEL", "center_bias")
    monkeypatch.setattr(prediction, "DEFAULT_VIDEO_MODEL", "gbvs")
    image, video = prediction.predict([frames[0], prediction.Video(folder)], progress=False)
    np.testing.assert_allclose(image.log_density, classical.get("center_bias").predict_log_density(frames[:1])[0],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(video.log_density, classical.get("gbvs").predict_log_density(frames),
                               rtol=0, atol=1e-12)
    # a model given is used for both; a default that is not needed is never loaded
    video = prediction.predict(prediction.Video(folder), model="center_bias", progress=False)[0]
    np.testing.assert_allclose(video.log_density, classical.get("center_bias").predict_log_density(frames),
                               rtol=0, atol=1e-12)
    monkeypatch.setattr(prediction, "DEFAULT_VIDEO_MODEL", "no_such_video_preset")
    assert len(prediction.predict(frames[0], progress=False)) == 1
    with pytest.raises(PresetNotFoundError, match="no_such_video_preset"):
        prediction.predict(prediction.Video(folder), progress=False)


def test_cli_without_a_model_loads_the_video_default_for_videos(frames_dir, tmp_path, monkeypatch, capsys):
    folder, frames = frames_dir
    monkeypatch.setattr(prediction, "DEFAULT_MODEL", "center_bias")
    monkeypatch.setattr(prediction, "DEFAULT_VIDEO_MODEL", "gbvs")
    out = tmp_path / "out"
    assert main(["predict", str(folder), "--video", "--output", str(out), "--no-progress"]) == 0
    np.testing.assert_allclose(np.load(out / "clip_log_density.npy"),
                               classical.get("gbvs").predict_log_density(frames), rtol=0, atol=1e-6)
    monkeypatch.setattr(prediction, "DEFAULT_VIDEO_MODEL", "no_such_video_preset")
    assert main(["predict", str(folder), "--video", "--output", str(tmp_path / "out2"), "--no-progress"]) == 2
    assert "cannot load model 'no_such_video_preset'" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()
