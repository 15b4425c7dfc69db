"""Inference graphs with each BatchNormalization folded into the convolution before it, on the same variables.

``fold_batch_norms(model)`` rebuilds a functional model over the *same* layers (`keras.models.clone_model`
with the layers reused) in which every ``Conv2D`` / ``DepthwiseConv2D`` (linear activation, channels last,
depth multiplier 1) whose output goes only into a ``BatchNormalization`` over its channels runs as one
convolution, kernel ``k * s`` and bias ``beta - mean * s`` (+ the conv's own bias times ``s``), with
``s = gamma / sqrt(moving_variance + epsilon)``: the BatchNorm *in inference mode*. ``s`` is computed from the
live variables at every call (a few hundred values per layer), so weight changes are seen and nothing is
copied or saved; the model's variables and weight files are untouched. One pass over each activation instead
of three (convolution, scale, shift): MobileNetV2 / EfficientNet-Lite features run ~1.5x faster on a CPU
(``benchmarks/results/unisal_vs_pytorch.md``). Outputs equal the unfolded model's to float32 rounding
(the product ``k * s`` is rounded once more). Calling the folded model with ``training=True`` raises: a
BatchNorm that trains uses batch statistics, which cannot be folded.
"""

from __future__ import annotations

import weakref

import keras
from keras import ops

from keras_saliency.layers.shifted_depthwise_conv import DepthwiseConv2D

_FOLDED = weakref.WeakKeyDictionary()


class FoldedConvolution(keras.layers.Layer):
    """``bn(conv(x), training=False)`` of an existing conv and BatchNorm pair, as one convolution."""

    def __init__(self, conv, batch_norm, **kwargs):
        super().__init__(name=f"{conv.name}_folded", **kwargs)
        self.conv, self.batch_norm = conv, batch_norm

    def call(self, inputs, training=None):
        if training:
            raise ValueError(f"{self.name}: a folded BatchNormalization runs in inference mode only; call the "
                             "original model to train with batch statistics.")
        conv, bn = self.conv, self.batch_norm
        scale = ops.rsqrt(ops.cast(bn.moving_variance, "float32") + bn.epsilon)
        if bn.scale:
            scale = scale * ops.cast(bn.gamma, "float32")
        shift = -ops.cast(bn.moving_mean, "float32") * scale
        if bn.center:
            shift = shift + ops.cast(bn.beta, "float32")
        if conv.use_bias:
            shift = shift + ops.cast(conv.bias, "float32") * scale
        depthwise = isinstance(conv, keras.layers.DepthwiseConv2D)
        kernel = ops.cast(conv.kernel, "float32") * (scale[:, None] if depthwise else scale)
        kernel = ops.cast(kernel, inputs.dtype)
        if isinstance(conv, DepthwiseConv2D):
            out = conv.depthwise(inputs, kernel)
        elif depthwise:
            out = ops.depthwise_conv(inputs, kernel, strides=conv.strides, padding=conv.padding,
                                     dilation_rate=conv.dilation_rate, data_format=conv.data_format)
        else:
            out = conv.convolution_op(inputs, kernel)
        return out + ops.cast(shift, out.dtype)

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)


def _foldable(conv) -> bool:
    if isinstance(conv, keras.layers.DepthwiseConv2D):
        ok = conv.depth_multiplier == 1
    else:
        ok = isinstance(conv, keras.layers.Conv2D) and not isinstance(conv, keras.layers.Conv2DTranspose)
    return ok and conv.data_format == "channels_last" and conv.activation in (None, keras.activations.linear)


def _single_input(layer):
    try:
        inputs = layer.input  # raises for a layer called more than once
    except (AttributeError, ValueError):
        return None
    return inputs if isinstance(inputs, keras.KerasTensor) else None


def _single_output(layer):
    try:
        return layer.output
    except (AttributeError, ValueError):
        return []


def fold_batch_norms(model: keras.Model) -> keras.Model:
    """``model`` (a functional ``keras.Model``) with its conv + BatchNorm pairs folded; see the module docstring.

    The result is cached per model (weakly) and shares every layer and variable with ``model``; nested
    functional models are folded too. Returned as it is: a Sequential or subclassed model, a model with
    nothing to fold, or one with a layer called more than once (whose uses cannot be counted).
    """
    if model in _FOLDED:
        return _FOLDED[model] or model  # None: nothing to fold (the model itself would keep its key alive)
    if isinstance(model, keras.Sequential) or getattr(model, "outputs", None) is None:
        return model  # clone_model reroutes the calls of functional models only
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    producer, uses = {}, {}
    for layer in layers:
        for output in keras.tree.flatten(_single_output(layer)):
            producer[id(output)] = layer
        try:
            inputs = keras.tree.flatten(layer.input)
        except (AttributeError, ValueError):  # a layer called more than once: its uses cannot be counted
            _FOLDED[model] = None
            return model
        for tensor in inputs:
            uses[id(tensor)] = uses.get(id(tensor), 0) + 1
    for output in keras.tree.flatten(model.outputs):
        uses[id(output)] = uses.get(id(output), 0) + 1
    folds, skipped = {}, set()
    for layer in layers:
        if not isinstance(layer, keras.layers.BatchNormalization) or layer.axis not in (-1, 3):
            continue
        tensor = _single_input(layer)
        conv = None if tensor is None else producer.get(id(tensor))
        if conv is not None and _foldable(conv) and _single_input(conv) is not None and uses[id(tensor)] == 1:
            folds[id(conv)] = FoldedConvolution(conv, layer)
            skipped.add(id(layer))
    nested = {}
    for layer in layers:
        inner = fold_batch_norms(layer) if isinstance(layer, keras.Model) else layer
        if inner is not layer:
            nested[id(layer)] = inner
    if not folds and not nested:
        _FOLDED[model] = None
        return model

    def call_function(layer, *args, **kwargs):
        if id(layer) in folds:
            return folds[id(layer)](*args, training=kwargs.get("training"))
        if id(layer) in skipped:
            return args[0]  # already applied by the folded convolution
        return nested.get(id(layer), layer)(*args, **kwargs)

    folded = keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call_function)
    _FOLDED[model] = folded
    return folded
