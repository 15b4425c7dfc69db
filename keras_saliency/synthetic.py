"""Synthetic visual-search arrays with a single pop-out target (for behavioural tests).

``popout_search_array(kind, size, seed)`` draws a jittered grid of items on a
grey background: ``"colour"`` — green disks with one red disk; ``"orientation"``
— bars at 45 degrees with one bar at 135 degrees. Returns the uint8 RGB image
(size, size, 3) and a boolean mask of the target's region (its item plus a
small margin).
"""

from __future__ import annotations

import numpy as np

KINDS = ("colour", "orientation")


def popout_search_array(kind: str = "colour", size: int = 256, seed: int = 0, grid: int = 6):
    """(image uint8 (size, size, 3), target mask bool (size, size)) of a pop-out search array."""
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {KINDS}; got {kind!r}.")
    if int(size) != size or size < 8 * grid:
        raise ValueError(f"`size` must be an integer >= {8 * grid} for a {grid}x{grid} array; got {size!r}.")
    rng = np.random.default_rng(seed)
    cell = size / grid
    radius = 0.28 * cell
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    image = np.full((size, size, 3), 128, np.uint8)
    target = tuple(rng.integers(0, grid, 2))
    mask = np.zeros((size, size), bool)
    for i in range(grid):
        for j in range(grid):
            cy, cx = (i + 0.5) * cell + rng.uniform(-0.08, 0.08) * cell, (j + 0.5) * cell + rng.uniform(-0.08, 0.08) * cell
            is_target = (i, j) == target
            dy, dx = yy - cy, xx - cx
            if kind == "colour":
                item = dy**2 + dx**2 <= radius**2
                colour = (220, 30, 30) if is_target else (30, 200, 30)
            else:
                theta = np.deg2rad(135.0 if is_target else 45.0)
                along = dx * np.cos(theta) + dy * np.sin(theta)
                across = -dx * np.sin(theta) + dy * np.cos(theta)
                item = (np.abs(along) <= radius) & (np.abs(across) <= 0.25 * radius)
                colour = (255, 255, 255)
            image[item] = colour
            if is_target:
                mask |= dy**2 + dx**2 <= (1.3 * radius) ** 2
    return image, mask
