"""Fixations from MIT1003's raw 240 Hz gaze (``DATA/<subject>/<id>.mat``), approximately.

The official ``DATA`` files hold, per subject and image, a struct whose
``DATA(1).eyeData`` is the raw (x, y) gaze in image pixels (1-based) sampled at 240 Hz.
The authors turn it into fixations with their MATLAB ``checkFixations.m``, which is not
re-implemented here. Instead this module uses a standard dispersion-threshold (I-DT)
detector: a fixation is a run of at least ``min_duration`` s whose x-range + y-range stays
within ``max_dispersion`` px; its position is the run's mean. The result approximates,
but does not reproduce, the published fixations: prefer the ``fixatons`` config when the
FixaTons files are available.
"""

from __future__ import annotations

import numpy as np

from tfds_builders.core import readers

SAMPLE_RATE_HZ = 240.0
MAX_DISPERSION_PX = 35.0  # about 1 degree of visual angle in MIT1003
MIN_DURATION_S = 0.1


def read_eye_data(path) -> np.ndarray:
    """float64 (N, 2) raw gaze samples (x, y) of one subject on one image; non-finite rows removed."""
    mat = readers.load_mat(path)
    names = [k for k in mat if not k.startswith("__")]
    if len(names) != 1:
        raise readers.DatasetFileError(path, f"expected one struct variable; found {names}.")
    struct = mat[names[0]]
    data = readers.struct_field(np.ravel(struct)[0], "DATA", path)
    eye = readers.struct_field(np.ravel(data)[0], "eyeData", path)
    eye = np.asarray(eye, np.float64)
    if eye.ndim != 2 or eye.shape[1] < 2:
        raise readers.DatasetFileError(path, f"eyeData must be (N, >=2); got shape {eye.shape}.")
    eye = eye[:, :2]
    return eye[np.all(np.isfinite(eye), axis=1)]


def detect_fixations(samples: np.ndarray, rate=SAMPLE_RATE_HZ, max_dispersion=MAX_DISPERSION_PX,
                     min_duration=MIN_DURATION_S):
    """I-DT fixations of (N, 2) samples: float64 arrays (x, y, onset s, duration s)."""
    min_len = max(1, int(round(min_duration * rate)))
    out, start, n = [], 0, len(samples)
    while start + min_len <= n:
        window = samples[start:start + min_len]
        if np.ptp(window[:, 0]) + np.ptp(window[:, 1]) > max_dispersion:
            start += 1
            continue
        end = start + min_len
        while end < n:
            grown = samples[start:end + 1]
            if np.ptp(grown[:, 0]) + np.ptp(grown[:, 1]) > max_dispersion:
                break
            end += 1
        run = samples[start:end]
        out.append((run[:, 0].mean(), run[:, 1].mean(), start / rate, (end - start) / rate))
        start = end
    table = np.array(out, np.float64).reshape(-1, 4)
    return table[:, 0], table[:, 1], table[:, 2], table[:, 3]
