"""NMM, the normalised mean under the mask (He et al. Tables 4-6).

Definition used here (the brief's and the paper's pop-out measure): standardise the map over the
whole image, ``Z = (S - mean(S)) / std(S)`` (population std), and average ``Z`` over the mask
pixels: ``NMM(S, M) = mean_{p in M} Z(p)``. It is NSS with every mask pixel as a "fixation"; a
constant map scores 0. The map must already be at the mask's resolution.
"""

import numpy as np

from keras_saliency.analysis.region_nss import region_nss


def nmm_maps(maps, mask) -> np.ndarray:
    """NMM of each of ``maps`` (C, H, W) under ``mask`` (H, W, bool) -> (C,)."""
    mask = np.asarray(mask)
    if not mask.astype(bool).any():
        raise ValueError("`mask` is empty: NMM is undefined.")
    return region_nss(maps, mask.astype(np.float64), None)


def nmm(saliency_map, mask) -> float:
    """NMM of one (H, W) map under ``mask`` (H, W)."""
    saliency_map = np.asarray(saliency_map)
    if saliency_map.ndim != 2:
        raise ValueError(f"`saliency_map` must be (H, W); got {saliency_map.shape}.")
    return float(nmm_maps(saliency_map[None], mask)[0])
