"""Shared fixtures: the ../shared folder (real data and reference outputs, never in the repo)."""

import json
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts) -> Path:
    """Path inside ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the ../shared folder beside the checkout is absent)")
    return path


@pytest.fixture(scope="session")
def metrics_reference():
    """(npz, json) of ../shared/reference/metrics_public.*."""
    npz = np.load(shared_path("reference", "metrics_public.npz"))
    with open(shared_path("reference", "metrics_public.json")) as f:
        return npz, json.load(f)


@pytest.fixture(scope="session")
def shared_file():
    """``shared_file("reference", "x.npz")`` -> Path, skipping the test when ../shared is absent."""
    return shared_path
