"""Helpers for the ``make_dummy_data.py`` scripts: small random (never real) files."""

from __future__ import annotations

import pathlib

import numpy as np
from PIL import Image


def fresh_dir(path) -> pathlib.Path:
    """An empty directory at ``path`` (previous dummy files removed)."""
    import shutil

    path = pathlib.Path(path)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def random_image(rng: np.random.Generator, height: int, width: int, channels: int = 3) -> np.ndarray:
    shape = (height, width, channels) if channels > 1 else (height, width)
    return rng.integers(0, 256, shape, dtype=np.uint8)


def save_image(path, array: np.ndarray, **kwargs) -> None:
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, **kwargs)


def binary_points_image(height: int, width: int, rows, cols) -> np.ndarray:
    """uint8 (H, W) with 255 at the given pixels, 0 elsewhere."""
    out = np.zeros((height, width), np.uint8)
    out[np.asarray(rows), np.asarray(cols)] = 255
    return out


def write_folder_layout(out, split_counts, maps=False, unlabeled=(), seed=0) -> None:
    """Random files in the ``core.folder_builder`` layout: {split folder: n images}."""
    rng = np.random.default_rng(seed)
    out = pathlib.Path(out)
    for split, count in split_counts.items():
        for i in range(count):
            h, w = int(rng.integers(16, 40)), int(rng.integers(16, 40))
            image_id = f"{split}_{i:03d}"
            save_image(out / split / "stimuli" / f"{image_id}.jpg", random_image(rng, h, w), quality=95)
            if split in unlabeled:
                continue
            n = int(rng.integers(0, 6))
            rows = np.stack(
                [rng.integers(1, w + 1, n), rng.integers(1, h + 1, n), rng.integers(0, 3, n),
                 np.cumsum(rng.uniform(0.1, 0.3, n)), rng.uniform(0.1, 0.3, n)], axis=1,
            )
            (out / split / "fixations").mkdir(parents=True, exist_ok=True)
            np.savetxt(out / split / "fixations" / f"{image_id}.txt", rows, fmt="%.3f")
            if maps:
                save_image(out / split / "maps" / f"{image_id}.png", random_image(rng, h, w, 1))


def write_frame_folders(root, video_ids, n_frames=3, height=12, width=16, seed=0) -> None:
    """Random videos in the ``core.video_builder`` layout under ``root``."""
    rng = np.random.default_rng(seed)
    for video_id in video_ids:
        for t in range(n_frames):
            folder = pathlib.Path(root) / video_id
            save_image(folder / "images" / f"{t + 1:04d}.png", random_image(rng, height, width))
            save_image(folder / "maps" / f"{t + 1:04d}.png", random_image(rng, height, width, 1))
            rows, cols = rng.integers(0, height, 3), rng.integers(0, width, 3)
            save_image(folder / "fixation" / f"{t + 1:04d}.png", binary_points_image(height, width, rows, cols))
