"""Distribution-based metrics comparing two maps: CC, KLD, SIM.

``reference_map`` is usually the empirical saliency map
(:func:`keras_saliency.maps.empirical_saliency_map`). Both maps must have the
same shape unless ``resize=True`` (the saliency map is zoomed bilinearly to
the reference, as pysaliency does).
"""

from __future__ import annotations

import numpy as np

from keras_saliency.metrics._inputs import MATLAB_EPS, check_convention, minmax, two_maps

PYSALIENCY_EPS = 2.2204e-16  # pysaliency's MIT_KLDiv uses this truncated constant, MATLAB uses eps

KLD_CONVENTIONS = ("pysaliency", "mit", "pysaliency_kldiv")


def _to_distribution(name: str, array: np.ndarray, subtract_negative_min: bool = True) -> np.ndarray:
    if subtract_negative_min and array.min() < 0:
        array = array - array.min()
    total = array.sum()
    if not total > 0:
        raise ValueError(f"`{name}` sums to {total:g}: it cannot be normalised to a distribution.")
    return array / total


def cc(saliency_map, reference_map, *, resize: bool = False) -> float:
    """Pearson correlation over all pixels (same in pysaliency and ``CC.m``).

    A constant map has no linear relation to anything and scores 0 (MATLAB: NaN).
    """
    a, b = two_maps(saliency_map, reference_map, resize)
    if a.max() == a.min() or b.max() == b.min():
        return 0.0
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def kld(saliency_map, reference_map, *, convention: str = "pysaliency", resize: bool = False) -> float:
    """KL divergence of the saliency distribution from the reference distribution.

    ``"pysaliency"`` (default; = pysaliency ``MIT_KLDiv``, the MIT benchmark
    definition): maps normalised to sum 1 (the min is subtracted first only if
    negative), ``sum(ref * log(eps + ref / (sal + eps)))`` with ``eps =
    2.2204e-16``. ``"mit"``: ``KLdiv.m`` as written (no min subtraction,
    MATLAB ``eps = 2.220446049250313e-16``; differs in the 7th digit on maps
    with exact zeros).
    ``"pysaliency_kldiv"``: pysaliency ``KLDiv`` defaults (both maps + 1e-20
    before normalising, ``sum(ref * (log ref - log sal))``).
    """
    check_convention(convention, KLD_CONVENTIONS)
    s, r = two_maps(saliency_map, reference_map, resize)
    if convention == "pysaliency_kldiv":
        s = _to_distribution("saliency_map", s - min(s.min(), 0) + 1e-20)
        r = _to_distribution("reference_map", r - min(r.min(), 0) + 1e-20)
        return float((r * (np.log(r) - np.log(s))).sum())
    pysaliency = convention == "pysaliency"
    eps = PYSALIENCY_EPS if pysaliency else MATLAB_EPS
    s = _to_distribution("saliency_map", s, pysaliency)
    r = _to_distribution("reference_map", r, pysaliency)
    return float((r * np.log(eps + r / (s + eps))).sum())


def sim(saliency_map, reference_map, *, convention: str = "pysaliency", resize: bool = False) -> float:
    """Similarity (histogram intersection) ``sum(min(p, q))`` of the two normalised maps.

    ``"pysaliency"``: each map divided by its sum (min subtracted only if
    negative). ``"mit"`` (``similarity.m``): each map min-max normalised to
    [0, 1] first, so its minimum pixel gets zero mass.
    """
    check_convention(convention)
    s, r = two_maps(saliency_map, reference_map, resize)
    if convention == "mit":
        s, r = minmax(s), minmax(r)
    return float(np.minimum(_to_distribution("saliency_map", s), _to_distribution("reference_map", r)).sum())
