"""Cache of converted Keras weights under the user's cache dir, written atomically with a sha256.

Location: ``$KERAS_SALIENCY_CACHE`` or ``~/.cache/keras_saliency``; each entry is
``<name>.weights.h5`` plus ``<name>.sha256``. A cached file whose checksum no
longer matches is rebuilt, never loaded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from keras_saliency.atomic_write import temporary_beside
from keras_saliency.checksums import sha256_file


def cache_dir() -> Path:
    root = os.environ.get("KERAS_SALIENCY_CACHE") or Path.home() / ".cache" / "keras_saliency"
    path = Path(root) / "weights"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_weights(name: str, build: Callable[[Path], None]) -> Path:
    """Path of the cached ``<name>.weights.h5``; ``build(tmp_path)`` writes it when absent or corrupt."""
    target = cache_dir() / f"{name}.weights.h5"
    checksum = target.with_suffix("").with_suffix(".sha256")
    if target.exists() and checksum.exists() and checksum.read_text().strip() == sha256_file(target):
        return target
    tmp = str(temporary_beside(target, suffix=".weights.h5"))
    try:
        build(Path(tmp))
        digest = sha256_file(tmp)
        tmp_sum = Path(tmp + ".sha256")
        tmp_sum.write_text(digest + "\n")
        os.replace(tmp, target)
        os.replace(tmp_sum, checksum)
    finally:
        for leftover in (Path(tmp), Path(tmp + ".sha256")):
            if leftover.exists():
                leftover.unlink()
    return target
