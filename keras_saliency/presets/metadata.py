"""The caller-supplied part of a preset's ``metadata.json``: validation, and commands without machine paths."""

from __future__ import annotations

import math
import numbers
import re

USER_METADATA_KEYS = ("name", "description", "training_data", "metrics", "license", "citations", "source")
SOURCE_KEYS = ("file", "sha256", "url", "license_note")
METRIC_KEYS = ("name", "value", "dataset", "command")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_LICENSE_RE = re.compile(r"[a-z0-9][a-z0-9.+-]*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_END = r"""[^\s'";:,)\]]*"""
_MACHINE_PATH_RES = (
    # a word that starts absolute: "/x", "~/x", "~user/x", "$HOME/x", "C:\x", "C:/x", "\\server\share";
    # a word starts the text or follows a space, quote, "=", ",", ";", ":", "(" or "[" ("--data=/x")
    re.compile(r"""(?:^|(?<=[\s'"=,;:(\[]))"""
               r"""(?:/[\w.~+-]|~[\w.-]*/|\$\{?HOME\b|%USERPROFILE%|[A-Za-z]:[\\/]|\\\\)""" + _END),
    # a home, work or tmp folder at the root anywhere else, as in a file:// URL of one (a "../" path is relative)
    re.compile(r"(?<![\w.-])/(?:home|Users|root|work|tmp)(?=/|\b)" + _END),
)


def machine_paths(command: str) -> list:
    """The paths in ``command`` that exist only on the machine that ran it, in order of appearance.

    Those are absolute paths (POSIX ``/...``, Windows ``C:\\...``, UNC ``\\\\server``), home paths
    (``~/...``, ``$HOME/...``, ``%USERPROFILE%``) and paths under ``/home``, ``/Users``, ``/root``,
    ``/work`` or ``/tmp``; relative paths (``data/mit1003``, ``../shared/data``) and URLs are fine.
    """
    found = sorted({(m.start(), m.group()) for pattern in _MACHINE_PATH_RES for m in pattern.finditer(command)})
    return list(dict.fromkeys(path for _, path in found))


def validate_metadata(metadata) -> dict:
    """Check the caller-supplied part of ``metadata.json`` and return a normalised copy.

    Keys (all optional): ``name`` (letters, digits, ``_.-``), ``description``,
    ``training_data`` (str), ``license`` (a Hub licence id such as ``"apache-2.0"``;
    lower-cased), ``citations`` (list of str, e.g. BibTeX entries) and ``metrics``:
    a list of ``{"name", "value", "dataset", "command"}`` where ``command`` is the
    command line that measured ``value`` (a finite number), with its paths relative to
    where it ran (`ValueError` naming the metric and the path otherwise, see
    `machine_paths`). ``source`` records where converted weights came from:
    ``{"file", "sha256"[, "url"][, "license_note"]}`` (the original checkpoint's name
    and hex sha256, where to get it, its terms).
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
    paths = machine_paths(out["command"])
    if paths:
        raise ValueError(
            f"{where} ({out['name']} on {out['dataset']}): the command contains the machine path {paths[0]!r}; "
            "record paths relative to the folder the command ran in (e.g. data/mit1003) so it runs elsewhere"
        )
    out["value"] = float(value)
    return {key: out[key] for key in METRIC_KEYS}
