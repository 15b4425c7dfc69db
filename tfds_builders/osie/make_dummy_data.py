"""Writes random OSIE-like files to ``dummy_data/``. Run: python make_dummy_data.py"""

import pathlib

import numpy as np
import scipy.io

from tfds_builders.core import dummy

N_IMAGES, N_SUBJECTS, HEIGHT, WIDTH = 3, 4, 30, 40


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    out = dummy.fresh_dir(out)
    rng = np.random.default_rng(0)
    entries = np.empty((N_IMAGES, 1), dtype=object)
    for i in range(N_IMAGES):
        name = f"{1001 + i}.jpg"
        dummy.save_image(out / "stimuli" / name, dummy.random_image(rng, HEIGHT, WIDTH), quality=95)
        subjects = np.empty((N_SUBJECTS, 1), dtype=object)
        for j in range(N_SUBJECTS):
            n = int(rng.integers(1, 6))
            subjects[j, 0] = {
                "fix_x": np.round(rng.uniform(1.0, WIDTH, (1, n)), 1),
                "fix_y": np.round(rng.uniform(1.0, HEIGHT, (1, n)), 1),
                "fix_duration": rng.integers(20, 900, (1, n)).astype(np.uint16),
            }
        entries[i, 0] = {"img": name, "subjects": subjects}
    scipy.io.savemat(out / "fixations.mat", {"fixations": entries})


if __name__ == "__main__":
    main()
