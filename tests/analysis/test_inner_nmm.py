import keras
import numpy as np
import pytest

from keras_saliency.analysis import nmm, top_units, unit_nmm


def _identity_model(shape):
    inp = keras.Input(shape)
    return keras.Model(inp, keras.layers.Identity(name="pixels")(inp))


def test_unit_nmm_of_pixel_channels_equals_map_nmm():
    rng = np.random.default_rng(0)
    images = rng.random((3, 8, 10, 3)).astype(np.float32)
    images[..., 2] = 0.5  # constant channel -> NMM 0
    masks = np.zeros((3, 8, 10), bool)
    masks[0, 2:4, 3:6] = masks[1, 0, 0] = masks[2, 5:, :] = True
    images[0, 2:4, 3:6, 0] += 5.0  # unit 0 of image 0 fires on the target
    got = unit_nmm(_identity_model((8, 10, 3)), images, masks, ["pixels"], batch_size=2, channel_chunk=2)
    assert set(got) == {"pixels"} and got["pixels"].shape == (3, 3)
    for i in range(3):
        for c in range(2):  # min-max normalisation is affine, so NMM equals the raw map's NMM
            assert got["pixels"][i, c] == pytest.approx(nmm(images[i, ..., c], masks[i]), abs=1e-5)
        assert got["pixels"][i, 2] == 0.0
    assert got["pixels"][0, 0] > 2.0


def test_unit_nmm_resizes_maps_to_the_mask_size():
    images = np.zeros((1, 4, 4, 1), np.float32)
    images[0, 0, 0, 0] = 1.0
    mask = np.zeros((1, 8, 8), bool)
    mask[0, :2, :2] = True
    got = unit_nmm(_identity_model((4, 4, 1)), images, mask, ["pixels"])
    assert got["pixels"].shape == (1, 1) and got["pixels"][0, 0] > 2.0


def test_unit_nmm_errors():
    model = _identity_model((4, 4, 1))
    images = np.zeros((2, 4, 4, 1), np.float32)
    with pytest.raises(ValueError, match="lengths differ"):
        unit_nmm(model, images, np.ones((3, 4, 4), bool), ["pixels"])
    masks = np.ones((2, 4, 4), bool)
    masks[1] = False
    with pytest.raises(ValueError, match=r"\[1\] are empty"):
        unit_nmm(model, images, masks, ["pixels"])
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        unit_nmm(model, images, np.ones((4, 4), bool), ["pixels"])


def test_top_units_hand_computed():
    # 4 images x 3 units; unit means 1.5, 6.0, 3.0 -> best unit 1, top-2 mean 4.5
    values = np.array([[1.0, 5.0, 0.0], [2.0, 7.0, 9.0], [1.0, 5.0, 0.0], [2.0, 7.0, 3.0]])
    s = top_units(values, k=2)
    assert s["best_unit"] == 1 and s["best"] == pytest.approx(6.0) and s["top_k"] == pytest.approx(4.5)
    assert s["best_se"] == pytest.approx(np.std([5, 7, 5, 7], ddof=1) / 2)
    # held-out: on even rows (0, 2) unit 1 is best; its mean on odd rows (1, 3) is 7
    assert s["held_out"] == pytest.approx(7.0)
    values[0, 2] = values[2, 2] = 20.0  # now unit 2 wins on even rows; its odd-row mean is 6
    assert top_units(values, k=1)["held_out"] == pytest.approx(6.0)


def test_top_units_single_image_and_errors():
    s = top_units(np.array([[0.5, 2.0]]), k=5)
    assert s["best"] == 2.0 and s["top_k"] == pytest.approx(1.25)
    assert np.isnan(s["best_se"]) and np.isnan(s["held_out"])
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        top_units(np.zeros(3))
    with pytest.raises(ValueError, match="`k`"):
        top_units(np.zeros((2, 2)), k=0)
