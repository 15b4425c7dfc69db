"""Synthetic pop-out visual search arrays with target masks (pure NumPy/PIL).

Each array is a jittered grid of identical distractors with one odd target that pops
out by one feature, as in the stimuli of "Understanding and visualizing deep visual
saliency models" (He et al., CVPR 2019):

* ``colour``: bars of one colour, the target another colour;
* ``orientation``: bars of one orientation, the target rotated by 45-90 degrees;
* ``size``: discs, the target twice the radius;
* ``shape``: straight bars, the target a curved arc (curvature pop-out);
* ``density``: sparse bars, the "target" a tight cluster of five bars.

``search_array(kind, rng)`` returns ``(image uint8 (H, W, 3), target_mask bool (H, W))``:
the mask covers exactly the pixels drawn for the target item(s).
"""

from __future__ import annotations

import math
from typing import Tuple

import numpy as np
from PIL import Image, ImageDraw

KINDS = ("colour", "orientation", "size", "shape", "density")
PALETTE = ((220, 40, 40), (40, 170, 60), (40, 80, 220), (230, 200, 40), (200, 60, 200), (40, 190, 200))


def _bar(draw, cx, cy, length, width, angle_deg, fill):
    a = math.radians(angle_deg)
    dx, dy = math.cos(a), math.sin(a)
    px, py = -dy, dx
    hl, hw = length / 2, width / 2
    corners = [(cx + sx * hl * dx + sw * hw * px, cy + sx * hl * dy + sw * hw * py)
               for sx, sw in ((1, 1), (1, -1), (-1, -1), (-1, 1))]
    draw.polygon(corners, fill=fill)


def _disc(draw, cx, cy, radius, fill):
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=fill)


def _arc(draw, cx, cy, length, width, angle_deg, fill):
    r = length / 2
    draw.arc([cx - r, cy - r, cx + r, cy + r], angle_deg, angle_deg + 180, fill=fill, width=int(width))


def search_array(kind: str, rng: np.random.Generator, size: Tuple[int, int] = (240, 320),
                 grid: Tuple[int, int] = (6, 8)) -> Tuple[np.ndarray, np.ndarray]:
    """One pop-out array of ``kind`` (see module docstring); ``size`` is (H, W)."""
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {KINDS}; got {kind!r}.")
    height, width = size
    rows, cols = grid
    cell_h, cell_w = height / rows, width / cols
    item = 0.6 * min(cell_h, cell_w)
    background = tuple(int(v) for v in rng.integers(0, 60, 3))
    image = Image.new("RGB", (width, height), background)
    mask = Image.new("L", (width, height), 0)
    draw, mask_draw = ImageDraw.Draw(image), ImageDraw.Draw(mask)
    colours = rng.permutation(len(PALETTE))
    colour, target_colour = PALETTE[colours[0]], PALETTE[colours[1]]
    angle = float(rng.uniform(0, 180))
    target_cell = (int(rng.integers(0, rows)), int(rng.integers(0, cols)))
    bar_w = max(2.0, item / 5)

    for r in range(rows):
        for c in range(cols):
            cx = (c + 0.5) * cell_w + rng.uniform(-0.15, 0.15) * cell_w
            cy = (r + 0.5) * cell_h + rng.uniform(-0.15, 0.15) * cell_h
            is_target = (r, c) == target_cell
            targets = [draw, mask_draw] if is_target else [draw]
            for d in targets:
                fill = 255 if d is mask_draw else None
                if kind == "colour":
                    _bar(d, cx, cy, item, bar_w, angle, fill or (target_colour if is_target else colour))
                elif kind == "orientation":
                    turn = float(rng.uniform(45, 90)) if is_target else 0.0
                    _bar(d, cx, cy, item, bar_w, angle + turn, fill or colour)
                elif kind == "size":
                    _disc(d, cx, cy, (item / 2 if is_target else item / 4), fill or colour)
                elif kind == "shape":
                    (_arc if is_target else _bar)(d, cx, cy, item, bar_w, angle, fill or colour)
                elif kind == "density":
                    if is_target:
                        for k in range(5):
                            ox, oy = (k % 3 - 1) * bar_w * 2.2, (k // 3 - 0.5) * item * 0.55
                            _bar(d, cx + ox, cy + oy, item / 2, bar_w / 1.5, angle, fill or colour)
                    elif rng.uniform() < 0.7:  # sparse distractors
                        _bar(d, cx, cy, item / 2, bar_w / 1.5, angle, fill or colour)
    return np.asarray(image), np.asarray(mask) > 0
