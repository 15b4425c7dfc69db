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


@pytest.fixture
def umask():
    """Sets the process umask for one test and restores it."""
    import os

    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path, umask, mask, mode):
    umask(mask)
    target = atomic_write(tmp_path / "maps.npz", lambda handle: handle.write(b"x"))
    assert target.stat().st_mode & 0o777 == mode


def test_a_replaced_file_keeps_its_mode(tmp_path, umask):
    target = tmp_path / "summary.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    umask(0o022)
    atomic_write(target, lambda handle: handle.write(b"new"))
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640


def test_temporary_beside_is_hidden_empty_and_readable_like_the_target(tmp_path, umask):
    from keras_saliency.atomic_write import temporary_beside

    umask(0o022)
    tmp = temporary_beside(tmp_path / "clip.mp4")
    assert tmp.parent == tmp_path and tmp.name.startswith(".clip.mp4.") and tmp.name.endswith(".tmp")
    assert tmp.read_bytes() == b"" and tmp.stat().st_mode & 0o777 == 0o644
