"""The probe model of the analysis: layers found with public Keras API, setup II's unfreezing, outputs."""

import keras
import numpy as np
import pytest

from keras_saliency.analysis.probe import (
    build_encoder,
    probe_logits,
    probe_model,
    probe_saliency,
    train_probe,
    unfreeze_layers,
)
from keras_saliency.analysis.probe_analysis import regions_by_rank
from keras_saliency.fixations import Fixations
from keras_saliency.layers.traversal import nested_layers


def _nested_encoder():
    """image -> conv "outer_conv" -> a nested model (conv "inner_conv" + BatchNormalization "inner_bn")."""
    inner_in = keras.Input((8, 8, 4))
    inner = keras.Model(inner_in, keras.layers.BatchNormalization(name="inner_bn")(
        keras.layers.Conv2D(4, 3, padding="same", name="inner_conv")(inner_in)), name="inner")
    image = keras.Input((8, 8, 3))
    x = inner(keras.layers.Conv2D(4, 3, padding="same", name="outer_conv")(image))
    return keras.Model(image, {"out": x}, name="encoder")


def test_nested_layers_reach_into_nested_models_once():
    names = [layer.name for layer in nested_layers(_nested_encoder())]
    assert sorted(n for n in names if not n.startswith("input")) == ["inner", "inner_bn", "inner_conv", "outer_conv"]
    assert len(names) == len(set(names))


def test_unfreeze_layers_trains_only_the_named_layers_and_keeps_batch_norm_frozen():
    encoder = _nested_encoder()
    encoder.trainable = False
    assert unfreeze_layers(encoder, ["inner_"]) == 1  # inner_conv; inner_bn matches but stays frozen
    trainable = {v.path.split("/")[-2] for v in encoder.trainable_weights}
    assert trainable == {"inner_conv"}
    with pytest.raises(LookupError, match=r"one of \['nonexistent'\]"):
        unfreeze_layers(encoder, ["nonexistent"])


def test_probe_trains_and_predicts_maps_of_the_fixation_map_size():
    encoder, taps = build_encoder("tiny", (16, 24, 3))
    assert taps == ["block1", "block2", "block3"]
    encoder.trainable = False
    probe = probe_model(encoder, taps, (10, 12))
    assert [v.path for v in probe.trainable_weights] == ["readout/kernel"]
    images = np.random.default_rng(0).uniform(0, 255, (3, 16, 24, 3)).astype("float32")
    fixation_maps = [np.eye(10, 12) for _ in range(3)]
    losses = train_probe(probe, images, fixation_maps, epochs=2, learning_rate=1e-2)
    assert len(losses) == 2 and np.all(np.isfinite(losses))
    assert probe_logits(probe, images).shape == (3, 10, 12)
    saliency = probe_saliency(probe, images, size=(20, 24))
    assert saliency.shape == (3, 20, 24) and np.allclose(saliency.max(axis=(1, 2)), 1.0)


def test_regions_are_ranked_by_fixation_count():
    fixations = Fixations(np.r_[np.full(3, 5.0), np.full(6, 30.0)], np.full(9, 10.0))
    regions = regions_by_rank(fixations, (20, 40), bandwidth=5.0)
    assert [c for _, c in regions] == ["rank1", "rank2"]
    assert regions[0][0][10, 30] and regions[1][0][10, 5]  # the 6-fixation cluster first
