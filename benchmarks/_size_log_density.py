"""The predictions both sides of metrics_vs_pysaliency.py evaluate on a dataset (NumPy only)."""

import numpy as np


def size_log_density(size):
    """A smooth, size-dependent normalised log-density (a centre bias with ripples), float64 (H, W)."""
    height, width = size
    y = (np.arange(height) + 0.5) / height - 0.5
    x = (np.arange(width) + 0.5) / width - 0.5
    log_values = (-(y[:, None] ** 2) / 0.08 - x[None, :] ** 2 / 0.12
                  + 0.3 * np.sin(12 * x)[None, :] * np.cos(9 * y)[:, None])
    return log_values - np.log(np.exp(log_values).sum())
