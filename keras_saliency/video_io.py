"""Video files in and out through PyAV: streamed uint8 RGB frames with the file's real fps, and ``.mp4`` writing.

PyAV (the ``av`` package, the ``video`` extra) is used rather than imageio-ffmpeg because its wheels
bundle the FFmpeg libraries themselves (decoders and the libx264 encoder), so nothing else is
installed; it decodes in-process, one frame at a time (bounded memory, no pipe to a subprocess), reads
the container's real frame rate and frame count without decoding, and reports corrupt data as typed
exceptions that can be turned into errors naming the file.

:class:`VideoReader` streams frames (never the whole video in memory); :class:`VideoWriter` writes an
H.264 ``.mp4`` (yuv420p, which every player plays) to a temporary file beside the target and moves it
into place only when it is complete. Errors are :class:`VideoFileError` (a ``ValueError``) naming the file.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from keras_saliency.atomic_write import temporary_beside


class VideoFileError(ValueError):
    """A video file that cannot be read or written (its path is in the message)."""


def _av():
    try:
        import av
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise ImportError("Reading and writing video files needs PyAV: pip install 'keras-saliency[video]' "
                          "(or pip install av).") from None
    return av


class VideoReader:
    """Streams the frames of one video file as uint8 (H, W, 3) RGB, in display order.

    Opening reads the header only: ``fps`` (frames per second, float; ``rate`` is the exact
    fraction), ``frame_count`` (from the container, else counted from the packets without
    decoding; fewer than 90 % of the header's duration times fps is refused as truncated),
    ``height``/``width`` in pixels and ``codec``. Iterating decodes one frame at a
    time; a stream that ends before ``frame_count`` frames (a truncated file) or holds
    undecodable data raises :class:`VideoFileError` naming the file and the frame.
    """

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"No such video file: {self.path}")
        av = _av()
        try:
            with av.open(str(self.path)) as container:
                streams = container.streams.video
                if not streams:
                    raise VideoFileError(f"{self.path} has no video stream (is it a video file?).")
                stream = streams[0]
                if stream.codec_context is None or not stream.codec_context.codec.is_decoder:
                    raise VideoFileError(f"{self.path}: unsupported video codec (the FFmpeg bundled with PyAV "
                                         "has no decoder for its video stream); re-encode it, e.g. to H.264.")
                self.codec = stream.codec_context.name
                self.width, self.height = int(stream.codec_context.width), int(stream.codec_context.height)
                rate = stream.average_rate or stream.guessed_rate or stream.base_rate
                self.rate = Fraction(rate) if rate else None
                self.frame_count = int(stream.frames) or self._count_packets(container, stream)
                seconds = container.duration / 1e6 if container.duration else 0.0
        except av.error.FFmpegError as error:
            raise VideoFileError(f"Cannot decode video file {self.path}: {_reason(error)} (corrupt, truncated or "
                                 "not a video?).") from None
        if self.width < 1 or self.height < 1 or self.frame_count < 1:
            raise VideoFileError(f"{self.path}: the video stream is empty or has no size "
                                 f"({self.width}x{self.height}, {self.frame_count} frames); is the file truncated?")
        if not self.rate or self.rate <= 0:
            raise VideoFileError(f"{self.path}: the video stream declares no frame rate.")
        declared = seconds * self.fps
        if self.frame_count < 0.9 * declared - 1:  # packets missing from the end of a container with a duration
            raise VideoFileError(f"{self.path} is truncated: it holds {self.frame_count} frames, its header declares "
                                 f"{seconds:.3f} s at {self.fps:.6g} fps (~{declared:.0f} frames).")

    @staticmethod
    def _count_packets(container, stream) -> int:
        return sum(1 for packet in container.demux(stream) if packet.size)

    @property
    def fps(self) -> float:
        return float(self.rate)

    @property
    def shape(self) -> tuple:
        """(T, H, W, 3) of the decoded video."""
        return (self.frame_count, self.height, self.width, 3)

    def __len__(self) -> int:
        return self.frame_count

    def __repr__(self) -> str:
        return (f"VideoReader({str(self.path)!r}: {self.frame_count} frames of {self.width}x{self.height} at "
                f"{self.fps:.6g} fps, {self.codec})")

    def __iter__(self) -> Iterator[np.ndarray]:
        av = _av()
        decoded = 0
        try:
            with av.open(str(self.path)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                for frame in container.decode(stream):
                    image = frame.to_ndarray(format="rgb24")
                    if image.shape != (self.height, self.width, 3):
                        raise VideoFileError(f"{self.path}: frame {decoded} is {image.shape[1]}x{image.shape[0]}, "
                                             f"the stream declares {self.width}x{self.height}.")
                    decoded += 1
                    yield image
        except av.error.FFmpegError as error:
            raise VideoFileError(f"Cannot decode video file {self.path} after {decoded} of {self.frame_count} "
                                 f"frames: {_reason(error)} (corrupt or truncated?).") from None
        if decoded < self.frame_count:
            raise VideoFileError(f"{self.path} is truncated or corrupt: decoded {decoded} of the "
                                 f"{self.frame_count} frames its container declares.")

    def read_all(self) -> np.ndarray:
        """uint8 (T, H, W, 3): every frame in memory (short clips only; stream long videos instead)."""
        return np.stack(list(self))


def _reason(error) -> str:
    return getattr(error, "strerror", None) or str(error)


class VideoWriter:
    """Writes uint8 (H, W, 3) RGB frames to an H.264 ``.mp4`` at ``fps``, atomically.

    Frames go to a hidden temporary file beside ``path``; :meth:`close` (or leaving the
    ``with`` block normally) finishes the stream and moves it into place, an error
    removes it, so ``path`` is never half-written. Odd sizes are padded by one replicated
    row/column (yuv420p needs even sizes). ``crf`` is x264's quality (lower = better).
    """

    def __init__(self, path, fps, crf: int = 20):
        self.path = Path(path)
        if self.path.suffix.lower() != ".mp4":
            raise VideoFileError(f"{self.path}: overlay videos are written as .mp4; got suffix {self.path.suffix!r}.")
        self.rate = Fraction(fps).limit_denominator(1001) if not isinstance(fps, Fraction) else fps
        if not self.rate > 0:
            raise ValueError(f"`fps` must be > 0; got {fps}.")
        self.crf = int(crf)
        self._temp = None
        self._container = self._stream = None
        self.frames_written = 0

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        else:
            self.abort()

    def _open(self, height: int, width: int):
        av = _av()
        self._temp = temporary_beside(self.path)
        self._container = av.open(str(self._temp), "w", format="mp4")
        self._stream = self._container.add_stream("libx264", rate=self.rate)
        self._stream.width, self._stream.height = width + width % 2, height + height % 2
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(self.crf)}
        self._size = (height, width)

    def write(self, frame: np.ndarray) -> None:
        """Appends one uint8 (H, W, 3) RGB frame; every frame must have the first one's size."""
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[-1] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"{self.path}: frames must be uint8 (H, W, 3) RGB; got {frame.dtype} {frame.shape}.")
        if self._container is None:
            self._open(*frame.shape[:2])
        if frame.shape[:2] != self._size:
            raise ValueError(f"{self.path}: frame {self.frames_written} is {frame.shape[:2]}, the first was "
                             f"{self._size}.")
        height, width = frame.shape[:2]
        if height % 2 or width % 2:
            frame = np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
        av = _av()
        for packet in self._stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")):
            self._container.mux(packet)
        self.frames_written += 1

    def close(self) -> Path:
        """Finishes the file and moves it to ``path``; at least one frame must have been written."""
        if self._container is None:
            raise VideoFileError(f"{self.path}: no frames were written.")
        try:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
            self._container = None
            with open(self._temp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(self._temp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        """Drops the partial file; ``path`` is left as it was."""
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # the partial stream is discarded anyway
                pass
            self._container = None
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)


def write_video(path, frames, fps, crf: int = 20) -> Path:
    """Writes an iterable of uint8 (H, W, 3) frames to an ``.mp4`` at ``fps`` (see :class:`VideoWriter`)."""
    with VideoWriter(path, fps, crf=crf) as writer:
        for frame in frames:
            writer.write(frame)
    return Path(path)


__all__ = ["VideoFileError", "VideoReader", "VideoWriter", "write_video"]
