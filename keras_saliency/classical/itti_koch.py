"""The Itti-Koch-Niebur saliency model (IEEE TPAMI 20(11), 1998).

Follows the paper's structure: dyadic Gaussian pyramids (scales 0..8),
intensity, red/green and blue/yellow opponency and four Gabor orientations;
centre-surround differences across scales (c in {2, 3, 4}, s = c + {3, 4});
the map normalisation operator N(.) (scale to [0, 1], then multiply by
``(1 - mean of the other local maxima)^2``); conspicuity maps summed at scale 4
and the saliency map as their mean, upsampled to the image.

Simplifications, stated: pyramids use ``scipy.ndimage.gaussian_filter``
(sigma 1) before each subsampling instead of the 5x5 binomial kernel; local
maxima for N(.) are taken in 3x3 neighbourhoods above 10% of the maximum; the
winner-take-all network and inhibition of return (which produce scanpaths, not
the map) are not part of this saliency-map model.
"""

from __future__ import annotations

from typing import List

import numpy as np
from scipy import ndimage

from keras_saliency.classical._base import ClassicalModel

CENTRES = (2, 3, 4)
DELTAS = (3, 4)
ORIENTATIONS = (0.0, 45.0, 90.0, 135.0)
LEVELS = 9


def gaussian_pyramid(channel: np.ndarray, levels: int = LEVELS) -> List[np.ndarray]:
    """Level 0 is the input; level k is blurred and subsampled k times by 2."""
    pyramid = [channel]
    for _ in range(1, levels):
        blurred = ndimage.gaussian_filter(pyramid[-1], 1.0, mode="reflect")
        pyramid.append(blurred[::2, ::2])
    return pyramid


def resize_to(array: np.ndarray, shape) -> np.ndarray:
    """Bilinear resize (pixel centres aligned) to ``shape``."""
    if array.shape == tuple(shape):
        return array
    zoom = (shape[0] / array.shape[0], shape[1] / array.shape[1])
    out = ndimage.zoom(array, zoom, order=1, mode="nearest", grid_mode=True)[: shape[0], : shape[1]]
    return np.pad(out, [(0, shape[0] - out.shape[0]), (0, shape[1] - out.shape[1])], mode="edge")


def gabor_kernel(theta_degrees: float, wavelength: float = 4.0, sigma: float = 1.8, size: int = 9) -> np.ndarray:
    """Even (cosine) Gabor kernel with zero mean."""
    half = size // 2
    y, x = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float64)
    theta = np.deg2rad(theta_degrees)
    along = x * np.cos(theta) + y * np.sin(theta)
    across = -x * np.sin(theta) + y * np.cos(theta)
    kernel = np.exp(-(along**2 + across**2) / (2 * sigma**2)) * np.cos(2 * np.pi * along / wavelength)
    return kernel - kernel.mean()


def normalize_map(feature: np.ndarray) -> np.ndarray:
    """The N(.) operator: promotes maps with few strong peaks, suppresses uniform ones."""
    feature = feature - feature.min()
    top = feature.max()
    if top <= 0:
        return np.zeros_like(feature)
    feature = feature / top
    peaks = (feature == ndimage.maximum_filter(feature, size=3)) & (feature > 0.1) & (feature < 1.0)
    others = feature[peaks].mean() if peaks.any() else 0.0
    return feature * (1.0 - others) ** 2


def center_surround(pyramid: List[np.ndarray], surround_pyramid: List[np.ndarray] = None) -> List[np.ndarray]:
    """|centre - surround| for every (c, s) pair, at the centre scale."""
    surround_pyramid = pyramid if surround_pyramid is None else surround_pyramid
    maps = []
    for c in CENTRES:
        for delta in DELTAS:
            s = c + delta
            maps.append(np.abs(pyramid[c] - resize_to(surround_pyramid[s], pyramid[c].shape)))
    return maps


def across_scale_sum(maps: List[np.ndarray], shape) -> np.ndarray:
    return sum(normalize_map(resize_to(m, shape)) for m in maps)


class IttiKoch(ClassicalModel):
    """Itti, Koch & Niebur (1998) bottom-up saliency; ``saliency_map(rgb) -> (H, W)`` per image."""

    name = "itti"

    def saliency_map(self, rgb) -> np.ndarray:
        height, width = rgb.shape[:2]
        # Pad to at least 2**8 pixels per side so all nine pyramid levels exist.
        scale = max(1.0, 256.0 / min(height, width))
        if scale > 1.0:
            rgb = np.stack([resize_to(rgb[..., k], (round(height * scale), round(width * scale))) for k in range(3)], -1)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        intensity = (r + g + b) / 3.0
        # Hue is only meaningful where the pixel is bright enough (paper: > 1/10 of the maximum).
        lit = intensity > intensity.max() / 10.0
        norm = np.where(lit, intensity, 1.0)
        r, g, b = (np.where(lit, c / norm, 0.0) for c in (r, g, b))
        red = np.maximum(r - (g + b) / 2, 0)
        green = np.maximum(g - (r + b) / 2, 0)
        blue = np.maximum(b - (r + g) / 2, 0)
        yellow = np.maximum((r + g) / 2 - np.abs(r - g) / 2 - b, 0)

        intensity_pyr = gaussian_pyramid(intensity)
        red_pyr, green_pyr, blue_pyr, yellow_pyr = (gaussian_pyramid(c) for c in (red, green, blue, yellow))
        target = intensity_pyr[4].shape

        intensity_maps = center_surround(intensity_pyr)
        rg = [a - b for a, b in zip(red_pyr, green_pyr)]
        by = [a - b for a, b in zip(blue_pyr, yellow_pyr)]
        gr = [-x for x in rg]
        yb = [-x for x in by]
        colour_maps = [rg_cs + by_cs for rg_cs, by_cs in zip(
            [normalize_map(m) for m in center_surround(rg, gr)],
            [normalize_map(m) for m in center_surround(by, yb)])]

        orientation = np.zeros(target)
        for theta in ORIENTATIONS:
            kernel = gabor_kernel(theta)
            gabor_pyr = [np.abs(ndimage.convolve(level, kernel, mode="reflect")) for level in intensity_pyr]
            orientation += normalize_map(across_scale_sum(center_surround(gabor_pyr), target))

        conspicuity = [across_scale_sum(intensity_maps, target), across_scale_sum(colour_maps, target), orientation]
        saliency = sum(normalize_map(m) for m in conspicuity) / 3.0
        return np.maximum(resize_to(saliency, (height, width)), 0.0)
