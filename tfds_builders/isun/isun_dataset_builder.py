"""iSUN (Xu et al., 2015): SUN images with webcam gaze collected on Amazon Mechanical Turk (TurkerGaze).

Reads the official LSUN 2015 saliency challenge release (downloaded, each file checked against
the MD5 pysaliency publishes for it, ``published_checksums.tsv``): ``training.mat``,
``validation.mat`` and ``testing.mat`` each hold a struct array named like the file with one
entry per image, ``image`` (the file name without ``.jpg``) and, except in testing, ``gaze``: a
struct array with one entry per viewing whose ``fixation`` is an (n, 2) matrix of ``x, y``
image coordinates in viewing order; ``image.zip`` holds ``images/<image>.jpg``.
6000 train / 926 validation / 2000 test images (test without fixations).

Conventions: the coordinates are taken as they are (0-based, no offset), as pysaliency reads
them; the release does not say where it puts pixel centres, so they may be off by half a
pixel. Viewings are not linked to workers across images, so ``subject`` is -1; times are
unknown. Webcam gaze can fall outside the image: such fixations are dropped and counted in
the build report (``OUT_OF_IMAGE_POLICY = "drop"``).
"""

import numpy as np
import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import downloads, readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord

DATA = "http://lsun.cs.princeton.edu/challenge/2015/eyetracking/data/"
URLS = {name: DATA + name + ".mat" for name in ("training", "validation", "testing")}
URLS["images"] = DATA + "image.zip"
SPLITS = {"train": "training", "validation": "validation", "test": "testing"}


class Builder(FixationImageBuilder):
    """iSUN fixations from the official challenge files."""

    VERSION = tfds.core.Version("2.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release (the project's folder layout, manual).",
        "2.0.0": "Reads the official training/validation/testing.mat and image.zip (downloaded, MD5-checked).",
    }
    HOMEPAGE = "http://vision.princeton.edu/projects/2014/iSUN/"
    OUT_OF_IMAGE_POLICY = "drop"

    def _split_records(self, dl_manager):
        paths = downloads.download_checked(dl_manager, URLS, __file__)
        images = readers.find_dir(dl_manager.extract(paths["images"]), "images")
        return {split: _records(paths[name], name, images, labeled=split != "test") for split, name in SPLITS.items()}


def _viewings(entry, image, mat_path):
    """Fixations of every viewing of one image, in order."""
    xs, ys = [], []
    for number, viewing in enumerate(np.ravel(readers.struct_field(entry, "gaze", mat_path)[()])):
        points = np.asarray(readers.struct_field(viewing, "fixation", mat_path), dtype=np.float64)
        if points.size == 0:
            continue
        if points.ndim != 2 or points.shape[1] != 2:
            problem = f"{image}: gaze {number} `fixation` is {points.shape}, expected (n, 2) rows of x, y."
            raise readers.DatasetFileError(mat_path, problem)
        xs.append(points[:, 0]), ys.append(points[:, 1])
    if not xs:
        return Fixations.empty()
    x, y = np.concatenate(xs), np.concatenate(ys)
    return Fixations(x=x, y=y, subject=np.full(x.size, -1))


def _records(mat_path, variable, images, labeled):
    mat = readers.load_mat(mat_path)
    if variable not in mat:
        names = sorted(k for k in mat if not k.startswith("__"))
        raise readers.DatasetFileError(mat_path, f"no `{variable}` struct array (has {names}).")
    for entry in np.ravel(mat[variable]):
        name = str(np.ravel(readers.struct_field(entry, "image", mat_path))[0])
        yield ImageRecord(
            image_id=name,
            image=readers.require(images / f"{name}.jpg", f"stimulus listed in {mat_path.name}"),
            fixations=_viewings(entry, name, mat_path) if labeled else Fixations.empty(),
        )
