"""PyTorch's legacy ``F.interpolate(mode="nearest")``: source index ``floor(dst * in / out)``.

Not ``tf.image.resize("nearest")``, which uses half-pixel centres and picks
other pixels. DeepGaze resizes everything this way.
"""

from __future__ import annotations

from keras import ops


def legacy_nearest_resize(x, size, scale=None):
    """(B, H, W, C) -> (B, h, w, C) with rows ``floor(i * H / h)`` and columns ``floor(j * W / w)``.

    ``scale`` (e.g. 2 for ``scale_factor=1/2``) uses ``floor(i * scale)`` as
    PyTorch does when a scale factor is given without recomputing it.
    """
    height, width = x.shape[1], x.shape[2]
    out_h, out_w = int(size[0]), int(size[1])
    if scale is None:
        rows = ops.floor(ops.arange(out_h, dtype="float32") * (height / out_h))
        cols = ops.floor(ops.arange(out_w, dtype="float32") * (width / out_w))
    else:
        rows = ops.floor(ops.arange(out_h, dtype="float32") * scale)
        cols = ops.floor(ops.arange(out_w, dtype="float32") * scale)
    rows = ops.minimum(ops.cast(rows, "int32"), height - 1)
    cols = ops.minimum(ops.cast(cols, "int32"), width - 1)
    return ops.take(ops.take(x, rows, axis=1), cols, axis=2)
