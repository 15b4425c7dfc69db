"""Reproducible dataset splits by image id.

* :func:`kfold_split`: K-fold cross-validation as in DeepGaze IIE's MIT1003 training
  (10 folds; fold ``i`` is the test fold, the next fold the validation fold, the rest
  training). Images are assigned to folds by a seeded permutation of the sorted ids, so
  the assignment depends only on the ids and the seed (it is not pysaliency's assignment).
* :func:`few_shot_split`: n-reference transfer (n target images used as references /
  training shots, a validation set, the rest for testing), drawn from a seed.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np


def _sorted_unique(image_ids: Sequence[str]) -> List[str]:
    ids = sorted({str(i) for i in image_ids})
    if len(ids) != len(image_ids):
        raise ValueError(f"`image_ids` has {len(image_ids) - len(ids)} duplicates.")
    return ids


def fold_of(image_ids: Sequence[str], k: int = 10, seed: int = 0) -> Dict[str, int]:
    """{image id: fold in 0..k-1}; fold sizes differ by at most one."""
    ids = _sorted_unique(image_ids)
    if not 2 <= k <= len(ids):
        raise ValueError(f"`k` must be between 2 and the number of images ({len(ids)}); got {k}.")
    order = np.random.default_rng(seed).permutation(len(ids))
    return {ids[j]: int(rank % k) for rank, j in enumerate(order)}


def kfold_split(
    image_ids: Sequence[str], fold: int, k: int = 10, seed: int = 0, val_folds: int = 1
) -> Dict[str, List[str]]:
    """{"train", "validation", "test"} sorted id lists for cross-validation ``fold``.

    Test = fold ``fold``; validation = the ``val_folds`` folds after it (mod k); train = the rest.
    """
    if not 0 <= fold < k:
        raise ValueError(f"`fold` must be in [0, {k}); got {fold}.")
    if not 0 <= val_folds <= k - 2:
        raise ValueError(f"`val_folds` must be in [0, {k - 2}]; got {val_folds}.")
    folds = fold_of(image_ids, k, seed)
    val = {(fold + 1 + i) % k for i in range(val_folds)}
    split = {"train": [], "validation": [], "test": []}
    for image_id, f in sorted(folds.items()):
        name = "test" if f == fold else "validation" if f in val else "train"
        split[name].append(image_id)
    return split


def few_shot_split(
    image_ids: Sequence[str], n_references: int, n_validation: int, seed: int = 0
) -> Dict[str, List[str]]:
    """{"references", "validation", "test"} sorted id lists; sizes n, n_validation, rest."""
    ids = _sorted_unique(image_ids)
    if n_references < 1 or n_validation < 0 or n_references + n_validation >= len(ids):
        raise ValueError(
            f"need 1 <= n_references and n_references + n_validation < {len(ids)} images; "
            f"got n_references={n_references}, n_validation={n_validation}."
        )
    order = [ids[j] for j in np.random.default_rng(seed).permutation(len(ids))]
    return {
        "references": sorted(order[:n_references]),
        "validation": sorted(order[n_references:n_references + n_validation]),
        "test": sorted(order[n_references + n_validation:]),
    }
