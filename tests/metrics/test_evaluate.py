import csv
import io
import json

import numpy as np
import pytest

from keras_saliency import metrics as M
from keras_saliency.density import normalize_log_density
from keras_saliency.fixations import Fixations
from keras_saliency.maps import EmpiricalCenterBias

RNG = np.random.default_rng(0)


def _dataset():
    samples = []
    for k, size in enumerate([(20, 30), (24, 24), (18, 32)]):
        image = RNG.integers(0, 255, size=size + (3,)).astype(np.uint8)
        fix = Fixations(x=RNG.random(6) * size[1], y=RNG.random(6) * size[0], subject=np.arange(6) % 2)
        samples.append({"image": image, "fixations": fix})
    samples.append({"image_size": (10, 10), "fixations": Fixations.empty()})  # no fixations: skipped
    return samples


def _model(image):
    # A deterministic "model": brightness as log-density.
    return normalize_log_density(image.mean(axis=-1) / 40.0)


def test_callable_model_equals_precomputed_maps_and_per_image_functions():
    data = _dataset()
    result = M.evaluate(lambda im: _model(im), data[:3], ["auc_judd", "nss", "cc", "information_gain"])
    maps = [_model(s["image"]) for s in data[:3]]
    assert M.evaluate(maps, data[:3], ["auc_judd", "nss", "cc", "information_gain"]).summary() == result.summary()
    expected_auc = np.mean([M.auc_judd(np.exp(m), s["fixations"]) for m, s in zip(maps, data)])
    assert result.summary()["auc_judd"]["by_image"] == pytest.approx(expected_auc)
    n_fix = sum(len(s["fixations"]) for s in data[:3])
    assert result.per_fixation["nss"].shape == (n_fix,)


def test_images_without_fixations_are_skipped_and_empty_dataset_raises():
    data = _dataset()
    result = M.evaluate([_model(s["image"]) for s in data[:3]] + [np.full((10, 10), -np.log(100))], data, ["nss"])
    assert result.per_image["nss"].shape == (3,)
    with pytest.raises(ValueError, match="no fixations"):
        M.evaluate([np.zeros((10, 10))], [data[3]], ["nss"], kind="saliency")


def test_table_exports():
    data = _dataset()[:3]
    result = M.evaluate(_model, data, ["auc_judd", "sauc", "information_gain", "calibration"],
                        baseline=EmpiricalCenterBias.from_fixations([s["fixations"] for s in data],
                                                           [s["image"].shape[:2] for s in data]))
    markdown = result.to_markdown()
    assert markdown.splitlines()[0] == "| metric | by image | by fixation |"
    assert "| sauc |" in markdown
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert {r["metric"] for r in rows} == {"auc_judd", "sauc", "information_gain"}
    payload = json.loads(result.to_json())
    assert sum(payload["calibration_counts"]) == sum(len(s["fixations"]) for s in data)


def test_argument_errors():
    data = _dataset()[:3]
    with pytest.raises(ValueError, match="Unknown metrics"):
        M.evaluate(_model, data, ["auc"])
    with pytest.raises(ValueError, match="need log-densities"):
        M.evaluate(_model, data, ["information_gain"], kind="saliency")
    with pytest.raises(ValueError, match="Got 1 maps for 3 samples"):
        M.evaluate([np.zeros((2, 2))], data, ["nss"])
    with pytest.raises(ValueError, match="expected the image size"):
        M.evaluate([np.zeros((2, 2))] * 3, data, ["nss"], kind="saliency")


def test_one_metric_name_as_a_string_is_one_metric():
    data = _dataset()[:3]
    result = M.evaluate(_model, data, "nss")
    assert set(result.per_image) == {"nss"}
    assert result.summary() == M.evaluate(_model, data, ["nss"]).summary()
    with pytest.raises(ValueError, match=r"Unknown metrics \['nsss'\]"):
        M.evaluate(_model, data, "nsss")


def test_no_metrics_is_refused():
    with pytest.raises(ValueError, match="`metrics` is empty"):
        M.evaluate(_model, _dataset()[:3], [])
