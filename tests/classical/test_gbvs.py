import numpy as np
import pytest
from scipy.special import logsumexp

from keras_saliency import classical, synthetic
from keras_saliency.analysis import nmm
from keras_saliency.classical.gbvs import GBVS, grid_distance_falloff, reversible_equilibrium


def test_gbvs_any_size_normalised_and_deterministic():
    rng = np.random.default_rng(0)
    model = GBVS(map_size=12)
    for shape in [(37, 53, 3), (90, 40, 3)]:
        image = rng.integers(0, 255, shape).astype(np.uint8)
        saliency = model.predict_saliency_map(image[None])[0]
        assert saliency.shape == shape[:2] and saliency.dtype == np.float64 and np.all(saliency >= 0)
        np.testing.assert_array_equal(saliency, model.predict_saliency_map(image[None])[0])
        assert logsumexp(model.predict_log_density(image[None])[0]) == pytest.approx(0.0, abs=1e-9)


def _power_iteration(weights, tol=1e-10, max_iter=100000):
    """Reference: pi <- pi (I + P) / 2 from uniform until converged."""
    transition = weights / weights.sum(-1, keepdims=True)
    pi = np.full(len(weights), 1.0 / len(weights))
    for _ in range(max_iter):
        new = 0.5 * (pi + pi @ transition)
        if np.abs(new - pi).sum() < tol:
            return new / new.sum()
        pi = new
    raise AssertionError("power iteration did not converge")


def test_closed_form_equilibria_match_power_iteration():
    rng = np.random.default_rng(1)
    falloff = grid_distance_falloff((5, 6), 1.5)
    feature = rng.uniform(0.1, 1.0, 30)
    weights = np.abs(np.log(feature)[:, None] - np.log(feature)[None, :]) * falloff
    np.testing.assert_allclose(reversible_equilibrium(weights[None])[0], _power_iteration(weights), atol=1e-6)
    activation = rng.uniform(0.0, 1.0, 30)  # w(i, j) = A(j) F(i, j)
    np.testing.assert_allclose(reversible_equilibrium(falloff[None], activation[None])[0],
                               _power_iteration(activation[None, :] * falloff), atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_gbvs_finds_a_colour_popout(seed):
    image, mask = synthetic.popout_search_array("colour", 128, seed)
    saliency = classical.gbvs(image, map_size=16)
    assert nmm(saliency, mask) > 1.0


@pytest.mark.parametrize("image, message", [
    (np.zeros((10, 10)), "RGB"), (np.zeros((10, 10, 4)), "RGB"), (np.full((9, 9, 3), np.nan), "NaN"),
])
def test_gbvs_rejects_bad_images(image, message):
    with pytest.raises(ValueError, match=message):
        classical.gbvs(image)


def test_gbvs_rejects_bad_parameters():
    with pytest.raises(ValueError, match="map_size"):
        GBVS(map_size=2)
    with pytest.raises(ValueError, match="sigma_activation"):
        GBVS(sigma_activation=0)


def test_popout_generator_contract():
    image, mask = synthetic.popout_search_array("orientation", 96, 3)
    assert image.shape == (96, 96, 3) and image.dtype == np.uint8 and mask.shape == (96, 96) and mask.any()
    np.testing.assert_array_equal(image, synthetic.popout_search_array("orientation", 96, 3)[0])
    with pytest.raises(ValueError, match="kind"):
        synthetic.popout_search_array("motion")


@pytest.mark.parametrize("kind", synthetic.KINDS)
def test_itti_finds_both_popouts(kind):
    image, mask = synthetic.popout_search_array(kind, 256, 0)
    assert nmm(classical.IttiKoch().predict_saliency_map(image[None])[0], mask) > 1.0


def test_gbvs_on_a_photograph_finds_the_eyes():
    """Regression: power iteration did not converge on this photo; the closed form always does."""
    from pathlib import Path

    from PIL import Image

    image = np.asarray(Image.open(Path(__file__).resolve().parents[2] / "examples" / "images" / "chelsea_cat.jpg"))
    saliency = classical.gbvs(image)
    assert saliency.shape == image.shape[:2] and np.isfinite(saliency).all()
    eyes = np.zeros(saliency.shape, bool)
    eyes[90:170, 130:330] = True  # the band of the cat's eyes
    assert nmm(saliency, eyes) > 0.5
