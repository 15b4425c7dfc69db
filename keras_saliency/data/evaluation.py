"""TFDS image examples -> samples for :func:`keras_saliency.metrics.evaluate`, images decoded on demand.

Images stay encoded (PNG/JPEG bytes, ~10x smaller than pixels) until a model
asks for them with ``np.asarray(sample["image"])``, so a whole dataset such as
MIT1003 (1003 images up to 1024 px) fits in memory for the shuffled-AUC
negatives, which need every image's fixations at once.
"""

from __future__ import annotations

import io
from typing import List, Optional

import numpy as np

from keras_saliency.fixations import Fixations


class EncodedImage:
    """An encoded image; ``shape`` (H, W, 3) from its header, pixels (uint8) via ``np.asarray``.

    ``name`` (e.g. the image id) is used in errors: a header or pixel data that cannot be
    decoded is a ``ValueError`` naming it.
    """

    def __init__(self, data: bytes, name: str = "image"):
        from PIL import Image, UnidentifiedImageError

        self.data, self.name = bytes(data), name
        try:
            with Image.open(io.BytesIO(self.data)) as image:
                width, height = image.size
        except (OSError, UnidentifiedImageError, ValueError) as error:
            raise ValueError(f"{name}: not a readable image ({error})") from None
        self.shape = (height, width, 3)

    def __array__(self, dtype=None, copy=None):
        import tensorflow as tf

        try:
            pixels = tf.io.decode_image(self.data, channels=3, expand_animations=False).numpy()
        except tf.errors.OpError as error:
            raise ValueError(f"{self.name}: cannot decode the image ({error.message.splitlines()[0]})") from None
        return pixels if dtype is None else pixels.astype(dtype)


def evaluation_samples(builder, split: str = "train", limit: Optional[int] = None,
                       unreadable: Optional[list] = None) -> List[dict]:
    """Samples ``{"image": EncodedImage, "image_size", "image_id", "fixations"[, "reference_map"]}``.

    Args:
        builder: a prepared TFDS builder with the image features of
            ``tfds_builders.core.features`` (``image``, ``image_id``, ``fixations``).
        split: a TFDS split spec (``"train"``, ``"train[:10%]"``...).
        limit: the first ``limit`` examples of the split only.
        unreadable: None (an image whose header cannot be read is a ``ValueError`` naming it) or
            a list to which ``(image_id, message)`` of such images is appended (they are left out).
    ``reference_map`` is the dataset's published dense map (float64 (H, W)) when it has one.
    """
    import tensorflow_datasets as tfds

    features = builder.info.features
    missing = [key for key in ("image", "image_id", "fixations") if key not in features]
    if missing:
        raise ValueError(f"{builder.info.full_name} has no {missing} features: not a fixation image dataset "
                         f"(it has {sorted(features.keys())}).")
    if limit is not None and limit < 1:
        raise ValueError(f"`limit` must be >= 1; got {limit}.")
    ds = builder.as_dataset(split=split, decoders={"image": tfds.decode.SkipDecoding()}, shuffle_files=False)
    if limit is not None:
        ds = ds.take(limit)
    samples = []
    for example in tfds.as_numpy(ds):
        image_id = example["image_id"].decode()
        try:
            image = EncodedImage(example["image"], name=image_id)
        except ValueError as error:
            if unreadable is None:
                raise
            unreadable.append((image_id, str(error)))
            continue
        sample = {
            "image": image,
            "image_size": image.shape[:2],
            "image_id": image_id,
            "fixations": Fixations(example["fixations"]["x"], example["fixations"]["y"]),
        }
        if "saliency_map" in example:
            sample["reference_map"] = np.asarray(example["saliency_map"][..., 0], np.float64)
        samples.append(sample)
    return samples
