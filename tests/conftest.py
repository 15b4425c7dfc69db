"""Shared fixtures: the ../shared folder (real data and reference outputs, never in the repo), synthetic datasets."""

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts) -> Path:
    """Path inside ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the ../shared folder beside the checkout is absent)")
    return path


@pytest.fixture(scope="session")
def metrics_reference():
    """(npz, json) of ../shared/reference/metrics_public.*."""
    npz = np.load(shared_path("reference", "metrics_public.npz"))
    with open(shared_path("reference", "metrics_public.json")) as f:
        return npz, json.load(f)


@pytest.fixture(scope="session")
def shared_file():
    """``shared_file("reference", "x.npz")`` -> Path, skipping the test when ../shared is absent."""
    return shared_path


def _write_png(path, width, height, bit_depth, color_type, rows=None):
    """A PNG written byte by byte (PIL cannot write 48-bit RGB, nor declare a size without the pixels)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    if rows is not None:
        data += chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + row.tobytes() for row in rows)))
    path.write_bytes(data + chunk(b"IEND", b""))
    return path


@pytest.fixture
def write_png():
    """``write_png(path, width, height, bit_depth, color_type, rows=None)`` -> path: a raw PNG (no pixels if no rows)."""
    return _write_png


def _synthetic_images(folder, count=8, size=(24, 32), per_subject=6, seed=0, name="toy"):
    """A FixationImages of ``count`` random images saved in ``folder``; 4 subjects look at one spot per image."""
    from PIL import Image

    from keras_saliency.data import FixationImages
    from keras_saliency.fixations import Fixations

    rng = np.random.default_rng(seed)
    height, width = size
    paths, fixations = [], []
    for i in range(count):
        path = folder / f"{name}_{i}.png"
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(path)
        spot = rng.uniform(0.3, 0.7, 2) * (width, height)  # near the centre, a different spot on every image
        x = np.clip(rng.normal(spot[0], width / 16, 4 * per_subject), 0, width - 0.01)
        y = np.clip(rng.normal(spot[1], height / 16, 4 * per_subject), 0, height - 0.01)
        fixations.append(Fixations(x, y, subject=np.repeat(np.arange(4), per_subject)))
        paths.append(path)
    return FixationImages(name, [f"{name}_{i}" for i in range(count)], paths, [size] * count, fixations)


@pytest.fixture(scope="session")
def synthetic_images():
    """``synthetic_images(folder, count=8, size=(24, 32), ...)`` -> a synthetic FixationImages on disk."""
    return _synthetic_images
