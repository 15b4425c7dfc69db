"""The registry of named presets.

Each model family ``keras_saliency/zoo/<family>/`` may hold ``<family>_presets.py``
with a plain-data dict ``PRESETS = {name: entry}`` (no imports needed: it is read
without importing the family's package, so listing presets never loads Keras).
An entry has

* ``model_class``: the Keras registered name, e.g. ``"keras_saliency>UNISAL"``;
* ``description``, ``training_data`` (str);
* ``parameter_count`` (int) and ``size_mb`` (float, all preset files), measured;
* ``metrics``: headline ``{"<dataset>/<metric>": value}`` (the full table with
  the commands that measured it is in the preset's ``metadata.json``);
* ``hub``: ``"org/name@<40-hex commit sha>"`` (pinned) or ``None``.

A preset is *bundled* when ``keras_saliency/zoo/presets/<name>/`` ships with the
package; it then loads offline. `preset_entry` turns a saved preset into an entry.
"""

from __future__ import annotations

import difflib
import importlib.util
import math
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path

from keras_saliency.zoo.errors import PresetError, PresetNotFoundError
from keras_saliency.zoo.preset_files import METADATA_FILE, PRESET_FILES, read_metadata

ZOO_DIR = Path(__file__).resolve().parent
BUNDLED_DIR = ZOO_DIR / "presets"
ENTRY_KEYS = ("model_class", "description", "training_data", "parameter_count", "size_mb", "metrics", "hub")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_PINNED_RE = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}")

_PRESETS: dict = {}
_discovered = False


@dataclass(frozen=True)
class PresetInfo:
    """One registered preset (see the module docstring for the fields)."""

    name: str
    model_class: str
    description: str
    training_data: str
    parameter_count: int
    size_mb: float
    metrics: dict = field(default_factory=dict)
    hub: str | None = None

    @property
    def bundled_dir(self) -> Path:
        return BUNDLED_DIR / self.name

    @property
    def bundled(self) -> bool:
        """Whether a copy ships inside the package (loads offline)."""
        return (self.bundled_dir / METADATA_FILE).is_file()

    @property
    def source(self) -> str:
        """Where `keras_saliency.hub.from_preset` loads it from: the bundled folder or ``hf://...``."""
        if self.bundled:
            return str(self.bundled_dir)
        if self.hub:
            return f"hf://{self.hub}"
        raise PresetError(f"preset {self.name!r} is registered but has neither a bundled copy nor a Hub repo")


def register_presets(presets: dict) -> list:
    """Register ``{name: entry}``; returns the new `PresetInfo` rows. Names must be new."""
    if not isinstance(presets, dict):
        raise TypeError(f"presets must be a dict {{name: entry}}, got {type(presets).__name__}")
    infos = [_info(name, entry) for name, entry in presets.items()]
    taken = sorted(info.name for info in infos if info.name in _PRESETS)
    if taken:
        raise ValueError(f"presets {taken} are already registered")
    _PRESETS.update({info.name: info for info in infos})
    return infos


def list_presets(model_class: str | None = None) -> list:
    """Every registered preset as `PresetInfo`, sorted by name; optionally only one model class."""
    _discover()
    return [p for _, p in sorted(_PRESETS.items()) if model_class is None or p.model_class == model_class]


def get_preset(name: str) -> PresetInfo:
    """The registered preset ``name``; `PresetNotFoundError` with close matches otherwise."""
    _discover()
    if name in _PRESETS:
        return _PRESETS[name]
    raise PresetNotFoundError(f"no preset named {name!r}{close_matches_hint(name)}")


def close_matches_hint(name: str) -> str:
    """``" (did you mean [...]?)"`` or ``" (registered: [...])"`` for error messages."""
    _discover()
    close = difflib.get_close_matches(name, list(_PRESETS), n=3)
    return f" (did you mean {close}?)" if close else f" (registered: {sorted(_PRESETS) or 'none yet'})"


def is_registered(name: str) -> bool:
    _discover()
    return name in _PRESETS


def preset_entry(preset_dir, *, hub: str | None = None, metrics=None) -> dict:
    """A registry entry built from a saved preset folder (measured size and parameters).

    ``metrics`` picks headline metrics: ``{"<dataset>/<metric>": value}``; by
    default every metric of ``metadata.json`` under ``"<dataset>/<name>"``.
    """
    metadata = read_metadata(preset_dir)
    size = sum((Path(preset_dir) / name).stat().st_size for name in PRESET_FILES)
    if metrics is None:
        metrics = {f"{m['dataset']}/{m['name']}": m["value"] for m in metadata["metrics"]}
    return {
        "model_class": metadata["model_class"],
        "description": metadata.get("description") or "",
        "training_data": metadata.get("training_data") or "",
        "parameter_count": metadata["parameter_count"],
        "size_mb": round(size / 1e6, 3),
        "metrics": metrics,
        "hub": hub,
    }


def _info(name, entry) -> PresetInfo:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError(f"preset name must match {_NAME_RE.pattern}, got {name!r}")
    if not isinstance(entry, dict) or set(entry) != set(ENTRY_KEYS):
        got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
        raise ValueError(f"preset {name!r}: entry must have exactly the keys {list(ENTRY_KEYS)}, got {got}")
    for key in ("model_class", "description", "training_data"):
        if not isinstance(entry[key], str):
            raise ValueError(f"preset {name!r}: {key} must be a str, got {entry[key]!r}")
    if isinstance(entry["parameter_count"], bool) or not isinstance(entry["parameter_count"], int):
        raise ValueError(f"preset {name!r}: parameter_count must be an int, got {entry['parameter_count']!r}")
    if not _finite(entry["size_mb"]):
        raise ValueError(f"preset {name!r}: size_mb must be a number, got {entry['size_mb']!r}")
    metrics = entry["metrics"]
    if not isinstance(metrics, dict) or not all(isinstance(k, str) and _finite(v) for k, v in metrics.items()):
        raise ValueError(f"preset {name!r}: metrics must be {{str: finite number}}, got {metrics!r}")
    if entry["hub"] is not None and not (isinstance(entry["hub"], str) and _PINNED_RE.fullmatch(entry["hub"])):
        raise ValueError(
            f"preset {name!r}: hub must be 'org/name@<40-hex commit sha>' (pinned for reproducibility) "
            f"or None, got {entry['hub']!r}"
        )
    return PresetInfo(name=name, **{**entry, "metrics": dict(metrics)})


def _finite(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _discover() -> None:
    """Register the ``PRESETS`` of every ``zoo/<family>/<family>_presets.py`` once."""
    global _discovered
    if _discovered:
        return
    found = {}
    for family in sorted(p for p in ZOO_DIR.iterdir() if p.is_dir()):
        path = family / f"{family.name}_presets.py"
        if not path.is_file():
            continue
        spec = importlib.util.spec_from_file_location(f"_keras_saliency_presets_{family.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        presets = getattr(module, "PRESETS", None)
        if not isinstance(presets, dict):
            raise PresetError(f"{path} must define a dict PRESETS = {{name: entry}}")
        clash = sorted(set(presets) & set(found))
        if clash:
            raise PresetError(f"{path} registers presets {clash} that another family already registered")
        found.update(presets)
    register_presets(found)
    _discovered = True
