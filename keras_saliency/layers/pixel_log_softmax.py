"""Log-softmax over the pixels of each map: logits -> normalised log-density."""

from __future__ import annotations

import keras

from keras_saliency.saliency_ops import log_softmax_hw


@keras.saving.register_keras_serializable(package="keras_saliency")
class PixelLogSoftmax(keras.layers.Layer):
    """(..., H, W) or (..., H, W, 1) logits -> (..., H, W) log-density, ``logsumexp == 0`` per map.

    Every leading index (batch, time) is a separate map. Computed in float32 as
    a max-shifted log-sum-exp (converts to builtin TFLite ops).
    """

    def call(self, logits):
        return log_softmax_hw(logits)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        return input_shape[:-1] if len(input_shape) >= 4 and input_shape[-1] == 1 else input_shape
