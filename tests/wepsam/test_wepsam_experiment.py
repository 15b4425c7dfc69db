"""The WEPSAM experiment's pieces: fine-tuning sets from the MIT1003 loader, baselines, the generated report."""

from pathlib import Path

import numpy as np
import pytest

from keras_saliency.data import read_fixation_images
from keras_saliency.zoo.wepsam import ROWS, FineTuneSet
from keras_saliency.zoo.wepsam import wepsam_experiment, wepsam_report
from keras_saliency.zoo.wepsam.wepsam_experiment import METRICS, PRE, RND

MIT1003_DUMMY = Path(__file__).resolve().parents[2] / "tfds_builders" / "mit1003" / "dummy_data"


def test_fine_tune_set_holds_network_inputs_targets_and_originals():
    images = read_fixation_images("mit1003", MIT1003_DUMMY)
    data = FineTuneSet(images, [2, 0], keep_originals=True)
    assert data.ids == [images.ids[2], images.ids[0]] and data.sizes == [images.sizes[2], images.sizes[0]]
    assert data.inputs.shape == (2, 128, 128, 3) and data.inputs.dtype == np.uint8
    assert data.targets.shape == (2, 128, 128) and data.targets.min() == 0 and data.targets.max() == 1
    assert [o.shape[:2] for o in data.originals] == data.sizes
    assert all(f.inside(s).all() for f, s in zip(data.fixations, data.sizes))
    scores = data.evaluate(wepsam_experiment.mean_target_maps(data.targets.mean(0), data.sizes))
    assert set(scores) == set(METRICS) and 0 <= scores["auc_judd"] <= 1
    assert FineTuneSet(images, [1], keep_originals=False).originals == []


def test_too_few_images_for_the_split_is_a_clear_error():
    with pytest.raises(ValueError, match="between 2 and the number of images"):
        wepsam_experiment.load_finetune_sets(MIT1003_DUMMY)  # 3 images, 10 folds


def test_mean_map_mse_is_the_error_of_a_constant_prediction():
    train = np.stack([np.zeros((2, 2)), np.ones((2, 2))])
    assert wepsam_experiment.mean_map_mse(train, np.full((1, 2, 2), 0.5)) == 0.0
    assert wepsam_experiment.mean_map_mse(train, train) == 0.25


def _report():
    table = {name: {m: [0.5, 0.5] for m in METRICS} for name in ROWS}
    table["WEPSAM pre-trained + fine-tuned"]["nss"] = [1.5, 1.6]  # clearly better than random init
    table["random init + fine-tuned"]["kld"] = [0.1, 0.1]  # clearly better (lower) than pre-trained
    curves = {PRE: [{"loss": [0.3, 0.2, 0.1], "val_loss": [0.3, 0.2, 0.1]}] * 2,
              RND: [{"loss": [0.5, 0.3, 0.1], "val_loss": [0.5, 0.3, 0.1]}] * 2}
    setup = {"pretrain_set": "OSIE stimuli (10 images of stimuli/)", "gbvs_max_side": 48, "pretrain_kept": 7,
             "pretrain_total": 10, "keep_fraction": 0.7, "entropy_threshold": 5.0, "entropy_all": [4.0, 5.0, 6.0],
             "pretrain_val": 1, "pretrain_epochs": 2, "finetune_set": "MIT1003", "n_train": 16, "n_val": 2,
             "n_test": 2, "clipped": 0, "finetune_epochs": 2, "conv_filters": [2, 4, 4], "hidden_units": 16,
             "parameters": 1234, "learning_rate": 0.1, "batch_size": 8, "seeds": [0, 1], "cache_hit": False}
    reference = {"pretrain_val": 0.2, "finetune_train": 0.15, "finetune_val": 0.12}
    return {"command": "python examples/wepsam.py --quick", "date": "today", "machine": "CPU", "wall_s": 60.0,
            "setup": setup, "table": table, "curves": curves, "pretrain_curves": [], "reference_mse": reference}


def test_finding_counts_the_verdicts_and_the_markdown_holds_the_tables():
    report = _report()
    report["finding"] = wepsam_report.finding(report["curves"], report["table"], report["reference_mse"])
    assert "vs random init + fine-tuned: better on NSS, tie on AUC-Judd, AUC-Borji, CC, SIM, worse on KLD." \
        in report["finding"]
    assert "Epochs to come within 2% of the lower final validation MSE (0.10200): pre-trained 2, random init 2" \
        in report["finding"]
    text = wepsam_report.markdown(report)
    assert "| WEPSAM pre-trained + fine-tuned | 0.500 ± 0.000 | 0.500 ± 0.000 | 0.500 ± 0.000 | 0.500 ± 0.000 | " \
           "0.500 ± 0.000 | 1.550 ± 0.050 |" in text
    assert "| 0 | 0.30000 ± 0.00000 | 0.30000 ± 0.00000 | 0.50000 ± 0.00000 | 0.50000 ± 0.00000 |" in text
    assert text.rstrip().endswith(report["finding"])
