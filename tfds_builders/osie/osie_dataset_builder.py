"""OSIE (Xu et al., JoV 2014): 700 images (800x600), free viewing by 15 subjects.

Source layout (the authors' GitHub release ``data/``): ``stimuli/<id>.jpg`` and
``fixations.mat`` (struct array with ``img`` and ``subjects(j).fix_x/fix_y/fix_duration``;
1-based MATLAB pixel coordinates, durations in ms). No first-fixation dropping: the
initial central fixation appears to be removed upstream already. Fixations outside the
image raise an error (none exist in the release).
"""

from __future__ import annotations

import tensorflow_datasets as tfds

from tfds_builders.core import nus_fixations, readers
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


def osie_records(root):
    """ImageRecords of the upstream OSIE layout (stimuli/*.jpg, fixations.mat), 1-based coordinates, 15 subjects."""
    mat_path = root / "fixations.mat"
    fixations = nus_fixations.read_fixations(mat_path)
    for image_path in readers.list_images(root / "stimuli"):
        if image_path.name not in fixations:
            raise readers.DatasetFileError(mat_path, f"no fixations for stimulus {image_path.name!r}.")
        yield ImageRecord(image_id=image_path.stem, image=image_path, fixations=fixations[image_path.name])
