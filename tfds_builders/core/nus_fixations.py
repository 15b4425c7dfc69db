"""Reader of the NUS VIP lab's ``fixations.mat`` (OSIE, EyeCrowd releases).

A MATLAB cell/struct array ``fixations`` with one entry per image: ``img`` (file name) and
``subjects``, a cell of structs with row vectors ``fix_x``, ``fix_y`` (1-based MATLAB
pixel coordinates) and ``fix_duration`` (milliseconds).
"""

from __future__ import annotations

from typing import Dict, Iterator, Tuple

import numpy as np

from keras_saliency.fixations import Fixations
from tfds_builders.core import readers


def image_entries(mat_path, variable: str) -> Iterator[Tuple[str, object]]:
    """``(image file name, struct entry)`` of each entry of the NUS-style struct array ``variable``
    (``fixations``, EyeCrowd's ``labels``), whose ``img`` field names the image."""
    mat = readers.load_mat(mat_path)
    if variable not in mat:
        raise readers.DatasetFileError(mat_path, f"no `{variable}` variable.")
    for entry in np.ravel(mat[variable]):
        yield str(np.ravel(readers.struct_field(entry, "img", mat_path)[0, 0])[0]), entry


def read_fixations(mat_path) -> Dict[str, Fixations]:
    """{image file name: Fixations} (0-based, durations in seconds, subject = index in ``subjects``)."""
    by_name = {}
    for name, entry in image_entries(mat_path, "fixations"):
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
