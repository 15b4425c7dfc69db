"""Writes random MIT300-like stimuli to ``dummy_data/``. Run: python -m tfds_builders.mit300.make_dummy_data"""

import pathlib

import numpy as np

from tfds_builders.core import dummy


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    out = dummy.fresh_dir(out)
    rng = np.random.default_rng(0)
    for i in range(1, 4):
        dummy.save_image(out / "BenchmarkIMAGES" / f"i{i}.jpg", dummy.random_image(rng, 20 + i, 30), quality=95)


if __name__ == "__main__":
    main()
