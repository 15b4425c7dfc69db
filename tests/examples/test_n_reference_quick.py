"""`examples/n_reference.py --quick` runs every scheme end to end on ../shared (MIT1003 -> OSIE)."""

import importlib.util
import json
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "n_reference.py"


def test_quick_run_reports_all_schemes(tmp_path, shared_file):
    shared_file("data", "mit1003")
    shared_file("data", "osie")
    spec = importlib.util.spec_from_file_location("n_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "table.json"
    summary = module.main(["--quick", "--output", str(out)])
    assert set(summary) == {"upper", "TR", "TR-Ref n=1", "FT n=1", "FT|Ref n=1", "FT w/o TR n=1"}
    for row in summary.values():
        assert 0.0 <= row["AUC"][0] <= 1.0 and -1.0 <= row["CC"][0] <= 1.0 and np.isfinite(row["NSS"][0])
    assert json.loads(out.read_text())["table"] == summary
