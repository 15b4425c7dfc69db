"""`examples/train_deepgaze.py --quick`: cross-validated readouts on MIT1003, out-of-domain OSIE, summary files."""

import importlib.util
import json
from pathlib import Path

import numpy as np
from scipy.special import logsumexp

from keras_saliency import hub
from keras_saliency.zoo.deepgaze import DeepGazeII

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_deepgaze.py"


def test_quick_run_writes_test_fold_metrics_calibration_and_weights(tmp_path, shared_file):
    shared_file("data", "mit1003", "SCANPATHS")
    shared_file("data", "osie", "fixations.mat")
    spec = importlib.util.spec_from_file_location("train_deepgaze", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    summary = module.main(["--quick", "--output", str(tmp_path), "--export-presets", str(tmp_path / "presets")])
    members = ["standin #0", "standin #1", "standin mixture of 2"]
    assert list(summary["in_domain"]) == ["centre bias", "gold standard (LOSO)"] + members
    assert list(summary["out_of_domain"]) == list(summary["in_domain"])
    fold = json.loads((tmp_path / "fold0.json").read_text())
    assert fold["training"]["standin #0"]["epochs"] == 2
    for domain in ("in_domain", "out_of_domain"):
        table = summary[domain]
        assert table["centre bias"]["information_gain"][0] == 0.0
        assert table["gold standard (LOSO)"]["information_gain"][0] > 0.5
        # the mixture is at least as likely as its members on average (log of a mean >= mean of logs)
        mean_ig = (table["standin #0"]["information_gain"][0] + table["standin #1"]["information_gain"][0]) / 2
        assert table["standin mixture of 2"]["information_gain"][0] >= mean_ig - 1e-9
        for name in ["centre bias"] + members:
            assert 0.5 < table[name]["auc_judd"][0] < 1.0 and np.isfinite(table[name]["kld"][0])
            assert 0.0 <= table[name]["calibration_error"] <= 0.9
    # every OSIE test fixation lands in exactly one calibration bin
    n_osie = sum(len(f) for f in module.read_osie(module.SHARED / "osie", 0.25, 8).fixations)
    assert sum(summary["out_of_domain"]["standin #0"]["calibration"]) == n_osie
    for name in ("standin_fold0.weights.h5", "summary.md", "summary.json", "calibration.png"):
        assert (tmp_path / name).is_file(), name
    # the exported preset holds the trained readouts and the MIT1003 centre bias, and predicts one image
    preset = hub.from_preset(tmp_path / "presets" / "deepgaze_ii_standin_mit1003")
    fold_model = DeepGazeII(module.standin_extractor(), n_components=2)
    fold_model.readout_model().load_weights(tmp_path / "standin_fold0.weights.h5")
    for exported, trained in zip(preset.members[0].readouts, fold_model.readouts):
        np.testing.assert_array_equal(exported.finalizer.sigma.numpy(), trained.finalizer.sigma.numpy())
    log_density = preset.predict_log_density(np.full((60, 80, 3), 128.0, np.float32))
    assert log_density.shape == (60, 80) and abs(logsumexp(log_density)) < 1e-6
    metadata = json.loads((tmp_path / "presets" / "deepgaze_ii_standin_mit1003" / "metadata.json").read_text())
    ig = {m["name"]: m["value"] for m in metadata["metrics"]}["information_gain"]
    assert ig == round(summary["in_domain"]["standin mixture of 2"]["information_gain"][0], 4)
