"""Graph-safe per-example transforms (TensorFlow ops, for ``tf.data``).

Coordinates follow the package convention: continuous 0-based pixels, pixel ``i``
covers ``[i, i + 1)``. Resizing an image from (H0, W0) to (H1, W1) maps a fixation
``(x, y)`` to ``(x * W1 / W0, y * H1 / H0)``, which keeps it on the same image content.
"""

from __future__ import annotations

import tensorflow as tf

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def scale_fixations(x, y, from_size, to_size):
    """(x, y) float32 mapped from an image of ``from_size`` (H, W) to ``to_size``."""
    from_size = tf.cast(from_size, tf.float32)
    to_size = tf.cast(to_size, tf.float32)
    return (tf.cast(x, tf.float32) * to_size[1] / from_size[1],
            tf.cast(y, tf.float32) * to_size[0] / from_size[0])


def fixation_count_map(x, y, size, frame=None, n_frames=None):
    """float32 count map (H, W), or (T, H, W) with ``frame``/``n_frames``.

    Points outside the map are clipped to the border pixel (as the builders' "clip").
    """
    height, width = size[0], size[1]
    rows = tf.clip_by_value(tf.cast(tf.floor(y), tf.int32), 0, height - 1)
    cols = tf.clip_by_value(tf.cast(tf.floor(x), tf.int32), 0, width - 1)
    index = rows * width + cols
    cells = height * width
    if frame is not None:
        index = tf.cast(frame, tf.int32) * cells + index
        cells = n_frames * cells
    counts = tf.math.unsorted_segment_sum(tf.ones_like(index, tf.float32), index, cells)
    shape = [height, width] if frame is None else [n_frames, height, width]
    return tf.reshape(counts, shape)


def _blur_matrix(n, sigma: float, radius: int):
    """(n, n) matrix applying a 1-D Gaussian with scipy ``mode="reflect"`` borders.

    Row ``i`` holds the weights of the sources of output ``i``: offset ``k`` in
    ``[-radius, radius]`` reads index ``i + k`` reflected about the edges (period ``2n``:
    ``d c b a | a b c d | d c b a``), so any radius works, as in scipy.
    """
    offsets = tf.range(-radius, radius + 1)
    weights = tf.exp(-0.5 * tf.square(tf.cast(offsets, tf.float32) / sigma))
    weights = weights / tf.reduce_sum(weights)
    rows = tf.range(n)[:, None] + tf.zeros_like(offsets)[None, :]
    source = tf.math.floormod(rows + offsets[None, :], 2 * n)
    source = tf.where(source >= n, 2 * n - 1 - source, source)
    indices = tf.reshape(tf.stack([rows, source], axis=-1), [-1, 2])
    values = tf.reshape(tf.broadcast_to(weights[None, :], tf.shape(rows)), [-1])
    return tf.scatter_nd(indices, values, [n, n])


def gaussian_blur(maps, sigma: float, truncate: float = 4.0):
    """Gaussian blur of (..., H, W) float maps, as ``scipy.ndimage.gaussian_filter(m, sigma,
    mode="reflect", truncate=4.0)`` on the last two axes.

    Computed as ``B_H @ m @ B_W^T`` with banded blur matrices (fast on CPU for any sigma).
    """
    if not sigma > 0:
        raise ValueError(f"`sigma` must be positive; got {sigma!r}.")
    maps = tf.convert_to_tensor(maps, tf.float32)
    radius = int(truncate * sigma + 0.5)
    height, width = tf.shape(maps)[-2], tf.shape(maps)[-1]
    rows = _blur_matrix(height, sigma, radius)
    cols = _blur_matrix(width, sigma, radius)
    return tf.linalg.matmul(tf.linalg.matmul(rows, maps), cols, transpose_b=True)


def normalize_sum(maps, eps: float = 1e-12):
    """(..., H, W) maps divided by their spatial sum."""
    return maps / (tf.reduce_sum(maps, axis=[-2, -1], keepdims=True) + eps)


def padded_fixations(x, y, max_fixations: int):
    """float32 (max_fixations, 2) of (x, y); padding rows are -1 (the losses' convention).

    More than ``max_fixations`` fixations: the first ``max_fixations`` are kept.
    """
    xy = tf.stack([tf.cast(x, tf.float32), tf.cast(y, tf.float32)], axis=-1)[:max_fixations]
    pad = max_fixations - tf.shape(xy)[0]
    return tf.pad(xy, [[0, pad], [0, 0]], constant_values=-1.0)


def scale_image(image, mode):
    """uint8 image -> float32: ``None`` keeps 0..255, ``"unit"`` 0..1, ``"imagenet"`` mean/std."""
    image = tf.cast(image, tf.float32)
    if mode is None:
        return image
    if mode == "unit":
        return image / 255.0
    if mode == "imagenet":
        return (image / 255.0 - tf.constant(IMAGENET_MEAN)) / tf.constant(IMAGENET_STD)
    raise ValueError(f"`image_scaling` must be None, 'unit' or 'imagenet'; got {mode!r}.")


def resize_log_density(log_density, size):
    """A (h, w) log-density resized (bilinear) to ``size`` and renormalised to sum 1."""
    resized = tf.image.resize(tf.convert_to_tensor(log_density, tf.float32)[..., None], size)[..., 0]
    return resized - tf.reduce_logsumexp(resized)

