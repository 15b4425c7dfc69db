"""DeepGaze IIE ensembles of trained readouts and the per-fold checks of the paper's claims about them.

Row names: ``"<backbone> #<k>"`` (one readout), ``"<backbone> mixture of <n>"`` (its instances),
``"pair: <a> #0 + #1"`` (two instances of one backbone), ``"pair: <a> #0 + <b> #0"`` (two backbones)
and ``"all <m> backbones x <n>"`` (everything); mixtures average densities (probability space).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy.special import logsumexp

from keras_saliency.evaluation import calibration_error


def mixture(members: Sequence[Sequence[np.ndarray]], weights: Optional[Sequence[float]] = None) -> List[np.ndarray]:
    """Per image the log of the mean density of ``members`` (each a list of (H, W) log-densities), or of their
    ``weights``-weighted mean (weights summing to 1)."""
    if weights is None:
        return [logsumexp(np.stack(parts), axis=0) - np.log(len(parts)) for parts in zip(*members)]
    log_weights = np.log(np.asarray(weights, np.float64))[:, None, None]
    return [logsumexp(np.stack(parts) + log_weights, axis=0) for parts in zip(*members)]


def ensemble_rows(predictions: Dict[str, list], names: Sequence[str], instances: int) -> Dict[str, list]:
    """``{row name: member predictions}``: instances, per-backbone mixtures, pairs and the full mixture.

    ``predictions[name][k]`` holds the log-densities of readout ``k`` of backbone ``name``.
    """
    rows = {f"{name} #{k}": [predictions[name][k]] for name in names for k in range(instances)}
    for name in names:
        if instances > 1:
            rows[f"{name} mixture of {instances}"] = predictions[name]
    if instances > 2:
        rows[f"pair: {names[0]} #0 + #1"] = predictions[names[0]][:2]
    if len(names) > 1:
        rows[f"pair: {names[0]} #0 + {names[1]} #0"] = [predictions[names[0]][0], predictions[names[1]][0]]
        rows[f"all {len(names)} backbones x {instances}"] = [p for name in names for p in predictions[name]]
    return rows


def ensemble_log_densities(members: list) -> List[np.ndarray]:
    """A row's log-densities: its single member's, or the mixture of its members."""
    return members[0] if len(members) == 1 else mixture(members)


def members_of(row: str, singles: Sequence[str]) -> Optional[List[str]]:
    """The single-readout rows a mixture row averages (None for a single readout or a baseline)."""
    if row.startswith("all "):
        return list(singles)
    if row.startswith("pair: "):
        first, second = row[len("pair: "):].split(" + ")
        return [first, second if not second.startswith("#") else f"{first.split(' #')[0]} {second}"]
    if " mixture of " in row:
        return [s for s in singles if s.startswith(row.split(" mixture of ")[0] + " #")]
    return None


def fold_comparisons(runs: list, domain: str) -> list:
    """Per-fold tests of the paper's claims: ``[(claim, folds where it holds, folds)]``.

    Mixtures against their best member in IG (beating the members' mean is guaranteed: the log of a
    mean is at least the mean of the logs); each cross-backbone pair against the same-backbone pairs
    of its backbones; the all-backbone mixture's calibration error against its members' mean.
    """
    rows = list(runs[0][domain])
    singles = [r for r in rows if members_of(r, []) is None and " #" in r]
    ig = {r: np.array([run[domain][r]["information_gain"] for run in runs]) for r in rows}
    out = []
    for row in rows:
        members = members_of(row, singles)
        if members:
            best = np.max([ig[m] for m in members], axis=0)
            out.append((f"{row} > its best member (IG)", int(np.sum(ig[row] > best)), len(runs)))
    same = [r for r in rows if (m := members_of(r, singles)) and len(m) == 2
            and len({x.split(" #")[0] for x in m}) == 1]
    for cross in (r for r in rows if r.startswith("pair: ") and r not in same):
        backbones = {x.split(" #")[0] for x in members_of(cross, singles)}
        for row in (r for r in same if members_of(r, singles)[0].split(" #")[0] in backbones):
            out.append((f"{cross} > {row} (IG)", int(np.sum(ig[cross] > ig[row])), len(runs)))
    for row in (r for r in rows if r.startswith("all ")):
        error = {r: np.array([calibration_error(run[domain][r]["calibration"]) for run in runs])
                 for r in [row, *singles]}
        members_mean = np.mean([error[s] for s in singles], axis=0)
        out.append((f"{row} calibration error < its members' mean", int(np.sum(error[row] < members_mean)),
                    len(runs)))
    return out
