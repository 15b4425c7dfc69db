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

from keras_saliency.video_io import VideoFileError, VideoReader, VideoWriter


@dataclasses.dataclass
class VideoFilePrediction:
    """One video file's prediction.

    ``log_density``: (T, H, W) float32, read-only memory map (of ``log_density_path``, or of an
    anonymous temporary file when none was asked for); ``fps``: the file's frame rate;
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


def _temporary_beside(path: Path) -> Path:
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    handle.close()
    return Path(handle.name)


def _replace_synced(temp: Path, path: Path) -> None:
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, path)


def predict_video_file(path, model=None, *, log_density_path=None, overlay_path=None, alpha: float = 0.6,
                       progress: bool = True, **conditions) -> VideoFilePrediction:
    """Streams one video file through ``model`` (a contract model or anything `keras_saliency.predict` resolves).

    Args:
        path: a video file FFmpeg can decode (``.mp4 .mov .avi .mkv .webm``...), or its `VideoReader`.
        log_density_path: where to write the (T, H, W) float32 ``.npy``; None: an anonymous
            temporary file, deleted with the returned memory map.
        overlay_path: an ``.mp4`` for the heatmap overlay (``alpha`` its opacity), or None.
        progress: a progress bar in frames.
        conditions: passed to ``model.predict_video_stream`` (e.g. ``domain=`` for UNISAL).
    Raises:
        VideoFileError (a ValueError) naming the file for a corrupt, truncated or unsupported video.
    """
    from tqdm.auto import tqdm

    from keras_saliency.density import check_log_density
    from keras_saliency.prediction import resolve_model
    from keras_saliency.visualize import overlay_heatmap

    model = resolve_model(model)
    reader = path if isinstance(path, VideoReader) else VideoReader(path)
    source = str(reader.path)
    shape = reader.shape[:3]
    temp = writer = None
    try:
        if log_density_path is None:
            log_density = np.memmap(tempfile.TemporaryFile(), np.float32, "w+", shape=shape)
        else:
            temp = _temporary_beside(Path(log_density_path))
            log_density = np.lib.format.open_memmap(temp, "w+", np.float32, shape)
        if overlay_path is not None:
            writer = VideoWriter(overlay_path, reader.rate)
        pending = collections.deque()  # frames fed to the model whose maps have not come out yet

        def frames():
            for frame in reader:
                pending.append(frame)
                yield frame

        done = 0
        with tqdm(total=len(reader), disable=not progress, desc=Path(source).name, unit="frame") as bar:
            for window in model.predict_video_stream(frames(), **conditions):
                if done + len(window) > len(reader):
                    raise VideoFileError(f"{source}: decoded more frames than the {len(reader)} its container "
                                         "declares.")
                for offset, frame_density in enumerate(window):
                    check_log_density(f"prediction for {source} frame {done + offset}", frame_density)
                    frame = pending.popleft()
                    if writer is not None:
                        writer.write(overlay_heatmap(frame, np.exp(frame_density), alpha=alpha))
                log_density[done:done + len(window)] = window
                done += len(window)
                bar.update(len(window))
        if writer is not None:
            writer.close()
        log_density.flush()
        if temp is not None:
            del log_density
            _replace_synced(temp, Path(log_density_path))
    except BaseException:
        if writer is not None:
            writer.abort()
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    if log_density_path is None:
        log_density.flags.writeable = False
        return VideoFilePrediction(source, reader.fps, log_density)
    return VideoFilePrediction(source, reader.fps, np.load(log_density_path, mmap_mode="r"), Path(log_density_path),
                               None if overlay_path is None else Path(overlay_path))
