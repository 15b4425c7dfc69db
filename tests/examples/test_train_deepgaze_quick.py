"""`examples/train_deepgaze.py --quick`: cross-validated readouts on MIT1003, out-of-domain OSIE, summary files."""

import importlib.util
import json
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_deepgaze.py"


def test_quick_run_writes_test_fold_metrics_calibration_and_weights(tmp_path, shared_file):
    shared_file("data", "mit1003", "SCANPATHS")
    shared_file("data", "osie", "fixations.mat")
    spec = importlib.util.spec_from_file_location("train_deepgaze", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    summary = module.main(["--quick", "--output", str(tmp_path)])
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
