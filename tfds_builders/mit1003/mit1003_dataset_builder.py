"""MIT1003 (Judd et al., ICCV 2009): 1003 natural images, free viewing by 15 subjects.

Three source layouts, one config each:

* ``fixatons`` (default): the FixaTons packaging, ``STIMULI/<id>.jpeg`` and
  ``SCANPATHS/<id>/<subject>`` text files of ``x y t_start t_end`` rows (1-based
  MATLAB pixel coordinates, seconds). Each scanpath's first fixation (the initial
  central fixation) is dropped, as pysaliency does for MIT1003; points outside the
  image are clipped to the border pixel and counted in ``builder.report``.
* ``official``: the authors' ``ALLSTIMULI/<id>.jpeg`` (``ALLSTIMULI.zip`` fetched from their site and
  checked against the MD5 pysaliency publishes, ``published_checksums.tsv``) and, from
  ``manual_dir`` (no checksum of ``ALLFIXATIONMAPS.zip`` is published, so it is not fetched
  unchecked), ``ALLFIXATIONMAPS/<id>_fixPts.jpg`` (binary fixation locations of all subjects)
  plus ``<id>_fixMap.jpg`` (their dense map, stored as ``saliency_map``). Subjects,
  times and durations are unknown (-1 / NaN). Pixels >= 128 of the JPEG ``fixPts`` count as
  fixated; JPEG compression can blur single pixels, and this threshold was not checked
  against the real files (none were available offline). The raw 240 Hz gaze in ``DATA/`` is not
  used by this config.
* ``official_raw``: ``ALLSTIMULI`` plus the raw 240 Hz gaze ``DATA/<subject>/<id>.mat``
  (manual download of the official archives), turned into fixations by the I-DT detector of
  :mod:`raw_gaze` (an approximation of the authors' MATLAB ``checkFixations.m``, which is
  not re-implemented); first fixation dropped, out-of-image points clipped. The ``.mat``
  layout follows the authors' documentation and their ``showEyeData.m``; it was tested on
  generated files only.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import downloads, readers
from tfds_builders.core.image_builder import FixationImageBuilder, ImageRecord
from tfds_builders.mit1003 import raw_gaze

STIMULI_URL = "http://people.csail.mit.edu/tjudd/WherePeopleLook/ALLSTIMULI.zip"
SUBJECTS = ("ajs", "CNG", "emb", "ems", "ff", "hp", "jcw", "jw", "kae", "krl", "po", "tmj", "tu", "ya", "zb")


@dataclasses.dataclass
class Mit1003Config(tfds.core.BuilderConfig):
    layout: str = "fixatons"


class Builder(FixationImageBuilder):
    """MIT1003 eye fixations; see the module docstring for the layouts."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [
        Mit1003Config(name="fixatons", description="FixaTons scanpaths, first fixation dropped.", layout="fixatons"),
        Mit1003Config(name="official", description="Official ALLSTIMULI + ALLFIXATIONMAPS.", layout="official"),
        Mit1003Config(name="official_raw", description="Official ALLSTIMULI + raw DATA (I-DT).", layout="official_raw"),
    ]
    DEFAULT_CONFIG_NAME = "fixatons"
    HOMEPAGE = "http://people.csail.mit.edu/tjudd/WherePeopleLook/"
    OUT_OF_IMAGE_POLICY = "clip"
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.manual_instructions(__file__)

    def _has_saliency_map(self) -> bool:
        return self.builder_config.layout == "official"

    def _split_records(self, dl_manager):
        if self.builder_config.layout == "official":
            archive = downloads.download_checked(dl_manager, STIMULI_URL, __file__)
            stimuli = readers.find_dir(dl_manager.extract(archive), "ALLSTIMULI")
            maps = readers.find_dir(dl_manager.manual_dir, "ALLFIXATIONMAPS")
            return {"train": _official_records(stimuli, maps)}
        if self.builder_config.layout == "official_raw":
            return {"train": _raw_records(dl_manager.manual_dir)}
        return {"train": fixatons_records(dl_manager.manual_dir)}


def fixatons_records(root):
    """ImageRecords of the FixaTons layout (STIMULI/, SCANPATHS/<id>/<subject>).

    The first (central) fixation of each scanpath is dropped; coordinates are 1-based.
    """
    for image_path in readers.list_images(root / "STIMULI"):
        image_id = image_path.stem
        folder = readers.require(root / "SCANPATHS" / image_id, f"scanpaths of {image_id}")
        parts = []
        for path in sorted(folder.iterdir()):
            if path.name not in SUBJECTS:
                raise readers.DatasetFileError(path, f"unknown subject {path.name!r}; expected one of {SUBJECTS}.")
            rows = readers.load_text_table(path, n_columns=4, min_columns=4)[1:]  # drop the central first fixation
            parts.append((np.full(len(rows), SUBJECTS.index(path.name)), rows))
        if not parts:
            raise readers.DatasetFileError(folder, "no scanpath files.")
        subject = np.concatenate([p[0] for p in parts])
        rows = np.concatenate([p[1] for p in parts]).reshape(-1, 4)
        fixations = Fixations.from_one_based(
            rows[:, 0], rows[:, 1], subject=subject, time=rows[:, 2], duration=rows[:, 3] - rows[:, 2]
        )
        yield ImageRecord(image_id=image_id, image=image_path, fixations=fixations)


def _official_records(stimuli, maps):
    for image_path in readers.list_images(stimuli):
        image_id = image_path.stem
        rows, cols = readers.points_from_binary_map(maps / f"{image_id}_fixPts.jpg")
        fixations = Fixations(x=cols + 0.5, y=rows + 0.5)
        yield ImageRecord(
            image_id=image_id, image=image_path, fixations=fixations, saliency_map=maps / f"{image_id}_fixMap.jpg"
        )


def _raw_records(root):
    data = readers.require(root / "DATA", "folder of per-subject raw gaze")
    subjects = sorted(p.name for p in data.iterdir() if p.is_dir())
    unknown = sorted(set(subjects) - set(SUBJECTS))
    if unknown:
        raise readers.DatasetFileError(data, f"unknown subject folders {unknown}; expected {SUBJECTS}.")
    for image_path in readers.list_images(root / "ALLSTIMULI"):
        image_id = image_path.stem
        parts = []
        for subject in subjects:
            path = data / subject / f"{image_id}.mat"
            if not path.exists():
                continue  # not every subject saw every image
            x, y, t, d = (a[1:] for a in raw_gaze.detect_fixations(raw_gaze.read_eye_data(path)))
            parts.append((x, y, t, d, np.full(len(x), SUBJECTS.index(subject))))
        if not parts:
            raise readers.DatasetFileError(data, f"no subject has gaze data for {image_id!r}.")
        x, y, t, d, s = (np.concatenate(c) for c in zip(*parts))
        yield ImageRecord(
            image_id=image_id, image=image_path,
            fixations=Fixations.from_one_based(x, y, subject=s, time=t, duration=d),
        )
