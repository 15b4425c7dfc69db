"""Keras losses for saliency training (``keras.ops``; TensorFlow and JAX backends).

Conventions:

* ``y_pred`` of KLD/NSS/CC/NLL/UNISAL losses is a normalised natural-log
  density per map (the output of a pixel log-softmax), shape (B, H, W[, 1]) or
  (B, T, H, W[, 1]) for clips; pass ``from_logits=True`` to apply the
  log-softmax inside the loss. TV distance and normalised L1 take
  non-negative saliency maps (e.g. a sigmoid output).
* ``y_true`` is a dense saliency map, a fixation (count) map, or, with
  ``target="fixations"``, a padded (B, N, 2) list of (x, y) whose padding
  rows have negative coordinates.
* Every loss computes one value per example in float32 (time axes are
  averaged), then Keras reduces over the batch (mean, or sum where a
  reference says so) and applies ``sample_weight``.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_saliency import saliency_ops as S

_TARGETS = ("map", "fixations")


class _SaliencyLoss(keras.losses.Loss):
    """Base: optional log-softmax of ``y_pred`` and per-example averaging."""

    def __init__(self, from_logits: bool = False, name=None, reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = from_logits

    def _log_density(self, y_pred):
        return S.log_softmax_hw(y_pred) if self.from_logits else S.spatial(y_pred)

    def call(self, y_true, y_pred):
        return S.per_example(self.per_map(y_true, y_pred))

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}


@keras.saving.register_keras_serializable(package="keras_saliency")
class KLDivergence(_SaliencyLoss):
    """KL(target || prediction) in nats: ``sum t (log t - log p)``, t = normalised ``y_true``."""

    def __init__(self, from_logits=False, name="kl_divergence", **kwargs):
        super().__init__(from_logits=from_logits, name=name, **kwargs)

    def per_map(self, y_true, y_pred):
        return S.kld(self._log_density(y_pred), y_true)


@keras.saving.register_keras_serializable(package="keras_saliency")
class NSSLoss(_SaliencyLoss):
    """``-NSS`` of ``exp(y_pred)`` at the fixations (a fixation map, or a padded list).

    ``unbiased=True`` standardises with ddof=1 (UNISAL); the default ddof=0 is
    pysaliency's.
    """

    def __init__(self, target="map", unbiased=False, from_logits=False, name="nss_loss", **kwargs):
        super().__init__(from_logits=from_logits, name=name, **kwargs)
        if target not in _TARGETS:
            raise ValueError(f"`target` must be one of {_TARGETS}; got {target!r}.")
        self.target, self.unbiased = target, unbiased

    def per_map(self, y_true, y_pred):
        saliency = ops.exp(self._log_density(y_pred))
        if self.target == "fixations":
            values, mask = S.values_at_fixations(S.standardize(saliency, self.unbiased), y_true)
            return -S.masked_mean(values, mask)
        return -S.nss(saliency, y_true, self.unbiased)

    def get_config(self):
        return {**super().get_config(), "target": self.target, "unbiased": self.unbiased}


@keras.saving.register_keras_serializable(package="keras_saliency")
class CCLoss(_SaliencyLoss):
    """``-CC`` between ``exp(y_pred)`` and the target map."""

    def __init__(self, from_logits=False, name="cc_loss", **kwargs):
        super().__init__(from_logits=from_logits, name=name, **kwargs)

    def per_map(self, y_true, y_pred):
        return -S.cc(ops.exp(self._log_density(y_pred)), y_true)


@keras.saving.register_keras_serializable(package="keras_saliency")
class NegativeLogLikelihood(_SaliencyLoss):
    """Negative log-likelihood of the fixations, nats per fixation (DeepGaze's objective).

    ``y_true`` is a fixation count map (``target="map"``) or a padded fixation
    list (``target="fixations"``). Divide by ln 2 for bits.
    """

    def __init__(self, target="map", from_logits=False, name="negative_log_likelihood", **kwargs):
        super().__init__(from_logits=from_logits, name=name, **kwargs)
        if target not in _TARGETS:
            raise ValueError(f"`target` must be one of {_TARGETS}; got {target!r}.")
        self.target = target

    def per_map(self, y_true, y_pred):
        log_density = self._log_density(y_pred)
        if self.target == "fixations":
            return -S.masked_mean(*S.values_at_fixations(log_density, y_true))
        return -S.log_likelihood_map(log_density, y_true)

    def get_config(self):
        return {**super().get_config(), "target": self.target}


@keras.saving.register_keras_serializable(package="keras_saliency")
class TotalVariationDistance(_SaliencyLoss):
    """n-reference ``TVdist``: ``0.5 sum |P - Q|`` per map, **summed over the batch** by default.

    P and Q are the target and the (non-negative) prediction each divided by
    ``1e-7 + its sum``, as the reference code does.
    """

    def __init__(self, name="total_variation_distance", reduction="sum", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)

    def per_map(self, y_true, y_pred):
        return S.total_variation(y_pred, y_true)


@keras.saving.register_keras_serializable(package="keras_saliency")
class NormalizedL1(_SaliencyLoss):
    """L1 distance of the min-max normalised maps divided by H * W (n-reference ``normalized_l1``)."""

    def __init__(self, name="normalized_l1", **kwargs):
        super().__init__(name=name, **kwargs)

    def per_map(self, y_true, y_pred):
        return S.normalized_l1(y_pred, y_true)


@keras.saving.register_keras_serializable(package="keras_saliency")
class UNISALLoss(_SaliencyLoss):
    """UNISAL's objective ``KLD - 0.1 NSS - 0.1 CC`` (weights configurable).

    ``y_true`` stacks two maps on the last axis: ``[..., 0]`` the dense
    saliency map (KLD, CC) and ``[..., 1]`` the binary fixation map (NSS),
    shape (B, H, W, 2) or (B, T, H, W, 2). As the reference, NSS and CC are
    computed on ``exp(y_pred)`` and NSS uses the unbiased std; each term is
    averaged over time, then over the batch.
    """

    def __init__(self, kld_weight=1.0, nss_weight=-0.1, cc_weight=-0.1, from_logits=False, name="unisal_loss",
                 **kwargs):
        super().__init__(from_logits=from_logits, name=name, **kwargs)
        self.kld_weight, self.nss_weight, self.cc_weight = kld_weight, nss_weight, cc_weight

    def per_map(self, y_true, y_pred):
        y_true = ops.cast(y_true, "float32")
        if y_true.shape[-1] != 2:
            raise ValueError(f"UNISALLoss needs y_true[..., 0] = saliency map and [..., 1] = fixation map; "
                             f"got last axis {y_true.shape[-1]}.")
        dense, fixations = y_true[..., 0], y_true[..., 1]
        log_density = self._log_density(y_pred)
        saliency = ops.exp(log_density)
        return (self.kld_weight * S.kld(log_density, dense)
                + self.nss_weight * S.nss(saliency, ops.cast(fixations > 0, "float32"), unbiased=True)
                + self.cc_weight * S.cc(saliency, dense))

    def get_config(self):
        return {**super().get_config(), "kld_weight": self.kld_weight, "nss_weight": self.nss_weight,
                "cc_weight": self.cc_weight}
