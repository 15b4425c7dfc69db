"""Where a preset spec points: a registered name, a preset folder or ``"hf://org/name[@revision]"``."""

from __future__ import annotations

from pathlib import Path

from keras_saliency.presets import registry
from keras_saliency.presets.errors import PresetNotFoundError
from keras_saliency.presets.files import verify_preset_dir
from keras_saliency.presets.hub import HF_PREFIX, download_preset, parse_hub_preset


def resolve_preset(preset, *, cache_dir=None) -> Path:
    """The verified local folder of ``preset`` (name, folder or ``hf://``), downloading it if needed.

    A registered name loads its bundled copy, or its pinned Hub commit through the
    cache (``cache_dir`` overrides ``HF_HUB_CACHE``). Every file is checked against
    its sha256 first (`ChecksumMismatchError`).
    """
    preset = str(preset) if isinstance(preset, Path) else preset
    if not isinstance(preset, str):
        raise TypeError(f"preset must be a name, a folder or 'hf://org/name[@revision]', got {type(preset).__name__}")
    if preset.startswith(HF_PREFIX):
        return download_preset(parse_hub_preset(preset), cache_dir=cache_dir)
    if registry.is_registered(preset):
        info = registry.get_preset(preset)
        return resolve_preset(info.folder if info.bundled else info.location, cache_dir=cache_dir)
    if Path(preset).is_dir():
        verify_preset_dir(preset)
        return Path(preset)
    raise PresetNotFoundError(
        f"{preset!r} is not a registered preset{registry.close_matches_hint(preset)}, "
        "nor a folder, nor an 'hf://org/name[@revision]' Hub preset"
    )
