"""Loading PyTorch state dicts into Keras networks whose layer names are the PyTorch module names.

A layer named ``features.denseblock4.denselayer32.norm1`` takes the tensors
``<prefix>features.denseblock4.denselayer32.norm1.{weight,bias,running_mean,running_var}``.
:func:`assign_torch_weights` sets every weighted layer or raises a ValueError naming the
first mismatches (missing / wrong shape); it returns the keys it consumed so that a
caller can check that nothing of the checkpoint was left over.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Set

import keras
import numpy as np


def torch_conv(weight: np.ndarray) -> np.ndarray:
    """(out, in, kh, kw) -> Keras Conv2D kernel (kh, kw, in, out)."""
    return np.transpose(weight, (2, 3, 1, 0))


def torch_depthwise(weight: np.ndarray) -> np.ndarray:
    """(channels, 1, kh, kw) -> Keras DepthwiseConv2D kernel (kh, kw, channels, 1)."""
    return np.transpose(weight, (2, 3, 0, 1))


def _layer_tensors(layer) -> List[tuple]:
    """[(torch suffix, convert)] in the order of ``layer.get_weights()``."""
    if isinstance(layer, keras.layers.BatchNormalization):
        return [(k, None) for k in ("weight", "bias", "running_mean", "running_var")]
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        return [("weight", torch_depthwise)] + ([("bias", None)] if layer.use_bias else [])
    if isinstance(layer, keras.layers.Conv2D):
        return [("weight", torch_conv)] + ([("bias", None)] if layer.use_bias else [])
    if isinstance(layer, keras.layers.Dense):
        return [("weight", np.transpose), ("bias", None)]
    raise TypeError(f"no PyTorch layout known for layer {layer.name} ({type(layer).__name__})")


def assign_torch_weights(model: keras.Model, state: Dict[str, np.ndarray], prefix: str = "",
                         name_of: Callable = None) -> Set[str]:
    """Sets each weighted layer of ``model`` from ``state[prefix + name_of(layer) + "." + suffix]``.

    ``name_of`` defaults to the layer name (layers named as the PyTorch modules). Returns
    the set of consumed keys. Raises ValueError listing the first missing tensors and
    mis-shaped ones (nothing is assigned then).
    """
    plan, missing, shapes, used = [], [], [], set()
    for layer in model.layers:
        if not layer.weights:
            continue
        expected = [tuple(w.shape) for w in layer.weights]
        values = []
        for (suffix, convert), shape in zip(_layer_tensors(layer), expected):
            key = f"{prefix}{layer.name if name_of is None else name_of(layer)}.{suffix}"
            if key not in state:
                missing.append(key)
                continue
            value = np.asarray(state[key], np.float32)
            value = convert(value) if convert is not None else value
            if tuple(value.shape) != shape:
                shapes.append(f"{key} {tuple(np.shape(state[key]))} (layer {layer.name} needs {shape})")
            values.append(value)
            used.add(key)
        plan.append((layer, values))
    if missing or shapes:
        parts = ([f"{len(missing)} missing tensors (first: {', '.join(missing[:3])})"] if missing else []) + (
            [f"{len(shapes)} of the wrong shape (first: {'; '.join(shapes[:3])})"] if shapes else [])
        raise ValueError(f"state dict does not fit {model.name}: " + "; ".join(parts) + ".")
    for layer, values in plan:
        layer.set_weights(values)
    return used


def check_all_consumed(state: Dict[str, np.ndarray], used: Set[str], what: str, ignore=()) -> None:
    """Raises ValueError naming the first keys of ``state`` not in ``used`` (except ``ignore`` suffixes)."""
    ignore = tuple(ignore)
    unexpected = sorted(k for k in state if k not in used and not (ignore and k.endswith(ignore)))
    if unexpected:
        raise ValueError(f"{len(unexpected)} unexpected tensors for {what} (first: {', '.join(unexpected[:3])}).")
