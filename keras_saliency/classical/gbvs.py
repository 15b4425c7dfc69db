"""Graph-Based Visual Saliency (Harel, Koch & Perona, NIPS 2006).

Structure of the paper:

1. *Feature maps* at three scales (Gaussian pyramid levels 2, 3, 4 of the
   image): intensity, colour opponency (red-green, blue-yellow) and four
   Gabor orientations (0, 45, 90, 135 degrees) of the intensity, each resized
   to a small common grid (``map_size`` on its longer side, as GBVS does with
   its 32-pixel saliency-map size).
2. *Activation*: a fully connected graph over the grid with weights
   ``w(i, j) = |log(M(i) / M(j))| * exp(-d(i, j)^2 / (2 sigma_act^2))``
   (``sigma_act`` = 0.15 x grid width); the map becomes the equilibrium
   distribution of the Markov chain whose transitions are these weights
   normalised per source node.
3. *Normalisation*: a second chain with ``w(i, j) = A(j) * exp(-d^2 / (2
   sigma_norm^2))`` (``sigma_norm`` = 0.06 x grid width) concentrates the
   activation's mass on its few strongest regions.
4. *Combination*: normalised maps are averaged per channel (intensity,
   colour, orientation), the channels summed, lightly blurred and resized
   bilinearly to the image.

Both chains are reversible, so their equilibria are computed exactly in
closed form (degree-proportional for the symmetric activation graph;
``A(i) (F A)(i)`` for normalisation), vectorised over all feature maps; the
reference code's power iteration reaches the same distribution (the tests
check it) but mixes too slowly to converge on some photographs.

Simplifications, stated: pyramids use ``scipy.ndimage.gaussian_filter``
(sigma 1) per octave; colour opponency is the Walther-Koch
``(r - g) / max(r, g, b)`` and ``(b - min(r, g)) / max(r, g, b)`` (zero where
the pixel is darker than 1/10 of the image maximum), each rectified in both
directions (red-green and green-red...) so opposite colours do not cancel;;
every edge gets a tiny extra weight (1e-4 on the dissimilarity, 1e-4/n on
the activation) so chains mix even over flat regions; the normalisation
falloff is at least one grid cell wide (narrower chains on
small grids mix too slowly to converge); the paper's optional "flicker"/"motion" channels, DKL colour space and
centre-bias-style post-processing are not implemented.
"""

from __future__ import annotations

from typing import Dict, List

import numpy as np
from scipy import ndimage

from keras_saliency.classical._base import ClassicalModel
from keras_saliency.classical.itti_koch import gabor_kernel, gaussian_pyramid, resize_to

LEVELS = (2, 3, 4)
ORIENTATIONS = (0.0, 45.0, 90.0, 135.0)
_LOG_FLOOR = 1e-6  # keeps log(M) finite where a feature map is exactly zero
_MIXING_FLOOR = 1e-4  # tiny weight on every edge so near-flat regions cannot trap the chains


def feature_maps(rgb: np.ndarray, grid) -> Dict[str, List[np.ndarray]]:
    """Channel name -> feature maps resized to ``grid`` (rows, cols); float64 RGB in [0, 1]."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    intensity = (r + g + b) / 3.0
    brightest = rgb.max(-1)
    lit = brightest > max(brightest.max(), 1e-12) / 10.0
    denom = np.where(lit, brightest, 1.0)
    rg = np.where(lit, (r - g) / denom, 0.0)
    by = np.where(lit, (b - np.minimum(r, g)) / denom, 0.0)
    top = max(LEVELS) + 1
    pyramids = {name: gaussian_pyramid(c, top) for name, c in (("i", intensity), ("rg", rg), ("by", by))}
    maps: Dict[str, List[np.ndarray]] = {"intensity": [], "colour": [], "orientation": []}
    kernels = [gabor_kernel(theta) for theta in ORIENTATIONS]
    for level in LEVELS:
        maps["intensity"].append(resize_to(pyramids["i"][level], grid))
        for opponent in ("rg", "by"):  # rectified both ways: red-green, green-red, blue-yellow, yellow-blue
            maps["colour"].append(resize_to(np.maximum(pyramids[opponent][level], 0.0), grid))
            maps["colour"].append(resize_to(np.maximum(-pyramids[opponent][level], 0.0), grid))
        for kernel in kernels:
            response = np.abs(ndimage.convolve(pyramids["i"][level], kernel, mode="reflect"))
            maps["orientation"].append(resize_to(response, grid))
    return maps


def grid_distance_falloff(grid, sigma: float) -> np.ndarray:
    """(n, n) ``exp(-d^2 / (2 sigma^2))`` between the ``grid`` cells (row-major), d in cells."""
    rows, cols = np.mgrid[0 : grid[0], 0 : grid[1]]
    points = np.stack([rows.ravel(), cols.ravel()], -1).astype(np.float64)
    squared = ((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    return np.exp(-squared / (2.0 * sigma**2))


def reversible_equilibrium(symmetric: np.ndarray, node_weights=None) -> np.ndarray:
    """Equilibria of chains with edge weights ``w(i, j) = a(j) S(i, j)``, S symmetric, exactly.

    Transitions are the weights normalised per source node. Such chains are
    reversible with ``pi_i ~ a_i (S a)_i`` (detailed balance:
    ``pi_i P(i, j) = a_i a_j S(i, j)`` is symmetric); ``a = 1`` gives the
    degree-proportional equilibrium of a symmetric graph.

    Args:
        symmetric: (K, n, n) non-negative symmetric ``S``.
        node_weights: (K, n) non-negative ``a``, or None for ones.
    Returns:
        (K, n) distributions, each summing to 1.
    """
    if node_weights is None:
        pi = symmetric.sum(-1)
    else:
        pi = node_weights * np.einsum("kij,kj->ki", symmetric, node_weights)
    return pi / pi.sum(-1, keepdims=True)


class GBVS(ClassicalModel):
    """Harel, Koch & Perona (2006) graph-based saliency; ``saliency_map(rgb) -> (H, W)`` per image.

    Args:
        map_size: cells on the longer side of the graph grid (GBVS default 32).
        sigma_activation, sigma_normalization: Gaussian distance falloffs as
            fractions of the grid width (paper/code defaults 0.15 and 0.06).
        blur: std of the final blur as a fraction of the grid width (0 disables).
    """

    name = "gbvs"

    def __init__(self, map_size: int = 32, sigma_activation: float = 0.15,
                 sigma_normalization: float = 0.06, blur: float = 0.04):
        if int(map_size) != map_size or map_size < 4:
            raise ValueError(f"`map_size` must be an integer >= 4; got {map_size!r}.")
        for name, value in (("sigma_activation", sigma_activation), ("sigma_normalization", sigma_normalization)):
            if not value > 0:
                raise ValueError(f"`{name}` must be positive; got {value!r}.")
        if not blur >= 0:
            raise ValueError(f"`blur` must be >= 0; got {blur!r}.")
        self.map_size, self.blur = int(map_size), blur
        self.sigma_activation, self.sigma_normalization = sigma_activation, sigma_normalization

    def grid(self, height: int, width: int):
        scale = self.map_size / max(height, width)
        return max(2, round(height * scale)), max(2, round(width * scale))

    def get_config(self) -> dict:
        return {"map_size": self.map_size, "sigma_activation": self.sigma_activation,
                "sigma_normalization": self.sigma_normalization, "blur": self.blur}

    def saliency_map(self, rgb) -> np.ndarray:
        height, width = rgb.shape[:2]
        grid = self.grid(height, width)
        # Pyramid level 4 needs >= 16 px per side for every level to be non-degenerate.
        if min(height, width) < 64:
            scale = 64.0 / min(height, width)
            rgb = np.stack([resize_to(rgb[..., c], (round(height * scale), round(width * scale)))
                            for c in range(3)], -1)
        maps = feature_maps(rgb, grid)
        names = list(maps)
        stack = np.stack([m.ravel() for name in names for m in maps[name]])  # (K, n)

        act_falloff = grid_distance_falloff(grid, self.sigma_activation * grid[1])
        logs = np.log(np.maximum(stack, 0.0) + _LOG_FLOOR)
        dissimilarity = np.abs(logs[:, :, None] - logs[:, None, :]) + _MIXING_FLOOR
        activation = reversible_equilibrium(dissimilarity * act_falloff)

        norm_falloff = grid_distance_falloff(grid, max(1.0, self.sigma_normalization * grid[1]))
        floor = _MIXING_FLOOR / activation.shape[1]
        normalised = reversible_equilibrium(np.broadcast_to(norm_falloff, (len(activation),) + norm_falloff.shape),
                                            activation + floor)

        saliency = np.zeros(grid[0] * grid[1])
        start = 0
        for name in names:
            count = len(maps[name])
            saliency += normalised[start : start + count].mean(0)
            start += count
        saliency = saliency.reshape(grid)
        if self.blur > 0:
            saliency = ndimage.gaussian_filter(saliency, self.blur * grid[1], mode="nearest")
        return np.maximum(resize_to(saliency, (height, width)), 0.0)


def gbvs(image, **kwargs) -> np.ndarray:
    """GBVS saliency map (H, W) float64 of one (H, W, 3) RGB 0..255 image; kwargs go to :class:`GBVS`."""
    return GBVS(**kwargs).predict_saliency_map(np.asarray(image)[None])[0]
