"""Writes random files in the layout of PASCAL-S's ``salObj.zip`` to ``dummy_data/``.

``pascalFix.mat`` is written the way MATLAB writes a v7.3 cell: an HDF5 file behind a
512-byte text header, each element under ``#refs#`` and ``fixCell`` an array of references.
Run: python -m tfds_builders.pascal_s.make_dummy_data
"""

import pathlib

import h5py
import numpy as np

from tfds_builders.core import dummy

HEADER = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, written by tfds_builders.pascal_s.make_dummy_data"


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    rng = np.random.default_rng(0)
    root = dummy.fresh_dir(out) / "datasets"
    cells = []
    for i in range(3):
        h, w = int(rng.integers(16, 40)), int(rng.integers(16, 40))
        dummy.save_image(root / "imgs" / "pascal" / f"{i + 1}.jpg", dummy.random_image(rng, h, w), quality=95)
        n = int(rng.integers(1, 7)) if i < 2 else 0  # the last image has no fixation
        cells.append(np.stack([rng.integers(1, h + 1, n), rng.integers(1, w + 1, n), rng.integers(1, 4, n)], axis=1))
    path = root / "fixations" / "pascalFix.mat"
    path.parent.mkdir(parents=True)
    with h5py.File(path, "w", userblock_size=512) as f:
        refs = []
        for i, cell in enumerate(cells):
            if cell.size:
                element = f.create_dataset(f"#refs#/{i}", data=cell.T.astype(np.float64))  # MATLAB order
            else:
                element = f.create_dataset(f"#refs#/{i}", data=np.zeros(2, np.uint64))  # MATLAB's empty: its dims
                element.attrs["MATLAB_empty"] = np.uint8(1)
            element.attrs["MATLAB_class"] = np.bytes_(b"double")
            refs.append(element.ref)
        f.create_dataset("fixCell", data=np.array([refs], dtype=h5py.ref_dtype)).attrs["MATLAB_class"] = np.bytes_(b"cell")
    with open(path, "r+b") as f:
        f.write(HEADER.ljust(128))


if __name__ == "__main__":
    main()
