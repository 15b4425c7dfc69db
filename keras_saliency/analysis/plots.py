"""Figures (matplotlib, Agg backend): top unit maps over the image; bars per category and layer."""

from typing import Dict, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_top_units(image, region_mask, maps: Sequence[np.ndarray], scores: Sequence[float], path) -> None:
    """Image with region outline, then each (H, W) map overlaid on the image; written as PNG."""
    n = len(maps)
    fig, axes = plt.subplots(1, n + 1, figsize=(3 * (n + 1), 2.6))
    axes[0].imshow(image)
    axes[0].contour(np.asarray(region_mask, dtype=float), levels=[0.5], colors="lime")
    axes[0].set_title("region")
    for ax, m, s in zip(axes[1:], maps, scores):
        ax.imshow(image)
        ax.imshow(m, cmap="jet", alpha=0.5)
        ax.set_title(f"NSS {s:.2f}")
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_category_bars(table: Dict[str, Dict[str, Sequence[float]]], path, index: int = 0,
                       ylabel: str = "mean top-10 NSS") -> None:
    """Grouped bars: x = category, one bar per layer, height = ``cell[index]``; written as PNG."""
    layers = list(table)
    categories = sorted({c for per in table.values() for c in per})
    width = 0.8 / max(len(layers), 1)
    fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(categories)), 3))
    x = np.arange(len(categories))
    for j, layer in enumerate(layers):
        ax.bar(x + j * width, [table[layer].get(c, (np.nan,) * (index + 1))[index] for c in categories],
               width, label=layer)
    ax.set_xticks(x + width * (len(layers) - 1) / 2, categories)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
