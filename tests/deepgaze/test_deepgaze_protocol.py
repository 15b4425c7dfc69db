"""DeepGaze training on the cross-validation protocol: one fold of readouts on a stand-in backbone, summary."""

import json

import numpy as np
import pytest

from keras_saliency.evaluation import CENTRE_BIAS, GOLD_STANDARD, CrossValidation, EvaluationImages
from keras_saliency.zoo.deepgaze import (DeepGazeII, ReadoutTraining, add_ensemble_rows, cache_features, run_fold,
                                         standin_extractor, train_readouts)
from keras_saliency.zoo.deepgaze import summarise


@pytest.fixture(scope="module")
def protocol(tmp_path_factory, synthetic_images):
    folder = tmp_path_factory.mktemp("images")
    data = EvaluationImages(synthetic_images(folder, count=12, size=(64, 96)))
    ood = EvaluationImages(synthetic_images(folder, count=2, size=(64, 96), seed=1, name="ood"))
    return CrossValidation(data, ood, k=4)


def test_one_fold_trains_scores_and_saves_every_readout(protocol, tmp_path):
    extractors = {"standin": standin_extractor()}
    lines = []
    caches = cache_features(extractors, protocol, log=lines.append)
    assert [f.shape[:2] for f in caches["standin"]["in_domain"]] == [(2, 3)] * 12  # 64x96 / 2 / 16, rounded up
    training = ReadoutTraining(instances=2, epochs=1, patience=None, batch_size=4)
    result = run_fold(protocol, 0, extractors, caches, training, tmp_path, log=lines.append)
    rows = [CENTRE_BIAS, GOLD_STANDARD, "standin #0", "standin #1", "standin mixture of 2"]
    assert list(result["in_domain"]) == list(result["out_of_domain"]) == rows
    assert set(result["training"]) == {"standin #0", "standin #1"}
    assert result["training"]["standin #0"]["epochs"] == 1
    assert lines[0].startswith("standin: features in") and lines[1].startswith("fold 0 standin #0: {'epochs': 1")
    # the saved readouts are the trained ones: loaded into a fresh model they predict the same log-densities
    model = DeepGazeII(standin_extractor(), n_components=2)
    model.readout_model().load_weights(tmp_path / "standin_fold0.weights.h5")
    assert model.readouts[0].finalizer.sigma.numpy() == pytest.approx(result["training"]["standin #0"]["sigma"])
    mean_ig = np.mean([result["in_domain"][f"standin #{k}"]["information_gain"] for k in range(2)])
    assert result["in_domain"]["standin mixture of 2"]["information_gain"] >= mean_ig - 1e-9
    # a resumed fold loads the saved readouts instead of training: the same test-fold scores
    resumed = protocol.start(protocol.fold(0))
    predictions, _ = train_readouts(protocol, protocol.fold(0), extractors, caches, training, tmp_path, resumed,
                                    log=lines.append, reuse_saved=True)
    add_ensemble_rows(protocol, protocol.fold(0), resumed, predictions, ["standin"], 2)
    assert resumed["training"]["standin #0"] == {"loaded": "standin_fold0.weights.h5"}
    for row in ("standin #0", "standin mixture of 2"):
        assert resumed["in_domain"][row]["information_gain"] == pytest.approx(
            result["in_domain"][row]["information_gain"], abs=1e-6)

    protocol.finish(result, "python train.py")
    (tmp_path / "fold0.json").write_text(json.dumps(result))
    summary = summarise(tmp_path)
    assert [c["claim"] for c in summary["comparisons"]["in_domain"]] == ["standin mixture of 2 > its best member (IG)"]
    text = (tmp_path / "summary.md").read_text()
    assert "## Per-fold comparisons" in text and "| standin #1 | 1 | fresh | 1.0 |" in text
