"""Aspect-ratio-aware network input sizes (UNISAL ``get_optimal_out_size`` rule).

UNISAL feeds MIT1003/MIT300 images at ``(n1 * 32, n2 * 32)`` where ``(n1, n2)`` has the
aspect ratio closest to the image's among grids with ``100 <= n1 * n2 <= 120`` (evaluation)
or among a fixed training set of five grids. "Closest" maximises
``min(a, b) / max(a, b)`` of the two height/width ratios; ties keep the first candidate
in row-major (n1, n2) order. The candidate range 7..15 for n1 and n2 is our choice: it
holds every grid with product 100..120 whose sides differ by at most a factor of two.
"""

from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np
import tensorflow as tf

STRIDE = 32
EVAL_GRIDS = tuple((n1, n2) for n1 in range(7, 16) for n2 in range(7, 16) if 100 <= n1 * n2 <= 120)
TRAIN_GRIDS = ((8, 13), (9, 13), (9, 12), (12, 9), (13, 9))
# UNISAL's fixed network input sizes (H, W) per training source (MIT1003/MIT300 use the grid rule).
UNISAL_INPUT_SIZES = {"dhf1k": (224, 384), "hollywood2": (224, 416), "ucf_sports": (256, 384), "salicon": (288, 384)}


def _best_index(height, width, grids) -> tf.Tensor:
    grids = tf.constant(grids, tf.float32)
    ratio = tf.cast(height, tf.float32) / tf.cast(width, tf.float32)
    candidate = grids[:, 0] / grids[:, 1]
    score = tf.minimum(ratio, candidate) / tf.maximum(ratio, candidate)
    return tf.argmax(score, output_type=tf.int32)


def grid_index(height, width, grids: Sequence[Tuple[int, int]] = EVAL_GRIDS) -> tf.Tensor:
    """int32 index into ``grids`` of the grid whose aspect ratio best matches H/W (graph-safe)."""
    return _best_index(height, width, grids)


def grid_size(index, grids: Sequence[Tuple[int, int]] = EVAL_GRIDS) -> tf.Tensor:
    """int32 (2,) pixel size (H, W) of ``grids[index]``."""
    return tf.gather(tf.constant(grids, tf.int32) * STRIDE, index)


def optimal_size(height: int, width: int, train: bool = False) -> Tuple[int, int]:
    """Python (H, W) network input size for an image of ``height`` x ``width``."""
    if height <= 0 or width <= 0:
        raise ValueError(f"image size must be positive; got {(height, width)}.")
    grids = TRAIN_GRIDS if train else EVAL_GRIDS
    ratio = height / width
    scores = [min(ratio, a / b) / max(ratio, a / b) for a, b in grids]
    n1, n2 = grids[int(np.argmax(scores))]
    return n1 * STRIDE, n2 * STRIDE
