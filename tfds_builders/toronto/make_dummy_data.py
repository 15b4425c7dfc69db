"""Writes random Toronto-like files to ``dummy_data/``. Run: python -m tfds_builders.toronto.make_dummy_data"""

import pathlib

from tfds_builders.core import dummy


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    dummy.write_folder_layout(
        dummy.fresh_dir(out), {"train": 3}, unlabeled=()
    )


if __name__ == "__main__":
    main()
