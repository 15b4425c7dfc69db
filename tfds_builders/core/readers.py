"""File readers for the builders; every failure names the offending file.

All I/O goes through ``epath`` (TFDS tests forbid ``os``/``open`` in builders).
"""

from __future__ import annotations

import io
from typing import List, Sequence

import numpy as np
from etils import epath
from PIL import Image

from keras_saliency.image_files import IMAGE_SUFFIXES  # noqa: F401 - the one list, re-exported for the builders


class DatasetFileError(ValueError):
    """A dataset file is missing, unreadable or has unexpected content."""

    def __init__(self, path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path


def require(path: epath.Path, what: str) -> epath.Path:
    """``path`` if it exists, else a :class:`DatasetFileError` saying what was expected."""
    path = epath.Path(path)
    if not path.exists():
        raise DatasetFileError(path, f"missing ({what}).")
    return path


def list_images(folder: epath.Path) -> List[epath.Path]:
    """Image files directly in ``folder``, sorted by name."""
    folder = require(folder, "folder of images")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def read_image(path, mode: str = "RGB") -> np.ndarray:
    """uint8 (H, W, 3) for ``mode="RGB"`` or (H, W) for ``"L"``."""
    path = require(path, "image")
    try:
        with Image.open(io.BytesIO(path.read_bytes())) as img:
            return np.asarray(img.convert(mode))
    except Exception as error:  # PIL raises many types for corrupt files
        raise DatasetFileError(path, f"not a readable image ({error}).") from error


def image_info(path) -> tuple:
    """(height, width, PIL mode, PIL format) of an image file, fully decoded to catch corruption."""
    path = require(path, "image")
    try:
        with Image.open(io.BytesIO(path.read_bytes())) as img:
            img.load()
            width, height = img.size
            return height, width, img.mode, img.format
    except Exception as error:
        raise DatasetFileError(path, f"not a readable image ({error}).") from error


def load_mat(path) -> dict:
    """A MATLAB v5 ``.mat`` file as scipy's dict."""
    import scipy.io

    path = require(path, ".mat file")
    try:
        with path.open("rb") as f:
            return scipy.io.loadmat(f)
    except Exception as error:
        raise DatasetFileError(path, f"not a readable MATLAB file ({error}).") from error


def load_mat_v73_cells(path, variable: str) -> List[np.ndarray]:
    """The arrays of the cell array ``variable`` in a MATLAB v7.3 (HDF5) ``.mat`` file, as float64.

    MATLAB stores each cell element under ``#refs#`` and the cell as an array of object
    references; h5py reads the arrays transposed (an N x 3 MATLAB matrix comes back 3 x N).
    A cell element MATLAB stored as empty (attribute ``MATLAB_empty``) comes back as (0, 0).
    """
    import h5py

    path = require(path, "MATLAB v7.3 .mat file")
    try:
        handle = h5py.File(io.BytesIO(path.read_bytes()), "r")
    except Exception as error:
        raise DatasetFileError(path, f"not a MATLAB v7.3 (HDF5) file ({error}).") from error
    with handle:
        if variable not in handle:
            raise DatasetFileError(path, f"no `{variable}` variable (has {sorted(handle)}).")
        cells = handle[variable]
        if not isinstance(cells, h5py.Dataset) or cells.dtype != h5py.ref_dtype:
            raise DatasetFileError(path, f"`{variable}` is not a cell array (HDF5 object references).")
        arrays = []
        for index, ref in enumerate(np.ravel(cells[()])):
            try:
                element = handle[ref]
            except Exception as error:
                raise DatasetFileError(path, f"`{variable}` element {index} is a dangling reference.") from error
            if not isinstance(element, h5py.Dataset) or element.dtype.kind not in "uif":
                raise DatasetFileError(path, f"`{variable}` element {index} is not a numeric array.")
            empty = bool(element.attrs.get("MATLAB_empty", 0))
            arrays.append(np.zeros((0, 0)) if empty else np.asarray(element[()], dtype=np.float64))
        return arrays


def load_text_table(path, n_columns: int, min_columns: int = 2) -> np.ndarray:
    """float64 (N, n_columns) whitespace/comma separated table (N may be 0)."""
    path = require(path, "text table")
    try:
        text = path.read_text().replace(",", " ")
        rows = [line.split() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        table = np.array([[float(v) for v in row] for row in rows], dtype=np.float64)
    except Exception as error:
        raise DatasetFileError(path, f"not a numeric table ({error}).") from error
    if table.size == 0:
        return np.zeros((0, n_columns))
    if table.ndim != 2 or not min_columns <= table.shape[1] <= n_columns:
        raise DatasetFileError(path, f"expected rows of {min_columns}-{n_columns} numbers; got shape {table.shape}.")
    if table.shape[1] < n_columns:
        table = np.concatenate([table, np.full((len(table), n_columns - table.shape[1]), np.nan)], axis=1)
    return table


def points_from_binary_map(path, threshold: int = 128):
    """0-based (rows, cols) of the ``>= threshold`` pixels of a fixation-location image.

    Used for datasets that publish fixations only as binary maps (e.g. JPEG ``fixPts``).
    """
    mask = read_image(path, "L") >= threshold
    return np.nonzero(mask)


def struct_field(record, name: str, path) -> np.ndarray:
    """``record[name][0, 0]`` of a scipy MATLAB struct, naming the file if absent."""
    names: Sequence[str] = record.dtype.names or ()
    if name not in names:
        raise DatasetFileError(path, f"MATLAB struct has no field {name!r} (fields: {list(names)}).")
    return record[name]


def manual_instructions(module_file: str) -> str:
    """The ``MANUAL_DOWNLOAD_INSTRUCTIONS.md`` next to a builder module (read at import time).

    An installation without the file (package data left out) gets a pointer to it
    instead of failing ``import tfds_builders``.
    """
    import pathlib

    path = pathlib.Path(module_file).parent / "MANUAL_DOWNLOAD_INSTRUCTIONS.md"
    if not path.is_file():
        return (f"{path} is missing from this installation; read "
                f"tfds_builders/{path.parent.name}/MANUAL_DOWNLOAD_INSTRUCTIONS.md in the keras-saliency repository.")
    return path.read_text()


def find_dir(root, name: str) -> epath.Path:
    """``root/name`` or ``root/*/name`` (archives differ in their top folder)."""
    root = epath.Path(root)
    for candidate in [root / name, *(p / name for p in sorted(root.iterdir()) if p.is_dir())]:
        if candidate.is_dir():
            return candidate
    raise DatasetFileError(root / name, "missing (expected this folder in the extracted archive).")
