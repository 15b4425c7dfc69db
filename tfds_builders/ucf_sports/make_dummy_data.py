"""Writes random UCF Sports-like frame folders to ``dummy_data/``. Run: python -m tfds_builders.ucf_sports.make_dummy_data"""

import pathlib

from tfds_builders.core import dummy

VIDEOS = {"training": ["Diving-Side-001", "Golf-Swing-Back-001"], "testing": ["Kicking-Front-001"]}


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    out = dummy.fresh_dir(out)
    for seed, (folder, video_ids) in enumerate(VIDEOS.items()):
        dummy.write_frame_folders(out / folder, video_ids, seed=seed)


if __name__ == "__main__":
    main()
