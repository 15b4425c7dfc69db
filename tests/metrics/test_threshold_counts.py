"""The bucketed threshold counts behind AUC-Judd equal brute-force counts, also where float32 buckets blur values."""

import numpy as np
import pytest

from keras_saliency.metrics.auc import _counts_at_least


CASES = ["normal", "ties", "large_offset", "tiny_range", "thresholds_outside"]


@pytest.mark.parametrize("case", CASES)
def test_counts_equal_brute_force(case):
    rng = np.random.default_rng(CASES.index(case))
    n = 200_000  # above the size where bucketing starts (16 * 8192)
    values = {"normal": rng.normal(size=n),
              "ties": rng.integers(0, 50, n).astype(np.float64) / 7,
              "large_offset": 1e6 + rng.normal(scale=1e-3, size=n),  # float32 cannot tell most of these apart
              "tiny_range": 1.0 + rng.uniform(0, 1e-12, n),
              "thresholds_outside": rng.uniform(0, 1, n)}[case]
    thresholds = np.unique(np.concatenate([rng.choice(values, 60), [values.min(), values.max() + 1.0]]))
    if case == "thresholds_outside":
        thresholds = np.unique(np.concatenate([thresholds, [-5.0, 0.5, 7.0]]))
    expected = np.array([(values >= t).sum() for t in thresholds])
    np.testing.assert_array_equal(_counts_at_least(values, thresholds), expected)
    np.testing.assert_array_equal(_counts_at_least(values, thresholds, value_range=(values.min(), values.max())),
                                  expected)
