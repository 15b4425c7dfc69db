"""DeepGaze IIE (Linardos, Kümmerer et al., ICCV 2021): readouts on frozen backbones, mixed in probability space.

Per backbone (reference notes 2.2): the image is nearest-downsampled by 2
(legacy PyTorch nearest), the backbone's taps are nearest-resized to the
readout grid ``ceil(H / 2 / 16) x ceil(W / 2 / 16)`` and concatenated; each of
``n_components`` readouts runs the saliency network (LayerNorm(C,H,W) -> 1x1
8 -> Softplus -> LayerNorm -> 1x1 16 -> Softplus -> LayerNorm -> 1x1 1 ->
Softplus) and the fixation-selection network (LayerNorm -> 1x1 128 -> Softplus
-> LayerNorm -> 1x1 16 -> Softplus -> 1x1 1 without bias), then the
:class:`~keras_saliency.layers.Finalizer`. Components are averaged in
probability space (``logsumexp - log K``), then backbones likewise.
The reference's bias-free 1x1 convolutions followed by a separate ``Bias``
are written as 1x1 convolutions with a bias (the same function).

Memory: components and backbones are accumulated one at a time with a running
``logaddexp``, so only one component's maps are alive at once in eager mode
(DeepGaze issue #19: ensembles must be evaluable in chunks).
"""

from __future__ import annotations

import math
from typing import Sequence

import keras
import numpy as np
from keras import ops

from keras_saliency.layers import Finalizer, LayerNormCHW
from keras_saliency.layers.legacy_resize import legacy_nearest_resize


def _norm(name):
    return LayerNormCHW(name=name)


def _conv(width, name, bias=True):
    return keras.layers.Conv2D(width, 1, use_bias=bias, name=name)


def saliency_network(name="saliency_network") -> keras.Sequential:
    """LayerNorm -> 1x1 8 -> Softplus -> LayerNorm -> 1x1 16 -> Softplus -> LayerNorm -> 1x1 1 -> Softplus."""
    return keras.Sequential([
        _norm(f"{name}_norm0"), _conv(8, f"{name}_conv0"), keras.layers.Activation("softplus"),
        _norm(f"{name}_norm1"), _conv(16, f"{name}_conv1"), keras.layers.Activation("softplus"),
        _norm(f"{name}_norm2"), _conv(1, f"{name}_conv2"), keras.layers.Activation("softplus"),
    ], name=name)


def fixation_selection_network(name="fixation_selection_network") -> keras.Sequential:
    """LayerNorm -> 1x1 128 -> Softplus -> LayerNorm -> 1x1 16 -> Softplus -> 1x1 1 (no bias, no activation)."""
    return keras.Sequential([
        _norm(f"{name}_norm0"), _conv(128, f"{name}_conv0"), keras.layers.Activation("softplus"),
        _norm(f"{name}_norm1"), _conv(16, f"{name}_conv1"), keras.layers.Activation("softplus"),
        _conv(1, f"{name}_conv2", bias=False),
    ], name=name)


@keras.saving.register_keras_serializable(package="keras_saliency")
class DeepGazeIIE(keras.Model):
    """Mixture over backbones x readout components; input ``{"image", "centerbias"}``, output (B, H, W).

    Args:
        backbones: names in :mod:`keras_saliency.backbones` (their default taps,
            or ``taps[i]``), e.g. ``("efficientnet_lite0", "efficientnet_lite1")``.
        n_components: readout instances per backbone (the paper: 30).
        backbone_weights: passed to ``backbones.get`` (e.g. ``"imagenet"``);
            not stored in the config (the weights file holds them).
    ``image``: (B, H, W, 3) RGB 0..255; ``centerbias``: (B, H, W) log-density.
    """

    def __init__(self, backbones: Sequence[str] = ("efficientnet_lite0",), taps=None, n_components: int = 1,
                 readout_factor: int = 16, downsample: int = 2, sigma: float = 8.0, backbone_weights=None,
                 name="deepgaze_iie", **kwargs):
        super().__init__(name=name, **kwargs)
        from keras_saliency import backbones as registry

        self.backbone_names = list(backbones)
        self.taps = [list(t) for t in taps] if taps is not None else None
        self.n_components, self.readout_factor, self.downsample = int(n_components), int(readout_factor), int(downsample)
        self.sigma = float(sigma)
        self.extractors = [registry.get(b, weights=backbone_weights, taps=None if taps is None else taps[i])
                           for i, b in enumerate(self.backbone_names)]
        self.saliency_networks = [[saliency_network(f"b{i}_c{k}_saliency") for k in range(self.n_components)]
                                  for i in range(len(self.backbone_names))]
        self.selection_networks = [[fixation_selection_network(f"b{i}_c{k}_selection")
                                    for k in range(self.n_components)] for i in range(len(self.backbone_names))]
        self.finalizers = [[Finalizer(sigma, saliency_map_factor=downsample, name=f"b{i}_c{k}_finalizer")
                            for k in range(self.n_components)] for i in range(len(self.backbone_names))]

    def features(self, image, backbone: int):
        """Concatenated taps of one backbone on the readout grid (B, ceil(H/2/16), ceil(W/2/16), C)."""
        height, width = image.shape[1], image.shape[2]
        small = (height // self.downsample, width // self.downsample)
        x = legacy_nearest_resize(image, small, scale=self.downsample)
        grid = (math.ceil(small[0] / self.readout_factor), math.ceil(small[1] / self.readout_factor))
        maps = self.extractors[backbone](x, training=False).values()
        return ops.concatenate([legacy_nearest_resize(m, grid) for m in maps], axis=-1)

    def component(self, features, centerbias, backbone: int, k: int):
        """Log-density (B, H, W) of readout component k of ``backbone`` from its features."""
        saliency = self.saliency_networks[backbone][k](features)
        readout = self.selection_networks[backbone][k](saliency)
        return self.finalizers[backbone][k](readout, centerbias)

    def call(self, inputs, training=False):
        image, centerbias = inputs["image"], ops.cast(inputs["centerbias"], "float32")
        if image.shape[1] is None or image.shape[2] is None:
            raise ValueError("DeepGazeIIE needs static image sizes (the readout grid depends on them).")
        total = None
        for b in range(len(self.backbone_names)):
            features = self.features(image, b)
            mixture = None
            for k in range(self.n_components):
                log_density = self.component(features, centerbias, b, k)
                mixture = log_density if mixture is None else ops.logaddexp(mixture, log_density)
            mixture = mixture - np.log(self.n_components)
            total = mixture if total is None else ops.logaddexp(total, mixture)
        return total - np.log(len(self.backbone_names))

    def get_config(self):
        return {**super().get_config(), "backbones": self.backbone_names, "taps": self.taps,
                "n_components": self.n_components, "readout_factor": self.readout_factor,
                "downsample": self.downsample, "sigma": self.sigma}
