"""An XLA:CPU option for the JAX backend, set in ``XLA_FLAGS`` when keras_saliency is imported.

jaxlib 0.10's XLA:CPU puts max pooling (``reduce-window``) into its YNNPACK fusions, and then the
convolutions before it and the dense layers after it join one YNNPACK subgraph: WEPSAM runs 3-4x
slower under ``jax.jit`` than with that fusion type removed (``benchmarks/results/backends.md``;
UNISAL and DeepGaze, which have no pooling, are unchanged). :data:`OPTION` removes it.

It is set only when all hold: Keras' backend is JAX (``KERAS_BACKEND``, else ``keras.json`` in
``KERAS_HOME`` or ``~/.keras``: Keras' own rule, read without importing Keras), jaxlib 0.10 or
newer is installed (older XLA versions may not know the option and would refuse every flag), and
``XLA_FLAGS`` does not name the option already (the user's choice wins). XLA reads the flags
before its first compilation: import keras_saliency before running JAX code, or set
``XLA_FLAGS`` yourself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

NAME = "--xla_cpu_experimental_ynn_fusion_type"
OPTION = f"{NAME}=-LIBRARY_FUSION_TYPE_REDUCE"
MIN_JAXLIB = (0, 10)


def keras_backend() -> str:
    """The backend Keras will use: ``KERAS_BACKEND``, else ``keras.json``'s ``"backend"``, else tensorflow."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    try:
        return str(json.loads((home / "keras.json").read_text()).get("backend", "tensorflow"))
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def _jaxlib_version() -> tuple:
    from importlib import metadata

    try:
        return tuple(int(part) for part in metadata.version("jaxlib").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return ()


def apply() -> bool:
    """Adds :data:`OPTION` to ``XLA_FLAGS`` where the rules of the module docstring allow; True if added."""
    flags = os.environ.get("XLA_FLAGS", "")
    if keras_backend() != "jax" or NAME in flags or _jaxlib_version() < MIN_JAXLIB:
        return False
    os.environ["XLA_FLAGS"] = f"{flags} {OPTION}".strip()
    return True
