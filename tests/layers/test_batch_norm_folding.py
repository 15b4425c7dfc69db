"""fold_batch_norms: the folded graph computes the unfolded model (values, gradients), on the same variables."""

import keras
import numpy as np
import pytest

from keras_saliency.backbones.mobilenetv2_unisal import build_unisal_mobilenetv2
from keras_saliency.layers import DepthwiseConv2D, fold_batch_norms
from keras_saliency.layers.batch_norm_folding import FoldedConvolution


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _randomize_batch_norms(model, seed=0):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            shape = layer.moving_mean.shape
            layer.moving_mean.assign(rng.normal(0, 0.2, shape).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.3, 2.0, shape).astype("float32"))
            layer.gamma.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))
            layer.beta.assign(rng.normal(0, 0.2, shape).astype("float32"))


def _folded_count(model):
    return sum(isinstance(layer, FoldedConvolution) for layer in model.layers)


def _small_model():
    inputs = keras.Input((12, 16, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", use_bias=True, name="conv")(inputs)
    x = keras.layers.ReLU(6.0)(keras.layers.BatchNormalization(epsilon=1e-5, name="bn")(x))
    y = DepthwiseConv2D(3, strides=2, padding="same", use_bias=False, name="dw")(x)
    y = keras.layers.BatchNormalization(name="bn_dw")(y)
    z = keras.layers.Conv2D(8, 1, name="shared_output")(y)  # used twice below: must stay unfolded
    w = keras.layers.Add()([keras.layers.BatchNormalization(name="bn_z")(z), z])
    return keras.Model(inputs, w)


def test_a_folded_backbone_equals_the_model_and_shares_its_variables():
    model = build_unisal_mobilenetv2()
    _randomize_batch_norms(model)
    folded = fold_batch_norms(model)
    bns = sum(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    assert _folded_count(folded) == bns == 52
    assert {id(v) for v in folded.weights} == {id(v) for v in model.weights}
    assert fold_batch_norms(model) is folded  # cached
    x = np.random.default_rng(1).normal(size=(1, 64, 96, 3)).astype("float32")
    for want, got in zip(model(x, training=False), folded(x, training=False)):
        want, got = _np(want), _np(got)
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-5 * np.abs(want).max())


def test_folding_follows_weight_changes_and_skips_what_cannot_fold():
    model = _small_model()
    _randomize_batch_norms(model, seed=2)
    folded = fold_batch_norms(model)
    assert {layer.name for layer in folded.layers if isinstance(layer, FoldedConvolution)} == {"conv_folded", "dw_folded"}
    x = np.random.default_rng(3).normal(size=(2, 12, 16, 3)).astype("float32")
    np.testing.assert_allclose(_np(folded(x)), _np(model(x, training=False)), rtol=1e-5, atol=1e-5)
    _randomize_batch_norms(model, seed=4)  # new statistics: read at the next call, nothing cached
    model.get_layer("conv").bias.assign(np.full(8, 0.5, "float32"))
    np.testing.assert_allclose(_np(folded(x)), _np(model(x, training=False)), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="inference mode only"):
        folded(x, training=True)


def test_nested_models_are_folded_and_unfoldable_models_returned():
    inner = _small_model()
    _randomize_batch_norms(inner, seed=5)
    inputs = keras.Input((12, 16, 3))
    outer = keras.Model(inputs, inner(keras.layers.Rescaling(0.5)(inputs)))
    folded = fold_batch_norms(outer)
    assert folded is not outer
    x = np.random.default_rng(6).normal(size=(1, 12, 16, 3)).astype("float32")
    np.testing.assert_allclose(_np(folded(x)), _np(outer(x, training=False)), rtol=1e-5, atol=1e-5)
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert fold_batch_norms(plain) is plain


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="gradients through tf.GradientTape")
def test_gradients_through_the_folded_graph_equal_the_model_s():
    import tensorflow as tf

    model = _small_model()
    _randomize_batch_norms(model, seed=7)
    folded = fold_batch_norms(model)
    x = tf.constant(np.random.default_rng(8).normal(size=(2, 12, 16, 3)).astype("float32"))
    variables = [model.get_layer(n).kernel for n in ("conv", "dw")] + [model.get_layer("bn").gamma]
    grads = []
    for net in (model, folded):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(net(x, training=False) ** 2)
        grads.append(tape.gradient(loss, [v.value for v in variables]))
    for want, got in zip(*grads):
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-4, atol=1e-4 * float(np.abs(_np(want)).max()))


def test_the_cache_does_not_keep_models_alive():
    import gc
    import weakref

    from keras_saliency.layers import batch_norm_folding

    gc.collect()  # models of earlier tests
    cached = len(batch_norm_folding._FOLDED)
    inputs = keras.Input((4,))
    plain = keras.Model(inputs, keras.layers.Dense(2)(inputs))  # nothing to fold
    folded = _small_model()
    assert fold_batch_norms(plain) is plain and fold_batch_norms(folded) is not folded
    assert len(batch_norm_folding._FOLDED) == cached + 2
    refs = [weakref.ref(plain), weakref.ref(folded)]
    del plain, folded
    gc.collect()
    assert [r() for r in refs] == [None, None] and len(batch_norm_folding._FOLDED) == cached
