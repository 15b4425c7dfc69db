"""Presets: named, checksummed model folders, bundled or on the Hugging Face Hub.

``list_presets()`` / ``get_preset(name)`` (the registry, see
`keras_saliency.presets.registry`), ``load(preset)`` for a registered name, a preset
folder or ``"hf://org/name[@revision]"``, ``save(model, preset_dir, metadata)`` and
``push_to_hub(preset_dir, repo_id)``. `PresetMixin` gives a model class
``from_preset`` / ``save_to_preset``. The folder format is described in
`keras_saliency.presets.files`, the metadata in `keras_saliency.presets.metadata`.

Importing this package, listing, resolving and verifying presets do not import
Keras; ``load``, ``save``, `PresetMixin`, `WeightsView` and `preset_weights` do
(they are imported on first use).
"""

import importlib

from keras_saliency.presets.errors import ChecksumMismatchError, PresetDownloadError, PresetError, PresetNotFoundError
from keras_saliency.presets.hub import HubPreset, parse_hub_preset, push_to_hub
from keras_saliency.presets.metadata import machine_paths
from keras_saliency.presets.registry import PresetInfo, get_preset, list_presets, register_presets
from keras_saliency.presets.resolve import resolve_preset

_KERAS_NAMES = {
    "load": "saving",
    "save": "saving",
    "PresetMixin": "mixin",
    "WeightsView": "weights",
    "preset_weights": "weights",
}


def __getattr__(name):
    if name in _KERAS_NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_KERAS_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ChecksumMismatchError",
    "HubPreset",
    "PresetDownloadError",
    "PresetError",
    "PresetInfo",
    "PresetMixin",
    "PresetNotFoundError",
    "WeightsView",
    "get_preset",
    "list_presets",
    "load",
    "machine_paths",
    "parse_hub_preset",
    "preset_weights",
    "push_to_hub",
    "register_presets",
    "resolve_preset",
    "save",
]


def __dir__():
    return sorted(set(globals()) | set(__all__))
