"""The demo's uploads: one image or one video file, checked and decoded; `DemoError` names what is wrong.

A body is a video when its first bytes are a video container's signature (MP4 / MOV ``ftyp``,
Matroska / WebM EBML, AVI ``RIFF....AVI ``), whatever name or type the browser gave it; anything
else is read as an image. Limits: ``MAX_PIXELS`` per image; ``MAX_VIDEO_FRAMES`` frames of at most
``MAX_VIDEO_FRAME_PIXELS`` per video.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np

MAX_PIXELS = 40_000_000
MAX_VIDEO_FRAMES = 900  # 30 s at 30 fps: each frame is predicted and re-encoded while the page waits
MAX_VIDEO_FRAME_PIXELS = 1920 * 1080


class DemoError(Exception):
    """A request the user can fix (bad file, unknown model): answered with status 400 and the message."""


def is_video(data: bytes) -> bool:
    """Whether ``data`` starts like an MP4/MOV, Matroska/WebM or AVI file."""
    return data[4:8] == b"ftyp" or data[:4] == b"\x1a\x45\xdf\xa3" or (data[:4] == b"RIFF" and data[8:12] == b"AVI ")


def decode_image(data: bytes) -> np.ndarray:
    """uint8 (H, W, 3) RGB of an uploaded image file; `DemoError` naming the problem otherwise."""
    from PIL import Image, UnidentifiedImageError

    from keras_saliency.image_files import image_to_rgb

    if not data:
        raise DemoError("the upload is empty: drop an image (PNG, JPEG, WebP, GIF...) or a video (MP4, WebM...).")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise DemoError(f"the image is {image.width}x{image.height} pixels; this demo takes at most "
                                f"{MAX_PIXELS / 1e6:.0f} megapixels.")
            rgb = image_to_rgb(image)  # EXIF rotation, 16-bit, transparency... as load_image
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise DemoError(f"the upload is not an image this demo can read ({type(error).__name__}: {error}).") from None
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


class VideoUpload:
    """``with VideoUpload(data) as reader:`` a `keras_saliency.video_io.VideoReader` of the uploaded bytes.

    The bytes go to a temporary file (removed on exit); the header is read and the limits checked
    before any frame is decoded. Needs PyAV (the ``video`` extra): without it, a `DemoError` says so.
    """

    def __init__(self, data: bytes):
        self.data, self.path = data, None

    def __enter__(self):
        from keras_saliency.video_io import VideoFileError, VideoReader

        try:
            import av  # noqa: F401  (checked here so that the page gets the answer)
        except ImportError:
            raise DemoError("this server cannot read videos: it needs PyAV (pip install 'keras-saliency[video]').") \
                from None
        handle, name = tempfile.mkstemp(prefix="keras_saliency_demo_", suffix=".video")
        with os.fdopen(handle, "wb") as file:
            file.write(self.data)
        self.path = Path(name)
        try:
            reader = VideoReader(self.path)
        except VideoFileError as error:
            self.__exit__(type(error), error, None)  # raises the DemoError
        if reader.frame_count > MAX_VIDEO_FRAMES or reader.width * reader.height > MAX_VIDEO_FRAME_PIXELS:
            self.__exit__(None, None, None)
            raise DemoError(f"the video is {reader.frame_count} frames of {reader.width}x{reader.height}; this demo "
                            f"takes at most {MAX_VIDEO_FRAMES} frames of at most {MAX_VIDEO_FRAME_PIXELS / 1e6:.1f} "
                            "megapixels (1920x1080; cut or scale it down, or use `keras-saliency predict` for long "
                            "videos).")
        return reader

    def __exit__(self, kind, value, traceback):
        """Removes the file; a `VideoFileError` (corrupt or truncated upload) becomes a `DemoError`."""
        from keras_saliency.video_io import VideoFileError

        path, self.path = self.path, None
        if path is not None:
            path.unlink(missing_ok=True)
        if kind is not None and issubclass(kind, VideoFileError):
            message = str(value).replace(f"video file {path}", "the upload").replace(str(path), "the upload")
            raise DemoError(f"the upload is not a video this demo can read: {message}") from None
