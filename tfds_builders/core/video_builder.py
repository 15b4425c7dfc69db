"""Base builder for video saliency datasets stored as per-video frame folders.

Layout (as UNISAL and ACLNet use for DHF1K, Hollywood-2 and UCF Sports)::

    <split root>/<video_id>/images/<frame>.{png,jpg}     RGB frames (extracted from the videos)
    <split root>/<video_id>/maps/<frame>.png             dense human maps, one per frame
    <split root>/<video_id>/fixation/<frame>.png         binary fixation maps, one per frame

Frames are matched by sorted file order; the folders must hold the same number of
files. Fixations come from the binary maps (pixel centres, subject unknown) with their
0-based ``frame`` index. Frames are stored PNG/JPEG-encoded, so no ffmpeg is needed to
load the built dataset. A record may instead name its official video file
(``VideoRecord.video_file``, e.g. DHF1K's ``video/001.AVI``): its frames are then decoded
with `keras_saliency.video_io.VideoReader` (PyAV) and must match the maps in number.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Dict, Iterable, List, Optional

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from keras_saliency.fixations import Fixations
from tfds_builders.core import features as features_lib
from tfds_builders.core import readers


@dataclasses.dataclass
class VideoRecord:
    video_id: str
    folder: epath.Path
    fps: float
    video_file: Optional[epath.Path] = None  # decoded instead of ``folder/images`` when given


class FrameFolderVideoBuilder(tfds.core.GeneratorBasedBuilder):
    """Abstract video builder; subclasses implement ``_split_records`` and set ``HOMEPAGE``."""

    HOMEPAGE = None

    @abc.abstractmethod
    def _split_records(self, dl_manager) -> Dict[str, Iterable[VideoRecord]]:
        """{split name: iterable of VideoRecord}."""

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(features=features_lib.video_features(), homepage=self.HOMEPAGE)

    def _split_generators(self, dl_manager):
        return {split: self._generate_examples(records) for split, records in self._split_records(dl_manager).items()}

    def _generate_examples(self, records: Iterable[VideoRecord]):
        for record in records:
            yield record.video_id, encode_video(record)


def _frame_files(folder: epath.Path) -> List[epath.Path]:
    files = readers.list_images(folder)
    if not files:
        raise readers.DatasetFileError(folder, "no frame images.")
    return files


def _decoded_frames(path: epath.Path) -> list:
    """uint8 (H, W, 3) frames of a video file (PyAV); errors name the file."""
    from keras_saliency.video_io import VideoReader

    try:
        return list(VideoReader(path))
    except (ValueError, ImportError) as error:
        raise readers.DatasetFileError(path, str(error)) from error


def encode_video(record: VideoRecord) -> dict:
    source = record.video_file or record.folder / "images"
    frames = _decoded_frames(record.video_file) if record.video_file else _frame_files(source)
    maps = _frame_files(record.folder / "maps")
    fixation_maps = _frame_files(record.folder / "fixation")
    if not len(frames) == len(maps) == len(fixation_maps):
        raise readers.DatasetFileError(
            source, f"{len(frames)} frames, {len(maps)} maps and {len(fixation_maps)} fixation maps differ."
        )
    size = frames[0].shape[:2] if record.video_file else readers.image_info(frames[0])[:2]
    encoded_frames, encoded_maps, xs, ys, frame_index = [], [], [], [], []
    for t, (frame, smap, fmap) in enumerate(zip(frames, maps, fixation_maps)):
        if record.video_file:
            encoded_frames.append(frame)
        else:
            height, width, mode, fmt = readers.image_info(frame)
            if (height, width) != size:
                raise readers.DatasetFileError(frame, f"frame is {(height, width)}, the video's first frame {size}.")
            encoded_frames.append(str(frame) if mode == "RGB" and fmt in ("JPEG", "PNG") else readers.read_image(frame))
        map_array = readers.read_image(smap, "L")
        rows, cols = readers.points_from_binary_map(fmap)
        for path, shape in ((smap, map_array.shape), (fmap, readers.image_info(fmap)[:2])):
            if tuple(shape) != size:
                raise readers.DatasetFileError(path, f"map is {tuple(shape)}, frames are {size}.")
        encoded_maps.append(map_array[..., None])
        xs.append(cols + 0.5), ys.append(rows + 0.5), frame_index.append(np.full(len(rows), t))
    fixations = Fixations(x=np.concatenate(xs), y=np.concatenate(ys))
    return {
        "frames": encoded_frames,
        "video_id": record.video_id,
        "fps": np.float32(record.fps),
        "fixations": features_lib.encode_fixations(fixations, frame=np.concatenate(frame_index)),
        "saliency_maps": encoded_maps,
    }


def video_records(split_root, fps: float, ids=None, video_files=None) -> Iterable[VideoRecord]:
    """Records for the video folders under ``split_root`` (optionally only ``ids``).

    ``video_files``: optional {video id: video file} used for folders without ``images/``.
    """
    split_root = readers.require(split_root, "folder of video folders")
    for folder in sorted(p for p in split_root.iterdir() if p.is_dir()):
        if ids is None or folder.name in ids:
            video_file = None
            if not (folder / "images").exists() and video_files and folder.name in video_files:
                video_file = video_files[folder.name]
            yield VideoRecord(video_id=folder.name, folder=folder, fps=fps, video_file=video_file)
