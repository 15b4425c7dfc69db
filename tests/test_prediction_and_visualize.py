from pathlib import Path

import numpy as np
import pytest
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
