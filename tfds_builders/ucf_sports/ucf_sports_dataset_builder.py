"""UCF Sports eye movements (Mathe & Sminchisescu, TPAMI 2015): 150 sports videos, 19 observers.

Uses the frame folders distributed with DHF1K/ACLNet. `fps` is the nominal 10 fps of UCF Sports (the frame folders do not record it).
Layout and encoding: ``tfds_builders.core.video_builder``.
"""

import tensorflow_datasets as tfds

from tfds_builders.core import readers
from tfds_builders.core.beam_generation import BeamVideosWhenAsked
from tfds_builders.core.video_builder import FrameFolderVideoBuilder, video_records


class Builder(BeamVideosWhenAsked, FrameFolderVideoBuilder):
    """UCF Sports frames, per-frame maps and fixations."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    HOMEPAGE = "https://github.com/wenguanwang/DHF1K"
    FPS = 10.0
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.manual_instructions(__file__)

    def _split_records(self, dl_manager):
        root = dl_manager.manual_dir
        return {
            "train": video_records(root / "training", self.FPS),
            "test": video_records(root / "testing", self.FPS),
        }
