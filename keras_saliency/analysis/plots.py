"""Figures (matplotlib, Agg backend): top unit maps over the image; bars per category and layer;
model maps on pop-out arrays."""

from typing import Dict, Mapping, Optional, Sequence, Tuple

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
                       ylabel: str = "mean top-10 NSS", error_index: Optional[int] = None) -> None:
    """Grouped bars: x = category, one bar per layer (or model), height = ``cell[index]``, error
    bars ``cell[error_index]`` when given; written as PNG."""
    layers = list(table)
    categories = sorted({c for per in table.values() for c in per})
    width = 0.8 / max(len(layers), 1)
    fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(categories)), 3))
    x = np.arange(len(categories))
    for j, layer in enumerate(layers):
        cells = [table[layer].get(c) for c in categories]
        heights = [np.nan if cell is None else cell[index] for cell in cells]
        errors = None if error_index is None else [np.nan if cell is None else cell[error_index] for cell in cells]
        ax.bar(x + j * width, heights, width, yerr=errors, capsize=2, label=layer)
    ax.set_xticks(x + width * (len(layers) - 1) / 2, categories)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_map_grid(rows: Sequence[Tuple[str, np.ndarray, np.ndarray, Mapping[str, np.ndarray]]], path) -> None:
    """One row per ``(label, image (H, W, 3) in [0, 1], target mask (H, W), {model: map (H, W)})``:
    the image with the mask outlined, then each model's map (own colour scale); written as PNG."""
    models = list(rows[0][3])
    fig, axes = plt.subplots(len(rows), len(models) + 1, figsize=(2.2 * (len(models) + 1), 1.8 * len(rows)),
                             squeeze=False)
    for r, (label, image, mask, maps) in enumerate(rows):
        axes[r, 0].imshow(image)
        axes[r, 0].contour(np.asarray(mask, dtype=float), levels=[0.5], colors="lime", linewidths=0.8)
        axes[r, 0].set_title(label, fontsize=8)
        for ax, name in zip(axes[r, 1:], models):
            ax.imshow(maps[name], cmap="jet")
            ax.contour(np.asarray(mask, dtype=float), levels=[0.5], colors="white", linewidths=0.6)
            ax.set_title(name, fontsize=8)
    for ax in axes.ravel():
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
