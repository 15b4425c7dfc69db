"""Writes random iSUN-like files to ``dummy_data/``. Run: python -m tfds_builders.isun.make_dummy_data"""

import pathlib

from tfds_builders.core import dummy


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    dummy.write_folder_layout(
        dummy.fresh_dir(out), {"train": 3, "validation": 2, "test": 2}, unlabeled=("test",)
    )


if __name__ == "__main__":
    main()
