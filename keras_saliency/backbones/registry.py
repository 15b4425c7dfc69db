"""The backbone registry: how to build each network, its taps, preprocessing and weights."""

from __future__ import annotations

import dataclasses
import importlib
from typing import Callable, Dict, Optional, Tuple

_REGISTRY: Dict[str, "BackboneSpec"] = {}


@dataclasses.dataclass(frozen=True)
class BackboneSpec:
    """``build(input_shape) -> keras.Model`` on preprocessed inputs; ``preprocess() -> keras layer``.

    ``taps``: alias -> layer name; ``imagenet(network) -> weights path`` where
    offline weights exist; ``load_state_dict(network, state)`` for PyTorch names.
    """

    name: str
    build: Callable
    preprocess: Callable
    taps: Dict[str, str]
    default_taps: Tuple[str, ...]
    imagenet: Optional[Callable] = None
    load_state_dict: Optional[Callable] = None
    notes: str = ""


def register_backbone(backbone: BackboneSpec) -> None:
    """Adds (or replaces) a backbone under ``backbone.name``."""
    _REGISTRY[backbone.name] = backbone


def _ensure_builtin() -> None:
    for module in ("efficientnet_lite_spec", "vgg", "resnet", "applications"):
        importlib.import_module(f"keras_saliency.backbones.{module}")
    importlib.import_module("keras_saliency.zoo.unisal.unisal_mobilenetv2")


def spec(name: str) -> BackboneSpec:
    _ensure_builtin()
    if name not in _REGISTRY:
        raise ValueError(f"Unknown backbone {name!r}; choose from {sorted(_REGISTRY)}.")
    return _REGISTRY[name]


def list_backbones() -> Dict[str, dict]:
    """``{name: {"taps": [...], "default_taps": [...], "imagenet": bool, "notes": str}}``."""
    _ensure_builtin()
    return {name: {"taps": sorted(b.taps), "default_taps": list(b.default_taps), "imagenet": b.imagenet is not None,
                   "notes": b.notes} for name, b in sorted(_REGISTRY.items())}
