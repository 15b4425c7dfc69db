"""`examples/train_deepgaze.py --quick` trains and evaluates DeepGaze readouts on a few MIT1003 images."""

import importlib.util
import json
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_deepgaze.py"


def test_quick_run_writes_test_fold_metrics_and_readout_weights(tmp_path, shared_file):
    shared_file("data", "mit1003", "SCANPATHS")
    spec = importlib.util.spec_from_file_location("train_deepgaze", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.main(["--quick", "--output", str(tmp_path)])
    assert set(table) == {"centre bias", "standin #0", "standin #1", "standin mixture of 2"}
    assert table["centre bias"]["information_gain"][0] == 0.0
    for row in table.values():
        assert 0.5 < row["auc_judd"][0] < 1.0 and np.isfinite(row["log_likelihood"][0])
    fold = json.loads((tmp_path / "fold0.json").read_text())
    assert fold["standin #0"]["epochs"] == 2 and np.isfinite(fold["standin #0"]["best_val_ig"])
    assert (tmp_path / "standin_fold0.weights.h5").is_file() and (tmp_path / "summary.md").is_file()
    # the mixture of two instances is at least as likely as their average (log of a mean >= mean of logs)
    mean_ig = (table["standin #0"]["information_gain"][0] + table["standin #1"]["information_gain"][0]) / 2
    assert table["standin mixture of 2"]["information_gain"][0] >= mean_ig - 1e-9
