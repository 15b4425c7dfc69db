"""atomic_write: the target appears whole or not at all."""

import pytest

from keras_saliency.atomic_write import atomic_write


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "cache.npz"
    target.write_bytes(b"old")

    def failing(handle):
        handle.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, failing)
    assert target.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [target]
    assert atomic_write(target, lambda handle: handle.write(b"new")) == target
    assert target.read_bytes() == b"new" and sorted(tmp_path.iterdir()) == [target]
