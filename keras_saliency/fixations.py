"""Fixations of one image: a small, validated data model.

Coordinate convention (used everywhere in keras-saliency):

* ``x`` is the column and ``y`` the row, in **continuous 0-based pixel
  coordinates**: pixel ``i`` covers the interval ``[i, i + 1)``, so its centre
  is ``i + 0.5`` and the pixel a fixation falls in is ``floor(x)``.
* MATLAB / FixaTons / SALICON / OSIE coordinates are **1-based with pixel
  centres on integers** (pixel ``k`` covers ``[k - 0.5, k + 0.5)``).
  :meth:`Fixations.from_one_based` converts them with ``x0 = x1 - 0.5``, which
  maps an integer ``k`` to the centre of 0-based pixel ``k - 1`` and a sub-pixel
  value to the same pixel as MATLAB's ``round(x1) - 1``.
* Duplicates are kept: two fixations on the same pixel count twice.
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple

import numpy as np

OUT_OF_IMAGE_POLICIES = ("raise", "clip", "drop")


def _as_1d_float(name: str, values) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` must be finite; got {int(np.sum(~np.isfinite(array)))} NaN/inf values.")
    return array


def _check_size(image_size) -> Tuple[int, int]:
    try:
        height, width = (int(v) for v in image_size)
    except (TypeError, ValueError):
        raise ValueError(f"`image_size` must be (height, width); got {image_size!r}.") from None
    if height <= 0 or width <= 0:
        raise ValueError(f"`image_size` must be positive; got {(height, width)}.")
    return height, width


@dataclasses.dataclass(frozen=True, eq=False)
class Fixations:
    """Fixations on one image.

    Attributes:
        x: float64 (N,) column coordinates, continuous 0-based pixels.
        y: float64 (N,) row coordinates, continuous 0-based pixels.
        subject: optional int64 (N,) subject index of each fixation.
        duration: optional float64 (N,) fixation durations in seconds.
        time: optional float64 (N,) fixation onsets in seconds from stimulus onset.
    """

    x: np.ndarray
    y: np.ndarray
    subject: Optional[np.ndarray] = None
    duration: Optional[np.ndarray] = None
    time: Optional[np.ndarray] = None

    def __post_init__(self):
        x = _as_1d_float("x", self.x)
        y = _as_1d_float("y", self.y)
        if x.shape != y.shape:
            raise ValueError(f"`x` and `y` must have the same length; got {x.size} and {y.size}.")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        for name in ("subject", "duration", "time"):
            value = getattr(self, name)
            if value is None:
                continue
            array = np.asarray(value).reshape(-1)
            if array.shape != x.shape:
                raise ValueError(f"`{name}` must have one value per fixation ({x.size}); got {array.size}.")
            array = array.astype(np.int64) if name == "subject" else _as_1d_float(name, array)
            object.__setattr__(self, name, array)

    # ----------------------------------------------------------------- creation
    @classmethod
    def from_array(cls, xy, **fields) -> "Fixations":
        """Builds fixations from an (N, 2) array of (x, y) in this package's convention."""
        xy = np.asarray(xy, dtype=np.float64)
        if xy.size == 0:
            xy = xy.reshape(0, 2)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"`fixations` must be an (N, 2) array of (x, y); got shape {xy.shape}.")
        return cls(x=xy[:, 0], y=xy[:, 1], **fields)

    @classmethod
    def from_one_based(cls, x, y, **fields) -> "Fixations":
        """Converts 1-based MATLAB/FixaTons coordinates (pixel centres on integers)."""
        return cls(x=np.asarray(x, np.float64) - 0.5, y=np.asarray(y, np.float64) - 0.5, **fields)

    @classmethod
    def empty(cls) -> "Fixations":
        return cls(x=np.zeros(0), y=np.zeros(0))

    # ------------------------------------------------------------------- access
    def __len__(self) -> int:
        return int(self.x.size)

    @property
    def xy(self) -> np.ndarray:
        """float64 (N, 2) array of (x, y)."""
        return np.stack([self.x, self.y], axis=1)

    def pixel_indices(self) -> Tuple[np.ndarray, np.ndarray]:
        """int64 (rows, cols) of the pixel each fixation falls in (``floor``)."""
        return np.floor(self.y).astype(np.int64), np.floor(self.x).astype(np.int64)

    def inside(self, image_size) -> np.ndarray:
        """Boolean (N,) mask of fixations inside ``[0, W) x [0, H)``."""
        height, width = _check_size(image_size)
        return (self.x >= 0) & (self.x < width) & (self.y >= 0) & (self.y < height)

    def select(self, mask) -> "Fixations":
        """Fixations where ``mask`` (boolean or integer index) selects."""
        pick = lambda a: None if a is None else a[mask]  # noqa: E731
        return Fixations(self.x[mask], self.y[mask], pick(self.subject), pick(self.duration), pick(self.time))

    def for_subjects(self, subjects: Sequence[int], exclude: bool = False) -> "Fixations":
        """Fixations of (or, with ``exclude=True``, not of) the given subjects."""
        if self.subject is None:
            raise ValueError("These fixations carry no `subject` field.")
        mask = np.isin(self.subject, np.asarray(subjects))
        return self.select(~mask if exclude else mask)

    def scaled(self, from_size, to_size) -> "Fixations":
        """Fixations mapped to an image resized from ``from_size`` to ``to_size`` (H, W)."""
        (h0, w0), (h1, w1) = _check_size(from_size), _check_size(to_size)
        return dataclasses.replace(self, x=self.x * (w1 / w0), y=self.y * (h1 / h0))

    def fit_to_image(self, image_size, policy: str = "raise") -> Tuple["Fixations", int]:
        """Applies the out-of-image policy; returns ``(fixations, n_affected)``.

        ``"raise"``: a ValueError if any fixation lies outside the image.
        ``"clip"``: moves outside points to the nearest border pixel (its centre
        along the clipped axis).
        ``"drop"``: removes them.
        """
        if policy not in OUT_OF_IMAGE_POLICIES:
            raise ValueError(f"`policy` must be one of {OUT_OF_IMAGE_POLICIES}; got {policy!r}.")
        height, width = _check_size(image_size)
        outside = ~self.inside((height, width))
        n_outside = int(outside.sum())
        if n_outside == 0:
            return self, 0
        if policy == "raise":
            first = int(np.flatnonzero(outside)[0])
            raise ValueError(
                f"{n_outside} of {len(self)} fixations lie outside the {height}x{width} image "
                f"(first: x={self.x[first]:.2f}, y={self.y[first]:.2f}); "
                "use policy='clip' or policy='drop'."
            )
        if policy == "drop":
            return self.select(~outside), n_outside
        x = np.where((self.x < 0) | (self.x >= width), np.clip(np.floor(self.x), 0, width - 1) + 0.5, self.x)
        y = np.where((self.y < 0) | (self.y >= height), np.clip(np.floor(self.y), 0, height - 1) + 0.5, self.y)
        return dataclasses.replace(self, x=x, y=y), n_outside


def as_fixations(fixations) -> Fixations:
    """Accepts a :class:`Fixations` or an (N, 2) array-like of (x, y)."""
    if isinstance(fixations, Fixations):
        return fixations
    return Fixations.from_array(fixations)
