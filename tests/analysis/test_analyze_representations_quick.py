import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OSIE = ROOT / ".." / "shared" / "data" / "osie"
SCRIPT = ROOT / "examples" / "analyze_representations.py"


@pytest.mark.skipif(not (OSIE / "fixations.mat").is_file(), reason=f"OSIE not found at {OSIE}")
def test_quick_run_prints_tables_and_writes_figures(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("analyze_representations", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--quick", "--osie", str(OSIE), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "### Setup I:" in out and "### Setup II:" in out
    assert "| block3 |" in out and "Spearman(OS_c, OD_c)" in out
    for name in ("bars_setupI.png", "bars_setupII.png", "top_units.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_bad_finetune_is_a_clear_error(tmp_path, capsys):
    if not (OSIE / "fixations.mat").is_file():
        pytest.skip(f"OSIE not found at {OSIE}")
    spec = importlib.util.spec_from_file_location("analyze_representations", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = ["--quick", "--osie", str(OSIE), "--out", str(tmp_path), "--finetune", "nonexistent", "--epochs", "1"]
    assert module.main(args) == 2
    assert "matches no encoder layer" in capsys.readouterr().err
