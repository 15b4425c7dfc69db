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


def register_backbone(name, build: Optional[Callable] = None, *, taps: Optional[Dict[str, str]] = None,
                      default_taps: Tuple[str, ...] = (), preprocess: Optional[Callable] = None,
                      imagenet: Optional[Callable] = None, load_state_dict: Optional[Callable] = None,
                      notes: str = "") -> BackboneSpec:
    """Adds (or replaces) backbone ``name`` for :func:`keras_saliency.backbones.get`.

    ``register_backbone(spec)`` with a ready :class:`BackboneSpec` works too.

    Args:
        build: ``build(input_shape) -> keras.Model`` on preprocessed images.
        taps: alias -> layer name (any layer name is a valid tap anyway).
        default_taps: taps used when ``get`` is called without ``taps``.
        preprocess: ``() -> keras layer`` mapping RGB 0..255 to the network's
            input; default the ImageNet mean/std normalisation.
        imagenet: ``imagenet(network) -> path`` of Keras weights, where offline
            ImageNet weights exist.
        load_state_dict: ``load_state_dict(network, state)`` for PyTorch-named weights.
    """
    if isinstance(name, BackboneSpec) and build is None:
        _REGISTRY[name.name] = name
        return name
    if not isinstance(name, str) or not name:
        raise ValueError(f"`name` must be a non-empty string, got {name!r}.")
    if not callable(build):
        raise TypeError(f"`build` must be callable build(input_shape) -> keras.Model, got {type(build).__name__}.")
    if preprocess is None:
        from keras_saliency.backbones.preprocessing import imagenet_normalization as preprocess
    backbone = BackboneSpec(name=name, build=build, preprocess=preprocess, taps=dict(taps or {}),
                            default_taps=tuple(default_taps), imagenet=imagenet, load_state_dict=load_state_dict,
                            notes=notes)
    _REGISTRY[name] = backbone
    return backbone


def _ensure_builtin() -> None:
    for module in ("efficientnet_lite_spec", "vgg", "resnet", "applications", "mobilenetv2_unisal", "densenet",
                   "efficientnet_pytorch"):
        importlib.import_module(f"keras_saliency.backbones.{module}")


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
