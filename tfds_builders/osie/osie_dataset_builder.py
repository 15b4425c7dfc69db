"""OSIE (Xu et al., JoV 2014): 700 images (800x600), free viewing by 15 subjects.

Source layout (the authors' GitHub release ``data/``): ``stimuli/<id>.jpg`` and
``fixations.mat`` (struct array with ``img`` and ``subjects(j).fix_x/fix_y/fix_duration``;
1-based MATLAB pixel coordinates, durations in ms). No first-fixation dropping: the
initial central fixation appears to be removed upstream already. Fixations outside the
image raise an error (none exist in the release).
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord


class Builder(FixationImageBuilder):
    """OSIE eye fixations."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    HOMEPAGE = "https://github.com/NUS-VIP/predicting-human-gaze-beyond-pixels"
    OUT_OF_IMAGE_POLICY = "raise"
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.manual_instructions(__file__)

    def _split_records(self, dl_manager):
        return {"train": osie_records(dl_manager.manual_dir)}


def _read_fixations(mat_path):
    """{image file name: Fixations} from OSIE's ``fixations.mat``."""
    mat = readers.load_mat(mat_path)
    if "fixations" not in mat:
        raise readers.DatasetFileError(mat_path, "no `fixations` variable.")
    by_name = {}
    for entry in np.ravel(mat["fixations"]):
        name = str(np.ravel(readers.struct_field(entry, "img", mat_path)[0, 0])[0])
        subjects = np.ravel(readers.struct_field(entry, "subjects", mat_path)[0, 0])
        xs, ys, durations, subject_ids = [], [], [], []
        for j, subject in enumerate(subjects):
            record = np.ravel(subject)[0]
            x = np.ravel(readers.struct_field(record, "fix_x", mat_path)).astype(np.float64)
            y = np.ravel(readers.struct_field(record, "fix_y", mat_path)).astype(np.float64)
            d = np.ravel(readers.struct_field(record, "fix_duration", mat_path)).astype(np.float64)
            if not x.size == y.size == d.size:
                problem = f"{name} subject {j}: fix_x/fix_y/fix_duration lengths differ."
                raise readers.DatasetFileError(mat_path, problem)
            xs.append(x), ys.append(y), durations.append(d / 1000.0), subject_ids.append(np.full(x.size, j))
        by_name[name] = Fixations.from_one_based(
            np.concatenate(xs), np.concatenate(ys),
            subject=np.concatenate(subject_ids), duration=np.concatenate(durations),
        )
    return by_name


def osie_records(root):
    """ImageRecords of the upstream OSIE layout (stimuli/*.jpg, fixations.mat), 1-based coordinates, 15 subjects."""
    mat_path = root / "fixations.mat"
    fixations = _read_fixations(mat_path)
    for image_path in readers.list_images(root / "stimuli"):
        if image_path.name not in fixations:
            raise readers.DatasetFileError(mat_path, f"no fixations for stimulus {image_path.name!r}.")
        yield ImageRecord(image_id=image_path.stem, image=image_path, fixations=fixations[image_path.name])
