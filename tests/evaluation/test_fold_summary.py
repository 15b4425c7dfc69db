"""Fold averages: hand-built fold results -> summary.json / summary.md / calibration.png."""

import json

import numpy as np
import pytest

from keras_saliency.evaluation import GOLD_STANDARD, calibration_error, read_folds, summarise_folds


def _fold(ig_model, ig_gold, calibration):
    row = {"information_gain": ig_model, "log_likelihood": 1.0, "auc_judd": 0.8, "calibration": calibration}
    return {"in_domain": {"model": row, GOLD_STANDARD: {"information_gain": ig_gold, "log_likelihood": 2.0}},
            "out_of_domain": {}, "training": {}, "ood_images": 0}


def test_calibration_error_is_the_distance_from_equal_shares():
    assert calibration_error([5, 5, 5, 5]) == 0.0
    assert calibration_error([10, 0]) == pytest.approx(0.5)
    assert calibration_error([3, 1]) == pytest.approx(0.25)


def test_summary_averages_folds_and_appends_sections(tmp_path):
    (tmp_path / "fold0.json").write_text(json.dumps(_fold(0.5, 1.0, [2, 8])))
    (tmp_path / "fold10.json").write_text(json.dumps(_fold(0.7, 1.4, [6, 4])))
    (tmp_path / "fold2.json").write_text(json.dumps(_fold(0.9, 1.2, [5, 5])))
    names, runs = read_folds(tmp_path)
    assert names == ["fold0", "fold2", "fold10"]  # numeric order

    def section(runs, summary):
        return [f"## Extra: {len(runs)} folds"], {"extra": sorted(summary)}

    summary = summarise_folds(tmp_path, [section])
    entry = summary["in_domain"]["model"]
    assert entry["information_gain"] == pytest.approx((0.7, np.std([0.5, 0.9, 0.7])))
    assert entry["gold_percent"][0] == pytest.approx(np.mean([50.0, 75.0, 50.0]))
    assert entry["calibration"] == [13, 17] and entry["calibration_error"] == pytest.approx(0.5 * (2 / 30 + 2 / 30))
    assert "sauc" not in entry and "out_of_domain" not in summary and summary["extra"] == ["in_domain"]
    assert json.loads((tmp_path / "summary.json").read_text()) == json.loads(json.dumps(summary))
    text = (tmp_path / "summary.md").read_text()
    assert "## MIT1003 test folds (in domain)" in text and text.rstrip().endswith("## Extra: 3 folds")
    assert "| model | 0.700 ± 0.163 | 1.000 ± 0.000 | 58.333 ± 11.785 | 0.800 ± 0.000 | – |" in text
    assert (tmp_path / "calibration.png").read_bytes()[:4] == b"\x89PNG"


def test_no_folds_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no fold"):
        summarise_folds(tmp_path)


def test_a_row_only_some_folds_hold_is_averaged_over_those(tmp_path):
    first = _fold(0.5, 1.0, [2, 8])
    later = _fold(0.7, 1.4, [6, 4])
    later["in_domain"]["lever"] = {"information_gain": 0.9, "log_likelihood": 1.5, "calibration": [4, 6]}
    again = _fold(0.9, 1.2, [5, 5])
    again["in_domain"]["lever"] = {"information_gain": 0.6, "log_likelihood": 1.1}  # no calibration histogram
    for name, run in (("fold0", first), ("fold1", later), ("fold2", again)):
        (tmp_path / f"{name}.json").write_text(json.dumps(run))
    summary = summarise_folds(tmp_path)
    lever = summary["in_domain"]["lever"]
    assert lever["folds"] == 2 and summary["in_domain"]["model"]["folds"] == 3
    assert lever["information_gain"] == pytest.approx((0.75, 0.15))
    assert lever["gold_percent"][0] == pytest.approx(np.mean([0.9 / 1.4, 0.6 / 1.2]) * 100)
    assert "calibration" not in lever  # not every fold holding it has one: no pooled histogram
    assert list(summary["in_domain"]) == ["model", GOLD_STANDARD, "lever"]
    text = (tmp_path / "summary.md").read_text()
    assert "| lever (2 of 3 folds) | 0.750 ± 0.150 |" in text and "| model | 0.700 ± 0.163 |" in text


def test_the_figure_takes_a_row_with_a_histogram_in_one_domain_only(tmp_path):
    run = _fold(0.5, 1.0, [2, 8])
    run["out_of_domain"] = {"model": {"information_gain": 0.4, "log_likelihood": 1.0},  # no histogram here
                            GOLD_STANDARD: {"information_gain": 1.0, "log_likelihood": 2.0}}
    (tmp_path / "fold0.json").write_text(json.dumps(run))
    summary = summarise_folds(tmp_path)
    assert "calibration" in summary["in_domain"]["model"] and "calibration" not in summary["out_of_domain"]["model"]
    assert (tmp_path / "calibration.png").read_bytes()[:4] == b"\x89PNG"
