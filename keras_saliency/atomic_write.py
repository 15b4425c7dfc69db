"""Writing a file so that readers never see it half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def atomic_write(path, write: Callable) -> Path:
    """Calls ``write(binary_handle)`` on a temporary file beside ``path``, syncs it and ``os.replace``-s it into
    place; on any error the temporary file is removed and ``path`` is left as it was. The file gets the mode
    ``open()`` would give it (see `temporary_beside`)."""
    path = Path(path)
    tmp = temporary_beside(path)
    try:
        with open(tmp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def temporary_beside(path, suffix: str = ".tmp") -> Path:
    """An empty hidden file beside ``path`` to be ``os.replace``-d onto it.

    Its mode is the one ``open(path, "w")`` would leave: an existing ``path``'s, else ``0o666`` less the
    umask (a bare ``mkstemp`` file is ``0o600``, which would hide results from the user's group).
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    try:
        os.fchmod(fd, _file_mode(path))
    finally:
        os.close(fd)
    return Path(name)


def default_mode(base: int) -> int:
    """``base`` (``0o666`` for files, ``0o777`` for folders) less the process's umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return base & ~mask


def _file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return default_mode(0o666)
