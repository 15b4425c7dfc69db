"""The cross-validation protocol on a synthetic dataset: folds, centre bias, gold standard, rows, models."""

import numpy as np
import pytest

from keras_saliency.data import kfold_split
from keras_saliency.density import uniform_log_density
from keras_saliency.evaluation import CENTRE_BIAS, GOLD_STANDARD, METRICS, CrossValidation, EvaluationImages


@pytest.fixture(scope="module")
def protocol(tmp_path_factory, synthetic_images):
    folder = tmp_path_factory.mktemp("images")
    data = EvaluationImages(synthetic_images(folder, count=12), scale=0.5)  # EmpiricalCenterBias.fit needs 5+
    ood = EvaluationImages(synthetic_images(folder, count=3, seed=1, name="ood"), scale=0.5)
    return CrossValidation(data, ood, k=4)


def test_evaluation_images_are_scaled_with_their_fixations_inside(tmp_path, synthetic_images):
    images = synthetic_images(tmp_path, count=2, size=(24, 32))
    data = EvaluationImages(images, scale=0.5)
    assert data.sizes == [(12, 16)] * 2 and data.clipped == 0 and data.name == "toy"
    np.testing.assert_allclose(data.fixations[0].xy, images.fixations[0].xy * 0.5)
    assert data.load_image("toy_1").shape == (12, 16, 3) and data.references[0].shape == (12, 16)
    assert data.samples([1])[0]["fixations"] is data.fixations[1]
    with pytest.raises(ValueError, match="`scale` must be positive"):
        EvaluationImages(images, scale=0)


def test_folds_follow_kfold_split_and_cover_every_image_once(protocol):
    tests = []
    for number in range(protocol.k):
        fold = protocol.fold(number)
        split = kfold_split(protocol.data.ids, number, k=4)
        assert {name: [protocol.data.ids[i] for i in part] for name, part in fold.indices.items()} == split
        tests += fold.indices["test"]
    assert sorted(tests) == list(range(12))


def test_start_scores_the_center_bias_and_the_gold_standard(protocol):
    fold = protocol.fold(0)
    result = protocol.start(fold)
    assert list(result["in_domain"]) == list(result["out_of_domain"]) == [CENTRE_BIAS, GOLD_STANDARD]
    for domain in ("in_domain", "out_of_domain"):
        row = result[domain][CENTRE_BIAS]
        assert set(row) == set(METRICS) | {"calibration"} and row["information_gain"] == pytest.approx(0, abs=1e-12)
        assert result[domain][GOLD_STANDARD]["information_gain"] > 0  # other viewers beat the centre bias
    n_test = sum(len(protocol.data.fixations[i]) for i in fold.indices["test"])
    assert sum(result["in_domain"][CENTRE_BIAS]["calibration"]) == n_test
    assert sum(result["out_of_domain"][CENTRE_BIAS]["calibration"]) == sum(map(len, protocol.ood.fixations))
    protocol.finish(result, "python run.py")
    assert result["gold_standard_bandwidth"] == protocol.bandwidth and result["ood_images"] == 3
    assert result["command"] == "python run.py" and result["training"] == {}


class _Model:
    """A minimal contract model: ``predict_log_density(images) -> (B, H, W)`` from a per-size log-density."""

    def __init__(self, log_density):
        self.log_density, self.seen = log_density, []

    def predict_log_density(self, images):
        self.seen.append(images.shape)
        return np.stack([self.log_density(image.shape[:2]) for image in images]).astype(np.float64)


def test_any_model_with_predict_log_density_is_scored_on_the_same_folds(protocol):
    fold = protocol.fold(1)
    result = protocol.start(fold)
    as_model = _Model(fold.center_bias)
    protocol.add_model(result, fold, "the centre bias as a model", as_model)
    protocol.add_model(result, fold, "uniform", _Model(uniform_log_density))
    assert as_model.seen == [(1, 12, 16, 3)] * (len(fold.indices["test"]) + 3)  # test images, then every OOD image
    for domain in ("in_domain", "out_of_domain"):
        row, bias = result[domain]["the centre bias as a model"], result[domain][CENTRE_BIAS]
        assert row == pytest.approx(bias, abs=1e-6)
        assert result[domain]["uniform"]["information_gain"] < 0  # the fixations are central
        assert result[domain]["uniform"]["log_likelihood"] == pytest.approx(-np.log2(12 * 16))  # bits/fixation
