"""Empty inputs to functions that cannot work on them raise a ValueError saying so (never zeros or NaN)."""

import numpy as np
import pytest

from keras_saliency import density, maps, metrics
from keras_saliency.evaluation.fold_summary import calibration_error
from keras_saliency.fixations import Fixations

EMPTY = Fixations.empty()


@pytest.mark.parametrize("call, message", [
    (lambda: density.uniform_log_density((0, 3)), "an empty image has no density"),
    (lambda: calibration_error([0, 0, 0]), "holds no fixations"),
    (lambda: calibration_error([]), "holds no fixations"),
    (lambda: maps.EmpiricalCenterBias.fit([], []), "needs at least one fixation"),
    (lambda: maps.EmpiricalCenterBias.fit([EMPTY] * 3, [(4, 5)] * 3), "needs at least one fixation"),
    (lambda: maps.EmpiricalCenterBias.fit([Fixations([1.0], [1.0]), EMPTY], [(4, 5)] * 2),
     "fixations on at least 2 images"),
    (lambda: metrics.evaluate([], []), "`dataset` is empty"),
    (lambda: metrics.DatasetEvaluation([{"fixations": Fixations([1.0], [1.0]), "image_size": (4, 5)}],
                                       ["nss"]).result([]), "No image was evaluated"),
    (lambda: metrics.kld(np.ones((4, 5)), maps.empirical_saliency_map(EMPTY, (4, 5), sigma=1.0)), "sums to 0"),
    (lambda: metrics.sim(np.ones((4, 5)), maps.empirical_saliency_map(EMPTY, (4, 5), sigma=1.0)), "sums to 0"),
])
def test_empty_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_center_bias_fits_on_fewer_images_than_folds():
    """Was a NumPy 'need at least one array to concatenate' with fewer training images than 5 folds."""
    rng = np.random.default_rng(0)
    sets = [Fixations(rng.uniform(0, 20, 30), rng.uniform(0, 10, 30)) for _ in range(3)]
    bias = maps.EmpiricalCenterBias.fit(sets, [(10, 20)] * 3, bandwidths=(0.05, 0.1), uniform_weights=(0.01,))
    assert bias.bandwidth in (0.05, 0.1)
    np.testing.assert_allclose(np.exp(bias.log_density((10, 20))).sum(), 1.0)
