"""DHF1K (Wang et al., CVPR 2018): 1000 videos (640x360, 30 fps) with eye tracking of 17 observers; annotations public for videos 1-700.

Splits as in UNISAL: videos 1-600 `train`, 601-700 `validation` (701-1000 have no public annotations).
Layout and encoding: ``tfds_builders.core.video_builder``. A video folder without ``images/`` takes
its frames from the official ``video/<NNN>.AVI`` beside ``annotation/`` (decoded with PyAV).
"""

import tensorflow_datasets as tfds

from tfds_builders.core import readers
from tfds_builders.core.beam_generation import BeamVideosWhenAsked
from tfds_builders.core.video_builder import FrameFolderVideoBuilder, video_records


class Builder(BeamVideosWhenAsked, FrameFolderVideoBuilder):
    """DHF1K frames, per-frame maps and fixations."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    HOMEPAGE = "https://github.com/wenguanwang/DHF1K"
    FPS = 30.0
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.manual_instructions(__file__)

    def _split_records(self, dl_manager):
        root = readers.require(dl_manager.manual_dir / "annotation", "DHF1K annotation folder")
        ids = sorted(p.name for p in root.iterdir() if p.is_dir())
        bad = [i for i in ids if not i.isdigit()]
        if bad:
            raise readers.DatasetFileError(root / bad[0], "DHF1K video folders must be numbers (0001 ... 0700).")
        videos = official_videos(dl_manager.manual_dir / "video")
        return {
            "train": video_records(root, self.FPS, {i for i in ids if int(i) <= 600}, videos),
            "validation": video_records(root, self.FPS, {i for i in ids if 600 < int(i) <= 700}, videos),
        }


def official_videos(folder) -> dict:
    """{annotation folder name (0001): the official video file (video/001.AVI, any case)}, if the folder exists."""
    if not folder.exists():
        return {}
    return {f"{int(p.stem):04d}": p for p in folder.iterdir() if p.stem.isdigit() and p.suffix.lower() == ".avi"}
