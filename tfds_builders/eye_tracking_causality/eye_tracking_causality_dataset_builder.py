"""Eye-tracking causality (Gerstenberg et al., Psychological Science 2017): billiard-ball clips, 40 viewers' gaze.

Upstream layout (the public repository ``tobiasgerstenberg/eye_tracking_causality``)::

    videos/clips/actual/clip_<K>.mov        H.264 clips, 1000x750, 30 fps, ~300 frames
    data/raw/mat/<condition>_<N>.mat        one file per participant N; condition causality /
                                            counterfactuals / observations

Each ``.mat`` holds ``a``, a (trials, 2) cell of the two viewings of each trial, each a
(frames, 5) array with one row per movie frame: x, y (screen pixels, origin top left),
time (ms since clip start), fixation flag (1 = the tracker's fixation), saccade code
(1 start, -1 end, 2 both, 0 none); and ``data.movie``, the clip of each row of ``a``.

One example per clip: its frames (decoded with `keras_saliency.video_io.VideoReader`),
``fps``, and ``gaze``: every sample of every viewing of that clip that lies on the clip.
Coordinates are converted from the 1024x768 screen to the clip, which was drawn centred:
``x_clip = x - (1024 - W) / 2`` (12 px for 1000x750), ``y_clip = y - (768 - H) / 2`` (9 px),
continuous 0-based pixel coordinates (the EyeLink's half-pixel convention is far below its
accuracy). ``verify_gaze_offset.py`` (``gaze_offset_check.md``) checks this offset against
the balls in the frames. Samples with NaN coordinates (blinks) and samples off the clip
(off screen, or on the 12/9 px screen border) are dropped and counted per clip
(``dropped_nan``, ``dropped_off_clip``, also in ``builder.report``). ``fixations`` holds the
kept samples the tracker flagged as fixations, in the shared video feature spec
(``subject`` = participant number).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, List

import numpy as np
import tensorflow_datasets as tfds

from keras_saliency.fixations import Fixations
from tfds_builders.core import features as features_lib
from tfds_builders.core import readers
from tfds_builders.core.beam_generation import BeamWhenAsked

SCREEN = (1024, 768)  # (width, height) of the EyeLink display, pixels
CONDITIONS = {"causality": "causal", "counterfactuals": "counterfactual", "observations": "outcome"}
CONDITION_NAMES = ("causal", "counterfactual", "outcome")
FPS = 30.0


@dataclasses.dataclass
class Viewing:
    """One viewing of one clip: ``samples`` (frames, 5) screen x, y, time ms, fixation flag, saccade code."""

    clip: int
    participant: int
    condition: str
    repetition: int
    samples: np.ndarray


def participant_files(root) -> List:
    """``data/raw/mat/<condition>_<N>.mat`` files, sorted; anything else there is an error."""
    folder = readers.require(root / "data" / "raw" / "mat", "folder of participant .mat files")
    files = sorted(p for p in folder.iterdir() if p.suffix == ".mat")
    if not files:
        raise readers.DatasetFileError(folder, "no .mat files.")
    return files


def read_viewings(path) -> List[Viewing]:
    """Every viewing in one participant's ``.mat`` (two per trial)."""
    match = re.fullmatch(r"(causality|counterfactuals|observations)_(\d+)\.mat", path.name)
    if not match:
        raise readers.DatasetFileError(path, "expected a name <causality|counterfactuals|observations>_<N>.mat.")
    condition, participant = CONDITIONS[match.group(1)], int(match.group(2))
    mat = readers.load_mat(path)
    for name in ("a", "data"):
        if name not in mat:
            raise readers.DatasetFileError(path, f"no `{name}` variable.")
    cells = mat["a"]
    movies = np.ravel(readers.struct_field(mat["data"], "movie", path)[0, 0]).astype(int)
    if cells.ndim != 2 or cells.shape != (len(movies), 2):
        raise readers.DatasetFileError(path, f"`a` is {cells.shape}; expected ({len(movies)}, 2): two viewings per "
                                             "row of data.movie.")
    viewings = []
    for row, clip in enumerate(movies):
        for repetition in range(2):
            samples = np.asarray(cells[row, repetition], np.float64)
            if samples.ndim != 2 or samples.shape[1] != 5:
                raise readers.DatasetFileError(path, f"a{{{row + 1},{repetition + 1}}} is {samples.shape}; expected "
                                                     "(frames, 5).")
            viewings.append(Viewing(int(clip), participant, condition, repetition, samples))
    return viewings


def clip_gaze(viewings: List[Viewing], frame_count: int, height: int, width: int) -> dict:
    """The ``gaze`` / ``fixations`` features and drop counts of one clip's viewings (clip coordinates)."""
    dx, dy = (SCREEN[0] - width) / 2, (SCREEN[1] - height) / 2
    parts = {key: [] for key in ("x", "y", "time", "frame", "participant", "repetition", "condition", "fixation",
                                 "saccade")}
    dropped_nan = dropped_off = samples_beyond = 0
    for viewing in viewings:
        rows = viewing.samples
        if len(rows) > frame_count:  # gaze rows past the decoded frames have no frame to belong to
            samples_beyond += len(rows) - frame_count
            rows = rows[:frame_count]
        x, y = rows[:, 0] - dx, rows[:, 1] - dy
        finite = np.isfinite(x) & np.isfinite(y)
        on_clip = finite & (x >= 0) & (x < width) & (y >= 0) & (y < height)
        dropped_nan += int(np.sum(~finite))
        dropped_off += int(np.sum(finite & ~on_clip))
        keep = np.flatnonzero(on_clip)
        parts["x"].append(x[keep]), parts["y"].append(y[keep])
        parts["time"].append(rows[keep, 2] / 1000.0)
        parts["frame"].append(keep)
        parts["participant"].append(np.full(len(keep), viewing.participant))
        parts["repetition"].append(np.full(len(keep), viewing.repetition))
        parts["condition"].append(np.full(len(keep), CONDITION_NAMES.index(viewing.condition)))
        parts["fixation"].append(rows[keep, 3] == 1)
        parts["saccade"].append(np.nan_to_num(rows[keep, 4]))
    dtypes = {"x": np.float32, "y": np.float32, "time": np.float32, "frame": np.int32, "participant": np.int32,
              "repetition": np.int32, "condition": np.int64, "fixation": np.bool_, "saccade": np.int32}
    gaze = {key: np.concatenate(value).astype(dtypes[key]) if value else np.zeros(0, dtypes[key])
            for key, value in parts.items()}
    flagged = gaze["fixation"]
    fixations = Fixations(x=gaze["x"][flagged], y=gaze["y"][flagged], subject=gaze["participant"][flagged],
                          time=gaze["time"][flagged])
    return {"gaze": gaze, "fixations": features_lib.encode_fixations(fixations, frame=gaze["frame"][flagged]),
            "dropped_nan": dropped_nan, "dropped_off_clip": dropped_off, "samples_beyond_frames": samples_beyond}


def gaze_features() -> tfds.features.Sequence:
    return tfds.features.Sequence({
        "x": tfds.features.Tensor(shape=(), dtype=np.float32),
        "y": tfds.features.Tensor(shape=(), dtype=np.float32),
        "time": tfds.features.Tensor(shape=(), dtype=np.float32),
        "frame": tfds.features.Tensor(shape=(), dtype=np.int32),
        "participant": tfds.features.Tensor(shape=(), dtype=np.int32),
        "repetition": tfds.features.Tensor(shape=(), dtype=np.int32),
        "condition": tfds.features.ClassLabel(names=list(CONDITION_NAMES)),
        "fixation": tfds.features.Tensor(shape=(), dtype=np.bool_),
        "saccade": tfds.features.Tensor(shape=(), dtype=np.int32),
    })


def clip_files(root) -> Dict[int, object]:
    """{clip number K: videos/clips/actual/clip_K.mov}."""
    folder = readers.require(root / "videos" / "clips" / "actual", "folder of clip_<K>.mov videos")
    clips = {}
    for path in folder.iterdir():
        match = re.fullmatch(r"clip_(\d+)\.mov", path.name)
        if match:
            clips[int(match.group(1))] = path
    if not clips:
        raise readers.DatasetFileError(folder, "no clip_<K>.mov files.")
    return dict(sorted(clips.items()))


def encode_clip(path, viewings: List[Viewing]) -> dict:
    """One example: the decoded frames of ``path`` and the gaze of ``viewings`` (all of this clip)."""
    from keras_saliency.video_io import VideoReader

    try:
        reader = VideoReader(path)
        frames = reader.read_all()
    except ValueError as error:
        raise readers.DatasetFileError(path, str(error)) from error
    gaze = clip_gaze(viewings, len(frames), reader.height, reader.width)
    return {"frames": frames, "video_id": path.stem, "fps": np.float32(reader.fps), **gaze}


def keyed_clip_example(record) -> tuple:
    """(clip name, example) of one ``(clip path, viewings)`` record; what a Beam worker runs."""
    path, viewings = record
    example = encode_clip(path, viewings)
    example.pop("samples_beyond_frames")
    return path.stem, example


class Builder(BeamWhenAsked, tfds.core.GeneratorBasedBuilder):
    """Eye-tracking causality clips with the gaze of every viewing.

    Builds with Apache Beam when the ``DownloadConfig`` asks for it (``core.beam_generation``):
    the driver reads the participants' ``.mat`` files, the workers decode and encode the clips.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.manual_instructions(__file__)

    def _info(self) -> tfds.core.DatasetInfo:
        features = {
            "frames": tfds.features.Video(shape=(None, None, None, 3)),
            "video_id": tfds.features.Text(),
            "fps": tfds.features.Tensor(shape=(), dtype=np.float32),
            "fixations": features_lib.fixation_sequence(with_frame=True),
            "gaze": gaze_features(),
            "dropped_nan": tfds.features.Tensor(shape=(), dtype=np.int32),
            "dropped_off_clip": tfds.features.Tensor(shape=(), dtype=np.int32),
        }
        return self.dataset_info_from_configs(features=tfds.features.FeaturesDict(features),
                                              homepage="https://github.com/tobiasgerstenberg/eye_tracking_causality")

    def _split_records(self, dl_manager) -> Dict[str, list]:
        """{"train": [(clip path, the viewings of that clip), ...]} in clip order."""
        root = dl_manager.manual_dir
        clips = clip_files(root)
        by_clip: Dict[int, List[Viewing]] = {}
        for path in participant_files(root):
            for viewing in read_viewings(path):
                by_clip.setdefault(viewing.clip, []).append(viewing)
        missing = sorted(set(by_clip) - set(clips))
        if missing:
            raise readers.DatasetFileError(root / "videos" / "clips" / "actual",
                                           f"gaze data refers to clips {missing} that have no clip_<K>.mov.")
        return {"train": [(path, by_clip.get(clip, [])) for clip, path in clips.items()]}

    def _split_generators(self, dl_manager):
        if self._use_beam:
            return super()._split_generators(dl_manager)
        return {split: self._generate_examples(records) for split, records in self._split_records(dl_manager).items()}

    def _beam_encoder(self):
        return keyed_clip_example

    def _generate_examples(self, records):
        self.report = {"examples": 0, "gaze": 0, "dropped_nan": 0, "dropped_off_clip": 0, "samples_beyond_frames": 0}
        for path, viewings in records:
            example = encode_clip(path, viewings)
            beyond = example.pop("samples_beyond_frames")
            for key, value in (("examples", 1), ("gaze", len(example["gaze"]["x"])), ("samples_beyond_frames", beyond),
                               ("dropped_nan", example["dropped_nan"]),
                               ("dropped_off_clip", example["dropped_off_clip"])):
                self.report[key] += value
            yield path.stem, example
