"""`examples/train_deepgaze.py` per-fold claim checks on hand-built fold results (no data, no training)."""

import pytest

SINGLES = ["a #0", "a #1", "b #0", "b #1"]


@pytest.fixture(scope="module")
def dg(load_example):
    return load_example("train_deepgaze")


def _run(ig, calibration):
    """One fold's in-domain rows: ``ig`` and ``calibration`` map row names to IG and bin counts."""
    return {"in_domain": {name: {"information_gain": ig[name], "calibration": calibration.get(name, [5, 5])}
                          for name in ig}}


def test_members_of_parses_every_row_kind(dg):
    assert dg.members_of("a mixture of 2", SINGLES) == ["a #0", "a #1"]
    assert dg.members_of("pair: a #0 + b #0", SINGLES) == ["a #0", "b #0"]
    assert dg.members_of("pair: a #0 + #1", SINGLES) == ["a #0", "a #1"]
    assert dg.members_of("all 2 backbones x 2", SINGLES) == SINGLES
    assert dg.members_of("a #0", SINGLES) is None and dg.members_of("centre bias", SINGLES) is None


def test_fold_comparisons_counts_the_folds_where_each_claim_holds(dg):
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
