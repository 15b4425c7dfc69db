"""`examples/train_unisal.py --quick` runs end to end on ../shared (MIT1003 + OSIE as two domains)."""

import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_unisal.py"


def test_quick_run_trains_evaluates_and_saves_a_preset(tmp_path, shared_file):
    shared_file("data", "mit1003")
    shared_file("data", "osie")
    spec = importlib.util.spec_from_file_location("train_unisal", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.main(["--quick", "--data-dir", str(tmp_path / "tfds"), "--output", str(tmp_path / "preset")])
    assert set(results) == {"mit1003", "osie"}
    for values in results.values():
        assert 0.0 <= values["auc_judd"] <= 1.0 and np.isfinite(values["information_gain"])
    from keras_saliency import hub

    model = hub.from_preset(str(tmp_path / "preset"))
    assert model.domains == ["mit1003", "osie"]
