"""The preset folder format: file names, ``metadata.json`` and checksum verification.

A preset is a folder (or a Hub repository) holding

* ``config.json``: ``keras.saving.serialize_keras_object(model)`` without its
  ``compile_config`` (the ``build_config`` stays: subclassed models need it to
  create their weights before loading them);
* ``model.weights.h5``: ``model.save_weights``;
* ``README.md``: a model card generated from the metadata;
* ``metadata.json``: format version, keras-saliency/Keras versions, backend,
  UTC date, parameter count, model class, training data, metrics (each with the
  command that measured it), licence, citations, for converted weights their
  ``source`` (original file name and sha256) and ``files``:
  ``{name: {"sha256", "size"}}`` for the three files above.

``metadata.json`` cannot hash itself: pin a Hub revision (a commit sha) to fix it.
This module does not import Keras, so listing and verifying presets stay light.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
from pathlib import Path

from keras_saliency.zoo.errors import ChecksumMismatchError, PresetError, PresetNotFoundError

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
CARD_FILE = "README.md"
METADATA_FILE = "metadata.json"
PRESET_FILES = (CONFIG_FILE, WEIGHTS_FILE, CARD_FILE, METADATA_FILE)
CHECKSUMMED_FILES = (CONFIG_FILE, WEIGHTS_FILE, CARD_FILE)

USER_METADATA_KEYS = ("name", "description", "training_data", "metrics", "license", "citations", "source")
SOURCE_KEYS = ("file", "sha256", "url", "license_note")
METRIC_KEYS = ("name", "value", "dataset", "command")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_LICENSE_RE = re.compile(r"[a-z0-9][a-z0-9.+-]*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


def sha256_file(path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_record(path) -> dict:
    """``{"sha256", "size"}`` of a file, as stored under ``metadata["files"]``."""
    return {"sha256": sha256_file(path), "size": Path(path).stat().st_size}


def validate_user_metadata(metadata) -> dict:
    """Check the caller-supplied part of ``metadata.json`` and return a normalised copy.

    Keys (all optional): ``name`` (letters, digits, ``_.-``), ``description``,
    ``training_data`` (str), ``license`` (a Hub licence id such as ``"apache-2.0"``;
    lower-cased), ``citations`` (list of str, e.g. BibTeX entries) and ``metrics``:
    a list of ``{"name", "value", "dataset", "command"}`` where ``command`` is the
    command line that measured ``value`` (a finite number). ``source`` records
    where converted weights came from: ``{"file", "sha256"[, "url"][, "license_note"]}``
    (the original checkpoint's name and hex sha256, where to get it, its terms).
    """
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
    unknown = sorted(set(metadata) - set(USER_METADATA_KEYS))
    if unknown:
        raise ValueError(f"unknown metadata keys {unknown}; allowed: {list(USER_METADATA_KEYS)}")
    out = {}
    for key in ("name", "description", "training_data", "license"):
        if metadata.get(key) is not None:
            out[key] = _string(metadata[key], f"metadata[{key!r}]")
    if "name" in out and not _NAME_RE.fullmatch(out["name"]):
        raise ValueError(f"metadata['name'] must match {_NAME_RE.pattern}, got {out['name']!r}")
    if "license" in out:
        out["license"] = out["license"].lower()
        if not _LICENSE_RE.fullmatch(out["license"]):
            raise ValueError(f"metadata['license'] must be a Hub licence id like 'apache-2.0', got {out['license']!r}")
    citations = metadata.get("citations") or []
    if not isinstance(citations, (list, tuple)):
        raise TypeError(f"metadata['citations'] must be a list of str, got {type(citations).__name__}")
    out["citations"] = [_string(c, f"metadata['citations'][{i}]") for i, c in enumerate(citations)]
    metrics = metadata.get("metrics") or []
    if not isinstance(metrics, (list, tuple)):
        raise TypeError(f"metadata['metrics'] must be a list of dicts, got {type(metrics).__name__}")
    out["metrics"] = [_metric(m, i) for i, m in enumerate(metrics)]
    if metadata.get("source") is not None:
        out["source"] = _source(metadata["source"])
    return out


def _source(source) -> dict:
    if not isinstance(source, dict) or not {"file", "sha256"} <= set(source) <= set(SOURCE_KEYS):
        raise ValueError(f"metadata['source'] must be a dict with 'file' and 'sha256' (optional 'url', "
                         f"'license_note'), got {source!r}")
    out = {key: _string(source[key], f"metadata['source'][{key!r}]") for key in SOURCE_KEYS if key in source}
    if not _SHA256_RE.fullmatch(out["sha256"]):
        raise ValueError(f"metadata['source']['sha256'] must be 64 lower-case hex digits, got {out['sha256']!r}")
    return out


def _string(value, where) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty str, got {value!r}")
    return value


def _metric(metric, index) -> dict:
    where = f"metadata['metrics'][{index}]"
    if not isinstance(metric, dict) or set(metric) != set(METRIC_KEYS):
        raise ValueError(f"{where} must be a dict with exactly the keys {list(METRIC_KEYS)}, got {metric!r}")
    value = metric["value"]
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{where}['value'] must be a finite number, got {value!r}")
    out = {key: _string(metric[key], f"{where}[{key!r}]") for key in ("name", "dataset", "command")}
    out["value"] = float(value)
    return {key: out[key] for key in METRIC_KEYS}


def read_metadata(preset_dir) -> dict:
    """Parse ``metadata.json`` of a preset folder; `PresetError` if it is not a keras-saliency preset."""
    path = Path(preset_dir) / METADATA_FILE
    if not Path(preset_dir).is_dir():
        raise PresetNotFoundError(f"preset folder {preset_dir} does not exist")
    if not path.is_file():
        raise PresetError(f"{preset_dir} is not a keras-saliency preset: it has no {METADATA_FILE}")
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PresetError(f"{path} is not valid JSON: {error}") from None
    files = metadata.get("files") if isinstance(metadata, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, dict) and "sha256" in v for v in files.values()):
        raise PresetError(
            f"{path} has no 'files' checksums: not a keras-saliency preset "
            "(Keras' own hf:// saves are loaded with keras.saving.load_model)"
        )
    if metadata.get("format_version") != FORMAT_VERSION:
        raise PresetError(
            f"{path} has format_version {metadata.get('format_version')!r}; this keras-saliency reads "
            f"version {FORMAT_VERSION} (upgrade keras-saliency)"
        )
    return metadata


def verify_preset_dir(preset_dir) -> dict:
    """Check every file listed in ``metadata.json`` against its sha256; return the metadata.

    Raises `PresetError` for a missing or unlisted required file and
    `ChecksumMismatchError` (listing every bad file) when contents differ.
    """
    metadata = read_metadata(preset_dir)
    files = metadata["files"]
    unexpected = sorted(set(files) - set(CHECKSUMMED_FILES))
    if unexpected:
        raise PresetError(f"{preset_dir}/{METADATA_FILE} lists unexpected files {unexpected}")
    unlisted = [name for name in CHECKSUMMED_FILES if name not in files]
    if unlisted:
        raise PresetError(f"{preset_dir}/{METADATA_FILE} has no checksum for {unlisted}")
    missing = [name for name in CHECKSUMMED_FILES if not (Path(preset_dir) / name).is_file()]
    if missing:
        raise PresetError(f"preset {preset_dir} is incomplete: missing {missing}")
    bad = []
    for name in CHECKSUMMED_FILES:
        actual = sha256_file(Path(preset_dir) / name)
        if actual != files[name]["sha256"]:
            bad.append(f"{name} (expected sha256 {files[name]['sha256']}, got {actual})")
    if bad:
        raise ChecksumMismatchError(f"preset {preset_dir} failed verification, nothing was loaded: " + "; ".join(bad))
    return metadata
