"""Writes random files in the layout of Toronto's ``eyetrackingdata.zip`` to ``dummy_data/``.

Run: python -m tfds_builders.toronto.make_dummy_data
"""

import pathlib

import numpy as np
import scipy.io

from tfds_builders.core import dummy


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    rng = np.random.default_rng(0)
    root = dummy.fresh_dir(out) / "eyetrackingdata" / "fixdens"
    maps = np.empty((1, 3), dtype=object)
    for i in range(3):
        h, w = int(rng.integers(16, 40)), int(rng.integers(16, 40))
        dummy.save_image(root / "Original Image Set" / f"{i + 1}.jpg", dummy.random_image(rng, h, w), quality=95)
        n = int(rng.integers(0, 6)) if i else 0  # the first image has no fixation
        maps[0, i] = dummy.binary_points_image(h, w, rng.integers(0, h, n), rng.integers(0, w, n))
    scipy.io.savemat(root / "origfixdata.mat", {"white": maps})


if __name__ == "__main__":
    main()
