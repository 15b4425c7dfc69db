"""Base builder for datasets arranged in the project's documented folder layout.

Used where the official release is not a single well-defined archive (or its file
format could not be verified offline): the user arranges the files as::

    manual_dir/<split>/stimuli/<id>.<jpg|jpeg|png|bmp>
    manual_dir/<split>/fixations/<id>.txt   rows "x y [subject [time [duration]]]"
    manual_dir/<split>/maps/<id>.png        (datasets with dense maps)

Fixation coordinates are 1-based MATLAB pixel coordinates (as most releases
publish them; the builder converts to the package's 0-based convention), times in
seconds, ``subject`` an integer. Splits listed in ``UNLABELED_SPLITS`` need no
``fixations/`` folder.
"""

from __future__ import annotations

from typing import Dict, Tuple

import numpy as np

from keras_saliency.fixations import Fixations
from tfds_builders.core import readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord

FOLDER_LAYOUT = __doc__[__doc__.index("manual_dir/") - 4 :]


class FolderLayoutBuilder(FixationImageBuilder):
    """Abstract builder over :data:`FOLDER_LAYOUT`; set ``SPLIT_FOLDERS`` = {split: folder}."""

    SPLIT_FOLDERS: Dict[str, str] = {"train": "train"}
    UNLABELED_SPLITS: Tuple[str, ...] = ()

    def _split_records(self, dl_manager):
        root = dl_manager.manual_dir
        return {
            split: folder_records(root / folder, self.HAS_SALIENCY_MAP, split in self.UNLABELED_SPLITS)
            for split, folder in self.SPLIT_FOLDERS.items()
        }


def read_fixation_table(path) -> Fixations:
    table = readers.load_text_table(path, n_columns=5, min_columns=2)
    subject = np.where(np.isnan(table[:, 2]), -1, table[:, 2])
    fields = {"subject": subject}
    for name, column in (("time", 3), ("duration", 4)):
        if not np.all(np.isnan(table[:, column])):
            fields[name] = table[:, column]
    return Fixations.from_one_based(table[:, 0], table[:, 1], **fields)


def folder_records(root, with_maps: bool, unlabeled: bool = False):
    for image_path in readers.list_images(root / "stimuli"):
        image_id = image_path.stem
        if unlabeled:
            fixations = Fixations.empty()
        else:
            fixations = read_fixation_table(root / "fixations" / f"{image_id}.txt")
        yield ImageRecord(
            image_id=image_id,
            image=image_path,
            fixations=fixations,
            saliency_map=(root / "maps" / f"{image_id}.png") if with_maps and not unlabeled else None,
        )
