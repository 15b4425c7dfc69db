"""Helpers shared by the hub tests (environment, subprocesses, leftover-file checks)."""

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def hub_environment(endpoint, cache, offline=False) -> dict:
    """The ``HF_*`` variables that point the client at ``endpoint`` and ``cache``."""
    return {
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(Path(cache).parent),
        "HF_HUB_CACHE": str(cache),
        "HF_HUB_OFFLINE": "1" if offline else "0",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_TOKEN": "fake-token",
    }


def point_client_at(monkeypatch, endpoint, cache) -> None:
    """Set the environment and the call-time `huggingface_hub.constants` for ``endpoint``/``cache``."""
    for key, value in hub_environment(endpoint, cache).items():
        monkeypatch.setenv(key, value)
    from huggingface_hub import constants

    home = Path(cache).parent
    patches = {
        "ENDPOINT": endpoint,
        "HUGGINGFACE_CO_URL_TEMPLATE": endpoint + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(cache),
        "HF_HUB_OFFLINE": False,
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_TOKEN_PATH": str(home / "token"),
        "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
    }
    for name, value in patches.items():
        monkeypatch.setattr(constants, name, value)


def files_under(folder) -> list:
    """Every file or symlink below ``folder`` (relative paths), for 'nothing left behind' checks.

    ``CACHEDIR.TAG`` (the marker `huggingface_hub` puts at the cache root) is not counted.
    """
    folder = Path(folder)
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.relative_to(folder) != Path("CACHEDIR.TAG")
    )


def run_python(code: str, env: dict, timeout=120) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter from the repository root with ``env`` added."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(REPO_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=full_env, capture_output=True, text=True, timeout=timeout
    )


def write_family(zoo, family, presets: dict) -> None:
    """Write ``zoo/<family>/<family>_presets.py`` registering ``presets`` (as a model family does)."""
    (Path(zoo) / family).mkdir(exist_ok=True)
    (Path(zoo) / family / f"{family}_presets.py").write_text(f"PRESETS = {presets!r}\n")
