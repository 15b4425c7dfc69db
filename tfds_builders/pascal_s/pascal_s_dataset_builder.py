"""PASCAL-S (Li et al., CVPR 2014): 850 PASCAL VOC 2010 validation images with 2 s free-viewing fixations.

Reads the official release ``salObj.zip`` (downloaded, checked against the MD5 pysaliency
publishes for it, ``published_checksums.tsv``): ``datasets/imgs/pascal/<n>.jpg`` (n = 1..850)
and ``datasets/fixations/pascalFix.mat``, a MATLAB v7.3 (HDF5) file whose cell ``fixCell``
has one N x 3 matrix per image, in image order, of ``y, x, subject`` (1-based MATLAB pixel
coordinates and subject numbers; converted to the package's 0-based convention). Fixation
order within a subject is the viewing order; durations and times are not in the release.
The release's salient-object masks are not read.
"""

import numpy as np
import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import downloads, readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord

URL = "http://cbs.ic.gatech.edu/salobj/download/salObj.zip"


class Builder(FixationImageBuilder):
    """PASCAL-S fixations from the official archive."""

    VERSION = tfds.core.Version("2.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release (the project's folder layout, manual).",
        "2.0.0": "Reads the official salObj.zip (downloaded, MD5-checked) instead of the folder layout.",
    }
    HOMEPAGE = "http://cbs.ic.gatech.edu/salobj/"

    def _split_records(self, dl_manager):
        archive = downloads.download_checked(dl_manager, URL, __file__)
        root = readers.find_dir(dl_manager.extract(archive), "datasets")
        return {"train": _records(root)}


def _fixations(cell, number, mat_path) -> Fixations:
    if cell.size == 0:
        return Fixations.empty()
    if cell.ndim != 2 or cell.shape[0] != 3:  # h5py reads MATLAB's N x 3 transposed
        raise readers.DatasetFileError(mat_path, f"`fixCell` {number} is {cell.T.shape}, expected N x 3 (y, x, subject).")
    ys, xs, subjects = cell
    if np.any(subjects < 1) or np.any(subjects != np.round(subjects)):
        raise readers.DatasetFileError(mat_path, f"`fixCell` {number}: subject numbers must be integers >= 1.")
    return Fixations.from_one_based(xs, ys, subject=subjects.astype(np.int64) - 1)


def _records(root):
    mat_path = root / "fixations" / "pascalFix.mat"
    for number, cell in enumerate(readers.load_mat_v73_cells(mat_path, "fixCell"), start=1):
        yield ImageRecord(
            image_id=str(number),
            image=readers.require(root / "imgs" / "pascal" / f"{number}.jpg", f"stimulus of `fixCell` {number}"),
            fixations=_fixations(cell, number, mat_path),
        )
