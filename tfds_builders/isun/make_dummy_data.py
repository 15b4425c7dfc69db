"""Writes random files in the layout of the iSUN challenge release to ``dummy_data/``.

Run: python -m tfds_builders.isun.make_dummy_data
"""

import pathlib

import numpy as np
import scipy.io

from tfds_builders.core import dummy

COUNTS = {"training": 3, "validation": 2, "testing": 2}


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    rng = np.random.default_rng(0)
    out = dummy.fresh_dir(out)
    for name, count in COUNTS.items():
        fields = [("image", object)] + ([("gaze", object)] if name != "testing" else [])
        entries = np.zeros((count, 1), dtype=fields)
        for i in range(count):
            image = f"sun_{name}_{i:03d}"
            h, w = int(rng.integers(16, 40)), int(rng.integers(16, 40))
            dummy.save_image(out / "images" / f"{image}.jpg", dummy.random_image(rng, h, w), quality=95)
            entries[i, 0]["image"] = image
            if name == "testing":
                continue
            viewings = np.zeros((1, int(rng.integers(1, 4))), dtype=[("fixation", object)])
            for k in range(viewings.shape[1]):
                n = int(rng.integers(0, 5))
                # a little beyond the image on purpose: webcam gaze does that, the builder drops it
                viewings[0, k]["fixation"] = np.stack([rng.uniform(-2, w + 2, n), rng.uniform(-2, h + 2, n)], axis=1)
            entries[i, 0]["gaze"] = viewings
        scipy.io.savemat(out / f"{name}.mat", {name: entries})


if __name__ == "__main__":
    main()
