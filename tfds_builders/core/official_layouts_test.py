"""Values and errors of the builders that read official releases documented by pysaliency
(Toronto, iSUN, PASCAL-S), on their dummy data; expected values come straight from the raw files."""

import pathlib
import shutil

import h5py
import numpy as np
import pytest
import scipy.io
from etils import epath

from tfds_builders.core.readers import DatasetFileError
from tfds_builders.isun import isun_dataset_builder as isun
from tfds_builders.pascal_s import pascal_s_dataset_builder as pascal_s
from tfds_builders.toronto import toronto_dataset_builder as toronto

ROOT = pathlib.Path(__file__).parents[1]


def _copy(name, tmp_path):
    return epath.Path(shutil.copytree(ROOT / name / "dummy_data", tmp_path / name))


def test_toronto_fixations_are_the_centres_of_the_nonzero_pixels(tmp_path):
    root = _copy("toronto", tmp_path) / "eyetrackingdata" / "fixdens"
    maps = scipy.io.loadmat(root / "origfixdata.mat")["white"][0]
    records = list(toronto._records(root))
    assert [r.image_id for r in records] == ["1", "2", "3"]
    assert len(records[0].fixations) == 0 and sum(len(r.fixations) for r in records) > 0
    for record, raw in zip(records, maps):
        rows, cols = np.nonzero(raw)
        np.testing.assert_array_equal(record.fixations.x, cols + 0.5)
        np.testing.assert_array_equal(record.fixations.y, rows + 0.5)
        assert np.all(record.fixations.subject == -1)


def test_toronto_refuses_a_map_of_another_size(tmp_path):
    root = _copy("toronto", tmp_path) / "eyetrackingdata" / "fixdens"
    maps = scipy.io.loadmat(root / "origfixdata.mat")["white"]
    maps[0, 1] = np.zeros((5, 5), np.uint8)
    scipy.io.savemat(root / "origfixdata.mat", {"white": maps})
    with pytest.raises(DatasetFileError, match=r"`white` cell 2 is a \(5, 5\) map"):
        list(toronto._records(root))


def test_isun_reads_every_viewing_and_leaves_test_unlabeled(tmp_path):
    root = _copy("isun", tmp_path)
    entries = scipy.io.loadmat(root / "training.mat")["training"][:, 0]
    records = list(isun._records(root / "training.mat", "training", root / "images", labeled=True))
    assert [r.image_id for r in records] == [str(e["image"][0]) for e in entries]
    for record, entry in zip(records, entries):
        raw = np.concatenate([v["fixation"].reshape(-1, 2) for v in entry["gaze"][0]])
        np.testing.assert_array_equal(np.stack([record.fixations.x, record.fixations.y], 1), raw)
    test = list(isun._records(root / "testing.mat", "testing", root / "images", labeled=False))
    assert len(test) == 2 and all(len(r.fixations) == 0 for r in test)


def test_isun_names_a_missing_image_and_a_bad_fixation_matrix(tmp_path):
    root = _copy("isun", tmp_path)
    (root / "images" / "sun_validation_001.jpg").unlink()
    with pytest.raises(DatasetFileError, match="sun_validation_001.jpg: missing"):
        list(isun._records(root / "validation.mat", "validation", root / "images", labeled=True))
    mat = scipy.io.loadmat(root / "training.mat")
    mat["training"][0, 0]["gaze"][0, 0]["fixation"] = np.ones((4, 3))
    scipy.io.savemat(root / "training.mat", {"training": mat["training"]})
    with pytest.raises(DatasetFileError, match=r"gaze 0 `fixation` is \(4, 3\), expected \(n, 2\)"):
        list(isun._records(root / "training.mat", "training", root / "images", labeled=True))


def test_pascal_s_converts_one_based_y_x_subject_rows(tmp_path):
    root = _copy("pascal_s", tmp_path) / "datasets"
    with h5py.File(root / "fixations" / "pascalFix.mat", "r") as f:
        raw = [f[ref][()] for ref in f["fixCell"][0]]
    records = list(pascal_s._records(root))
    assert [r.image_id for r in records] == ["1", "2", "3"] and len(records[2].fixations) == 0
    for record, cell in zip(records[:2], raw[:2]):
        np.testing.assert_array_equal(record.fixations.y, cell[0] - 0.5)
        np.testing.assert_array_equal(record.fixations.x, cell[1] - 0.5)
        np.testing.assert_array_equal(record.fixations.subject, cell[2] - 1)


def _point_first_cell_at(f, element):
    refs = f["fixCell"][()]
    refs[0, 0] = element.ref
    f["fixCell"][...] = refs


@pytest.mark.parametrize("damage, message", [
    (lambda f: f.__delitem__("fixCell"), "no `fixCell` variable"),
    (lambda f: (f.__delitem__("fixCell"), f.create_dataset("fixCell", data=np.ones((1, 3)))), "not a cell array"),
    (lambda f: _point_first_cell_at(f, f.create_dataset("#refs#/bad", data=np.ones((2, 4)))), "1 is \\(4, 2\\), expected N x 3"),
])
def test_pascal_s_names_a_damaged_fixation_file(tmp_path, damage, message):
    root = _copy("pascal_s", tmp_path) / "datasets"
    with h5py.File(root / "fixations" / "pascalFix.mat", "r+") as f:
        damage(f)
    with pytest.raises(DatasetFileError, match=message):
        list(pascal_s._records(root))


def test_pascal_s_names_a_file_that_is_not_hdf5(tmp_path):
    root = _copy("pascal_s", tmp_path) / "datasets"
    (root / "fixations" / "pascalFix.mat").write_bytes(b"MATLAB 5.0 MAT-file, not HDF5")
    with pytest.raises(DatasetFileError, match=r"pascalFix.mat: not a MATLAB v7.3 \(HDF5\) file"):
        list(pascal_s._records(root))
