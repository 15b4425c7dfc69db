"""The feature spec shared by every keras-saliency TFDS builder.

Image examples (:func:`image_features`):

* ``image``: uint8 (H, W, 3).
* ``image_id``: text, the stimulus name without extension.
* ``fixations``: a variable-length sequence (N may be 0) of

  - ``x``, ``y``: float32, **continuous 0-based pixel coordinates** of the stored
    image (pixel ``i`` covers ``[i, i + 1)``; see ``keras_saliency.fixations``),
  - ``subject``: int32 subject index, ``-1`` when the dataset does not say,
  - ``time``: float32 onset in seconds from stimulus onset, NaN when unknown,
  - ``duration``: float32 seconds, NaN when unknown.

* optional ``saliency_map``: uint8 (H, W, 1) dense human map as published.
* optional ``category``: class label (e.g. CAT2000 categories).
* optional ``faces``: sequence of normalised ``tfds.features.BBox``.

Video examples (:func:`video_features`): ``frames`` uint8 (T, H, W, 3), ``video_id``,
``fps`` float32, per-frame ``fixations`` (as above plus ``frame`` int32) and optional
``saliency_maps`` uint8 (T, H, W, 1).
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import tensorflow_datasets as tfds

FIXATION_FIELDS = ("x", "y", "subject", "time", "duration")


def fixation_sequence(with_frame: bool = False) -> tfds.features.Sequence:
    fields = {
        "x": tfds.features.Tensor(shape=(), dtype=np.float32),
        "y": tfds.features.Tensor(shape=(), dtype=np.float32),
        "subject": tfds.features.Tensor(shape=(), dtype=np.int32),
        "time": tfds.features.Tensor(shape=(), dtype=np.float32),
        "duration": tfds.features.Tensor(shape=(), dtype=np.float32),
    }
    if with_frame:
        fields["frame"] = tfds.features.Tensor(shape=(), dtype=np.int32)
    return tfds.features.Sequence(fields)


def image_features(
    saliency_map: bool = False,
    category_names: Optional[Sequence[str]] = None,
    faces: bool = False,
    extra: Optional[dict] = None,
) -> tfds.features.FeaturesDict:
    """The image feature spec; optional parts only where the dataset has them."""
    spec = {
        "image": tfds.features.Image(shape=(None, None, 3)),
        "image_id": tfds.features.Text(),
        "fixations": fixation_sequence(),
    }
    if saliency_map:
        spec["saliency_map"] = tfds.features.Image(shape=(None, None, 1))
    if category_names is not None:
        spec["category"] = tfds.features.ClassLabel(names=list(category_names))
    if faces:
        spec["faces"] = tfds.features.Sequence(tfds.features.BBoxFeature())
    spec.update(extra or {})
    return tfds.features.FeaturesDict(spec)


def video_features(saliency_maps: bool = True) -> tfds.features.FeaturesDict:
    """The video feature spec (frames are stored as PNG-encoded images, no ffmpeg needed)."""
    spec = {
        "frames": tfds.features.Video(shape=(None, None, None, 3)),
        "video_id": tfds.features.Text(),
        "fps": tfds.features.Tensor(shape=(), dtype=np.float32),
        "fixations": fixation_sequence(with_frame=True),
    }
    if saliency_maps:
        spec["saliency_maps"] = tfds.features.Video(shape=(None, None, None, 1))
    return tfds.features.FeaturesDict(spec)


def encode_fixations(fixations, frame=None) -> dict:
    """A ``keras_saliency.fixations.Fixations`` as the ``fixations`` feature value.

    ``frame``: optional int (N,) frame index of each fixation (video builders).
    """
    n = len(fixations)

    def field(value, dtype, fill):
        return np.full(n, fill, dtype) if value is None else np.asarray(value, dtype)

    out = {
        "x": fixations.x.astype(np.float32),
        "y": fixations.y.astype(np.float32),
        "subject": field(fixations.subject, np.int32, -1),
        "time": field(fixations.time, np.float32, np.nan),
        "duration": field(fixations.duration, np.float32, np.nan),
    }
    if frame is not None:
        out["frame"] = np.asarray(frame, np.int32).reshape(n)
    return out
