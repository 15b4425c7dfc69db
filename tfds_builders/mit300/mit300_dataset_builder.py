"""MIT300 (Judd et al., 2012; MIT/Tuebingen saliency benchmark): 300 test stimuli.

Stimuli only: the fixations are held back by the benchmark, so ``fixations`` is empty.
Downloads ``BenchmarkIMAGES.zip`` from the benchmark site, checked against the MD5 that
pysaliency publishes for it (``published_checksums.tsv``).
"""

import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import downloads, readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord

URL = "http://saliency.mit.edu/BenchmarkIMAGES.zip"


class Builder(FixationImageBuilder):
    """MIT300 benchmark stimuli (no fixations)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    HOMEPAGE = "https://saliency.tuebingen.ai/"

    def _split_records(self, dl_manager):
        archive = downloads.download_checked(dl_manager, URL, __file__)
        folder = readers.find_dir(dl_manager.extract(archive), "BenchmarkIMAGES")
        return {"test": _records(folder)}


def _records(folder):
    for path in readers.list_images(folder):
        yield ImageRecord(image_id=path.stem, image=path, fixations=Fixations.empty())
