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

import json
from pathlib import Path

from keras_saliency.checksums import sha256_file
from keras_saliency.presets.errors import ChecksumMismatchError, PresetError, PresetNotFoundError

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
CARD_FILE = "README.md"
METADATA_FILE = "metadata.json"
PRESET_FILES = (CONFIG_FILE, WEIGHTS_FILE, CARD_FILE, METADATA_FILE)
CHECKSUMMED_FILES = (CONFIG_FILE, WEIGHTS_FILE, CARD_FILE)


def file_record(path) -> dict:
    """``{"sha256", "size"}`` of a file, as stored under ``metadata["files"]``."""
    return {"sha256": sha256_file(path), "size": Path(path).stat().st_size}


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
