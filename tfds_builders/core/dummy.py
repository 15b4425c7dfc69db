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
