"""PyTorch's legacy ``F.interpolate(mode="nearest")``: source index ``floor(dst * in / out)``.

Not ``tf.image.resize("nearest")``, which uses half-pixel centres and picks
other pixels. DeepGaze resizes everything this way.
"""

from __future__ import annotations

import numpy as np
from keras import ops


def spatial_size(x):
    """(H, W) of an NHW[C] tensor: Python ints where static, scalar tensors otherwise."""
    dynamic = ops.shape(x)
    return tuple(x.shape[i] if x.shape[i] is not None else dynamic[i] for i in (1, 2))


def _source_indices(in_size, out_size, scale):
    if scale is not None:
        step = np.float32(scale)
    elif isinstance(in_size, int) and isinstance(out_size, int):
        step = np.float32(in_size) / np.float32(out_size)  # float32 as PyTorch's kernel
    else:
        step = ops.cast(in_size, "float32") / ops.cast(out_size, "float32")
    index = ops.cast(ops.floor(ops.cast(ops.arange(out_size), "float32") * step), "int32")
    return ops.minimum(index, ops.cast(in_size, "int32") - 1)


def legacy_nearest_resize(x, size, scale=None):
    """(B, H, W, C) -> (B, h, w, C) with rows ``floor(i * H / h)`` and columns ``floor(j * W / w)``.

    ``size``: (h, w), ints or scalar tensors (dynamic shapes are supported).
    ``scale`` (e.g. 2 for ``scale_factor=1/2, recompute_scale_factor=False``)
    uses ``floor(i * scale)`` as PyTorch does when a scale factor is given. The
    product is taken in float32, as in PyTorch's CPU/CUDA kernels.
    """
    height, width = spatial_size(x)
    rows = _source_indices(height, size[0], scale)
    cols = _source_indices(width, size[1], scale)
    return ops.take(ops.take(x, rows, axis=1), cols, axis=2)
