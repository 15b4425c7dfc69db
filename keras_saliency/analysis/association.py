"""Associate inner units with salient regions and summarise per layer and category (Tables 2-3).

For every image, region and layer, the region NSS (``region_nss``) of every unit's normalised,
image-sized activation map is computed chunk by chunk and only the (C,) vector is kept. Per
(layer, category): ``top_k_mean`` = mean over the category's regions of the mean NSS of the
region's top-k units; ``n_above`` = mean over regions of the number of units with NSS > T.
"""

import dataclasses
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from keras_saliency.analysis.activations import iter_activation_maps
from keras_saliency.analysis.region_nss import region_nss, top_k_statistics


@dataclasses.dataclass
class LayerCategoryStats:
    """Per-layer, per-category summary; ``unit_nss[layer]`` lists (image, category, (C,) NSS)."""

    unit_nss: Dict[str, List[Tuple[int, str, np.ndarray]]]

    def table(self, k: int = 10, threshold: float = 1.0) -> Dict[str, Dict[str, Tuple[float, float, int]]]:
        """{layer: {category: (mean top-k NSS, mean #units above T, #regions)}}."""
        result: Dict[str, Dict[str, Tuple[float, float, int]]] = {}
        for layer, rows in self.unit_nss.items():
            per_cat = defaultdict(list)
            for _, category, values in rows:
                per_cat[category].append(top_k_statistics(values, k, threshold))
            result[layer] = {
                c: (float(np.mean([s[0] for s in v])), float(np.mean([s[1] for s in v])), len(v))
                for c, v in sorted(per_cat.items())
            }
        return result


def associate_units(
    model,
    images,
    fixation_maps: Sequence[np.ndarray],
    regions: Sequence[Sequence[Tuple[np.ndarray, str]]],
    layer_names: Sequence[str],
    batch_size: int = 8,
    channel_chunk: int = 64,
    mode: Optional[str] = "minmax",
    channel_range=None,
) -> LayerCategoryStats:
    """Region NSS of every unit of ``layer_names`` for every (mask, category) region of every image.

    ``fixation_maps[i]``: (H, W) count map of image i (all images share one (H, W), the size the
    maps are resized to); ``regions[i]``: list of (bool mask (H, W), category). Regions without a
    fixation are skipped (their NSS is undefined).
    """
    if not (len(images) == len(fixation_maps) == len(regions)):
        raise ValueError(f"`images`, `fixation_maps`, `regions` lengths differ: "
                         f"{len(images)}, {len(fixation_maps)}, {len(regions)}.")
    size = np.asarray(fixation_maps[0]).shape
    pending: Dict[Tuple[str, int], Dict[int, List[np.ndarray]]] = defaultdict(lambda: defaultdict(list))
    for layer, i, _, maps in iter_activation_maps(model, images, layer_names, size, batch_size,
                                                   channel_chunk, mode, channel_range):
        for r, (mask, _) in enumerate(regions[i]):
            if (np.asarray(fixation_maps[i]) * mask).sum() > 0:
                pending[(layer, i)][r].append(region_nss(maps, fixation_maps[i], mask))
    unit_nss: Dict[str, List[Tuple[int, str, np.ndarray]]] = {name: [] for name in layer_names}
    for (layer, i), per_region in sorted(pending.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        for r, chunks in sorted(per_region.items()):
            unit_nss[layer].append((i, regions[i][r][1], np.concatenate(chunks)))
    return LayerCategoryStats(unit_nss)


def layer_table(stats: LayerCategoryStats, k: int = 10, threshold: float = 1.0) -> str:
    """Markdown table: rows = layers, columns = categories, cells ``top-k mean / #>T``."""
    table = stats.table(k, threshold)
    categories = sorted({c for per in table.values() for c in per})
    lines = ["| layer | " + " | ".join(categories) + " |", "|---" * (len(categories) + 1) + "|"]
    for layer, per in table.items():
        cells = [f"{per[c][0]:.2f} / {per[c][1]:.1f}" if c in per else "-" for c in categories]
        lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
