"""DeepGaze ensembles: row construction, probability-space mixtures and the per-fold claim checks
on hand-built fold results (no data, no training)."""

import numpy as np
from scipy.special import logsumexp

from keras_saliency.zoo.deepgaze import deepgaze_ensembles as dg

SINGLES = ["a #0", "a #1", "b #0", "b #1"]


def test_ensemble_rows_name_every_instance_mixture_pair_and_the_whole():
    predictions = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"]}
    rows = dg.ensemble_rows(predictions, ["a", "b"], 3)
    assert rows == {"a #0": ["a0"], "a #1": ["a1"], "a #2": ["a2"], "b #0": ["b0"], "b #1": ["b1"],
                    "b #2": ["b2"], "a mixture of 3": ["a0", "a1", "a2"], "b mixture of 3": ["b0", "b1", "b2"],
                    "pair: a #0 + #1": ["a0", "a1"], "pair: a #0 + b #0": ["a0", "b0"],
                    "all 2 backbones x 3": ["a0", "a1", "a2", "b0", "b1", "b2"]}
    assert list(dg.ensemble_rows({"a": ["a0"]}, ["a"], 1)) == ["a #0"]


def test_mixture_averages_densities_per_image():
    rng = np.random.default_rng(0)
    members = [[rng.normal(size=(3, 4)) for _ in range(2)] for _ in range(3)]  # 3 members x 2 images
    members = [[m - logsumexp(m) for m in member] for member in members]
    mixed = dg.mixture(members)
    for image, log_density in enumerate(mixed):
        np.testing.assert_allclose(np.exp(log_density), np.mean([np.exp(m[image]) for m in members], axis=0))
    assert dg.ensemble_log_densities([members[0]]) is members[0]


def _run(ig, calibration):
    """One fold's in-domain rows: ``ig`` and ``calibration`` map row names to IG and bin counts."""
    return {"in_domain": {name: {"information_gain": ig[name], "calibration": calibration.get(name, [5, 5])}
                          for name in ig}}


def test_members_of_parses_every_row_kind():
    assert dg.members_of("a mixture of 2", SINGLES) == ["a #0", "a #1"]
    assert dg.members_of("pair: a #0 + b #0", SINGLES) == ["a #0", "b #0"]
    assert dg.members_of("pair: a #0 + #1", SINGLES) == ["a #0", "a #1"]
    assert dg.members_of("all 2 backbones x 2", SINGLES) == SINGLES
    assert dg.members_of("a #0", SINGLES) is None and dg.members_of("centre bias", SINGLES) is None


def test_fold_comparisons_counts_the_folds_where_each_claim_holds():
    base = {"centre bias": 0.0, "a #0": 0.5, "a #1": 0.6, "b #0": 0.7, "b #1": 0.4}
    fold1 = {**base, "a mixture of 2": 0.65, "b mixture of 2": 0.69, "pair: a #0 + b #0": 0.72,
             "all 2 backbones x 2": 0.8}
    fold2 = {**base, "a mixture of 2": 0.55, "b mixture of 2": 0.75, "pair: a #0 + b #0": 0.70,
             "all 2 backbones x 2": 0.69}
    # calibration errors: members 0.0 (a) and 0.4 (b), mean 0.2; the full mixture 0.1 then 0.3
    calibration = {"a #0": [5, 5], "a #1": [5, 5], "b #0": [1, 9], "b #1": [9, 1]}
    runs = [_run(fold1, {**calibration, "all 2 backbones x 2": [4, 6]}),
            _run(fold2, {**calibration, "all 2 backbones x 2": [2, 8]})]
    result = {claim: (holds, folds) for claim, holds, folds in dg.fold_comparisons(runs, "in_domain")}
    assert result == {
        "a mixture of 2 > its best member (IG)": (1, 2),
        "b mixture of 2 > its best member (IG)": (1, 2),
        "pair: a #0 + b #0 > its best member (IG)": (1, 2),
        "all 2 backbones x 2 > its best member (IG)": (1, 2),
        "pair: a #0 + b #0 > a mixture of 2 (IG)": (2, 2),
        "pair: a #0 + b #0 > b mixture of 2 (IG)": (1, 2),
        "all 2 backbones x 2 calibration error < its members' mean": (1, 2),
    }
