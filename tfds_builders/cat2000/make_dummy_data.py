"""Writes random CAT2000-like files to ``dummy_data/``. Run: python -m tfds_builders.cat2000.make_dummy_data"""

import pathlib

import numpy as np
import scipy.io

from tfds_builders.core import dummy
from tfds_builders.cat2000.cat2000_dataset_builder import CATEGORIES


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    root = dummy.fresh_dir(out) / "trainSet"
    rng = np.random.default_rng(0)
    for category in CATEGORIES:
        for i in range(1, 3 if category == "Art" else 2):
            h, w = 18, 32  # CAT2000 images are 1080x1920
            dummy.save_image(root / "Stimuli" / category / f"{i:03d}.jpg", dummy.random_image(rng, h, w), quality=95)
            dummy.save_image(root / "FIXATIONMAPS" / category / f"{i:03d}.jpg", dummy.random_image(rng, h, w, 1))
            locs = np.zeros((h, w), np.uint8)
            locs[rng.integers(0, h, 4), rng.integers(0, w, 4)] = 1
            (root / "FIXATIONLOCS" / category).mkdir(parents=True, exist_ok=True)
            scipy.io.savemat(root / "FIXATIONLOCS" / category / f"{i:03d}.mat", {"fixLocs": locs})


if __name__ == "__main__":
    main()
