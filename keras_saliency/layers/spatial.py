"""Small spatial layers: strided subsampling and replicate (edge) padding."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_saliency")
class Subsample2x(keras.layers.Layer):
    """``x[:, ::2, ::2, :]``: keeps every second row and column starting at 0 (NHWC).

    A stride-1 convolution followed by this equals a stride-2 convolution with
    symmetric padding (UNISAL's MobileNetV2 ``omit_stride``).
    """

    def call(self, x):
        return x[:, ::2, ::2, :]

    def compute_output_shape(self, input_shape):
        half = lambda n: None if n is None else (n + 1) // 2  # noqa: E731
        return (input_shape[0], half(input_shape[1]), half(input_shape[2]), input_shape[3])


def replicate_pad(x, pad: int):
    """Edge padding of H and W by ``pad`` pixels (NHWC); ``keras.ops.pad`` has no 'edge' mode on TF."""
    height, width = ops.shape(x)[1], ops.shape(x)[2]
    rows = ops.clip(ops.arange(-pad, height + pad), 0, height - 1)
    cols = ops.clip(ops.arange(-pad, width + pad), 0, width - 1)
    return ops.take(ops.take(x, rows, axis=1), cols, axis=2)


@keras.saving.register_keras_serializable(package="keras_saliency")
class ReplicatePadding2D(keras.layers.Layer):
    """Pads H and W by repeating the border pixels (PyTorch ``mode="replicate"``)."""

    def __init__(self, padding: int, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        return replicate_pad(x, self.padding)

    def compute_output_shape(self, input_shape):
        grow = lambda n: None if n is None else n + 2 * self.padding  # noqa: E731
        return (input_shape[0], grow(input_shape[1]), grow(input_shape[2]), input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
