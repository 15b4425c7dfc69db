"""`run_saliency_model_test`: the contract of `keras_saliency.models`, checked on one model (like keras-hub's
``run_task_test``). Every family's test and every bundled preset's test calls it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from scipy.special import logsumexp

from keras_saliency.models.contract import OUTPUT_KINDS


def _images(rng, batch, size):
    return rng.uniform(0, 255, (batch,) + tuple(size) + (3,)).astype(np.float32)


def run_saliency_model_test(model, *, sizes=((40, 56), (33, 47)), conditions: Optional[dict] = None,
                            bad_conditions: Optional[dict] = None, fit: Optional[Callable] = None,
                            roundtrip: bool = True, atol: float = 1e-5, seed: int = 0) -> None:
    """Assert that ``model`` honours the contract; raises AssertionError (or the model's own error).

    Checks, on random RGB 0..255 images of each of ``sizes``: ``output_kind`` is declared;
    ``predict_log_density`` returns (B, H, W) float64 normalised per image at the input
    size; a batch of one equals the same image in a batch (within ``atol``);
    ``predict_saliency_map``, ``predict_video`` and ``predict_video_stream`` (frame by frame) agree with it; bad inputs (one
    unbatched image, 4 channels, NaN, values above 255, an unknown condition, and each of
    ``bad_conditions``: ``{name: bad value}``) raise ``ValueError``. For Keras models
    (``roundtrip``): a ``.keras`` save/load and a preset save/load give exactly the same
    log-densities. ``fit(model) -> (loss_before, loss_after)`` (optional) must lower the loss.
    ``conditions``: passed to every prediction (e.g. ``{"domain": "SALICON"}``).
    """
    conditions = dict(conditions or {})
    rng = np.random.default_rng(seed)
    assert model.output_kind in OUTPUT_KINDS, f"output_kind {model.output_kind!r} not in {OUTPUT_KINDS}"
    first = None
    for size in sizes:
        images = _images(rng, 2, size)
        out = model.predict_log_density(images, **conditions)
        assert out.shape == (2,) + tuple(size) and out.dtype == np.float64, (out.shape, out.dtype)
        np.testing.assert_allclose(logsumexp(out, axis=(1, 2)), 0.0, atol=1e-9)
        single = model.predict_log_density(images[1:], **conditions)
        np.testing.assert_allclose(single[0], out[1], atol=atol, err_msg="a batch of one differs from the batch")
        maps = model.predict_saliency_map(images, **conditions)
        assert maps.shape == out.shape and (maps >= 0).all()
        if model.output_kind == "log_density":
            np.testing.assert_allclose(maps, np.exp(out), rtol=1e-9, atol=1e-12)
        first = (images, out) if first is None else first
    images, expected = first
    video = model.predict_video(images, **conditions)
    assert video.shape == expected.shape and video.dtype == np.float64
    np.testing.assert_allclose(logsumexp(video, axis=(1, 2)), 0.0, atol=1e-9)
    streamed = np.concatenate(list(model.predict_video_stream(iter(images), batch_size=1, **conditions)))
    np.testing.assert_allclose(streamed, video, atol=atol, err_msg="predict_video_stream differs from predict_video")
    _check_bad_inputs(model, images, conditions, bad_conditions or {})
    if roundtrip and _is_keras(model):
        _check_roundtrips(model, images, expected, conditions)
    if fit is not None:
        before, after = fit(model)
        assert np.isfinite(before) and np.isfinite(after) and after < before, (before, after)


def _check_bad_inputs(model, images, conditions, bad_conditions):
    import pytest

    bad = {
        "one unbatched image": images[0],
        "4 channels": np.concatenate([images, images[..., :1]], -1),
        "NaN": np.where(np.arange(images.size).reshape(images.shape) == 5, np.nan, images),
        "values above 255": images * 4 + 300,
        "float RGB in 0..1": images / 255,
    }
    for what, value in bad.items():
        with pytest.raises(ValueError, match="images"):
            model.predict_log_density(value, **conditions)
    with pytest.raises(ValueError, match="takes"):
        model.predict_log_density(images, **conditions, not_a_condition=1)
    for name, value in bad_conditions.items():
        with pytest.raises(ValueError, match=name):
            model.predict_log_density(images, **{**conditions, name: value})


def _is_keras(model) -> bool:
    import keras

    return isinstance(model, keras.Model)


def _check_roundtrips(model, images, expected, conditions):
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is type(model)
        np.testing.assert_array_equal(loaded.predict_log_density(images, **conditions), expected,
                                      err_msg=".keras round trip changed the predictions")
        preset = model.save_to_preset(Path(tmp) / "preset")
        restored = type(model).from_preset(preset)
        np.testing.assert_array_equal(restored.predict_log_density(images, **conditions), expected,
                                      err_msg="preset round trip changed the predictions")
