import numpy as np
import pytest
from scipy.special import logsumexp

from keras_saliency import classical


def _bar_array(size=512, target=(2, 3)):
    """Vertical bars with one horizontal bar: an orientation pop-out."""
    image = np.zeros((size, size, 3), np.uint8)
    step = size // 6
    mask = np.zeros((size, size), bool)
    for i in range(6):
        for j in range(6):
            cy, cx = step // 2 + i * step, step // 2 + j * step
            h, w = (4, 16) if (i, j) == target else (16, 4)
            image[cy - h:cy + h, cx - w:cx + w] = 255
            if (i, j) == target:
                mask[cy - h - 8:cy + h + 8, cx - w - 8:cx + w + 8] = True  # the target bar plus a margin
    return image, mask


def test_itti_any_size_normalised_and_deterministic():
    rng = np.random.default_rng(0)
    model = classical.get("itti")
    for shape in [(37, 53, 3), (300, 200, 3)]:
        image = rng.integers(0, 255, shape).astype(np.uint8)
        saliency = model.predict_saliency_map(image[None])[0]
        assert saliency.shape == shape[:2] and np.all(saliency >= 0)
        np.testing.assert_array_equal(saliency, model.predict_saliency_map(image[None])[0])
        assert logsumexp(model.predict_log_density(image[None])[0]) == pytest.approx(0.0, abs=1e-9)


def test_itti_finds_an_orientation_popout():
    image, mask = _bar_array()
    saliency = classical.IttiKoch().predict_saliency_map(image[None])[0]
    normalised = (saliency - saliency.mean()) / saliency.std()
    assert normalised[mask].mean() > 2.0  # NMM of the target
    assert mask[np.unravel_index(saliency.argmax(), saliency.shape)]  # the global maximum is the target


def test_center_bias_peaks_at_the_centre():
    saliency = classical.get("center_bias").predict_saliency_map(np.zeros((1, 40, 60, 3)))[0]
    assert np.unravel_index(saliency.argmax(), saliency.shape) in [(19, 29), (19, 30), (20, 29), (20, 30)]


@pytest.mark.parametrize("image, message", [
    (np.zeros((10, 10)), "RGB"), (np.zeros((4, 4, 3)), "at least 8x8"), (np.full((9, 9, 3), np.nan), "NaN"),
])
def test_bad_images_are_rejected(image, message):
    with pytest.raises(ValueError, match=message):
        classical.IttiKoch().predict_saliency_map(image[None])[0]


def test_unknown_model_name():
    with pytest.raises(ValueError, match="Unknown classical model 'sift'"):
        classical.get("sift")
