"""Salient regions from an annotated label mask (e.g. OSIE-SR instance masks).

A region is ``(bool mask (H, W), category)``, the form every analysis routine takes; for datasets
without annotations see ``clusters.cluster_regions``.
"""

from typing import Dict, List, Optional, Tuple

import numpy as np


def regions_from_label_mask(label_mask, categories: Optional[Dict[int, str]] = None,
                            background: int = 0) -> List[Tuple[np.ndarray, str]]:
    """One region per label != ``background`` of an integer (H, W) mask, in label order.

    ``categories`` maps label -> category name (e.g. from the semantic mask); default ``"region<k>"``.
    """
    label_mask = np.asarray(label_mask)
    if label_mask.ndim != 2 or not np.issubdtype(label_mask.dtype, np.integer):
        raise ValueError(f"`label_mask` must be an integer (H, W) array; got {label_mask.dtype} {label_mask.shape}.")
    labels = [int(k) for k in np.unique(label_mask) if k != background]
    categories = categories or {}
    missing = [k for k in labels if categories and k not in categories]
    if missing:
        raise ValueError(f"`categories` has no entry for label(s) {missing}.")
    return [(label_mask == k, categories.get(k, f"region{k}")) for k in labels]
