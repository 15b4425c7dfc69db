"""Figures: heatmap overlays, fixation scatter plots, calibration histograms, model comparisons.

Matplotlib runs with the non-interactive Agg backend (no display needed);
images are uint8 RGB (H, W, 3) arrays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from keras_saliency.atomic_write import atomic_write


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _as_rgb(image) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    if image.ndim != 3 or image.shape[-1] not in (3, 4):
        raise ValueError(f"`image` must be (H, W, 3) RGB; got shape {image.shape}.")
    image = image[..., :3]
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    return image


def normalize_for_display(saliency_map) -> np.ndarray:
    """Min-max scales a map to [0, 1] (a constant map becomes zeros)."""
    saliency_map = np.asarray(saliency_map, dtype=np.float64)
    lo, hi = np.nanmin(saliency_map), np.nanmax(saliency_map)
    return np.zeros_like(saliency_map) if hi == lo else (saliency_map - lo) / (hi - lo)


def colorize(saliency_map, cmap: str = "jet") -> np.ndarray:
    """uint8 RGB rendering of a map with a matplotlib colormap."""
    import matplotlib

    colours = matplotlib.colormaps[cmap](normalize_for_display(saliency_map))[..., :3]
    return (colours * 255).round().astype(np.uint8)


def overlay_heatmap(image, saliency_map, alpha: float = 0.5, cmap: str = "jet") -> np.ndarray:
    """Blends a coloured saliency map over the image: uint8 RGB of the image's size.

    The map must have the image's (H, W); pixels are weighted by
    ``alpha * normalised saliency`` so non-salient regions keep the photo.
    """
    image = _as_rgb(image)
    saliency_map = np.asarray(saliency_map, dtype=np.float64)
    if saliency_map.shape != image.shape[:2]:
        raise ValueError(f"`saliency_map` has shape {saliency_map.shape}, expected the image's {image.shape[:2]}.")
    if not 0 <= alpha <= 1:
        raise ValueError(f"`alpha` must be in [0, 1]; got {alpha}.")
    weight = alpha * normalize_for_display(saliency_map)[..., None]
    blended = (1 - weight) * image + weight * colorize(saliency_map, cmap)
    return blended.round().astype(np.uint8)


def save_image(path, image) -> None:
    """Writes a uint8 RGB array as PNG/JPEG atomically (`keras_saliency.atomic_write`): never half-written."""
    from PIL import Image

    path = Path(path)
    pixels = Image.fromarray(_as_rgb(image))
    atomic_write(path, lambda f: pixels.save(f, format=Image.registered_extensions().get(path.suffix.lower(), "PNG")))


def plot_fixations(image, fixations, ax=None, color: str = "lime", size: float = 12.0):
    """Scatter of fixations (continuous 0-based x, y) over the image; returns the axes."""
    from keras_saliency.fixations import as_fixations

    plt = _pyplot()
    fixations = as_fixations(fixations)
    if ax is None:
        _, ax = plt.subplots()
    ax.imshow(_as_rgb(image), extent=(0, np.shape(image)[1], np.shape(image)[0], 0))
    ax.scatter(fixations.x, fixations.y, s=size, c=color, edgecolors="black", linewidths=0.5)
    ax.set_axis_off()
    return ax


def plot_calibration(counts, ax=None, label: Optional[str] = None):
    """Bar chart of a calibration histogram as fractions, with the calibrated 1/bins line."""
    plt = _pyplot()
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or counts.sum() <= 0:
        raise ValueError("`counts` must be a 1-D histogram with at least one fixation.")
    if ax is None:
        _, ax = plt.subplots()
    bins = np.arange(counts.size)
    ax.bar(bins, counts / counts.sum(), label=label, alpha=0.7)
    ax.axhline(1.0 / counts.size, color="black", linestyle="--", linewidth=1, label="calibrated")
    ax.set_xlabel("bin of equal predicted probability mass (low density first)")
    ax.set_ylabel("fraction of fixations")
    ax.legend()
    return ax


def compare_models(image, saliency_maps: Sequence, names: Sequence[str], path=None, fixations=None):
    """Side-by-side figure: the image (with fixations if given) then one overlay per model."""
    plt = _pyplot()
    if len(saliency_maps) != len(names):
        raise ValueError(f"Got {len(saliency_maps)} maps but {len(names)} names.")
    fig, axes = plt.subplots(1, len(names) + 1, figsize=(3.2 * (len(names) + 1), 3.2))
    if fixations is not None:
        plot_fixations(image, fixations, ax=axes[0])
    else:
        axes[0].imshow(_as_rgb(image))
        axes[0].set_axis_off()
    axes[0].set_title("image")
    for ax, saliency_map, name in zip(axes[1:], saliency_maps, names):
        ax.imshow(overlay_heatmap(image, saliency_map))
        ax.set_title(name)
        ax.set_axis_off()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
        plt.close(fig)
    return fig
