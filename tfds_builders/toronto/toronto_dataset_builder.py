"""Toronto (Bruce & Tsotsos, 2006): 120 colour images (681x511) viewed freely by 20 subjects.

Reads the official release ``eyetrackingdata.zip`` (downloaded, checked against the MD5
pysaliency publishes for it, ``published_checksums.tsv``):
``eyetrackingdata/fixdens/Original Image Set/<n>.jpg`` (n = 1..120) and
``eyetrackingdata/fixdens/origfixdata.mat``, whose cell ``white`` holds one binary fixation
map per image, in image order. Every non-zero pixel is a fixation at that pixel's centre
(0-based ``col + 0.5``, ``row + 0.5``); the release does not say which subject made it or
when, so ``subject`` is -1 and times are unknown (the per-subject ``Raw/*.fix`` listings
are not in image coordinates, as pysaliency's documentation of this archive notes).
"""

import numpy as np
import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import downloads, readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord

URL = "http://www-sop.inria.fr/members/Neil.Bruce/eyetrackingdata.zip"


class Builder(FixationImageBuilder):
    """Toronto fixations from the official archive."""

    VERSION = tfds.core.Version("2.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release (the project's folder layout, manual).",
        "2.0.0": "Reads the official eyetrackingdata.zip (downloaded, MD5-checked) instead of the folder layout.",
    }
    HOMEPAGE = "http://www-sop.inria.fr/members/Neil.Bruce/"

    def _split_records(self, dl_manager):
        archive = downloads.download_checked(dl_manager, URL, __file__)
        root = readers.find_dir(dl_manager.extract(archive), "eyetrackingdata") / "fixdens"
        return {"train": _records(root)}


def _fixation_maps(mat_path):
    mat = readers.load_mat(mat_path)
    if "white" not in mat:
        names = sorted(k for k in mat if not k.startswith("__"))
        raise readers.DatasetFileError(mat_path, f"no `white` variable (has {names}).")
    return np.ravel(mat["white"])


def _records(root):
    mat_path = root / "origfixdata.mat"
    for number, points in enumerate(_fixation_maps(mat_path), start=1):
        image = readers.require(root / "Original Image Set" / f"{number}.jpg", f"stimulus of `white` cell {number}")
        points = np.asarray(points)
        height, width = readers.image_info(image)[:2]
        if points.shape != (height, width):
            problem = f"`white` cell {number} is a {points.shape} map, its image {image.name} is {(height, width)}."
            raise readers.DatasetFileError(mat_path, problem)
        rows, cols = np.nonzero(points)
        yield ImageRecord(
            image_id=str(number), image=image,
            fixations=Fixations(x=cols + 0.5, y=rows + 0.5, subject=np.full(rows.size, -1)),
        )
