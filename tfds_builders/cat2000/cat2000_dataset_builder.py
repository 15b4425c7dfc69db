"""CAT2000 (Borji & Itti, 2015) training set: 2000 images in 20 categories, 24 subjects per image.

Downloads ``trainSet.zip`` from the benchmark site, checked against the MD5 that pysaliency
publishes for it (``published_checksums.tsv``), and reads
``trainSet/Stimuli/<Category>/<n>.jpg``, the dense maps ``trainSet/FIXATIONMAPS/<Category>/<n>.jpg``
and the fixation locations ``trainSet/FIXATIONLOCS/<Category>/<n>.mat`` (a binary image
``fixLocs``; subjects and times are not given). Config ``all`` holds every category; one
config per category (e.g. ``Art``, the n-reference target domain) holds just that one.
"""

import dataclasses
from typing import Optional

import numpy as np
import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import downloads, readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord

URL = "http://saliency.mit.edu/trainSet.zip"
CATEGORIES = (
    "Action", "Affective", "Art", "BlackWhite", "Cartoon", "Fractal", "Indoor", "Inverted", "Jumbled",
    "LineDrawing", "LowResolution", "Noisy", "Object", "OutdoorManMade", "OutdoorNatural", "Pattern",
    "Random", "Satelite", "Sketch", "Social",
)  # "Satelite" is spelled as in the release's folder name.


@dataclasses.dataclass
class Cat2000Config(tfds.core.BuilderConfig):
    category: Optional[str] = None


class Builder(FixationImageBuilder):
    """CAT2000 training set with categories."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [Cat2000Config(name="all", description="All 20 categories.")] + [
        Cat2000Config(name=c, description=f"Only the {c} category.", category=c) for c in CATEGORIES
    ]
    DEFAULT_CONFIG_NAME = "all"
    HOMEPAGE = "http://saliency.mit.edu/results_cat2000.html"
    HAS_SALIENCY_MAP = True
    CATEGORY_NAMES = CATEGORIES

    def _split_records(self, dl_manager):
        archive = downloads.download_checked(dl_manager, URL, __file__)
        root = readers.find_dir(dl_manager.extract(archive), "trainSet")
        wanted = [self.builder_config.category] if self.builder_config.category else CATEGORIES
        return {"train": _records(root, wanted)}


def _fixation_locations(path) -> Fixations:
    mat = readers.load_mat(path)
    if "fixLocs" not in mat:
        names = sorted(k for k in mat if not k.startswith("__"))
        raise readers.DatasetFileError(path, f"no `fixLocs` variable (has {names}).")
    rows, cols = np.nonzero(mat["fixLocs"])
    return Fixations(x=cols + 0.5, y=rows + 0.5)


def _records(root, categories):
    for category in categories:
        for path in readers.list_images(root / "Stimuli" / category):
            yield ImageRecord(
                image_id=f"{category}/{path.stem}",
                image=path,
                fixations=_fixation_locations(root / "FIXATIONLOCS" / category / f"{path.stem}.mat"),
                saliency_map=root / "FIXATIONMAPS" / category / path.name,
                category=category,
            )
