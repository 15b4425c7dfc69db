"""MIT1003 and OSIE read from their source folders through the TFDS builders' record readers.

The one loader of the scripts that need the pixels and fixations of the stimuli without building a
TFDS dataset first: ``read_fixation_images("mit1003", root)`` uses
``tfds_builders.mit1003.mit1003_dataset_builder.fixatons_records`` (FixaTons layout; every scanpath
minus its first, central fixation) and ``"osie"`` uses ``tfds_builders.osie.osie_dataset_builder.
osie_records``. Images come in the readers' order (sorted by file name); fixations keep the
readers' subjects and are 0-based in the original image's pixels, points outside the image
included (MIT1003 has 233): :meth:`FixationImages.fixations_at` scales and clips them.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

from keras_saliency.fixations import Fixations

# name: (reader module, reader function, file or folder every source folder has, title)
READERS = {
    "mit1003": ("tfds_builders.mit1003.mit1003_dataset_builder", "fixatons_records", "SCANPATHS", "MIT1003"),
    "osie": ("tfds_builders.osie.osie_dataset_builder", "osie_records", "fixations.mat", "OSIE"),
    "salicon": ("tfds_builders.salicon.salicon_dataset_builder", "train_records", "fixations/train", "SALICON"),
}


@dataclasses.dataclass(frozen=True)
class FixationImages:
    """Stimuli of a fixation dataset: ids, image paths, original sizes (H, W) and fixations."""

    name: str
    ids: List[str]
    paths: List[Path]
    sizes: List[Tuple[int, int]]
    fixations: List[Fixations]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def title(self) -> str:
        """The dataset's name as its authors write it ("MIT1003", "OSIE")."""
        return READERS[self.name][3] if self.name in READERS else self.name

    def fixations_at(self, sizes, policy: Optional[str] = "clip") -> Tuple[List[Fixations], int]:
        """Fixations scaled from each image's size to ``sizes`` and the number moved or dropped.

        ``sizes``: one (H, W) for every image or a list of one per image; an image whose target size
        equals its own keeps its fixations unchanged. ``policy``: ``Fixations.fit_to_image``'s
        ("clip", "drop", "raise") or None to leave points outside the image as they are.
        """
        sizes = [tuple(sizes)] * len(self) if np.ndim(sizes[0]) == 0 else [tuple(s) for s in sizes]
        if len(sizes) != len(self):
            raise ValueError(f"got {len(sizes)} sizes for {len(self)} images of {self.name}.")
        out, affected = [], 0
        for fixations, own, size in zip(self.fixations, self.sizes, sizes):
            if size != own:
                fixations = fixations.scaled(own, size)
            if policy is not None:
                fixations, n = fixations.fit_to_image(size, policy=policy)
                affected += n
            out.append(fixations)
        return out, affected

    def image(self, index: int, size: Optional[Sequence[int]] = None, dtype=np.float32) -> np.ndarray:
        """Image ``index`` as RGB (H, W, 3) 0..255 in ``dtype``, resized bilinearly to ``size`` (H, W) if given."""
        from PIL import Image

        with Image.open(self.paths[index]) as opened:
            rgb = opened.convert("RGB")
        if size is not None and rgb.size != (size[1], size[0]):
            rgb = rgb.resize((size[1], size[0]), Image.BILINEAR)
        return np.asarray(rgb).astype(dtype, copy=False)

    def images(self, size: Sequence[int], indices: Optional[Sequence[int]] = None, dtype=np.float32) -> np.ndarray:
        """The images (all, or ``indices``) resized to one ``size`` (H, W): (N, H, W, 3) in ``dtype``."""
        indices = range(len(self)) if indices is None else indices
        return np.stack([self.image(i, size, dtype) for i in indices])

    def as_dataset(self, indices: Optional[Sequence[int]] = None):
        """A ``tf.data.Dataset`` of the TFDS builders' examples (``image`` uint8 (H, W, 3) at the original size,
        ``fixations`` {``x``, ``y``} float32 in its pixels, ``image_id``) of the images ``indices`` (default all),
        in that order, decoded lazily; what ``keras_saliency.data.saliency_dataset`` takes."""
        import tensorflow as tf

        indices = list(range(len(self)) if indices is None else indices)
        if not indices:
            raise ValueError("`indices` is empty: a dataset needs at least one image.")

        def examples():
            for i in indices:
                yield {"image": self.image(i, dtype=np.uint8), "image_id": self.ids[i],
                       "fixations": {"x": self.fixations[i].x.astype(np.float32),
                                     "y": self.fixations[i].y.astype(np.float32)}}

        signature = {"image": tf.TensorSpec((None, None, 3), tf.uint8), "image_id": tf.TensorSpec((), tf.string),
                     "fixations": {"x": tf.TensorSpec((None,), tf.float32), "y": tf.TensorSpec((None,), tf.float32)}}
        return tf.data.Dataset.from_generator(examples, output_signature=signature)


def read_fixation_images(name: str, root, count: Optional[int] = None) -> FixationImages:
    """The first ``count`` (default all) stimuli of ``name`` ("mit1003", "osie" or "salicon": its train
    split) in the folder ``root``.

    Raises a ``FileNotFoundError`` naming the missing file when ``root`` is not such a source folder.
    """
    from PIL import Image

    if name not in READERS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(READERS)}.")
    module, function, marker, _ = READERS[name]
    root = Path(root)
    if not (root / marker).exists():
        raise FileNotFoundError(f"{root / marker} not found: {root} is not in the {name} source layout "
                                f"(see tfds_builders/{name}/MANUAL_DOWNLOAD_INSTRUCTIONS.md).")
    if count is not None and count < 1:
        raise ValueError(f"`count` must be >= 1 or None; got {count}.")
    records = list(itertools.islice(getattr(importlib.import_module(module), function)(root), count))
    sizes = []
    for record in records:
        with Image.open(record.image) as image:
            sizes.append((image.height, image.width))
    return FixationImages(name=name, ids=[r.image_id for r in records], paths=[Path(r.image) for r in records],
                          sizes=sizes, fixations=[r.fixations for r in records])
