"""Writes random images (nested folders, mixed formats) to ``dummy_data/``."""

import pathlib

import numpy as np

from tfds_builders.core import dummy


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    out = dummy.fresh_dir(out)
    rng = np.random.default_rng(0)
    dummy.save_image(out / "a.jpg", dummy.random_image(rng, 20, 30), quality=95)
    dummy.save_image(out / "nested" / "b.png", dummy.random_image(rng, 25, 20))
    dummy.save_image(out / "nested" / "c_gray.png", dummy.random_image(rng, 16, 16, 1))
    (out / "notes.txt").write_text("not an image\n")


if __name__ == "__main__":
    main()
