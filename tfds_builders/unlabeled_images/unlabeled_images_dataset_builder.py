"""Any folder of images, for weak/self-supervised pre-training (no fixations).

Every image file under ``manual_dir`` (recursively; .jpg/.jpeg/.png/.bmp/.tif) becomes
one ``train`` example whose ``image_id`` is its path relative to ``manual_dir`` without
the extension; ``fixations`` is empty (shared spec).
"""

import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord


class Builder(FixationImageBuilder):
    """Unlabeled images from a folder."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = "Pass any folder of images as `manual_dir` (searched recursively)."

    def _split_records(self, dl_manager):
        return {"train": _records(dl_manager.manual_dir)}


def _walk(folder):
    for path in folder.iterdir():
        if path.is_dir():
            yield from _walk(path)
        elif path.suffix.lower() in readers.IMAGE_SUFFIXES:
            yield path


def _records(root):
    paths = sorted(_walk(root))
    if not paths:
        raise readers.DatasetFileError(root, f"no image files ({', '.join(readers.IMAGE_SUFFIXES)}) found.")
    for path in paths:
        image_id = str(path.relative_to(root).with_suffix(""))
        yield ImageRecord(image_id=image_id, image=path, fixations=Fixations.empty())
