import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
OSIE = ROOT / ".." / "shared" / "data" / "osie"
MIT1003 = ROOT / ".." / "shared" / "data" / "mit1003"
SCRIPT = ROOT / "examples" / "analyze_representations.py"
KINDS = ("colour", "orientation", "size", "shape", "density")


def _module():
    spec = importlib.util.spec_from_file_location("analyze_representations", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def popout_dir(tmp_path_factory):
    """One TFDS data_dir shared by the tests, so the tiny pop-out config is built once."""
    return str(tmp_path_factory.mktemp("tfds"))


@pytest.mark.skipif(not (OSIE / "fixations.mat").is_file(), reason=f"OSIE not found at {OSIE}")
def test_quick_run_with_popout_prints_tables_and_writes_figures(tmp_path, capsys, popout_dir):
    args = ["--quick", "--data", str(OSIE), "--out", str(tmp_path), "--popout", "--popout-config", "tiny",
            "--popout-dir", popout_dir]
    assert _module().main(args) == 0
    out = capsys.readouterr().out
    assert "4 osie images" in out
    assert "### Setup I:" in out and "### Setup II:" in out
    assert "| block3 |" in out and "Spearman(OS_c, OD_c)" in out
    # Table 4 analogue: one row per model, one mean +- SE cell per kind (2 arrays each)
    assert "over 2/2/2/2/2 arrays per kind" in out
    assert "| model | " + " | ".join(KINDS) + " |" in out
    for model in ("probe I", "probe II", "probe I (logits)", "gbvs", "itti", "centre_bias"):
        row = re.search(rf"^\| {re.escape(model)} \|(.*)\|$", out, re.M)
        assert row, model
        cells = [c.strip() for c in row.group(1).split("|")]
        assert len(cells) == len(KINDS)
        for cell in cells:
            mean, se = (float(v) for v in cell.split(" +- "))
            assert np.isfinite(mean) and np.isfinite(se) and se >= 0
    winners = re.search(r"Highest mean NMM per kind .*?: (.*)$", out, re.M).group(1)
    assert [w.split(": ")[0] for w in winners.split(", ")] == list(KINDS)
    # Table 5 analogue for both setups: every tap, cells best +- SE / top-10 / held-out
    for tag in ("I", "II"):
        assert f"### Pop-out inner NMM, setup {tag}" in out
    rows = re.findall(r"^\| (block\d) \((\d+)\) \|(.*)\|$", out, re.M)
    assert [(r[0], r[1]) for r in rows] == [("block1", "16"), ("block2", "32"), ("block3", "32")] * 2
    for _, _, cells in rows:
        for cell in cells.split("|"):
            best, top, held = re.fullmatch(r"\s*(\S+) \+- \S+ / (\S+) / (\S+)\s*", cell).groups()
            assert float(best) >= float(top)  # the best unit's mean is the top of the top-k means
    for name in ("bars_setupI.png", "bars_setupII.png", "top_units.png", "popout_nmm.png",
                 "popout_inner_setupI.png", "popout_inner_setupII.png", "popout_examples.png"):
        assert (tmp_path / name).stat().st_size > 1000
    report = (tmp_path / "output.md").read_text()
    assert report.startswith("Command") and "--popout-config tiny" in report
    body = report.split("\n\n", 2)[2]  # everything printed by the run, after the command header
    assert body.startswith("4 osie images") and out.endswith(body)


@pytest.mark.skipif(not (MIT1003 / "SCANPATHS").is_dir(), reason=f"MIT1003 not found at {MIT1003}")
def test_quick_run_on_mit1003(tmp_path, capsys):
    module = _module()
    images, fixations, sizes = module.load_mit1003(MIT1003, 2, (96, 128))
    assert images.shape == (2, 96, 128, 3) and len(sizes) == 2
    for fix in fixations:  # 15 viewers, first (central) fixation of each scanpath dropped
        assert 15 <= len(fix.x) and np.mean((fix.x >= 0) & (fix.x < 128) & (fix.y >= 0) & (fix.y < 96)) > 0.95
    assert module.main(["--quick", "--dataset", "mit1003", "--out", str(tmp_path), "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "4 mit1003 images" in out and "### Setup II:" in out and "Pop-out" not in out


def test_bad_arguments_are_clear_errors(tmp_path, capsys, popout_dir):
    module = _module()
    assert module.main(["--quick", "--data", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "fixations.mat not found" in capsys.readouterr().err
    if not (OSIE / "fixations.mat").is_file():
        pytest.skip(f"OSIE not found at {OSIE}")
    args = ["--quick", "--data", str(OSIE), "--out", str(tmp_path), "--finetune", "nonexistent", "--epochs", "1"]
    assert module.main(args) == 2
    assert "matches no encoder layer" in capsys.readouterr().err
    args = ["--data", str(OSIE), "--out", str(tmp_path), "--popout", "--popout-config", "tiny",
            "--popout-dir", popout_dir, "--popout-n", "3"]
    assert module.main(args) == 2
    assert "has only 2 'colour' arrays" in capsys.readouterr().err
