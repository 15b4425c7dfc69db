"""Writes random SALICON-like files to ``dummy_data/``. Run: python -m tfds_builders.salicon.make_dummy_data"""

import pathlib

import numpy as np
import scipy.io

from tfds_builders.core import dummy

H, W = 24, 32  # SALICON images are 480x640


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    out = dummy.fresh_dir(out)
    rng = np.random.default_rng(0)
    for folder, count in (("train", 3), ("val", 2)):
        for i in range(count):
            stem = f"COCO_{folder}2014_{i:012d}"
            dummy.save_image(out / "images" / folder / f"{stem}.jpg", dummy.random_image(rng, H, W), quality=95)
            dummy.save_image(out / "maps" / folder / f"{stem}.png", dummy.random_image(rng, H, W, 1))
            gaze = np.zeros((3, 1), dtype=[("location", "O"), ("timestamp", "O"), ("fixations", "O")])
            for j in range(3):
                n = int(rng.integers(1, 5))
                gaze[j, 0] = (np.zeros((0, 2)), np.zeros((0, 1)),
                              np.stack([rng.integers(1, W + 1, n), rng.integers(1, H + 1, n)], axis=1))
            (out / "fixations" / folder).mkdir(parents=True, exist_ok=True)
            scipy.io.savemat(out / "fixations" / folder / f"{stem}.mat", {"image": stem, "gaze": gaze})


if __name__ == "__main__":
    main()
