"""Clips of every k-th frame from video examples (UNISAL sampling).

UNISAL trains on clips of ``clip_length`` (12) frames taken every ``frame_modulo``-th
frame (5 for DHF1K, 4 for Hollywood-2 and UCF Sports) from a random start. Videos
shorter than ``(clip_length - 1) * frame_modulo + 1`` frames are skipped. ``frames`` may
also be encoded (a string per frame: TFDS ``decoders={"frames": tfds.decode.SkipDecoding()}``);
then only the clip's frames are decoded, so whole videos never sit decoded in memory.
"""

from __future__ import annotations

from typing import Optional, Tuple

import tensorflow as tf

from keras_saliency.data import transforms as T

CLIP_TARGETS = ("fixation_map", "dense_map", "saliency_map", "unisal")
# by TFDS builder name; eye_tracking_causality (30 fps like DHF1K) is this project's choice, not the reference's
UNISAL_FRAME_MODULO = {"dhf1k": 5, "hollywood2": 4, "ucf_sports": 4, "eye_tracking_causality": 5}
# The reference checkpoint's domain names for the same datasets.
_REFERENCE_DOMAINS = {"dhf1k": "dhf1k", "hollywood": "hollywood2", "ucfsports": "ucf_sports"}
UNISAL_CLIP_LENGTH = 12


def unisal_frame_modulo(name: str, default: int = 1) -> int:
    """UNISAL's frame step for a dataset or domain name (builder or reference spelling, any case); else ``default``."""
    key = name.lower()
    key = _REFERENCE_DOMAINS.get(key.replace("_", ""), key)
    return UNISAL_FRAME_MODULO.get(key, default)


def clip_indices(n_frames, clip_length: int, frame_modulo: int, seed):
    """int32 (clip_length,) frame indices from a uniform random start (stateless ``seed`` (2,))."""
    span = (clip_length - 1) * frame_modulo + 1
    start = tf.random.stateless_uniform([], seed, 0, n_frames - span + 1, dtype=tf.int32)
    return start + tf.range(clip_length) * frame_modulo


def video_clip_dataset(
    ds: tf.data.Dataset,
    image_size: Tuple[int, int],
    clip_length: int = 12,
    frame_modulo: int = 5,
    target: str = "unisal",
    batch_size: int = 4,
    *,
    sigma: Optional[float] = None,
    domain: Optional[int] = None,
    sample_weight: Optional[float] = None,
    image_scaling: Optional[str] = None,
    seed: int = 0,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Batched ``(inputs (B, L, H, W, 3), targets (B, L, H, W, C))``, one clip per video and pass.

    ``target`` as in ``keras_saliency.data.pipeline`` (dense maps from ``saliency_maps``
    unless ``sigma`` is given); clip starts are drawn from ``(seed, video position)``, so
    a pass is reproducible (repeat ``ds`` before this, not after, for new starts in every pass).
    ``domain`` / ``sample_weight``: as in ``saliency_dataset`` (then ``inputs`` is a dict and
    a (B,) weight follows the targets).
    """
    if target not in CLIP_TARGETS:
        raise ValueError(f"`target` must be one of {CLIP_TARGETS}; got {target!r}.")
    if clip_length < 1 or frame_modulo < 1:
        raise ValueError(f"`clip_length` and `frame_modulo` must be >= 1; got {clip_length}, {frame_modulo}.")
    span = (clip_length - 1) * frame_modulo + 1
    size = tf.constant(image_size, tf.int32)

    def prepare(position, example):
        frames = example["frames"]
        clip_seed = tf.stack([tf.cast(seed, tf.int64), position])
        index = clip_indices(tf.shape(frames)[0], clip_length, frame_modulo, clip_seed)
        clip = tf.gather(frames, index)
        if clip.dtype == tf.string:  # encoded frames: decode only these
            clip = tf.map_fn(lambda data: tf.io.decode_image(data, channels=3, expand_animations=False), clip,
                             fn_output_signature=tf.TensorSpec((None, None, 3), tf.uint8))
        from_size = tf.shape(clip)[1:3]
        clip = tf.image.resize(clip, size, antialias=True)
        clip = T.scale_image(tf.clip_by_value(clip, 0.0, 255.0), image_scaling)
        clip = tf.ensure_shape(clip, (clip_length, *image_size, 3))
        fix = example["fixations"]
        offset = fix["frame"] - index[0]
        keep = (offset >= 0) & (offset % frame_modulo == 0) & (offset < clip_length * frame_modulo)
        x, y = T.scale_fixations(fix["x"][keep], fix["y"][keep], from_size, size)
        counts = T.fixation_count_map(x, y, size, frame=offset[keep] // frame_modulo, n_frames=clip_length)
        if target == "fixation_map":
            targets = counts[..., None]
        else:
            if sigma is not None and target != "saliency_map":
                dense = T.normalize_sum(T.gaussian_blur(counts, sigma))
            else:
                maps = tf.image.resize(tf.cast(tf.gather(example["saliency_maps"], index), tf.float32), size)
                dense = T.normalize_sum(maps[..., 0])
            targets = dense[..., None] if target != "unisal" else tf.stack([dense, counts], axis=-1)
        inputs = clip if domain is None else {"image": clip, "domain": tf.constant(domain, tf.int32)}
        if sample_weight is not None:
            return inputs, targets, tf.constant(sample_weight, tf.float32)
        return inputs, targets

    ds = ds.filter(lambda example: tf.shape(example["frames"])[0] >= span).enumerate()
    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
