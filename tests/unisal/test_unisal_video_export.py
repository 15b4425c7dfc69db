"""Video inference (chunks, interleaving) and frame loading (UNISAL's LiteRT export: tests/export)."""

import numpy as np
import pytest
from PIL import Image

from keras_saliency.testing.perturbed import perturbed_unisal
from keras_saliency.video_frames import load_frames
from keras_saliency.zoo.unisal.unisal_video import recurrent_inference as predict_video

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def model():
    return perturbed_unisal()


def test_predict_video_chunks_equal_one_pass_per_offset(model):
    frames = RNG.integers(0, 255, (7, 40, 50, 3)).astype(np.uint8)
    out = predict_video(model, frames, input_size=(64, 64), chunk_size=2, frame_modulo=3, progress=False)
    assert out.shape == (7, 40, 50)
    np.testing.assert_allclose(np.exp(out).sum(axis=(1, 2)), 1.0, rtol=1e-5)
    # Offset 1 sees frames 1 and 4 in one chunk: the same as running them as one clip.
    resized = np.stack([np.asarray(Image.fromarray(f).resize((64, 64), Image.LANCZOS)) for f in frames[[1, 4]]])
    clip = model({"image": resized[None].astype(np.float32), "domain": np.array([0], np.int32)}, static=False,
                 target_size=(40, 50))
    np.testing.assert_allclose(out[[1, 4]], np.asarray(clip)[0], atol=1e-5)
    # Offset 0 sees frames 0, 3 | 6 in two chunks: the hidden state carries over, so it equals one clip.
    resized = np.stack([np.asarray(Image.fromarray(f).resize((64, 64), Image.LANCZOS)) for f in frames[[0, 3, 6]]])
    clip = model({"image": resized[None].astype(np.float32), "domain": "DHF1K"}, static=False, target_size=(40, 50))
    np.testing.assert_allclose(out[[0, 3, 6]], np.asarray(clip)[0], rtol=1e-5, atol=1e-5)


def test_compiled_chunks_equal_eager_ones(model, monkeypatch):
    """Chunks traced at once (COMPILE_AFTER 0, zeros as the first hidden state) give the eager results."""
    from keras_saliency.zoo.unisal import unisal_video

    frames = RNG.integers(0, 255, (13, 40, 50, 3)).astype(np.uint8)
    monkeypatch.setattr(unisal_video, "COMPILE_AFTER", 10**6)
    eager = predict_video(model, frames, input_size=(64, 64), chunk_size=2, frame_modulo=3, progress=False)
    monkeypatch.setattr(unisal_video, "COMPILE_AFTER", 0)
    compiled = predict_video(model, frames, input_size=(64, 64), chunk_size=2, frame_modulo=3, progress=False)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5, atol=1e-5)


def test_predict_video_static_domain_and_bad_arguments(model):
    frames = RNG.integers(0, 255, (3, 64, 64, 3)).astype(np.uint8)
    out = predict_video(model, frames, domain="SALICON", input_size=(64, 64), progress=False)
    images = {"image": frames.astype(np.float32), "domain": "SALICON"}
    np.testing.assert_allclose(out, np.asarray(model(images, static=True)), atol=1e-5)  # frame by frame, no RNN
    as_clip = np.asarray(model({"image": frames[None].astype(np.float32), "domain": "SALICON"}, static=False))
    assert np.abs(out - as_clip[0]).max() > 1e-3  # the RNN path would differ
    with pytest.raises(ValueError, match="multiples of 32"):
        predict_video(model, frames, input_size=(60, 64), progress=False)
    with pytest.raises(ValueError, match="Unknown domain 'UCFSports'"):
        predict_video(model, frames, domain="UCFSports", input_size=(64, 64), progress=False)


def test_load_frames_from_folder_and_gif(tmp_path):
    frames = RNG.integers(0, 255, (3, 20, 24, 3)).astype(np.uint8)
    for i, frame in enumerate(frames):
        Image.fromarray(frame).save(tmp_path / f"{i:03d}.png")
    np.testing.assert_array_equal(load_frames(tmp_path), frames)
    gif = tmp_path / "clip.gif"
    Image.fromarray(frames[0]).save(gif, save_all=True, append_images=[Image.fromarray(f) for f in frames[1:]])
    assert load_frames(gif).shape == (3, 20, 24, 3)
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00" * 10)
    with pytest.raises(ValueError, match="Cannot decode"):
        load_frames(bad)
    with pytest.raises(FileNotFoundError):
        load_frames(tmp_path / "missing")
