"""EyeCrowd (Jiang, Xu & Zhao, ECCV 2014, "Saliency in crowd"): 500 crowd images, 16 subjects, labelled faces.

Reads the authors' release as published in the ``NUS-VIP/saliency-in-crowd`` repository
(``manual_dir`` = a checkout of it, or anything with the same ``data/`` folder):

* ``data/stimuli/<nnn>.jpg``: 500 images, 1024x768;
* ``data/eye/fixations.mat``: OSIE's structure (:mod:`tfds_builders.core.nus_fixations`),
  per image ``img`` and a 16-subject ``subjects`` cell of ``fix_x``, ``fix_y`` (1-based),
  ``fix_duration`` (ms);
* ``data/labels.mat``: ``labels{i}`` with ``img``, ``nFaces`` and a ``faces`` cell of structs
  ``left``, ``top``, ``width``, ``height`` (MATLAB 1-based continuous pixels, as ``imrect``
  gives) and the flags ``isFrontalFace``, ``isProfileFace``, ``isBackFace``, ``isOccluded``.

Faces become ``faces`` (boxes, clipped to the image: 234 of the 9,778 released boxes extend
past its border) and ``face_attributes`` (the four flags, same order). Single split
``train`` (the paper cross-validates; use ``keras_saliency.data.kfold_split``).
"""

from __future__ import annotations

from typing import Dict, Tuple

import numpy as np
import tensorflow_datasets as tfds

from tfds_builders.core import nus_fixations, readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord

FLAGS = (("frontal", "isFrontalFace"), ("profile", "isProfileFace"), ("back", "isBackFace"), ("occluded", "isOccluded"))


class Builder(FixationImageBuilder):
    """EyeCrowd fixations with face boxes and attributes."""

    VERSION = tfds.core.Version("2.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release (a project-defined folder layout).",
        "2.0.0": "Reads the official release layout (data/stimuli, data/eye/fixations.mat, data/labels.mat); "
                 "adds face_attributes.",
    }
    HOMEPAGE = "https://github.com/NUS-VIP/saliency-in-crowd"
    HAS_FACES = True
    EXTRA_FEATURES = {"face_attributes": tfds.features.Sequence({name: np.bool_ for name, _ in FLAGS})}
    OUT_OF_IMAGE_POLICY = "raise"
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.manual_instructions(__file__)

    def _split_records(self, dl_manager):
        return {"train": eye_crowd_records(dl_manager.manual_dir / "data")}


def read_faces(mat_path) -> Dict[str, Tuple[np.ndarray, dict]]:
    """{image file name: (float (K, 4) boxes (ymin, xmin, ymax, xmax) 0-based, {flag: bool (K,)})}."""
    by_name = {}
    for name, entry in nus_fixations.image_entries(mat_path, "labels"):
        n_faces = int(np.ravel(readers.struct_field(entry, "nFaces", mat_path)[0, 0])[0])
        faces = [np.ravel(f)[0] for f in np.ravel(readers.struct_field(entry, "faces", mat_path)[0, 0])]
        if len(faces) != n_faces:
            raise readers.DatasetFileError(mat_path, f"{name}: nFaces is {n_faces} but {len(faces)} faces are listed.")

        def column(field, faces=faces):
            return np.array([float(np.ravel(readers.struct_field(f, field, mat_path))[0]) for f in faces], np.float64)

        left, top, width, height = (column(f) for f in ("left", "top", "width", "height"))
        boxes = np.stack([top - 0.5, left - 0.5, top + height - 0.5, left + width - 0.5], axis=1).reshape(-1, 4)
        by_name[name] = (boxes, {ours: column(theirs).astype(bool) for ours, theirs in FLAGS})
    return by_name


def eye_crowd_records(data):
    """ImageRecords of the official ``data/`` folder (see the module docstring)."""
    fixations_path, labels_path = data / "eye" / "fixations.mat", data / "labels.mat"
    fixations = nus_fixations.read_fixations(fixations_path)
    faces = read_faces(labels_path)
    for image_path in readers.list_images(data / "stimuli"):
        for table, path in ((fixations, fixations_path), (faces, labels_path)):
            if image_path.name not in table:
                raise readers.DatasetFileError(path, f"no entry for stimulus {image_path.name!r}.")
        boxes, flags = faces[image_path.name]
        yield ImageRecord(
            image_id=image_path.stem, image=image_path, fixations=fixations[image_path.name],
            faces=boxes, extra={"face_attributes": flags},
        )
