"""TransferModel, the n-reference experiment's models: the frozen-encoder route and the head options."""

import numpy as np

from keras_saliency.zoo.dinet import TransferModel, encoder_features

SPEC = TransferModel(backbone="standin", freeze_encoder=True, head="dinet", head_width=8, dilations=(1, 2),
                     size=(32, 48))


def test_frozen_head_on_precomputed_features_equals_the_full_model():
    encoder = SPEC.encoder()
    assert not encoder.trainable_weights
    full = SPEC.model(seed=3)
    assert full.trainable_weights and all("dinet" in v.path for v in full.trainable_weights)
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 48, 3)).astype("float32")
    feats = encoder_features(encoder, x)
    head = SPEC.model(seed=3, feature_shape=feats.shape[1:])
    # same weights in both routes: the encoder's into the full model, the full model's head into the head
    for layer in encoder.layers:
        if layer.weights:
            full.get_layer(layer.name).set_weights(layer.get_weights())
    for layer in head.layers:
        if layer.weights:
            layer.set_weights(full.get_layer(layer.name).get_weights())
    np.testing.assert_allclose(full.predict(x, verbose=0), head.predict(feats, verbose=0), rtol=1e-5, atol=1e-6)
    assert head.output.shape[1:] == (4, 6)  # stride 8 of the stand-in: the grid follows the backbone


def test_head_width_and_dilations_reach_the_dinet_head():
    spec = TransferModel(head_width=12, dilations=(1, 3, 5), size=(32, 48))
    head = spec.model(seed=0, feature_shape=(4, 6, 32))
    rates = sorted(layer.dilation_rate[0] for layer in head.layers if "_enc_d" in layer.name)
    assert rates == [1, 3, 5]
    assert head.get_layer("dinet_enc_conv1x1").filters == 12


def test_unfrozen_encoder_trains_end_to_end_and_the_baseline_head_is_one_conv():
    full = TransferModel(size=(32, 48)).model(seed=0)
    assert any("stand_in" in v.path for v in full.trainable_weights)
    baseline = TransferModel(head="resnet", size=(32, 48)).model(seed=0, feature_shape=(4, 6, 32))
    assert [v.shape for v in baseline.trainable_weights] == [(3, 3, 32, 1)]
