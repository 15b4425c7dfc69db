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


def _gaussian_kernel(sigma: float, radius):
    offsets = tf.cast(tf.range(-radius, radius + 1), tf.float32)
    kernel = tf.exp(-0.5 * tf.square(offsets / sigma))
    return kernel / tf.reduce_sum(kernel)


def gaussian_blur(maps, sigma: float, truncate: float = 4.0):
    """Separable Gaussian blur of (..., H, W) float maps, scipy ``mode="reflect"`` borders.

    Matches ``scipy.ndimage.gaussian_filter(m, sigma, truncate=4.0)`` when the kernel
    radius ``int(truncate * sigma + 0.5)`` is smaller than the map; on smaller maps the
    kernel is cut to the map size (and renormalised).
    """
    if not sigma > 0:
        raise ValueError(f"`sigma` must be positive; got {sigma!r}.")
    maps = tf.convert_to_tensor(maps, tf.float32)
    shape = tf.shape(maps)
    height, width = shape[-2], shape[-1]
    flat = tf.reshape(maps, [-1, height, width, 1])
    radius = int(truncate * sigma + 0.5)
    for axis, size in ((1, height), (2, width)):
        r = tf.minimum(radius, size - 1)
        kernel = _gaussian_kernel(sigma, r)
        paddings = [[0, 0], [0, 0], [0, 0], [0, 0]]
        paddings[axis] = [r, r]
        padded = tf.pad(flat, paddings, mode="SYMMETRIC")
        kshape = [-1, 1, 1, 1] if axis == 1 else [1, -1, 1, 1]
        flat = tf.nn.conv2d(padded, tf.reshape(kernel, kshape), strides=1, padding="VALID")
    return tf.reshape(flat, shape)


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

