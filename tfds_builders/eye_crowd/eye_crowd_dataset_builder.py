"""EyeCrowd (Jiang et al., ECCV 2014, "Saliency in crowd"): 500 crowd images with free-viewing fixations of 16 subjects and face annotations.

Built from the project"s documented folder layout (``tfds_builders.core.folder_builder``);
see ``MANUAL_DOWNLOAD_INSTRUCTIONS.md``. The official release is not parsed directly: its
file format could not be verified offline when this builder was written.
"""

import tensorflow_datasets as tfds

from tfds_builders.core import readers
from tfds_builders.core.folder_builder import FOLDER_LAYOUT, FolderLayoutBuilder


class Builder(FolderLayoutBuilder):
    """EyeCrowd fixations (folder layout)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    SPLIT_FOLDERS = {"train": "train"}
    HAS_FACES = True
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.manual_instructions(__file__) + FOLDER_LAYOUT
