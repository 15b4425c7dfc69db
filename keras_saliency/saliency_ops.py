"""Per-sample saliency scores in ``keras.ops`` (backend-agnostic, batched).

Shapes: maps are (..., H, W) or (..., H, W, 1); every leading dimension
(batch, time) indexes a separate sample. Each function returns one value per
sample with shape (...,). All arithmetic runs in float32 (inputs in float16 or
bfloat16 are cast first), so the scores are stable under mixed precision.

Padded fixation lists are (..., N, 2) of continuous 0-based (x, y); entries
with a negative coordinate are padding and are ignored.
"""

from __future__ import annotations

from keras import ops

EPS = 1e-7


def spatial(x):
    """float32 (..., H, W): drops a trailing channel axis of size 1."""
    x = ops.cast(x, "float32")
    if len(x.shape) >= 4 and x.shape[-1] == 1:
        x = ops.squeeze(x, axis=-1)
    return x


def _sum_hw(x):
    return ops.sum(x, axis=(-2, -1))


def _mean_hw(x):
    return ops.mean(x, axis=(-2, -1))


def normalize_sum(x):
    """Divides each map by its sum (plus EPS)."""
    return x / (ops.expand_dims(ops.expand_dims(_sum_hw(x), -1), -1) + EPS)


def log_softmax_hw(logits):
    """Log-softmax over the pixels of each map: a normalised log-density."""
    logits = spatial(logits)
    shape = ops.shape(logits)
    flat = ops.reshape(logits, (-1, shape[-2] * shape[-1]))
    # max-shifted log-sum-exp written out: converts to builtin TFLite ops (tf.reduce_logsumexp does not).
    shifted = flat - ops.stop_gradient(ops.max(flat, axis=-1, keepdims=True))
    return ops.reshape(shifted - ops.log(ops.sum(ops.exp(shifted), axis=-1, keepdims=True)), shape)


def standardize(x, unbiased: bool = False):
    """(x - mean) / std per map; std is ddof=1 when ``unbiased``; constant maps give 0."""
    mean = ops.expand_dims(ops.expand_dims(_mean_hw(x), -1), -1)
    centred = x - mean
    n = ops.cast(ops.shape(x)[-2] * ops.shape(x)[-1], "float32")
    denominator = n - 1.0 if unbiased else n
    var = _sum_hw(centred * centred) / denominator
    std = ops.expand_dims(ops.expand_dims(ops.sqrt(var), -1), -1)
    return ops.where(std > 0, centred / ops.maximum(std, 1e-30), ops.zeros_like(centred))


def kld(log_density, target):
    """sum t * (log t - log p) with t = target / sum(target); zero where t == 0 (nats)."""
    log_density, t = spatial(log_density), normalize_sum(spatial(target))
    safe_t = ops.where(t > 0, t, ops.ones_like(t))
    return _sum_hw(ops.where(t > 0, t * (ops.log(safe_t) - log_density), ops.zeros_like(t)))


def nss(saliency, fixation_map, unbiased: bool = False):
    """Standardised saliency averaged over the fixation map (counts act as weights)."""
    z, weights = standardize(spatial(saliency), unbiased), spatial(fixation_map)
    return _sum_hw(z * weights) / (_sum_hw(weights) + EPS)


def cc(saliency, target):
    """Pearson correlation of each pair of maps (0 where a map is constant)."""
    a, b = standardize(spatial(saliency)), standardize(spatial(target))
    return _mean_hw(a * b)


def log_likelihood_map(log_density, fixation_map):
    """Mean log-density under the fixation map (counts as weights), nats per fixation."""
    log_density, weights = spatial(log_density), spatial(fixation_map)
    safe = ops.where(weights > 0, log_density, ops.zeros_like(log_density))
    return _sum_hw(safe * weights) / (_sum_hw(weights) + EPS)


def values_at_fixations(maps, fixations):
    """(values (..., N), mask (..., N)) of each map at its padded fixation list."""
    maps = spatial(maps)
    fixations = ops.cast(fixations, "float32")
    height, width = ops.shape(maps)[-2], ops.shape(maps)[-1]  # static ints, or tensors when dynamic
    valid = ops.logical_and(fixations[..., 0] >= 0, fixations[..., 1] >= 0)
    cols = ops.clip(ops.cast(ops.floor(fixations[..., 0]), "int32"), 0, width - 1)
    rows = ops.clip(ops.cast(ops.floor(fixations[..., 1]), "int32"), 0, height - 1)
    index = rows * width + cols
    flat = ops.reshape(maps, (-1, height * width))
    values = ops.take_along_axis(flat, ops.reshape(index, (ops.shape(flat)[0], -1)), axis=-1)
    return ops.reshape(values, ops.shape(index)), ops.cast(valid, "float32")


def masked_mean(values, mask):
    return ops.sum(values * mask, axis=-1) / (ops.sum(mask, axis=-1) + EPS)


def total_variation(saliency, target):
    """0.5 * sum |P - Q| with P, Q each map divided by (EPS + its sum) (n-reference TVdist)."""
    p, q = normalize_sum(spatial(target)), normalize_sum(spatial(saliency))
    return 0.5 * _sum_hw(ops.abs(p - q))


def normalized_l1(saliency, target):
    """Mean absolute difference of the min-max normalised maps (L1 divided by H * W)."""

    def minmax(x):
        lo = ops.expand_dims(ops.expand_dims(ops.min(x, axis=(-2, -1)), -1), -1)
        hi = ops.expand_dims(ops.expand_dims(ops.max(x, axis=(-2, -1)), -1), -1)
        return (x - lo) / ops.maximum(hi - lo, EPS)

    return _mean_hw(ops.abs(minmax(spatial(saliency)) - minmax(spatial(target))))


def per_example(values):
    """Averages every axis after the batch axis (e.g. time) -> (B,)."""
    while len(values.shape) > 1:
        values = ops.mean(values, axis=-1)
    return values

