"""Undo what a failed download added to the Hugging Face cache.

`huggingface_hub` moves each finished file into its cache atomically, but a
snapshot that fails half-way (a missing or truncated file) keeps the files that
did arrive, and a snapshot that fails our checksums is complete but wrong.
`rollback_on_error` records the repository's cache folders before a download and,
if the block raises, deletes every path created since and restores the ``refs/``
files it changed. (Another process filling the same repository's cache at the
same moment could lose its new files too; it would then download them again.)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


@contextlib.contextmanager
def rollback_on_error(*folders):
    """Context manager: on an exception, restore ``folders`` to their state at entry."""
    before = {Path(folder): _state(Path(folder)) for folder in folders}
    try:
        yield
    except BaseException:
        for folder, state in before.items():
            _restore(folder, state)
        raise


def _state(folder: Path):
    """(dirs, {file: refs content or None}) of ``folder``; symlinks are files here."""
    dirs, files = set(), {}
    if folder.is_dir():
        dirs.add(folder)
        for root, dirnames, filenames in os.walk(folder):
            root = Path(root)
            dirs.update(root / d for d in dirnames if not (root / d).is_symlink())
            for name in filenames + [d for d in dirnames if (root / d).is_symlink()]:
                path = root / name
                files[path] = path.read_bytes() if "refs" in path.relative_to(folder).parts else None
    return dirs, files


def _restore(folder: Path, state) -> None:
    dirs, files = state
    now_dirs, now_files = _state(folder)
    for path in now_files:
        if path not in files:
            path.unlink(missing_ok=True)
        elif files[path] is not None and now_files[path] != files[path]:
            tmp = path.with_name(path.name + ".rollback")
            tmp.write_bytes(files[path])
            os.replace(tmp, path)
    for path in sorted(now_dirs - dirs, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            path.rmdir()
