"""Every builder's committed ``dummy_data/`` is what its ``make_dummy_data.py`` writes, and its folder is complete.

Files are compared byte for byte, except MATLAB 5.0 ``.mat`` files: scipy writes the creation
time into their 116-byte text header, so for those the header must be a MAT 5.0 one and the
rest of the file (all the data) must be byte-identical. (v7.3 ``.mat`` files, HDF5 behind a
fixed header, are compared whole.) ``popout_search_arrays`` generates its
examples and reads no files, so it has no ``make_dummy_data.py``.
"""

import importlib
import pathlib

import pytest
import tensorflow_datasets as tfds

import tfds_builders

ROOT = pathlib.Path(tfds_builders.__file__).parent
GENERATED = ("popout_search_arrays",)
MAT_HEADER = 116


def _files(folder):
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", [n for n in tfds_builders.NAMES if n not in GENERATED])
def test_dummy_data_regenerates_identically(name, tmp_path):
    committed = ROOT / name / "dummy_data"
    importlib.import_module(f"tfds_builders.{name}.make_dummy_data").main(out=tmp_path / "dummy_data")
    fresh, old = _files(tmp_path / "dummy_data"), _files(committed)
    assert sorted(fresh) == sorted(old), f"{name}: regenerated files differ from the committed list"
    for relative, path in fresh.items():
        new_bytes, old_bytes = path.read_bytes(), old[relative].read_bytes()
        if relative.endswith(".mat") and not new_bytes.startswith(b"MATLAB 7.3"):
            assert new_bytes[:10] == old_bytes[:10] == b"MATLAB 5.0", relative
            new_bytes, old_bytes = new_bytes[MAT_HEADER:], old_bytes[MAT_HEADER:]
        assert new_bytes == old_bytes, f"{name}/dummy_data/{relative} differs from what make_dummy_data.py writes"


@pytest.mark.parametrize("name", tfds_builders.NAMES)
def test_builder_folder_has_metadata_and_release_notes(name):
    builder_class = tfds.builder_cls(name)
    folder = ROOT / name
    for file_name in ("README.md", "TAGS.txt"):  # CITATIONS.bib too, except unlabeled_images (no paper)
        assert (folder / file_name).is_file(), f"{name}: {file_name} missing"
    version = str(builder_class.VERSION)
    assert version in builder_class.RELEASE_NOTES, f"{name}: no release note for {version}"
    assert builder_class.get_metadata().tags, f"{name}: TAGS.txt lists no tag"
