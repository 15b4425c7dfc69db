"""UNISAL's image predictions switch to a compiled forward pass for recurring shapes, with the same outputs."""

import keras
import numpy as np
from PIL import Image

from keras_saliency.data.sizes import optimal_size
from keras_saliency.zoo.unisal import unisal_model
from keras_saliency.testing.perturbed import perturbed_unisal


def _network_input(images):
    """The images as UNISAL's predictor feeds them: Lanczos-resized to the aspect-ratio rule's size."""
    size = optimal_size(*images.shape[1:3])
    pixels = np.clip(np.rint(images), 0, 255).astype(np.uint8)
    return np.stack([np.asarray(Image.fromarray(p).resize(size[::-1], Image.LANCZOS), np.float32) for p in pixels])


def test_recurring_shapes_compile_and_predict_what_call_predicts(monkeypatch):
    """TensorFlow: tf.function; JAX (run it with KERAS_BACKEND=jax): jax.jit with the variables as arguments."""
    monkeypatch.setattr(unisal_model, "COMPILE_AFTER", 1)
    model = perturbed_unisal()  # maps far from flat, different per domain
    images = np.random.default_rng(0).uniform(0, 255, (2, 50, 70, 3))
    eager = model.predict_log_density(images, domain="SALICON")
    forward = model.__dict__["_image_forward_calls"]
    assert not forward.compiled  # the first batch of a shape runs eagerly
    compiled = model.predict_log_density(images, domain="SALICON")
    assert len(forward.compiled) == 1
    np.testing.assert_allclose(compiled, eager, atol=1e-4)
    for domain in ("SALICON", "DHF1K"):  # the domain is an input of the trace, not a constant of it
        called = keras.ops.convert_to_numpy(model({"image": _network_input(images), "domain": domain},
                                                  target_size=(50, 70)))
        np.testing.assert_allclose(model.predict_log_density(images, domain=domain), called, atol=1e-4)
    assert not np.allclose(model.predict_log_density(images, domain="DHF1K"), compiled, atol=1e-3)
    other = np.random.default_rng(1).uniform(0, 255, (2, 70, 50, 3))  # a second shape, compiled on its own
    first = model.predict_log_density(other, domain="SALICON")
    np.testing.assert_allclose(model.predict_log_density(other, domain="SALICON"), first, atol=1e-4)
    assert len(forward.compiled) == 2
