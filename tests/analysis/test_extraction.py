import keras
import numpy as np
import pytest

from keras_saliency.analysis import associate_units, iter_activation_maps, layer_table


def _identity_model():
    inp = keras.Input((8, 8, 3))
    conv = keras.layers.Conv2D(3, 1, use_bias=False, name="ident")
    out = conv(inp)
    conv.set_weights([np.eye(3, dtype="float32")[None, None]])
    pooled = keras.layers.AveragePooling2D(2, name="pool")(out)
    return keras.Model(inp, pooled)


def test_identity_conv_activations_are_normalised_input():
    rng = np.random.default_rng(0)
    x = rng.random((3, 8, 8, 3)).astype("float32")
    got = {(l, i, c0): m for l, i, c0, m in iter_activation_maps(_identity_model(), x, ["ident"], (8, 8),
                                                                  batch_size=2, channel_chunk=2)}
    assert sorted(got) == [("ident", i, c) for i in range(3) for c in (0, 2)]
    lo = x.min(axis=(1, 2), keepdims=True)
    expected = (x - lo) / (x.max(axis=(1, 2), keepdims=True) - lo)
    np.testing.assert_allclose(got[("ident", 1, 0)], np.moveaxis(expected[1, ..., :2], -1, 0), atol=1e-6)
    np.testing.assert_allclose(got[("ident", 2, 2)][0], expected[2, ..., 2], atol=1e-6)


def test_channel_range_and_errors():
    x = np.ones((1, 8, 8, 3), "float32") * np.array([1.0, 2.0, 3.0], "float32")
    rng = {"ident": (np.zeros(3), np.array([2.0, 4.0, 6.0]))}
    (_, _, _, maps), = iter_activation_maps(_identity_model(), x, ["ident"], (8, 8), channel_range=rng)
    np.testing.assert_allclose(maps, 0.5, atol=1e-6)
    with pytest.raises(ValueError, match="Unknown layer"):
        list(iter_activation_maps(_identity_model(), x, ["nope"], (8, 8)))


def test_batched_chunked_equals_all_at_once():
    rng = np.random.default_rng(3)
    x = rng.random((5, 8, 8, 3)).astype("float32")
    fix = [np.zeros((16, 16)) for _ in range(5)]
    regions = []
    for f in fix:
        f[rng.integers(0, 16, 6), rng.integers(0, 16, 6)] = 1
        regions.append([(np.ones((16, 16), bool), "all"), (f > 0, "fixated")])
    model = _identity_model()
    small = associate_units(model, x, fix, regions, ["ident", "pool"], batch_size=2, channel_chunk=1)
    big = associate_units(model, x, fix, regions, ["ident", "pool"], batch_size=5, channel_chunk=64)
    for layer in ("ident", "pool"):
        assert len(small.unit_nss[layer]) == 10
        for (i, c, a), (j, d, b) in zip(small.unit_nss[layer], big.unit_nss[layer]):
            assert (i, c) == (j, d) and a.shape == (3,)
            np.testing.assert_allclose(a, b, atol=1e-6)
    assert small.table(k=2, threshold=0.0) == big.table(k=2, threshold=0.0)
    assert "| ident |" in layer_table(small, k=2)
