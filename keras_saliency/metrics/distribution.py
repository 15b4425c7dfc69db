"""Distribution-based metrics comparing two maps: CC, KLD, SIM.

``reference_map`` is usually the empirical saliency map
(:func:`keras_saliency.maps.empirical_saliency_map`). Both maps must have the
same shape unless ``resize=True`` (the saliency map is zoomed bilinearly to
the reference, as pysaliency does).
"""

from __future__ import annotations

import numpy as np

from keras_saliency.metrics._inputs import MATLAB_EPS, check_convention, dot, finite_sum, minmax, two_maps

PYSALIENCY_EPS = 2.2204e-16  # pysaliency's MIT_KLDiv uses this truncated constant, MATLAB uses eps

KLD_CONVENTIONS = ("pysaliency", "mit", "pysaliency_kldiv")


def _to_distribution(name: str, array: np.ndarray, subtract_negative_min: bool = True) -> np.ndarray:
    if subtract_negative_min and array.min() < 0:
        array = array - array.min()
    total = array.sum()
    if not total > 0:
        raise ValueError(f"`{name}` sums to {total:g}: it cannot be normalised to a distribution.")
    return array / total


def _mass(name: str, array: np.ndarray):
    """(array shifted to min 0 if its min is negative, its positive sum); validates through the sum."""
    total = finite_sum(name, array)
    low = array.min()
    if low < 0:
        array = array - low
        total = finite_sum(name, array)
    if not total > 0:
        raise ValueError(f"`{name}` sums to {total:g}: it cannot be normalised to a distribution.")
    return array, total


def cc(saliency_map, reference_map, *, resize: bool = False) -> float:
    """Pearson correlation over all pixels (same in pysaliency and ``CC.m``).

    A constant map has no linear relation to anything and scores 0 (MATLAB:
    NaN); a map whose std is below 1e-12 of its mean counts as constant (its
    float std is rounding noise).
    """
    a, b = two_maps(saliency_map, reference_map, resize, validate=False)
    mean_a = finite_sum("saliency_map", a) / a.size  # validates through the sum; no extra pass
    mean_b = finite_sum("reference_map", b) / b.size
    a, b = (a - mean_a).ravel(), (b - mean_b).ravel()  # one temporary per map
    aa, bb = dot(a, a), dot(b, b)
    if aa <= 1e-24 * mean_a * mean_a * a.size or bb <= 1e-24 * mean_b * mean_b * b.size:
        return 0.0
    return float(dot(a, b) / np.sqrt(aa * bb))


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
    if convention == "pysaliency":  # float64 throughout, in place: one map-sized temporary
        s, r = two_maps(saliency_map, reference_map, resize, validate=False)
        s, s_total = _mass("saliency_map", s)
        r, r_total = _mass("reference_map", r)
        t = np.divide(s, s_total)
        t += PYSALIENCY_EPS
        np.divide(r, t, out=t)
        t /= r_total
        t += PYSALIENCY_EPS
        np.log(t, out=t)
        return float(dot(r, t) / r_total)
    s, r = two_maps(saliency_map, reference_map, resize)
    if convention == "pysaliency_kldiv":
        s = _to_distribution("saliency_map", s - min(s.min(), 0) + 1e-20)
        r = _to_distribution("reference_map", r - min(r.min(), 0) + 1e-20)
        return float((r * (np.log(r) - np.log(s))).sum())
    s = _to_distribution("saliency_map", s, False)
    r = _to_distribution("reference_map", r, False)
    return float((r * np.log(MATLAB_EPS + r / (s + MATLAB_EPS))).sum())


def sim(saliency_map, reference_map, *, convention: str = "pysaliency", resize: bool = False) -> float:
    """Similarity (histogram intersection) ``sum(min(p, q))`` of the two normalised maps.

    ``"pysaliency"``: each map divided by its sum (min subtracted only if
    negative). ``"mit"`` (``similarity.m``): each map min-max normalised to
    [0, 1] first, so its minimum pixel gets zero mass.
    """
    check_convention(convention)
    if convention == "mit":
        s, r = two_maps(saliency_map, reference_map, resize)
        s, r = minmax(s), minmax(r)
        return float(np.minimum(_to_distribution("saliency_map", s), _to_distribution("reference_map", r)).sum())
    s, r = two_maps(saliency_map, reference_map, resize, validate=False)
    s, s_total = _mass("saliency_map", s)
    r, r_total = _mass("reference_map", r)
    p = np.divide(s, s_total)
    np.minimum(p, np.divide(r, r_total), out=p)
    return float(p.sum())
