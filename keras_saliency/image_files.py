"""Image files: the suffixes the package reads, decoding to uint8 RGB, and folder expansion.

:func:`load_image` reads an image as what it is and returns uint8 RGB (H, W, 3):

* 8-bit grayscale, bilevel, RGB, palette, YCbCr and CMYK images are converted by
  Pillow; EXIF-rotated images (JPEGs from phones) are transposed upright first;
* 16-bit images (grayscale ``I;16``/``I;16B``, 32-bit ``I`` read as 16-bit, and
  16-bit RGB) keep their high byte: a 16-bit value ``v`` becomes ``v // 256``
  (``I`` values outside 0..65535 are clipped);
* float images (``F``, float TIFFs) in 0..1 are scaled by 255; otherwise they are
  read as 0..255 and clipped to it; NaN or infinite pixels are refused;
* images with transparency (``RGBA``, ``LA``, ``PA``, palette images with a
  transparent colour) are composited on white, as a viewer shows them on a page;
* files over Pillow's decompression-bomb limit (``2 * PIL.Image.MAX_IMAGE_PIXELS``,
  about 179 million pixels by default; raise ``MAX_IMAGE_PIXELS`` for files you
  trust) are refused with a one-line ValueError, as are unreadable files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, List, Sequence, Tuple, Union

import numpy as np

_ORIENTATION = 0x0112  # the EXIF orientation tag
_BLOCK_PIXELS = 1 << 22  # pixels per row block of :func:`_rgb_rows` (12 MB of RGB)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def load_image(path) -> np.ndarray:
    """uint8 RGB (H, W, 3) of an image file (see the module docstring); a one-line ValueError names a bad file."""
    return _open(path, image_to_rgb)


def _open(path, decode):
    """``decode(open PIL image)`` with one-line ValueErrors naming ``path``."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return decode(image)
    except Image.DecompressionBombError:
        limit = 2 * Image.MAX_IMAGE_PIXELS
        raise ValueError(f"Cannot read image {path}: it has more than {limit} pixels, the decompression-bomb limit "
                         "(2 * PIL.Image.MAX_IMAGE_PIXELS; raise it for files you trust).") from None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ValueError(f"Cannot read image {path}: {error}") from None


def upright_size(image) -> Tuple[int, int]:
    """(H, W) of an open PIL image as :func:`load_image` returns it (EXIF rotations by 90 degrees swap them)."""
    width, height = image.size
    return (width, height) if image.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8) else (height, width)


def load_image_near(path, working_size: Callable) -> Tuple[np.ndarray, Tuple[int, int]]:
    """(uint8 RGB at ``working_size((H, W))``, (H, W)): an image file decoded near the size a model runs at.

    (H, W) is the upright size :func:`load_image` would return; ``working_size`` maps it to
    (h, w), or None for the full size. JPEGs are decoded by DCT scaling (``PIL.Image.draft``:
    1/2, 1/4 or 1/8 of the size, never below (h, w)), other formats in full; the result is
    resized to exactly (h, w) by Pillow's antialiased bilinear filter, reducing by whole
    factors first (``reducing_gap=2``), so a 100-megapixel JPEG never exists at full size.
    The same rules and one-line errors as :func:`load_image`.
    """
    from PIL import Image

    def decode(image):
        size = upright_size(image)
        target = working_size(size)
        if target is None or tuple(target) == size:
            return image_to_rgb(image), size
        height, width = (int(n) for n in target)
        swapped = image.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8)
        image.draft(None, (height, width) if swapped else (width, height))
        rgb = image_to_rgb(image)
        if rgb.shape[:2] != (height, width):
            rgb = np.asarray(Image.fromarray(rgb).resize((width, height), Image.BILINEAR, reducing_gap=2.0))
        return rgb, size

    return _open(path, decode)


def image_to_rgb(image) -> np.ndarray:
    """uint8 RGB (H, W, 3) of an open PIL image, by the rules of the module docstring."""
    from PIL import Image, ImageOps

    if image.getexif().get(_ORIENTATION, 1) != 1:  # (exif_transpose copies even an upright image)
        image = ImageOps.exif_transpose(image)
    if image.mode == "I" or image.mode.startswith("I;16"):
        values = np.clip(np.asarray(image).astype(np.int64), 0, 65535) >> 8
        return _gray_to_rgb(values)
    if image.mode == "F":
        values = np.asarray(image, np.float64)
        if not np.isfinite(values).all():
            raise ValueError("float image with NaN or infinite pixels")
        if values.min() >= 0 and values.max() <= 1:
            values = values * 255
        return _gray_to_rgb(np.rint(np.clip(values, 0, 255)))
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return _rgb_rows(image)


def _rgb_rows(image) -> np.ndarray:
    """A writable uint8 RGB array of a PIL image, converted and copied in blocks of rows.

    Pillow holds RGB at 4 bytes per pixel and ``np.asarray(image)`` goes through ``tobytes``
    (two more full-size copies while it joins them): row blocks keep the peak at Pillow's image
    plus the 3-byte array (a 100-megapixel photo: about 700 MB instead of about 1 GB).
    """
    width, height = image.size
    rgb = np.empty((height, width, 3), np.uint8)
    rows = max(1, _BLOCK_PIXELS // max(width, 1))
    for top in range(0, height, rows):
        block = image.crop((0, top, width, min(height, top + rows)))
        rgb[top:top + rows] = np.asarray(block if block.mode == "RGB" else block.convert("RGB"))
    return rgb


def _gray_to_rgb(values: np.ndarray) -> np.ndarray:
    return np.repeat(values.astype(np.uint8)[..., None], 3, axis=-1)


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
