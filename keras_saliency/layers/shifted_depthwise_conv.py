"""Depthwise convolution as a sum of shifted, scaled copies of its input (fast under XLA on CPU), or TF's kernel."""

from __future__ import annotations

import contextlib

import keras
from keras import ops

IMPLEMENTATIONS = ("auto", "shifted", "kernel")
_implementation = ["auto"]


@contextlib.contextmanager
def depthwise_implementation(mode: str):
    """Within the block, `DepthwiseConv2D` layers *traced or run* compute with ``mode``; restored after.

    ``"auto"`` (the default outside any block): the shifted sum on JAX (``jax.jit`` is XLA), the backend's
    kernel on TensorFlow (graph mode, what ``fit``/``predict`` use on a CPU: ``jit_compile="auto"`` is off
    there); ``"shifted"``: the shifted sum (use it around the first call of a TensorFlow
    ``jit_compile=True`` function); ``"kernel"``: the backend's depthwise convolution. A traced function
    keeps the implementation it was traced with. ``benchmarks/results/depthwise.md`` has the measurements.
    """
    if mode not in IMPLEMENTATIONS:
        raise ValueError(f"`mode` must be one of {IMPLEMENTATIONS}; got {mode!r}.")
    previous, _implementation[0] = _implementation[0], mode
    try:
        yield
    finally:
        _implementation[0] = previous


def _shifted_wanted() -> bool:
    mode = _implementation[0]
    return mode == "shifted" or (mode == "auto" and keras.backend.backend() == "jax")


@keras.saving.register_keras_serializable(package="keras_saliency")
class DepthwiseConv2D(keras.layers.DepthwiseConv2D):
    """``keras.layers.DepthwiseConv2D`` (same weights, same config) computed as ``kh * kw`` shifted products.

    It keeps the class name on purpose: Keras names a layer's entry in
    ``.weights.h5`` / ``.keras`` files after its class, so weight files saved
    with the Keras layer load into this one and back.

    XLA lowers a depthwise convolution on CPU to a generic grouped convolution
    that runs 20-60x slower than TensorFlow's kernel (UNISAL's MobileNetV2: ~4 s
    instead of ~50 ms per frame under ``jit_compile`` or ``jax.jit``); the sum of
    ``kh * kw`` shifted copies times a per-channel weight is elementwise work
    that XLA fuses into one loop. TensorFlow's graph mode (no XLA) runs the sum
    3-4x slower than its kernel, so which one runs is :func:`depthwise_implementation`'s
    choice (default: the sum on JAX, the kernel on TensorFlow). The sum is used for dilation 1,
    depth multiplier 1, channels-last and a known (H, W), any kernel size,
    strides and ``"same"``/``"valid"`` padding (TensorFlow's "same": the extra
    row/column of an even total padding goes bottom/right); any other
    configuration runs the parent's convolution. The sum order differs from the convolution's, so
    results agree to float32 rounding (~1e-6 relative), not bitwise.
    """

    def _shifted(self, input_shape) -> bool:
        return (_shifted_wanted() and tuple(self.dilation_rate) == (1, 1) and self.depth_multiplier == 1
                and self.data_format == "channels_last" and input_shape[1] is not None and input_shape[2] is not None)

    def call(self, inputs):
        if not self._shifted(inputs.shape):
            return super().call(inputs)
        out = self.depthwise(inputs, self.kernel)
        if self.use_bias:
            out = out + ops.cast(self.bias, out.dtype)
        return self.activation(out) if self.activation is not None else out

    def depthwise(self, inputs, kernel):
        """This layer's depthwise convolution of ``inputs`` with ``kernel`` (kh, kw, C, 1), no bias or activation
        (`keras_saliency.layers.fold_batch_norms` passes a BatchNorm-scaled kernel)."""
        if not self._shifted(inputs.shape):
            return ops.depthwise_conv(inputs, kernel, strides=self.strides, padding=self.padding,
                                      dilation_rate=self.dilation_rate, data_format=self.data_format)
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        size = inputs.shape[1:3]
        if self.padding == "same":
            out_size = [-(-n // s) for n, s in zip(size, (sh, sw))]
            total = [max((o - 1) * s + k - n, 0) for o, s, k, n in zip(out_size, (sh, sw), (kh, kw), size)]
            inputs = ops.pad(inputs, [(0, 0), (total[0] // 2, total[0] - total[0] // 2),
                                      (total[1] // 2, total[1] - total[1] // 2), (0, 0)])
        else:
            out_size = [(n - k) // s + 1 for n, k, s in zip(size, (kh, kw), (sh, sw))]
        span_h, span_w = (out_size[0] - 1) * sh + 1, (out_size[1] - 1) * sw + 1
        kernel = ops.cast(kernel, inputs.dtype)  # (kh, kw, C, 1)
        out = None
        for dy in range(kh):
            for dx in range(kw):
                term = inputs[:, dy:dy + span_h:sh, dx:dx + span_w:sw, :] * kernel[dy, dx, :, 0]
                out = term if out is None else out + term
        return out
