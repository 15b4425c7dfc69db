"""Readout pre-training on another dataset, then every fold's readouts start from it (DeepGaze IIE's SALICON stage)."""

from types import SimpleNamespace

import numpy as np
import pytest

from keras_saliency.evaluation import CrossValidation, EvaluationImages
from keras_saliency.zoo.deepgaze import deepgaze_protocol
from keras_saliency.zoo.deepgaze import (DeepGazeII, ReadoutTraining, cache_features, pretrain_readouts,
                                         pretraining_split, standin_extractor, train_readouts)


def _weights(path, instances=2):
    model = DeepGazeII(standin_extractor(), n_components=instances)
    model.readout_model().load_weights(path)
    return np.concatenate([np.ravel(w) for w in model.readout_model().get_weights()])


def test_pretrained_readouts_are_where_every_fold_starts(tmp_path, synthetic_images, monkeypatch):
    folder = tmp_path / "images"
    folder.mkdir()
    protocol = CrossValidation(EvaluationImages(synthetic_images(folder, count=12, size=(64, 96))), k=4)
    other = EvaluationImages(synthetic_images(folder, count=8, size=(64, 96), seed=2, name="other"))
    extractors = {"standin": standin_extractor()}
    lines = []
    pretrain = ReadoutTraining(instances=2, epochs=3, patience=None, batch_size=4)
    paths = pretrain_readouts(extractors, other, pretrain, tmp_path / "run", log=lines.append)
    assert paths == {"standin": tmp_path / "run" / "standin_pretrained_other.weights.h5"} and paths["standin"].is_file()
    assert lines[0].startswith("standin #0 pre-trained on other: 3 epochs") and "7 images" in lines[-1]

    caches = cache_features(extractors, protocol, log=lines.append)
    training = ReadoutTraining(instances=2, epochs=1, patience=None, batch_size=4)
    fold = protocol.fold(0)
    result = protocol.start(fold)
    train_readouts(protocol, fold, extractors, caches, training, tmp_path, result, log=lines.append,
                   initial_weights=paths)
    assert result["training"]["standin #1"]["initialised_from"] == "standin_pretrained_other.weights.h5"
    assert not np.allclose(_weights(tmp_path / "standin_fold0.weights.h5"), _weights(paths["standin"]))
    # without the fine-tuning step, a fold's readouts are exactly the pre-trained ones
    monkeypatch.setattr(deepgaze_protocol, "fit_readout",
                        lambda *a, **k: SimpleNamespace(history={"loss": [0.0], "val_ig": [0.0]}))
    train_readouts(protocol, fold, extractors, caches, training, tmp_path, protocol.start(fold), log=lines.append,
                   initial_weights=paths)
    np.testing.assert_array_equal(_weights(tmp_path / "standin_fold0.weights.h5"), _weights(paths["standin"]))
    train_readouts(protocol, fold, extractors, caches, training, tmp_path, protocol.start(fold), log=lines.append)
    assert not np.allclose(_weights(tmp_path / "standin_fold0.weights.h5"), _weights(paths["standin"]))

    lines.clear()  # a second call finds the file and trains nothing
    assert pretrain_readouts(extractors, other, pretrain, tmp_path / "run", log=lines.append) == paths
    assert lines == ["standin: pre-trained readouts found in standin_pretrained_other.weights.h5"]
    with pytest.raises(ValueError, match="not 3 readouts of backbone 'standin'"):
        train_readouts(protocol, fold, extractors, caches, ReadoutTraining(instances=3, epochs=1), tmp_path,
                       protocol.start(fold), log=lines.append, initial_weights=paths)


def test_pretraining_split_holds_out_a_seeded_fraction():
    split = pretraining_split(20, 0.1, seed=0)
    assert len(split["validation"]) == 2 and sorted(split["train"] + split["validation"]) == list(range(20))
    assert split == pretraining_split(20, 0.1, seed=0) != pretraining_split(20, 0.1, seed=1)
    assert len(pretraining_split(3, 0.1, seed=0)["validation"]) == 1
    with pytest.raises(ValueError, match="at least 2 images"):
        pretraining_split(1, 0.1, seed=0)
    with pytest.raises(ValueError, match=r"`validation_fraction` must be in \(0, 1\)"):
        pretraining_split(10, 1.0, seed=0)
