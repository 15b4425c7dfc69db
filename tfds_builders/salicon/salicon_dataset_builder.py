"""SALICON 2017 (Jiang et al., CVPR 2015; LSUN 2017 release): 10,000 train + 5,000 val COCO images.

Mouse-tracking "fixations" at 640x480. Manual layout (the release's three archives unzipped
into ``manual_dir``)::

    images/{train,val}/COCO_<split>2014_<n>.jpg
    maps/{train,val}/COCO_<split>2014_<n>.png
    fixations/{train,val}/COCO_<split>2014_<n>.mat

Each ``.mat`` holds ``gaze``, a struct array with one entry per subject whose
``fixations`` field is an (N, 2) array of ``(x, y)`` 1-based pixel coordinates (the order
and convention pysaliency reads the same files with; not checked on real files here: a
wrong order shows up as fixations outside the 480x640 image, which raises).
"""

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from keras_saliency.fixations import Fixations
from tfds_builders.core import readers
from tfds_builders.core.beam_generation import BeamImagesWhenAsked
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord

SPLIT_FOLDERS = {"train": "train", "validation": "val"}


class Builder(BeamImagesWhenAsked, FixationImageBuilder):
    """SALICON 2017 train/validation."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    HOMEPAGE = "http://salicon.net/challenge-2017/"
    HAS_SALIENCY_MAP = True
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.manual_instructions(__file__)

    def _split_records(self, dl_manager):
        root = dl_manager.manual_dir
        return {split: _records(root, folder) for split, folder in SPLIT_FOLDERS.items()}


def read_gaze(path) -> Fixations:
    mat = readers.load_mat(path)
    if "gaze" not in mat:
        raise readers.DatasetFileError(path, "no `gaze` variable.")
    xs, ys, subjects = [], [], []
    for index, entry in enumerate(np.ravel(mat["gaze"])):
        points = np.asarray(readers.struct_field(entry, "fixations", path), np.float64).reshape(-1, 2)
        xs.append(points[:, 0]), ys.append(points[:, 1]), subjects.append(np.full(len(points), index))
    if not xs:
        return Fixations.empty()
    return Fixations.from_one_based(np.concatenate(xs), np.concatenate(ys), subject=np.concatenate(subjects))


def train_records(root):
    """ImageRecords of ``root/{images,fixations,maps}/train`` (what ``keras_saliency.data`` reads)."""
    return _records(epath.Path(root), "train")


def _records(root, folder):
    for path in readers.list_images(root / "images" / folder):
        yield ImageRecord(
            image_id=path.stem,
            image=path,
            fixations=read_gaze(root / "fixations" / folder / f"{path.stem}.mat"),
            saliency_map=root / "maps" / folder / f"{path.stem}.png",
        )
