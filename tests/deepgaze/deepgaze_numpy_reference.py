"""Independent NumPy/SciPy versions of the DeepGaze IIE operations (reference notes 2.2, 2.3), for the tests."""

import math

import numpy as np
from scipy import ndimage
from scipy.special import logsumexp


def legacy_nearest(x, out_h, out_w):
    """PyTorch legacy nearest on (H, W, ...): index min(floor(i * float32(in / out)), in - 1)."""
    def index(n_in, n_out):
        scale = np.float32(n_in) / np.float32(n_out)
        return np.minimum(np.floor(np.arange(n_out, dtype=np.float32) * scale).astype(int), n_in - 1)
    return x[index(x.shape[0], out_h)][:, index(x.shape[1], out_w)]


def half(x):
    """F.interpolate(scale_factor=1/2, recompute_scale_factor=False): rows/cols 0, 2, 4, ..."""
    return x[: 2 * (x.shape[0] // 2): 2, : 2 * (x.shape[1] // 2): 2]


def layer_norm(x, gamma, beta, eps=1e-12):
    """(H, W, C): normalised over all of H, W, C; per-channel affine."""
    return (x - x.mean()) / np.sqrt(x.var() + eps) * gamma + beta


def softplus(x):
    return np.logaddexp(0.0, x)


def readout_network(x, layers, plain_last=False):
    """layers: [(gamma, beta, kernel (1, 1, Cin, Cout), bias or None)]."""
    for i, (gamma, beta, kernel, bias) in enumerate(layers):
        last = plain_last and i == len(layers) - 1
        if not last:
            x = layer_norm(x, gamma, beta)
        x = x @ kernel[0, 0] + (0.0 if bias is None else bias)
        if not last:
            x = softplus(x)
    return x


def gaussian_blur(x, sigma, truncate=3.0):
    radius = math.ceil(truncate * sigma)
    g = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    g /= g.sum()
    return ndimage.correlate1d(ndimage.correlate1d(x, g, 0, mode="nearest"), g, 1, mode="nearest")


def finalizer(readout, centerbias, sigma, weight):
    """readout (h, w), centre bias (H, W) -> log-density (H, W), saliency_map_factor 2."""
    height, width = centerbias.shape
    cb_small = half(centerbias)
    out = gaussian_blur(legacy_nearest(readout, *cb_small.shape), sigma) + weight * cb_small
    out = legacy_nearest(out, height, width)
    return out - logsumexp(out)


def mixture(log_densities):
    """log of the mean density."""
    return logsumexp(np.stack(log_densities), axis=0) - np.log(len(log_densities))
