"""`examples/n_reference.py` CPU-budget options: the frozen-encoder route and argument checks (no data, no fit)."""

import argparse

import numpy as np
import pytest



@pytest.fixture(scope="module")
def nref(load_example):
    return load_example("n_reference")


def _args(**kw):
    base = dict(backbone="standin", tap="layer4", freeze_encoder=True, head="dinet", head_width=8,
                dilations=[1, 2], size=(32, 48))
    base.update(kw)
    return argparse.Namespace(**base)


def test_frozen_head_on_precomputed_features_equals_the_full_model(nref):
    args = _args()
    encoder = nref.make_encoder(args)
    assert not encoder.trainable_weights
    full = nref.make_model(args, seed=3)
    assert full.trainable_weights and all("dinet" in v.path for v in full.trainable_weights)
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 48, 3)).astype("float32")
    feats = encoder.predict(x, verbose=0)
    head = nref.make_model(args, seed=3, feature_shape=feats.shape[1:])
    # same weights in both routes: the encoder's into the full model, the full model's head into the head
    for layer in encoder.layers:
        if layer.weights:
            full.get_layer(layer.name).set_weights(layer.get_weights())
    for layer in head.layers:
        if layer.weights:
            layer.set_weights(full.get_layer(layer.name).get_weights())
    np.testing.assert_allclose(full.predict(x, verbose=0), head.predict(feats, verbose=0), rtol=1e-5, atol=1e-6)
    assert head.output.shape[1:] == (4, 6)  # stride 8 of the stand-in: the grid follows the backbone


def test_head_width_and_dilations_reach_the_dinet_head(nref):
    head = nref.make_model(_args(head_width=12, dilations=[1, 3, 5]), seed=0, feature_shape=(4, 6, 32))
    rates = sorted(layer.dilation_rate[0] for layer in head.layers if "_enc_d" in layer.name)
    assert rates == [1, 3, 5]
    assert head.get_layer("dinet_enc_conv1x1").filters == 12


def test_unfrozen_encoder_trains_end_to_end(nref):
    full = nref.make_model(_args(freeze_encoder=False), seed=0)
    assert any("stand_in" in v.path for v in full.trainable_weights)


@pytest.mark.parametrize("argv, message", [
    (["--target-count", "8", "--n", "10"], "--target-count must be >= 3 + max(--n)"),
    (["--head-width", "0"], "--head-width must be >= 1"),
    (["--dilations", "2", "0"], "--dilations must be >= 1"),
])
def test_bad_arguments_fail_before_loading_data(nref, argv, message):
    with pytest.raises(SystemExit, match=message.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        nref.main(argv)
