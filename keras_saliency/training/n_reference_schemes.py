"""The n-reference transfer schemes (Luo et al., ECCV 2020, Table 1) for any model factory.

Per seed, with n target "references" (shots) drawn from the target pool:

* ``TR``: train on the source only;
* ``TR-Ref``: train on the source with :class:`ReferenceGuidedModel` on the n target references;
* ``FT``: TR, then fine-tune on the n target shots;
* ``FT|Ref``: TR-Ref, then fine-tune on the n target shots;
* ``FT w/o TR``: fine-tune a fresh model on the n target shots only;
* ``upper``: the 3-fold "empirical upper bound", trained on 2/3 of the target and tested on the rest.

The target pool is split in 3 folds per seed (a seeded permutation): fold 0 is the test set, the shots
are the first n of folds 1-2, and all 3 folds serve the upper bound. Models map inputs to (B, h, w)
maps on the output grid; targets are the fixation counts blurred with sigma 1 output pixel and
normalised to sum 1, the loss :class:`TotalVariationDistance` (Adam). Scores: NSS, AUC-Judd and CC
(against the same dense maps) on the held-out target images.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Callable, Dict, List, Sequence

import keras
import numpy as np

from keras_saliency.losses import TotalVariationDistance
from keras_saliency.maps import empirical_saliency_map
from keras_saliency.metrics import auc_judd, cc, nss
from keras_saliency.training.reference_guided import ReferenceGuidedModel

SCORES = ("NSS", "AUC", "CC")


@dataclasses.dataclass(frozen=True)
class SchemeTraining:
    """Source / reference-guided training ``epochs``, fine-tuning ``ft_epochs``, ``batch``, Adam ``lr``."""

    epochs: int = 3
    ft_epochs: int = 10
    batch: int = 10
    lr: float = 5e-5
    run_eagerly: bool = False


def reference_batch_size(n: int) -> int:
    """References per step for ``n`` shots: 1, 3, 5 for 1, 5, 10 (the reference script), else n // 2."""
    return {1: 1, 5: 3, 10: 5}.get(n, max(1, n // 2))


def dense_targets(fixations: Sequence, grid) -> np.ndarray:
    """float32 (N, h, w) targets: fixation counts on ``grid`` blurred with sigma 1 pixel, each summing to 1."""
    maps = np.stack([empirical_saliency_map(f, grid, sigma=1.0) for f in fixations]).astype(np.float32)
    return maps / np.maximum(maps.sum(axis=(1, 2), keepdims=True), 1e-12)


def fit(model: keras.Model, x, y, training: SchemeTraining, epochs: int, refs=None, seed: int = 0) -> keras.Model:
    """Trains ``model`` on (x, y) for ``epochs``; with ``refs = (x_ref, y_ref)`` reference-guided."""
    net = model if refs is None else ReferenceGuidedModel(model, refs[0], refs[1],
                                                          n_ref=reference_batch_size(len(refs[0])), seed=seed)
    net.compile(optimizer=keras.optimizers.Adam(training.lr), loss=TotalVariationDistance(),
                run_eagerly=training.run_eagerly)
    net.fit(x, y, batch_size=training.batch, epochs=epochs, verbose=0, shuffle=True)
    return model


def evaluate(model: keras.Model, x, fixations: Sequence, grid) -> Dict[str, float]:
    """Image means of NSS, AUC-Judd and CC of the model's maps of ``x`` (fixations on ``grid``)."""
    pred = keras.ops.convert_to_numpy(model.predict(x, verbose=0))
    ref = dense_targets(fixations, grid)
    rows = [(nss(p, f), auc_judd(p, f), cc(p, r)) for p, f, r in zip(pred, fixations, ref)]
    return dict(zip(SCORES, np.mean(rows, axis=0).tolist()))


def run_schemes(make_model: Callable[[int], keras.Model], source, target, grid, n_values: Sequence[int],
                seeds: Sequence[int], training: SchemeTraining,
                log: Callable[[str], None] = print) -> Dict[str, List[Dict[str, float]]]:
    """Every scheme for every seed and n: ``{"upper" | "TR" | "<scheme> n=<n>": [scores per seed]}``.

    ``make_model(seed)`` returns a fresh seeded model; ``source`` and ``target`` are ``(inputs,
    fixations)`` with the fixations on the model's output ``grid`` (h, w). Needs at least 3 + max(n)
    target images (3 folds, shots outside the test fold).
    """
    xs, fs = source
    xt, ft = target
    if len(xt) < 3 + max(n_values):
        raise ValueError(f"need at least 3 + max(n) = {3 + max(n_values)} target images; got {len(xt)}.")
    ys, yt = dense_targets(fs, grid), dense_targets(ft, grid)
    table = {}
    for seed in seeds:
        folds = np.array_split(np.random.default_rng(seed).permutation(len(xt)), 3)
        test = folds[0]
        test_fixations = [ft[i] for i in test]
        upper = []
        for k in range(3):
            train = np.concatenate([folds[j] for j in range(3) if j != k])
            model = fit(make_model(seed), xt[train], yt[train], training, training.epochs)
            upper.append(evaluate(model, xt[folds[k]], [ft[i] for i in folds[k]], grid))
        table.setdefault("upper", []).append({k: float(np.mean([s[k] for s in upper])) for k in upper[0]})
        log(f"seed {seed}: upper {table['upper'][-1]}")
        tr_model = fit(make_model(seed), xs, ys, training, training.epochs)
        table.setdefault("TR", []).append(evaluate(tr_model, xt[test], test_fixations, grid))
        log(f"seed {seed}: TR {table['TR'][-1]}")
        pool = np.concatenate(folds[1:])
        for n in n_values:
            refs = (xt[pool[:n]], yt[pool[:n]])
            scores = {}
            ref_model = fit(make_model(seed), xs, ys, training, training.epochs, refs=refs, seed=seed)
            scores["TR-Ref"] = evaluate(ref_model, xt[test], test_fixations, grid)
            for name, base in (("FT", tr_model), ("FT|Ref", ref_model), ("FT w/o TR", None)):
                model = make_model(seed)
                model.set_weights((base or model).get_weights())
                fit(model, refs[0], refs[1], training, training.ft_epochs)
                scores[name] = evaluate(model, xt[test], test_fixations, grid)
            log(f"seed {seed}: n={n} " + json.dumps({k: round(v["NSS"], 3) for k, v in scores.items()}))
            for name, value in scores.items():
                table.setdefault(f"{name} n={n}", []).append(value)
    return table


def summarise(table: Dict[str, List[Dict[str, float]]]) -> Dict[str, Dict[str, List[float]]]:
    """``{row: {score: [mean, std over seeds]}}`` of :func:`run_schemes`' table (std with ddof 0)."""
    return {k: {m: [float(np.mean([r[m] for r in v])), float(np.std([r[m] for r in v]))] for m in v[0]}
            for k, v in table.items()}
