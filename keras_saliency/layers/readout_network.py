"""DeepGaze's readout networks: stacks of LayerNorm(C,H,W) -> 1x1 convolution -> Softplus."""

from __future__ import annotations

from typing import Sequence

import keras
from keras import ops

from keras_saliency.layers.layer_norm_chw import LayerNormCHW


@keras.saving.register_keras_serializable(package="keras_saliency")
class ReadoutNetwork(keras.layers.Layer):
    """(B, h, w, C) -> (B, h, w, widths[-1]): per layer ``LayerNormCHW -> 1x1 conv (+bias) -> Softplus``.

    ``plain_last=True`` makes the last layer a bare bias-free 1x1 convolution
    (no LayerNorm before it, no Softplus after it), as DeepGaze's
    fixation-selection network ends. The reference writes each convolution
    bias-free followed by a separate ``Bias`` module; a 1x1 convolution with a
    bias is the same function. Softplus is PyTorch's default (beta 1); its
    ``threshold=20`` linearisation differs from ``log1p(exp(x))`` by at most 2.1e-9.
    Use :func:`saliency_network` / :func:`fixation_selection_network`.
    """

    def __init__(self, widths: Sequence[int] = (8, 16, 1), plain_last: bool = False, epsilon: float = 1e-12,
                 **kwargs):
        super().__init__(**kwargs)
        self.widths = [int(w) for w in widths]
        if not self.widths or min(self.widths) < 1:
            raise ValueError(f"`widths` must be a non-empty list of positive ints; got {list(widths)!r}.")
        self.plain_last, self.epsilon = bool(plain_last), float(epsilon)
        last = len(self.widths) - 1
        self.norms = [None if (plain_last and i == last) else LayerNormCHW(epsilon, name=f"norm{i}")
                      for i in range(len(self.widths))]
        self.convs = [keras.layers.Conv2D(w, 1, use_bias=not (plain_last and i == last), name=f"conv{i}")
                      for i, w in enumerate(self.widths)]

    def build(self, input_shape):
        shape = tuple(input_shape)
        for norm, conv in zip(self.norms, self.convs):
            if norm is not None:
                norm.build(shape)
            conv.build(shape)
            shape = shape[:-1] + (conv.filters,)

    def call(self, x):
        last = len(self.convs) - 1
        for i, (norm, conv) in enumerate(zip(self.norms, self.convs)):
            if norm is not None:
                x = norm(x)
            x = conv(x)
            if not (self.plain_last and i == last):
                x = ops.softplus(x)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.widths[-1],)

    def get_config(self):
        return {**super().get_config(), "widths": self.widths, "plain_last": self.plain_last,
                "epsilon": self.epsilon}


def saliency_network(name: str = "saliency_network") -> ReadoutNetwork:
    """DeepGaze IIE's saliency network: (LayerNorm, 1x1, Softplus) x widths 8, 16, 1."""
    return ReadoutNetwork((8, 16, 1), name=name)


def fixation_selection_network(name: str = "fixation_selection_network") -> ReadoutNetwork:
    """DeepGaze IIE's fixation selection: (LayerNorm, 1x1, Softplus) x 128, 16, then a bias-free 1x1 to 1."""
    return ReadoutNetwork((128, 16, 1), plain_last=True, name=name)
