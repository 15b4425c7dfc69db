"""Writes random MIT1003-like files (both layouts) to ``dummy_data/``. Run: python make_dummy_data.py"""

import pathlib

import numpy as np
import scipy.io

from tfds_builders.core import dummy

SIZES = {"img_a": (24, 32), "img_b": (32, 24), "img_c": (20, 30)}
SUBJECTS = ("ajs", "CNG", "zb")


def raw_gaze(rng, h, w, n_fixations=4, samples_per_fixation=48):
    """(N, 2) 240 Hz samples: still clusters (0.2 s) joined by 3-sample jumps, 1-based pixels."""
    parts = []
    for _ in range(n_fixations):
        centre = rng.uniform([1, 1], [w, h])
        parts.append(centre + rng.normal(0, 0.3, (samples_per_fixation, 2)))
        parts.append(rng.uniform([1, 1], [w * 4, h * 4], (3, 2)))  # saccade samples, far apart
    return np.concatenate(parts)


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    out = dummy.fresh_dir(out)
    rng = np.random.default_rng(0)
    for image_id, (h, w) in SIZES.items():
        image = dummy.random_image(rng, h, w)
        for folder in ("STIMULI", "ALLSTIMULI"):
            dummy.save_image(out / folder / f"{image_id}.jpeg", image, quality=95)
        for subject in SUBJECTS:
            n = int(rng.integers(1, 5))
            x = rng.integers(1, w + 1, n)
            y = rng.integers(1, h + 1, n)
            if image_id == "img_a" and subject == "zb":
                x[-1] = w + 3  # one point outside the image: clipped by the builder
            t = np.cumsum(rng.uniform(0.1, 0.4, n))
            rows = np.stack([x, y, t, t + 0.2], axis=1)
            path = out / "SCANPATHS" / image_id / subject
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savetxt(path, rows, fmt=["%d", "%d", "%.3f", "%.3f"])
            (out / "DATA" / subject).mkdir(parents=True, exist_ok=True)
            struct = {image_id: {"DATA": {"eyeData": raw_gaze(rng, h, w)}}}
            scipy.io.savemat(out / "DATA" / subject / f"{image_id}.mat", struct)
        rows, cols = rng.integers(0, h, 5), rng.integers(0, w, 5)
        points = dummy.binary_points_image(h, w, rows, cols)
        dummy.save_image(out / "ALLFIXATIONMAPS" / f"{image_id}_fixPts.jpg", points, quality=100)
        dummy.save_image(out / "ALLFIXATIONMAPS" / f"{image_id}_fixMap.jpg", dummy.random_image(rng, h, w, 1))


if __name__ == "__main__":
    main()
