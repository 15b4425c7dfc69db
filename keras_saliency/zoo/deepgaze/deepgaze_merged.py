"""All readout components of one DeepGaze backbone evaluated as one stacked network (inference only).

``merged_readout_mixture(readouts, features, centerbias)`` equals the probability-space
mean of ``readout_k(features, centerbias)`` over the K :class:`DeepGazeReadout` layers
(what :meth:`DeepGazeII.call` computes one component at a time), with the same weights,
rearranged so that the K components run as a few wide tensor operations:

* the first saliency-network layer reads the shared features once: its LayerNorm
  statistics are shared and each component's affine is folded into its 1x1 kernel,
  so all K kernels are one (C, K * 8) matrix product; later layers are batched
  per-component products (``einsum``) with per-component LayerNorm;
* each Finalizer's nearest upsampling and separable blur are one product of
  precomputed (K, hs, h) and (K, ws, w) matrices (the blur matrices times the
  nearest-selection matrices), at the blurred size ``(H // f, W // f)``;
* the final nearest upsampling to (H, W) commutes with the mixture, so each
  component's log-softmax normaliser is a count-weighted ``logsumexp`` at the
  blurred size and only the mixture is upsampled.

Results agree with the per-component path to float32 rounding (about 1e-5 in log-density).
"""

from __future__ import annotations

import math
from typing import Sequence

from keras import ops

from keras_saliency.layers.finalizer import replicate_blur_matrix
from keras_saliency.layers.legacy_resize import legacy_nearest_resize, spatial_size


def _tensor(variable):
    return ops.cast(variable, "float32")


def _kernel_matrix(conv):
    kernel = _tensor(conv.kernel)
    return ops.reshape(kernel, (kernel.shape[-2], kernel.shape[-1]))


def _stacked_network(networks: Sequence, x, shared: bool):
    """K :class:`ReadoutNetwork` s at once: ``x`` (B, h, w, C) shared, or (B, h, w, K, C) -> (B, h, w, K, out)."""
    count = len(networks)
    for i in range(len(networks[0].convs)):
        norms = [n.norms[i] for n in networks]
        convs = [n.convs[i] for n in networks]
        kernels = ops.stack([_kernel_matrix(c) for c in convs])  # (K, in, out)
        biases = ops.stack([_tensor(c.bias) if c.use_bias else ops.zeros((c.filters,)) for c in convs])
        if shared:
            mean, variance = ops.moments(x, axes=(1, 2, 3), keepdims=True)
            x = (x - mean) * ops.rsqrt(variance + norms[0].epsilon)
            gamma = ops.stack([_tensor(n.gamma) for n in norms])  # (K, in)
            beta = ops.stack([_tensor(n.beta) for n in norms])
            folded = gamma[:, :, None] * kernels  # (K, in, out)
            biases = biases + ops.einsum("ki,kio->ko", beta, kernels)
            width = kernels.shape[-1]
            matrix = ops.reshape(ops.transpose(folded, (1, 0, 2)), (kernels.shape[1], count * width))
            x = ops.matmul(x, matrix)
            shape = ops.shape(x)
            x = ops.reshape(x, (shape[0], shape[1], shape[2], count, width)) + biases
            shared = False
        else:
            if norms[0] is not None:
                mean, variance = ops.moments(x, axes=(1, 2, 4), keepdims=True)
                gamma = ops.stack([_tensor(n.gamma) for n in norms])
                beta = ops.stack([_tensor(n.beta) for n in norms])
                x = (x - mean) * ops.rsqrt(variance + norms[0].epsilon) * gamma + beta
            x = ops.einsum("bhwki,kio->bhwko", x, kernels) + biases
        if not (networks[0].plain_last and i == len(networks[0].convs) - 1):
            x = ops.softplus(x)
    return x


def _selection_matrix(in_size, out_size):
    """(out, in) one-hot rows of legacy nearest resizing from ``in_size`` to ``out_size`` samples."""
    eye = ops.eye(in_size)
    return legacy_nearest_resize(eye[None, :, :, None], (out_size, in_size))[0, :, :, 0]


def merged_readout_mixture(readouts: Sequence, features, centerbias):
    """(B, H, W) ``log(mean_k exp(readout_k(features, centerbias)))``; see the module docstring.

    ``features``: (B, h, w, C) float32 taps on the readout grid; ``centerbias``: (B, H, W)
    log-densities; ``readouts``: :class:`DeepGazeReadout` layers with equal ``saliency_map_factor``.
    """
    factors = {r.finalizer.saliency_map_factor for r in readouts}
    if len(factors) != 1:
        raise ValueError(f"merged readouts need one saliency_map_factor; got {sorted(factors)}.")
    factor = factors.pop()
    x = _stacked_network([r.saliency for r in readouts], features, shared=True)
    x = _stacked_network([r.selection for r in readouts], x, shared=False)[..., 0]  # (B, h, w, K)
    height, width = spatial_size(centerbias)
    small = (height // factor, width // factor)
    grid = spatial_size(features)
    rows_up, cols_up = _selection_matrix(grid[0], small[0]), _selection_matrix(grid[1], small[1])
    blur_rows, blur_cols = [], []
    for readout in readouts:
        weights, radius = readout.finalizer.kernel()
        blur_rows.append(ops.matmul(replicate_blur_matrix(weights, small[0], radius), rows_up))
        blur_cols.append(ops.matmul(replicate_blur_matrix(weights, small[1], radius), cols_up))
    x = ops.einsum("kih,bhwk->bkiw", ops.stack(blur_rows), x)
    x = ops.einsum("bkiw,kjw->bkij", x, ops.stack(blur_cols))  # (B, K, hs, ws)
    weight = ops.stack([_tensor(r.finalizer.center_bias_weight) for r in readouts])
    cb_small = legacy_nearest_resize(centerbias[..., None], small, scale=factor)[..., 0]
    x = x + weight[None, :, None, None] * cb_small[:, None]
    # Each component is nearest-upsampled to (H, W) and log-softmaxed there: its normaliser is the
    # logsumexp at the small size weighted by how many output pixels every small pixel covers.
    counts_rows = ops.sum(_selection_matrix(small[0], height), axis=0)
    counts_cols = ops.sum(_selection_matrix(small[1], width), axis=0)
    log_counts = ops.log(counts_rows)[:, None] + ops.log(counts_cols)[None, :]
    normaliser = ops.logsumexp(x + log_counts, axis=(2, 3), keepdims=True)
    mixture = ops.logsumexp(x - normaliser, axis=1) - math.log(len(readouts))  # (B, hs, ws)
    return legacy_nearest_resize(mixture[..., None], (height, width))[..., 0]
