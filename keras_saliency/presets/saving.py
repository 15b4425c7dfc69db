"""`save` a Keras model as a preset folder and `load` it back (the Keras side of the preset format)."""

from __future__ import annotations

import contextlib
import datetime
import importlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import keras

import keras_saliency
from keras_saliency.atomic_write import default_mode
from keras_saliency.presets.errors import PresetError
from keras_saliency.presets.files import (
    CARD_FILE,
    CONFIG_FILE,
    FORMAT_VERSION,
    METADATA_FILE,
    WEIGHTS_FILE,
    file_record,
    read_metadata,
)
from keras_saliency.presets.metadata import validate_metadata
from keras_saliency.presets.model_card import render_model_card
from keras_saliency.presets.resolve import resolve_preset
from keras_saliency.presets.weights import preset_weights


def save(model, preset_dir, metadata=None, *, overwrite=False) -> Path:
    """Save a built, registered Keras model as a preset folder; returns its path.

    The folder is written under a temporary name beside ``preset_dir`` and moved
    into place at the end, so a failure leaves nothing behind. ``metadata`` is
    described in `keras_saliency.presets.metadata.validate_metadata` (a metric
    command holding a machine path is refused). ``overwrite=True`` replaces an
    existing preset (never a folder that is not one). The weights file holds the
    model's weights, never its optimizer's state (a preset is a model, not a
    training checkpoint: a model compiled or fitted before saving loses nothing).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built: call it on a batch (or build it) before saving")
    _check_serializable(type(model))
    user = validate_metadata(metadata)
    preset_dir = Path(preset_dir)
    _check_target(preset_dir, overwrite)
    preset_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{preset_dir.name}.", suffix=".tmp", dir=preset_dir.parent))
    try:
        os.chmod(tmp, default_mode(0o777))  # mkdtemp's 0700 would hide the preset from other users
        config = keras.saving.serialize_keras_object(model)
        config.pop("compile_config", None)
        (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        part = preset_weights(model)
        with _without_optimizer(part):
            part.save_weights(tmp / WEIGHTS_FILE)
        meta = {
            "format_version": FORMAT_VERSION,
            **({"name": user["name"]} if "name" in user else {}),
            "model_class": keras.saving.get_registered_name(type(model)),
            "description": user.get("description"),
            "keras_saliency_version": keras_saliency.__version__,
            "keras_version": keras.__version__,
            "backend": keras.backend.backend(),
            "date_saved": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "parameter_count": int(model.count_params()),
            "training_data": user.get("training_data"),
            "metrics": user["metrics"],
            "license": user.get("license"),
            "citations": user["citations"],
            **({"source": user["source"]} if "source" in user else {}),
            "files": {name: file_record(tmp / name) for name in (CONFIG_FILE, WEIGHTS_FILE)},
        }
        (tmp / CARD_FILE).write_text(render_model_card(meta), encoding="utf-8")
        meta["files"][CARD_FILE] = file_record(tmp / CARD_FILE)
        (tmp / METADATA_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        _install(tmp, preset_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return preset_dir


def load(preset, *, cache_dir=None, expected_class=None):
    """Load a Keras model from a registered name, a preset folder or ``"hf://org/name[@revision]"``.

    ``cache_dir`` overrides ``HF_HUB_CACHE`` for Hub downloads; ``expected_class``
    makes a preset holding another model class a `PresetError` (before any weight
    is read). Checksums are verified first: on a mismatch nothing is loaded
    (`ChecksumMismatchError`).
    """
    preset_dir = resolve_preset(preset, cache_dir=cache_dir)
    metadata = read_metadata(preset_dir)
    config = _read_config(preset_dir)
    for module in _our_modules(config):  # import our own modules so their classes get registered
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise PresetError(
                f"preset {preset_dir} needs {module} ({error}); it was saved with keras-saliency "
                f"{metadata.get('keras_saliency_version')}, this is {keras_saliency.__version__}"
            ) from None
    try:
        model = keras.saving.deserialize_keras_object(config)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise PresetError(
            f"cannot rebuild {metadata.get('model_class')} from {preset_dir}/{CONFIG_FILE}: {error}"
        ) from error
    if not isinstance(model, keras.Model):
        raise _damaged(preset_dir, CONFIG_FILE, f"it does not describe a Keras model (it gives a {type(model).__name__})")
    if expected_class is not None and not isinstance(model, expected_class):
        raise PresetError(
            f"preset {preset_dir} holds a {type(model).__name__} ({metadata.get('model_class')}), "
            f"not a {expected_class.__name__}"
        )
    try:
        preset_weights(model).load_weights(Path(preset_dir) / WEIGHTS_FILE)
    except (TypeError, ValueError) as error:
        raise PresetError(f"weights of preset {preset_dir} do not fit its model: {error}") from None
    except (OSError, KeyError) as error:  # h5py: truncated, not HDF5, a missing group
        raise _damaged(preset_dir, WEIGHTS_FILE, f"not a readable Keras weights file ({_first_line(error)})") from None
    return model


def _our_modules(config) -> list:
    """The ``keras_saliency.*`` modules named anywhere in a serialized config (nested members included), in order."""
    found, stack = [], [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            module = item.get("module")
            if isinstance(module, str) and module.startswith("keras_saliency.") and module not in found:
                found.append(module)
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def _read_config(preset_dir) -> dict:
    """``config.json`` as a dict with a ``class_name``; a `PresetError` saying it is damaged otherwise."""
    try:
        config = json.loads((Path(preset_dir) / CONFIG_FILE).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(preset_dir, CONFIG_FILE, f"not valid JSON ({error})") from None
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise _damaged(preset_dir, CONFIG_FILE, "not a serialized Keras model (a JSON object with a 'class_name')")
    return config


def _damaged(preset_dir, name: str, problem: str) -> PresetError:
    """The error for a preset file whose sha256 matches ``metadata.json`` but whose content is unusable."""
    return PresetError(
        f"preset {preset_dir} is damaged: {name} is {problem}; its sha256 matches metadata.json, so it was "
        "damaged before it was hashed: save, convert or download the preset again"
    )


def _first_line(error) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextlib.contextmanager
def _without_optimizer(model):
    """``model`` with its ``optimizer`` detached for the block (Keras saves a compiled model's optimizer state)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        yield
        return
    model.optimizer = None
    try:
        yield
    finally:
        model.optimizer = optimizer


def _check_serializable(cls) -> None:
    name = keras.saving.get_registered_name(cls)
    if not cls.__module__.startswith("keras.") and keras.saving.get_registered_object(name) is not cls:
        raise TypeError(
            f"{cls.__module__}.{cls.__qualname__} is not registered with Keras, so a preset could not "
            "rebuild it: decorate it with @keras.saving.register_keras_serializable(package=...)"
        )


def _check_target(preset_dir: Path, overwrite: bool) -> None:
    if not preset_dir.exists() or (preset_dir.is_dir() and not any(preset_dir.iterdir())):
        return
    if not overwrite:
        raise FileExistsError(f"{preset_dir} already exists; pass overwrite=True to replace that preset")
    if not (preset_dir / METADATA_FILE).is_file():
        raise FileExistsError(f"{preset_dir} exists and is not a preset folder; refusing to overwrite it")


def _install(tmp: Path, preset_dir: Path) -> None:
    if not preset_dir.exists():
        os.replace(tmp, preset_dir)
        return
    if not any(preset_dir.iterdir()):
        preset_dir.rmdir()
        os.replace(tmp, preset_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{preset_dir.name}.", suffix=".old", dir=preset_dir.parent))
    os.replace(preset_dir, old / preset_dir.name)
    os.replace(tmp, preset_dir)
    shutil.rmtree(old, ignore_errors=True)
