"""The model zoo: named presets, the registry, and the preset mixin for zoo models.

``list_presets()`` and ``load(name)`` are the entry points; model families live in
``keras_saliency/zoo/<family>/`` and register their presets in
``<family>_presets.py`` (see `keras_saliency.zoo.registry`). Importing this package
does not import Keras.
"""

from keras_saliency.zoo.errors import ChecksumMismatchError, PresetDownloadError, PresetError, PresetNotFoundError
from keras_saliency.zoo.registry import PresetInfo, get_preset, list_presets, preset_entry, register_presets


def load(name, *, cache_dir=None):
    """Load a preset by registered name (or folder, or ``hf://org/name[@revision]``)."""
    from keras_saliency.hub import from_preset

    return from_preset(name, cache_dir=cache_dir)


def __getattr__(name):
    if name == "PresetMixin":  # imports keras
        from keras_saliency.zoo.preset_mixin import PresetMixin

        return PresetMixin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ChecksumMismatchError",
    "PresetDownloadError",
    "PresetError",
    "PresetInfo",
    "PresetMixin",
    "PresetNotFoundError",
    "get_preset",
    "list_presets",
    "load",
    "preset_entry",
    "register_presets",
]
