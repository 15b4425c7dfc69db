"""Stateful Keras metrics for ``model.compile(metrics=[...])``: NSS, CC, KLD, IG.

Each is the mean over examples (running over batches) of the per-example
score from :mod:`keras_saliency.saliency_ops`; ``y_pred`` is a normalised
log-density (B, H, W[, 1]), see :mod:`keras_saliency.losses` for ``y_true``.
"""

from __future__ import annotations

import math

import numpy as np
import keras
from keras import ops

from keras_saliency import saliency_ops as S


class _ExampleMean(keras.metrics.Mean):
    """``target_channel``: read ``y_true[..., c]`` (e.g. 1 for UNISALLoss's stacked targets)."""

    def __init__(self, target_channel=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.target_channel = target_channel

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.target_channel is not None:
            y_true = y_true[..., self.target_channel]
        return super().update_state(S.per_example(self.score(y_true, y_pred)), sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), "target_channel": self.target_channel}


@keras.saving.register_keras_serializable(package="keras_saliency")
class NSS(_ExampleMean):
    """NSS of ``exp(y_pred)`` at a fixation map (population std, duplicates as weights)."""

    def __init__(self, target_channel=None, name="nss", dtype=None):
        super().__init__(target_channel=target_channel, name=name, dtype=dtype)

    def score(self, y_true, y_pred):
        return S.nss(ops.exp(S.spatial(y_pred)), y_true)


@keras.saving.register_keras_serializable(package="keras_saliency")
class CC(_ExampleMean):
    """Pearson correlation of ``exp(y_pred)`` with a dense map."""

    def __init__(self, target_channel=None, name="cc", dtype=None):
        super().__init__(target_channel=target_channel, name=name, dtype=dtype)

    def score(self, y_true, y_pred):
        return S.cc(ops.exp(S.spatial(y_pred)), y_true)


@keras.saving.register_keras_serializable(package="keras_saliency")
class KLD(_ExampleMean):
    """KL(target || prediction) in nats."""

    def __init__(self, target_channel=None, name="kld", dtype=None):
        super().__init__(target_channel=target_channel, name=name, dtype=dtype)

    def score(self, y_true, y_pred):
        return S.kld(S.spatial(y_pred), y_true)


@keras.saving.register_keras_serializable(package="keras_saliency")
class InformationGain(_ExampleMean):
    """Information gain over a baseline, bits per fixation (``y_true``: fixation map).

    ``baseline_log_density``: an (H, W) normalised log-density (e.g. the centre
    bias at the training resolution), or None for the uniform baseline.
    """

    def __init__(self, baseline_log_density=None, target_channel=None, name="information_gain", dtype=None):
        super().__init__(target_channel=target_channel, name=name, dtype=dtype)
        self.baseline_log_density = None if baseline_log_density is None else np.asarray(
            baseline_log_density, np.float32)

    def score(self, y_true, y_pred):
        log_density = S.spatial(y_pred)
        if self.baseline_log_density is None:
            size = ops.cast(ops.shape(log_density)[-2] * ops.shape(log_density)[-1], "float32")
            baseline = -ops.log(size) * ops.ones_like(log_density)
        else:
            baseline = ops.broadcast_to(ops.convert_to_tensor(self.baseline_log_density), ops.shape(log_density))
        return S.log_likelihood_map(log_density - baseline, y_true) / math.log(2.0)

    def get_config(self):
        baseline = self.baseline_log_density
        return {**super().get_config(), "baseline_log_density": None if baseline is None else baseline.tolist()}
