"""``tf.data`` pipelines from keras-saliency TFDS examples to model inputs and targets.

Image examples follow ``tfds_builders.core.features`` (``image`` uint8 (H, W, 3),
``fixations/x|y`` in continuous 0-based pixels, optional ``saliency_map``).

Targets (``target=``), all at the network input size unless ``target_size`` is given:

* ``"fixation_map"``: float32 (h, w, 1) fixation counts;
* ``"dense_map"``: float32 (h, w, 1) Gaussian-blurred counts (``sigma`` in target
  pixels), normalised to sum 1;
* ``"saliency_map"``: the dataset's published dense map, bilinearly resized, sum 1;
* ``"fixations"``: float32 (max_fixations, 2) padded (x, y) list, padding -1;
* ``"unisal"``: float32 (h, w, 2): ``[..., 0]`` dense map (published if the dataset
  has one and ``sigma`` is None, else blurred), ``[..., 1]`` fixation counts
  (the layout ``keras_saliency.losses.UNISALLoss`` expects).

Inputs are the float32 image, or a dict ``{"image", "centerbias" (h, w) log-density,
"domain" int32}`` when ``center_bias`` or ``domain`` is given.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np
import tensorflow as tf

from keras_saliency.data import sizes
from keras_saliency.data import transforms as T

TARGETS = ("fixation_map", "dense_map", "saliency_map", "fixations", "unisal")
SIZE_RULES = {"unisal": sizes.EVAL_GRIDS, "unisal_train": sizes.TRAIN_GRIDS}


def _check(target, image_size, sigma):
    if target not in TARGETS:
        raise ValueError(f"`target` must be one of {TARGETS}; got {target!r}.")
    if isinstance(image_size, str):
        if image_size not in SIZE_RULES:
            raise ValueError(f"`image_size` must be (H, W) or one of {tuple(SIZE_RULES)}; got {image_size!r}.")
    elif len(tuple(image_size)) != 2 or min(image_size) <= 0:
        raise ValueError(f"`image_size` must be a positive (H, W); got {image_size!r}.")
    if target == "dense_map" and sigma is None:
        raise ValueError("`target='dense_map'` needs `sigma` (Gaussian blur in target pixels).")


def _dense(example, counts, size, sigma):
    if sigma is not None:
        return T.normalize_sum(T.gaussian_blur(counts, sigma))
    if "saliency_map" not in example:
        raise ValueError("This dataset has no `saliency_map`; give `sigma` to blur the fixations instead.")
    resized = tf.image.resize(tf.cast(example["saliency_map"], tf.float32), size)[..., 0]
    return T.normalize_sum(resized)


def make_target(example, target: str, size, from_size, sigma=None, max_fixations: int = 64):
    """The ``target`` of one image example at ``size`` (H, W); see the module docstring."""
    x, y = T.scale_fixations(example["fixations"]["x"], example["fixations"]["y"], from_size, size)
    if target == "fixations":
        return T.padded_fixations(x, y, max_fixations)
    if target == "saliency_map":
        return _dense(example, None, size, None)[..., None]
    counts = T.fixation_count_map(x, y, size)
    if target == "fixation_map":
        return counts[..., None]
    dense = _dense(example, counts, size, sigma)
    if target == "dense_map":
        return dense[..., None]
    return tf.stack([dense, counts], axis=-1)


def saliency_dataset(
    ds: tf.data.Dataset,
    image_size: Union[Tuple[int, int], str],
    target: str = "fixation_map",
    batch_size: int = 8,
    *,
    target_size: Optional[Tuple[int, int]] = None,
    sigma: Optional[float] = None,
    max_fixations: int = 64,
    center_bias: Optional[np.ndarray] = None,
    domain: Optional[int] = None,
    sample_weight: Optional[float] = None,
    image_scaling: Optional[str] = None,
    shuffle_buffer: int = 0,
    seed: Optional[int] = None,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Batched ``(inputs, targets[, sample_weight])`` from a dataset of image examples.

    Args:
        ds: unbatched examples (``tfds.load(...)`` / ``builder.as_dataset(split=...)``).
        image_size: fixed (H, W), or ``"unisal"`` / ``"unisal_train"`` for the
            aspect-ratio-aware UNISAL sizes (see ``keras_saliency.data.sizes``); then every
            batch holds images of one size (grouped with ``group_by_window``).
        target: see the module docstring. ``target_size``: fixed (h, w) of the target
            maps (default: the input size of each image).
        sigma: Gaussian blur in target pixels for dense targets.
        center_bias: optional (h, w) natural-log density (e.g. ``EmpiricalCenterBias``'s output);
            resized to each input size and renormalised, given as ``inputs["centerbias"]``.
        domain: optional int domain index (UNISAL domain-adaptive layers) in ``inputs["domain"]``.
        sample_weight: optional per-example weight (UNISAL weighs SALICON batches 0.5).
        image_scaling: ``None`` (0..255), ``"unit"`` or ``"imagenet"``.
        shuffle_buffer, seed: shuffling before batching (0 = no shuffling).
    """
    _check(target, image_size, sigma)
    grids = SIZE_RULES.get(image_size) if isinstance(image_size, str) else None
    if center_bias is not None:
        center_bias = tf.constant(np.asarray(center_bias, np.float32))

    def prepare(example):
        from_size = tf.shape(example["image"])[:2]
        if grids is None:
            key, size = tf.constant(0, tf.int64), tf.constant(image_size, tf.int32)
        else:
            index = sizes.grid_index(from_size[0], from_size[1], grids)
            key, size = tf.cast(index, tf.int64), sizes.grid_size(index, grids)
        image = tf.image.resize(example["image"], size, antialias=True)
        image = T.scale_image(tf.clip_by_value(image, 0.0, 255.0), image_scaling)
        if grids is None:
            image = tf.ensure_shape(image, (*image_size, 3))
        out_size = size if target_size is None else tf.constant(target_size, tf.int32)
        targets = make_target(example, target, out_size, from_size, sigma, max_fixations)
        inputs = image
        if center_bias is not None or domain is not None:
            inputs = {"image": image}
            if center_bias is not None:
                inputs["centerbias"] = T.resize_log_density(center_bias, size)
            if domain is not None:
                inputs["domain"] = tf.constant(domain, tf.int32)
        element = (inputs, targets)
        if sample_weight is not None:
            element += (tf.constant(sample_weight, tf.float32),)
        return key, element

    if shuffle_buffer:
        ds = ds.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if grids is None:
        ds = ds.map(lambda key, element: element).batch(batch_size, drop_remainder=drop_remainder)
    else:
        ds = ds.group_by_window(
            key_func=lambda key, element: key,
            reduce_func=lambda key, window: window.map(lambda k, e: e).batch(batch_size, drop_remainder=drop_remainder),
            window_size=batch_size,
        )
    return ds.prefetch(tf.data.AUTOTUNE)


def domain_batches(datasets: Sequence[tf.data.Dataset], weights=None, seed: Optional[int] = None) -> tf.data.Dataset:
    """Interleaves already-batched per-domain datasets: every batch comes from one domain.

    Build each with ``saliency_dataset(..., domain=i)`` so batches carry their domain
    index; ``weights`` are sampling probabilities (default: uniform). Stops when all
    datasets are exhausted.
    """
    return tf.data.Dataset.sample_from_datasets(list(datasets), weights=weights, seed=seed)


def filter_ids(ds: tf.data.Dataset, image_ids: Sequence[str], key: str = "image_id") -> tf.data.Dataset:
    """Examples whose ``key`` is in ``image_ids`` (e.g. one cross-validation fold)."""
    ids = [str(i) for i in image_ids]
    if not ids:
        raise ValueError("`image_ids` is empty.")
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(tf.constant(ids), tf.ones(len(ids), tf.int32)), default_value=0
    )
    return ds.filter(lambda example: table.lookup(example[key]) > 0)
