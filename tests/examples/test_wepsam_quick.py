"""`examples/wepsam.py --quick` runs the whole experiment on ../shared (OSIE stimuli -> MIT1003 fixations)."""

import importlib.util
import json
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "wepsam.py"


def test_quick_run_writes_curves_plot_table_and_preset(tmp_path, shared_file):
    shared_file("data", "mit1003")
    shared_file("data", "osie")
    spec = importlib.util.spec_from_file_location("wepsam_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out, preset = tmp_path / "out", tmp_path / "preset"
    argv = ["--quick", "--output-dir", str(out), "--cache-dir", str(tmp_path / "cache"), "--save-preset", str(preset)]
    report = module.main(argv)
    assert {p.name for p in out.iterdir()} == {"results.md", "results.json", "loss_curves.png"}
    assert (out / "loss_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "results.json").read_text())["table"] == report["table"]
    assert list(report["table"]) == list(module.ROWS)
    for row in report["table"].values():
        assert 0 <= row["auc_judd"][0] <= 1 and 0 <= row["auc_borji"][0] <= 1 and -1 <= row["cc"][0] <= 1
        assert 0 <= row["sim"][0] <= 1 and row["kld"][0] >= 0 and np.isfinite(row["nss"][0])
    setup = report["setup"]
    assert setup["pretrain_total"] == 10 and setup["pretrain_kept"] == 7  # the entropy filter kept 70%
    assert setup["n_train"] + setup["n_val"] + setup["n_test"] == 20 and min(setup["n_val"], setup["n_test"]) > 0
    for runs in report["curves"].values():
        assert len(runs[0]["loss"]) == len(runs[0]["val_loss"]) == 3  # before + 2 epochs
        assert np.all(np.isfinite(runs[0]["loss"] + runs[0]["val_loss"]))
    # fine-tuning from the pre-trained weights starts where pre-training ended, not at the random init
    curves = report["curves"]
    assert curves["pre-trained (WEPSAM)"][0]["val_loss"][0] != curves["random init"][0]["val_loss"][0]
    text = (out / "results.md").read_text()
    assert "| model | AUC-Judd | AUC-Borji | CC | SIM | KLD | NSS |" in text and "--quick" in text

    from keras_saliency.zoo.wepsam import WEPSAM

    loaded = WEPSAM.from_preset(str(preset))
    metadata = json.loads((preset / "metadata.json").read_text())
    assert {m["name"]: m["value"] for m in metadata["metrics"]}["AUC-Judd"] == \
        report["table"]["WEPSAM pre-trained + fine-tuned"]["auc_judd"][0]
    assert loaded.hidden_units == 16 and loaded.conv_filters == [2, 4, 4]
