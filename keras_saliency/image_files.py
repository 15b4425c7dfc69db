"""Image files: the suffixes the package reads, decoding to uint8 RGB, and folder expansion."""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence, Union

import numpy as np

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def load_image(path) -> np.ndarray:
    """uint8 RGB (H, W, 3) of an image file; a ValueError names an unreadable file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"Cannot read image {path}: {error}") from None


def collect_image_paths(inputs: Sequence[Union[str, Path]]) -> List[Path]:
    """Expands folders (sorted, `IMAGE_SUFFIXES` only); raises for missing paths and empty folders."""
    paths = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not found:
                raise FileNotFoundError(f"No images ({', '.join(IMAGE_SUFFIXES)}) in folder {item}.")
            paths.extend(found)
        elif item.is_file():
            paths.append(item)
        else:
            raise FileNotFoundError(f"No such file or folder: {item}")
    return paths
