"""Predicting a video file with bounded memory: frames streamed in, log-densities and an overlay ``.mp4`` out.

:func:`predict_video_file` decodes the file with `keras_saliency.video_io.VideoReader`, feeds the
frames through the model's ``predict_video_stream`` (image models: batch by batch; UNISAL: its
recurrent clip inference with the ConvGRU state carried from window to window) and writes, as the
windows come out,

* the per-frame natural-log densities (T, H, W) float32, each frame normalised (``logsumexp == 0``), at
  the frame size, into a memory-mapped ``.npy`` (`numpy.lib.format.open_memmap`), and
* optionally an overlay ``.mp4`` (heatmap over each frame, the file's frame rate).

Both go to hidden temporary files beside their targets and are moved into place only when every frame
is done (the overlay first, the ``.npy`` last), so an error or Ctrl-C leaves no half-written file.
Memory holds one window of frames and maps, whatever the length of the video.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Optional

import numpy as np

from keras_saliency.atomic_write import temporary_beside
from keras_saliency.progress import progress_bar
from keras_saliency.video_io import VideoFileError, VideoReader, VideoWriter


@dataclasses.dataclass
class VideoFilePrediction:
    """One video file's prediction.

    ``log_density``: (T, H, W) float32, read-only memory map (of ``log_density_path``, or of an
    unlinked temporary file when none was asked for, freed with the map); ``fps``: the file's frame rate;
    ``overlay_path``: the overlay ``.mp4`` or None; ``frames``: a `VideoReader` that streams the
    frames again.
    """

    source: str
    fps: float
    log_density: np.ndarray
    log_density_path: Optional[Path] = None
    overlay_path: Optional[Path] = None

    @property
    def frames(self) -> VideoReader:
        return VideoReader(self.source)

    @property
    def saliency_map(self) -> np.ndarray:
        """The density ``exp(log_density)`` of every frame (in memory: for short videos)."""
        return np.exp(self.log_density)


REMAP_BYTES = 256 * 2**20


class _LogDensityFile:
    """A (T, H, W) float32 ``.npy`` filled window by window through `open_memmap`.

    The map is flushed and reopened every ``REMAP_BYTES`` written, so the pages already
    written leave the process's resident memory (they stay in the OS page cache).
    """

    def __init__(self, path: Path, shape):
        self.path, self.shape = path, tuple(shape)
        self._map = np.lib.format.open_memmap(path, "w+", np.float32, self.shape)
        self._since_remap = 0

    def write(self, start: int, window: np.ndarray) -> None:
        self._map[start:start + len(window)] = window
        self._since_remap += window.size * 4
        if self._since_remap >= REMAP_BYTES:
            self._map.flush()
            self._map = np.lib.format.open_memmap(self.path, "r+")
            self._since_remap = 0

    def close(self) -> None:
        self._map.flush()
        self._map = None
        with open(self.path, "rb") as handle:
            os.fsync(handle.fileno())


def predict_video_file(path, model, *, log_density_path=None, overlay_path=None, alpha: float = 0.6,
                       overlay_map=np.exp, progress: Optional[bool] = None, **conditions) -> VideoFilePrediction:
    """Streams one video file through ``model``, a contract model (`keras_saliency.predict` takes names too).

    Args:
        path: a video file FFmpeg can decode (``.mp4 .mov .avi .mkv .webm``...), or its `VideoReader`.
        log_density_path: where to write the (T, H, W) float32 ``.npy``; None: a temporary
            file in the system's temporary folder, unlinked at once (freed with the returned map).
        overlay_path: an ``.mp4`` for the heatmap overlay (``alpha`` its opacity), or None.
        overlay_map: the map the overlay shows, of each frame's log-density (default the density; the demo
            shows its square root).
        progress: a progress bar in frames (None: only on a terminal; `keras_saliency.progress`).
        conditions: passed to ``model.predict_video_stream`` (e.g. ``domain=`` for UNISAL).
    Raises:
        VideoFileError (a ValueError) naming the file for a corrupt, truncated or unsupported video.
    """
    from keras_saliency.density import check_log_density
    from keras_saliency.models.contract import is_saliency_model
    from keras_saliency.visualize import overlay_heatmap

    if not is_saliency_model(model):
        raise TypeError(f"`model` must honour the saliency-model contract (keras_saliency.models); got "
                        f"{type(model).__name__} (resolve names with keras_saliency.prediction.resolve_model).")
    reader = path if isinstance(path, VideoReader) else VideoReader(path)
    source = str(reader.path)
    target = None if log_density_path is None else Path(log_density_path)
    if target is None:
        handle, name = tempfile.mkstemp(prefix="keras_saliency_", suffix=".npy")
        os.close(handle)
        temp = Path(name)
    else:
        temp = temporary_beside(target)
    writer = None
    try:
        log_density = _LogDensityFile(temp, reader.shape[:3])
        if overlay_path is not None:
            writer = VideoWriter(overlay_path, reader.rate)
        pending = collections.deque()  # frames fed to the model whose maps have not come out yet

        def frames():
            for frame in reader:
                pending.append(frame)
                yield frame

        done = 0
        with progress_bar(total=len(reader), progress=progress, desc=Path(source).name, unit="frame") as bar:
            for window in model.predict_video_stream(frames(), **conditions):
                if done + len(window) > len(reader):
                    raise VideoFileError(f"{source}: decoded more frames than the {len(reader)} its container "
                                         "declares.")
                for offset, frame_density in enumerate(window):
                    check_log_density(f"prediction for {source} frame {done + offset}", frame_density)
                    frame = pending.popleft()
                    if writer is not None:
                        writer.write(overlay_heatmap(frame, overlay_map(frame_density), alpha=alpha))
                log_density.write(done, window)
                done += len(window)
                bar.update(len(window))
        if writer is not None:
            writer.close()
        log_density.close()
        if target is not None:
            os.replace(temp, target)
        result = np.load(target or temp, mmap_mode="r")
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        temp.unlink(missing_ok=True)  # moved into place, or unlinked: an anonymous result lives on in its map
    return VideoFilePrediction(source, reader.fps, result, target, None if overlay_path is None else Path(overlay_path))
