"""Videos as uint8 frame arrays (T, H, W, 3) held in memory.

A video is a folder of frame images (sorted by file name), an animated
GIF/WebP/TIFF, a video file (``.mp4 .mov .avi .mkv .webm``..., decoded by
`keras_saliency.video_io`), a (T, H, W, 3) array or a list of (H, W, 3) frames;
frame files and frames of animated images are decoded as `keras_saliency.image_files`
describes (16-bit, transparency composited on white...). :func:`load_frames` holds
every frame in memory: stream long video files with `keras_saliency.video_io.VideoReader`
or `keras_saliency.video_prediction.predict_video_file` instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence, Union

import numpy as np

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp")


def is_video_file(path) -> bool:
    """Whether ``path`` names a video container by its suffix (it need not exist)."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def _frames_of_folder(folder: Path) -> list:
    from keras_saliency.image_files import IMAGE_SUFFIXES, load_image

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"No frame images ({', '.join(IMAGE_SUFFIXES)}) in folder {folder}.")
    frames = [load_image(p) for p in files]
    for path, frame in zip(files, frames):
        if frame.shape != frames[0].shape:
            raise ValueError(f"Frames of {folder} differ in size: {files[0].name} is {frames[0].shape[:2]}, "
                             f"{path.name} is {frame.shape[:2]}.")
    return frames


def _frames_of_file(path: Path) -> list:
    from PIL import Image

    from keras_saliency.image_files import image_to_rgb

    if is_video_file(path):
        from keras_saliency.video_io import VideoReader

        return list(VideoReader(path))
    try:
        with Image.open(path) as video:
            frames = []
            for index in range(getattr(video, "n_frames", 1)):
                video.seek(index)
                frames.append(image_to_rgb(video))
        return frames
    except Exception:
        raise ValueError(f"Cannot decode {path}: pass a video file ({', '.join(VIDEO_SUFFIXES[:5])}...), a folder of "
                         "frames, an animated GIF/WebP/TIFF or an array.") from None


def load_frames(source: Union[str, Path, np.ndarray, Sequence]) -> np.ndarray:
    """uint8 (T, H, W, 3) from an array, a list of frames, a folder of frame images, an animated image or a video file."""
    if isinstance(source, np.ndarray):
        frames = source
    elif isinstance(source, (list, tuple)):
        frames = np.stack([np.asarray(f) for f in source])
    else:
        path = Path(source)
        if path.is_dir():
            frames = np.stack(_frames_of_folder(path))
        elif path.is_file():
            frames = np.stack(_frames_of_file(path))
        else:
            raise FileNotFoundError(f"No such video, folder or frame array: {path}")
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"Video frames must be (T, H, W, 3); got shape {frames.shape}.")
    if len(frames) == 0:
        raise ValueError("The video has no frames.")
    return frames.astype(np.uint8)
