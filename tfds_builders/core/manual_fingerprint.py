"""A record of the manual files a dataset was built from, to tell when ``--manual_dir`` changed.

The fingerprint lists every file under the manual folder as ``[relative path, size in bytes,
mtime in ns]`` (up to `MAX_LISTED` files) and keeps, per top-level entry, its file count, bytes and
the sha256 of that listing (so a folder of a million video frames gives a small record). Sizes and
mtimes, not the files' sha256: the manual downloads are gigabytes (SALICON, DHF1K) and hashing them
on every ``keras-saliency build`` would take minutes, while a stat is instant and catches a different
folder, added, removed, replaced or re-extracted files. It misses an in-place edit
that keeps both the size and the mtime; a copy of the same files (new mtimes) counts as changed.

The record is a JSON file beside the TFDS version folder (``<data_dir>/<name>/<config>/<version>.manual.json``),
written before the build and removed when the build fails, so it exists exactly when its dataset does.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional

SUFFIX = ".manual.json"
MAX_LISTED = 20000  # larger manual folders (video datasets: a file per frame) keep per-folder digests only


def manual_fingerprint(manual_dir, max_listed: int = MAX_LISTED) -> dict:
    """``{"manual_dir": absolute path, "folders": {top-level entry: [files, bytes, sha256 of its listing]},
    "files": [[relative path, size, mtime_ns], ...] (sorted; only up to ``max_listed`` files)}``."""
    root = Path(manual_dir).absolute()
    files = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            stat = path.stat()
            files.append([path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns])
    files.sort()
    folders = {}
    for path, size, mtime in files:
        entry = folders.setdefault(path.split("/", 1)[0], [0, 0, hashlib.sha256()])
        entry[0] += 1
        entry[1] += size
        entry[2].update(f"{path}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    record = {"manual_dir": str(root),
              "folders": {name: [count, size, digest.hexdigest()] for name, (count, size, digest) in folders.items()}}
    if len(files) <= max_listed:
        record["files"] = files
    return record


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
    """What differs between two fingerprints, in a few words ("" when the files are the same): the files
    added, removed or changed when both records list them, else the top-level folders that differ."""
    if "files" in old and "files" in new:
        before = {path: (size, mtime) for path, size, mtime in old["files"]}
        after = {path: (size, mtime) for path, size, mtime in new["files"]}
        unit = "files"
    else:
        before, after, unit = old.get("folders", {}), new["folders"], "top-level entries"
        before, after = ({k: tuple(v) for k, v in d.items()} for d in (before, after))
    parts = []
    for label, names in (("added", sorted(set(after) - set(before))),
                         ("removed", sorted(set(before) - set(after))),
                         ("changed", sorted(p for p in set(before) & set(after) if before[p] != after[p]))):
        if names:
            shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
            parts.append(f"{len(names)} {unit} {label} ({shown})")
    return "; ".join(parts)
