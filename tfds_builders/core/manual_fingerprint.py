"""A record of the manual files a dataset was built from, to tell when ``--manual_dir`` changed.

The fingerprint lists every file under the manual folder as ``[relative path, size in bytes,
mtime in ns]``. Sizes and mtimes, not sha256: the manual downloads are gigabytes (SALICON, DHF1K)
and hashing them on every ``keras-saliency build`` would take minutes, while a stat is instant and
catches a different folder, added, removed, replaced or re-extracted files. It misses an in-place edit
that keeps both the size and the mtime; a copy of the same files (new mtimes) counts as changed.

The record is a JSON file beside the TFDS version folder (``<data_dir>/<name>/<config>/<version>.manual.json``),
written before the build and removed when the build fails, so it exists exactly when its dataset does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

SUFFIX = ".manual.json"


def manual_fingerprint(manual_dir) -> dict:
    """``{"manual_dir": absolute path, "files": [[relative path, size, mtime_ns], ...]}`` sorted by path."""
    root = Path(manual_dir).absolute()
    files = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            stat = path.stat()
            files.append([path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns])
    return {"manual_dir": str(root), "files": sorted(files)}


def record_path(data_path) -> Path:
    """Where the fingerprint of the dataset in ``data_path`` (a TFDS version folder) is kept."""
    data_path = Path(os.fspath(data_path))
    return data_path.with_name(data_path.name + SUFFIX)


def read_record(data_path) -> Optional[dict]:
    """The recorded fingerprint, or None when there is none (built without one) or it is unreadable."""
    try:
        return json.loads(record_path(data_path).read_text())
    except (OSError, ValueError):
        return None


def describe_change(old: dict, new: dict, limit: int = 3) -> str:
    """What differs between two fingerprints, in a few words ("" when the files are the same)."""
    old_files = {path: (size, mtime) for path, size, mtime in old.get("files", [])}
    new_files = {path: (size, mtime) for path, size, mtime in new["files"]}
    parts = []
    for label, names in (("added", sorted(set(new_files) - set(old_files))),
                         ("removed", sorted(set(old_files) - set(new_files))),
                         ("changed", sorted(p for p in set(old_files) & set(new_files)
                                            if old_files[p] != new_files[p]))):
        if names:
            shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
            parts.append(f"{len(names)} files {label} ({shown})")
    return "; ".join(parts)
