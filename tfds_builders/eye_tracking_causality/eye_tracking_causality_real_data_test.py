"""The eye_tracking_causality reading on the real upstream files (one clip), when ../shared has them."""

import pathlib

import numpy as np
import pytest
import scipy.io
from etils import epath

pytest.importorskip("av", reason="decoding the clips needs PyAV: pip install 'keras-saliency[video]'")

from tfds_builders.eye_tracking_causality import eye_tracking_causality_dataset_builder as builder_lib  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "eye_tracking_causality"
pytestmark = pytest.mark.skipif(not (ROOT / "data" / "raw" / "mat").is_dir(),
                                reason=f"real eye_tracking_causality data not found under {ROOT}")


def test_one_real_clip_frames_and_gaze():
    root = epath.Path(ROOT)
    files = builder_lib.participant_files(root)
    assert len(files) == 40 and {f.name.split("_")[0] for f in files} == {"causality", "counterfactuals",
                                                                           "observations"}
    viewings = [v for path in files for v in builder_lib.read_viewings(path) if v.clip == 1]
    assert len(viewings) == 80  # 40 people x 2 viewings
    example = builder_lib.encode_clip(builder_lib.clip_files(root)[1], viewings)
    assert example["frames"].shape == (300, 750, 1000, 3) and example["fps"] == 30
    # counts straight from the .mat files
    kept = nan = off = 0
    for path in sorted(ROOT.glob("data/raw/mat/*.mat")):
        mat = scipy.io.loadmat(path)
        for row, movie in enumerate(np.ravel(mat["data"]["movie"][0, 0])):
            for rep in range(2) if movie == 1 else ():
                x, y = mat["a"][row, rep][:300, 0] - 12, mat["a"][row, rep][:300, 1] - 9
                bad = np.isnan(x) | np.isnan(y)
                inside = ~bad & (x >= 0) & (x < 1000) & (y >= 0) & (y < 750)
                kept, nan, off = kept + inside.sum(), nan + bad.sum(), off + (~bad & ~inside).sum()
    gaze = example["gaze"]
    assert (len(gaze["x"]), example["dropped_nan"], example["dropped_off_clip"]) == (kept, nan, off)
    assert 0.005 < nan / (80 * 300) < 0.2 and kept > 0.75 * 80 * 300  # README: ~2.6 % NaN overall; clip 1: ~10 %
    assert 0.3 < gaze["fixation"].mean() < 0.99
    people = [len(set(gaze["participant"][gaze["condition"] == c])) for c in range(3)]
    assert people == [13, 13, 14]  # causal, counterfactual, outcome (the README's counts)
