"""Base builder for "image + fixations" datasets.

A dataset subclasses :class:`FixationImageBuilder` and implements
``_split_records(dl_manager) -> {split: iterable of ImageRecord}``; the base class
reads image sizes, applies the out-of-image policy (counted per split in
``self.report`` and logged), and encodes the shared feature spec of
:mod:`tfds_builders.core.features`.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Any, Dict, Iterable, Optional, Tuple, Union

import numpy as np
import tensorflow_datasets as tfds
from absl import logging
from etils import epath

from keras_saliency.fixations import Fixations
from tfds_builders.core import features as features_lib
from tfds_builders.core import readers

ImageSource = Union[epath.Path, np.ndarray]


@dataclasses.dataclass
class ImageRecord:
    """One stimulus before encoding.

    Attributes:
        image_id: stimulus name without extension (the example key).
        image: image file path or uint8 (H, W, 3) array.
        fixations: fixations in 0-based continuous pixel coordinates of ``image``.
        saliency_map: optional map file path or uint8 (H, W) / (H, W, 1) array.
        category: optional category name (one of the builder's ``category_names``).
        faces: optional float (K, 4) boxes ``(ymin, xmin, ymax, xmax)`` in pixels.
        extra: values of the builder's extra features.
    """

    image_id: str
    image: ImageSource
    fixations: Fixations
    saliency_map: Optional[ImageSource] = None
    category: Optional[str] = None
    faces: Optional[np.ndarray] = None
    extra: Dict[str, Any] = dataclasses.field(default_factory=dict)


class FixationImageBuilder(tfds.core.GeneratorBasedBuilder):
    """Abstract TFDS builder for image saliency datasets (see module docstring).

    Class attributes a dataset may set: ``HOMEPAGE``, ``HAS_SALIENCY_MAP``,
    ``CATEGORY_NAMES``, ``HAS_FACES``, ``EXTRA_FEATURES`` (a dict of TFDS features)
    and ``OUT_OF_IMAGE_POLICY`` (``"raise"``, ``"clip"`` or ``"drop"``, see
    ``Fixations.fit_to_image``).
    """

    HOMEPAGE: Optional[str] = None
    HAS_SALIENCY_MAP = False
    CATEGORY_NAMES: Optional[Tuple[str, ...]] = None
    HAS_FACES = False
    EXTRA_FEATURES: Optional[dict] = None
    OUT_OF_IMAGE_POLICY = "raise"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.report: Dict[str, Dict[str, int]] = {}

    @abc.abstractmethod
    def _split_records(self, dl_manager) -> Dict[str, Iterable[ImageRecord]]:
        """{split name: iterable of ImageRecord}."""

    def _has_saliency_map(self) -> bool:
        return self.HAS_SALIENCY_MAP

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=features_lib.image_features(
                saliency_map=self._has_saliency_map(),
                category_names=self.CATEGORY_NAMES,
                faces=self.HAS_FACES,
                extra=self.EXTRA_FEATURES,
            ),
            homepage=self.HOMEPAGE,
        )

    def _split_generators(self, dl_manager):
        return {
            split: self._generate_examples(split, records)
            for split, records in self._split_records(dl_manager).items()
        }

    def _generate_examples(self, split: str, records: Iterable[ImageRecord]):
        counts = self.report.setdefault(split, {"examples": 0, "fixations": 0, "out_of_image": 0})
        for record in records:
            yield record.image_id, self._encode(record, counts)
        if counts["out_of_image"]:
            logging.warning(
                "%s/%s: %d fixations outside their image were handled with policy %r.",
                self.name, split, counts["out_of_image"], self.OUT_OF_IMAGE_POLICY,
            )
        logging.info("%s/%s: %s", self.name, split, counts)

    def _encode(self, record: ImageRecord, counts: Dict[str, int]) -> dict:
        example, n_fixations, n_out = encode_record(record, self.encode_settings())
        counts["examples"] += 1
        counts["fixations"] += n_fixations
        counts["out_of_image"] += n_out
        return example

    def encode_settings(self) -> "EncodeSettings":
        """What :func:`encode_record` needs from this builder (a small picklable value, for Beam workers)."""
        return EncodeSettings(
            saliency_map=self._has_saliency_map(), categories=self.CATEGORY_NAMES is not None,
            faces=self.HAS_FACES, out_of_image_policy=self.OUT_OF_IMAGE_POLICY,
        )


@dataclasses.dataclass(frozen=True)
class EncodeSettings:
    """Which optional features a builder stores, and its out-of-image policy."""

    saliency_map: bool
    categories: bool
    faces: bool
    out_of_image_policy: str


def encode_record(record: ImageRecord, settings: EncodeSettings) -> Tuple[dict, int, int]:
    """(TFDS example, number of fixations kept, number outside the image) of one record."""
    if isinstance(record.image, np.ndarray):
        size, image = record.image.shape[:2], record.image
    else:
        height, width, mode, fmt = readers.image_info(record.image)
        size = (height, width)
        # RGB JPEG/PNG files are stored as they are (no re-encoding); others are converted.
        keep = mode == "RGB" and fmt in ("JPEG", "PNG")
        image = record.image if keep else readers.read_image(record.image)
    try:
        fixations, n_out = record.fixations.fit_to_image(size, settings.out_of_image_policy)
    except ValueError as error:
        raise readers.DatasetFileError(record.image, f"fixations of {record.image_id!r}: {error}") from error
    example = {
        "image": image,
        "image_id": record.image_id,
        "fixations": features_lib.encode_fixations(fixations),
    }
    if settings.saliency_map:
        example["saliency_map"] = _encode_map(record, size)
    if settings.categories:
        example["category"] = record.category
    if settings.faces:
        example["faces"] = _encode_boxes(record.faces, size)
    example.update(record.extra)
    return example, len(fixations), n_out


def _encode_map(record: ImageRecord, size) -> np.ndarray:
    if record.saliency_map is None:
        raise readers.DatasetFileError(record.image, f"no saliency map for {record.image_id!r}.")
    if isinstance(record.saliency_map, np.ndarray):
        smap = record.saliency_map.astype(np.uint8)
    else:
        smap = readers.read_image(record.saliency_map, "L")
    smap = smap.reshape(smap.shape[0], smap.shape[1], 1)
    if tuple(smap.shape[:2]) != tuple(size):
        where = record.saliency_map if not isinstance(record.saliency_map, np.ndarray) else record.image_id
        raise readers.DatasetFileError(where, f"saliency map is {smap.shape[:2]}, image is {tuple(size)}.")
    return smap


def _encode_boxes(boxes, size):
    height, width = size
    if boxes is None or len(boxes) == 0:
        return []
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    scale = np.array([height, width, height, width], np.float64)
    boxes = np.clip(boxes / scale, 0.0, 1.0).astype(np.float32)
    return [tfds.features.BBox(*box) for box in boxes]
