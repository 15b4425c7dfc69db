"""The registry of named presets: what `list_presets` shows and ``load(name)`` finds.

Each model family ``keras_saliency/zoo/<family>/`` may hold ``<family>_presets.py``
with a plain-data dict ``PRESETS = {name: {"description": str, "location": str}}``
(no imports needed: it is read without importing the family's package, so listing
presets never imports Keras). ``location`` is where the preset lives:

* ``"bundled"``: the folder ``keras_saliency/presets/bundled/<name>/`` ships with
  the package and loads offline;
* ``"hf://org/name@<40-hex commit sha>"``: a Hub repository, pinned.

Everything else a listing shows (model class, parameter count, size, training data,
metrics) is read from the preset's own ``metadata.json``, the single source of
truth: the bundled copy, or for a Hub preset its snapshot in the local Hugging Face
cache; a Hub preset that was never downloaded lists with those fields ``None``.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

from keras_saliency.presets.errors import PresetError, PresetNotFoundError
from keras_saliency.presets.files import METADATA_FILE, read_metadata
from keras_saliency.presets.hub import parse_hub_preset

ZOO_DIR = Path(__file__).resolve().parents[1] / "zoo"
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
BUNDLED = "bundled"
ENTRY_KEYS = ("description", "location")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_.-]*")

_PRESETS: dict = {}
_discovered = False


@dataclass(frozen=True)
class PresetInfo:
    """One registered preset; the fields after ``folder`` come from its ``metadata.json``.

    ``folder`` is the local copy (the bundled folder or the cached Hub snapshot),
    ``None`` when a Hub preset was not downloaded yet; then those fields are ``None``
    (``metrics`` empty). ``metrics`` maps ``"<dataset>/<metric>"`` to the value;
    ``size_mb`` counts all four preset files.
    """

    name: str
    description: str
    location: str
    folder: Path | None
    model_class: str | None = None
    parameter_count: int | None = None
    size_mb: float | None = None
    training_data: str | None = None
    metrics: dict = field(default_factory=dict)

    @property
    def bundled(self) -> bool:
        """Whether a copy ships inside the package (loads offline)."""
        return self.location == BUNDLED

    @property
    def downloaded(self) -> bool:
        """Whether its files are on this machine (bundled, or in the Hugging Face cache)."""
        return self.folder is not None


def register_presets(presets: dict) -> None:
    """Register ``{name: {"description", "location"}}`` (see the module docstring); names must be new."""
    if not isinstance(presets, dict):
        raise TypeError(f"presets must be a dict {{name: entry}}, got {type(presets).__name__}")
    for name, entry in presets.items():
        _check_entry(name, entry)
    taken = sorted(set(presets) & set(_PRESETS))
    if taken:
        raise ValueError(f"presets {taken} are already registered")
    _PRESETS.update({name: dict(entry) for name, entry in presets.items()})


def list_presets(model_class: str | None = None) -> list:
    """Every registered preset as `PresetInfo`, sorted by name, read from its ``metadata.json`` now.

    ``model_class`` (a Keras registered name such as ``"keras_saliency>UNISAL"``)
    keeps only the presets of that class; Hub presets not downloaded are left out then.
    """
    _discover()
    infos = [_info(name, entry) for name, entry in sorted(_PRESETS.items())]
    return [p for p in infos if model_class is None or p.model_class == model_class]


def get_preset(name: str) -> PresetInfo:
    """The registered preset ``name``; `PresetNotFoundError` with close matches otherwise."""
    _discover()
    if name in _PRESETS:
        return _info(name, _PRESETS[name])
    raise PresetNotFoundError(f"no preset named {name!r}{close_matches_hint(name)}")


def close_matches_hint(name: str, also=()) -> str:
    """``" (did you mean [...]?)"`` or ``" (registered: [...])"`` for error messages.

    Matching ignores case (preset names are lower case); ``also`` adds other
    accepted names (e.g. the classical models) to the candidates.
    """
    _discover()
    known = sorted(_PRESETS) + sorted(also)
    close = difflib.get_close_matches(name.lower(), known, n=3)
    return f" (did you mean {close}?)" if close else f" (registered: {known or 'none yet'})"


def is_registered(name: str) -> bool:
    """Whether ``name`` is a registered preset name."""
    _discover()
    return name in _PRESETS


def _check_entry(name, entry) -> None:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError(f"preset name must match {_NAME_RE.pattern}, got {name!r}")
    if not isinstance(entry, dict) or set(entry) != set(ENTRY_KEYS):
        got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
        raise ValueError(
            f"preset {name!r}: entry must have exactly the keys {list(ENTRY_KEYS)}, got {got} "
            f"(model class, size and metrics are read from its {METADATA_FILE})"
        )
    if not isinstance(entry["description"], str):
        raise ValueError(f"preset {name!r}: description must be a str, got {entry['description']!r}")
    location = entry["location"]
    if location == BUNDLED:
        if not (BUNDLED_DIR / name / METADATA_FILE).is_file():
            raise PresetError(
                f"preset {name!r} is registered as bundled but {BUNDLED_DIR / name} has no {METADATA_FILE}"
            )
        return
    try:
        pinned = isinstance(location, str) and parse_hub_preset(location).pinned
    except ValueError:
        pinned = False
    if not pinned:
        raise ValueError(
            f"preset {name!r}: location must be {BUNDLED!r} or 'hf://org/name@<40-hex commit sha>' "
            f"(pinned for reproducibility), got {location!r}"
        )


def _info(name: str, entry: dict) -> PresetInfo:
    location = entry["location"]
    folder = BUNDLED_DIR / name if location == BUNDLED else _cached_snapshot(location)
    if folder is None:
        return PresetInfo(name, entry["description"], location, None)
    metadata = read_metadata(folder)
    size = sum(record["size"] for record in metadata["files"].values()) + (folder / METADATA_FILE).stat().st_size
    return PresetInfo(
        name,
        entry["description"],
        location,
        folder,
        model_class=metadata["model_class"],
        parameter_count=metadata["parameter_count"],
        size_mb=round(size / 1e6, 3),
        training_data=metadata.get("training_data"),
        metrics={f"{m['dataset']}/{m['name']}": m["value"] for m in metadata["metrics"]},
    )


def _cached_snapshot(location: str) -> Path | None:
    """The folder of a pinned Hub preset in the Hugging Face cache, if its metadata is there."""
    from huggingface_hub import try_to_load_from_cache

    spec = parse_hub_preset(location)
    path = try_to_load_from_cache(spec.repo_id, METADATA_FILE, revision=spec.revision)
    return Path(path).parent if isinstance(path, str) else None


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
