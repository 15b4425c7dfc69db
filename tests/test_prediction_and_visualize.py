from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.special import logsumexp

from keras_saliency import classical, prediction, visualize
from keras_saliency.density import uniform_log_density

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "images"


def test_predict_arrays_and_paths_at_original_size():
    image = np.random.default_rng(0).integers(0, 255, (30, 45, 3)).astype(np.uint8)
    [result] = prediction.predict(image, model="gbvs")
    assert result.log_density.shape == (30, 45) and result.source == "image_0"
    np.testing.assert_allclose(result.saliency_map.sum(), 1.0)
    results = prediction.predict([EXAMPLES / "coffee.jpg"], model="center_bias", progress=False)
    assert results[0].log_density.shape == results[0].image.shape[:2] == (400, 600)


def test_declared_keras_network_output_is_resized_and_renormalised():
    import keras

    from keras_saliency.models import KerasSaliencyModel

    inputs = keras.Input((None, None, 3))
    pooled = keras.layers.AveragePooling2D(4)(keras.layers.Conv2D(1, 1)(inputs))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x - keras.ops.logsumexp(x, axis=(1, 2, 3),
                                                                                        keepdims=True))(pooled))
    [result] = prediction.predict(np.zeros((32, 48, 3), np.uint8), model=KerasSaliencyModel(model, "log_density"))
    assert result.log_density.shape == (32, 48)
    assert logsumexp(result.log_density) == pytest.approx(0.0, abs=1e-9)


def test_models_not_honouring_the_contract_are_refused():
    image = np.zeros((20, 20, 3), np.uint8)
    with pytest.raises(TypeError, match="`model` must be"):
        prediction.predict(image, model=lambda im: uniform_log_density(im.shape[:2]))
    with pytest.raises(TypeError, match="`model` must be"):
        prediction.resolve_model(3)


class _WrongShape(classical.GBVS):
    def _predict_batch(self, images, **conditions):
        return np.ones((len(images), 10, 10))


def test_a_model_returning_the_wrong_shape_is_caught():
    with pytest.raises(ValueError, match=r"returned shape \(1, 10, 10\).*expected \(1, 20, 20\)"):
        prediction.predict(np.zeros((20, 20, 3), np.uint8), model=_WrongShape())


def test_overlay_and_figures(tmp_path):
    image = np.full((20, 30, 3), 100, np.uint8)
    saliency = np.zeros((20, 30))
    saliency[5, 5] = 1.0
    overlay = visualize.overlay_heatmap(image, saliency, alpha=1.0)
    assert overlay.dtype == np.uint8 and overlay.shape == image.shape
    assert np.array_equal(overlay[0, 0], image[0, 0])  # zero saliency keeps the photo
    assert not np.array_equal(overlay[5, 5], image[5, 5])
    with pytest.raises(ValueError, match="expected the image's"):
        visualize.overlay_heatmap(image, saliency[:10])
    visualize.compare_models(image, [saliency, 1 - saliency], ["a", "b"],
                             path=tmp_path / "cmp.png", fixations=[[5.5, 5.5]])
    assert (tmp_path / "cmp.png").stat().st_size > 0
    ax = visualize.plot_calibration([5, 3, 2])
    assert len(ax.patches) == 3


def test_float_images_in_0_1_are_refused_with_how_to_fix():
    image = np.random.default_rng(0).random((20, 24, 3))
    with pytest.raises(ValueError, match=r"`image_0` looks like float RGB in 0\.\.1.*`image_0 \* 255`"):
        prediction.predict(image, model="center_bias")
    model = classical.get("center_bias")
    with pytest.raises(ValueError, match=r"`images` looks like float RGB in 0\.\.1"):
        model.predict_log_density(image[None].astype(np.float32))
    [black] = prediction.predict(np.zeros((20, 24, 3), np.float32), model=model)  # all-black float: 0..255
    assert black.log_density.shape == (20, 24)
    dark = np.ones((1, 20, 24, 3), np.uint8)  # integer arrays are 0..255 however dark
    assert model.predict_log_density(dark).shape == (1, 20, 24)
    np.testing.assert_allclose(model.predict_log_density(image[None] * 255), model.predict_log_density(dark))


def test_grayscale_arrays_are_one_image_and_other_shapes_are_named_errors():
    model = classical.get("gbvs")
    gray = np.random.default_rng(1).integers(0, 255, (30, 40)).astype(np.uint8)
    [result] = prediction.predict(gray, model=model)
    assert result.image.shape == (30, 40, 3) and result.log_density.shape == (30, 40)
    np.testing.assert_array_equal(result.image, np.repeat(gray[..., None], 3, -1))
    rgb = prediction.predict(np.repeat(gray[..., None], 3, -1), model=model)[0]
    np.testing.assert_allclose(result.log_density, rgb.log_density)
    [single] = prediction.predict([gray[..., None]], model=model)
    np.testing.assert_allclose(single.log_density, rgb.log_density)
    with pytest.raises(ValueError, match=r"image_1: got an \(H, W, 4\) RGBA array.*expected \(H, W, 3\) RGB"):
        prediction.predict([gray, np.zeros((30, 40, 4), np.uint8)], model=model)
    with pytest.raises(ValueError, match=r"image_3: expected an \(H, W, 3\) RGB or \(H, W\) grayscale image; "
                                         r"got shape \(30, 40, 2\)"):
        prediction.predict([gray] * 3 + [np.zeros((30, 40, 2))], model=model)
    with pytest.raises(ValueError, match=r"`image_0` must be RGB values in 0\.\.255"):
        prediction.predict(np.full((30, 40), 300.0), model=model)


def test_a_16_bit_png_is_predicted_from_its_real_values(tmp_path):
    gray16 = tmp_path / "gray16.png"
    Image.fromarray(np.arange(0, 65536, 257, dtype=np.uint16).reshape(16, 16)).save(gray16)
    [result] = prediction.predict(gray16, model="center_bias")
    np.testing.assert_array_equal(result.image[..., 0].ravel(), np.arange(256))
