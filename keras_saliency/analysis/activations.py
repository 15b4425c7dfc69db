"""Memory-bounded extraction of normalised, image-sized activation maps from any Keras model.

Images are run through a sub-model (outputs = the named layers) ``batch_size`` at a time; each
layer's (B, h, w, C) output is then handled ``channel_chunk`` channels at a time, so at most
``channel_chunk`` image-sized maps exist at once. Nothing is accumulated here: the generator
yields chunks and callers reduce them to statistics (see ``association.associate_units``).

Normalisation (at the feature resolution, before resizing):
- ``"minmax"``: each map of each image to [0, 1] by its own min and max (constant map -> 0).
- ``channel_range={layer: (mins, maxs)}``: min-max with fixed per-channel vectors (C,), as the
  uavdvsm demo does with dataset-wide ranges; values are not clipped.
- ``None``: raw activations.
Resize: bilinear, half-pixel centres, no antialiasing (``keras.ops.image.resize``), from (h, w)
to ``image_size`` (H, W). Yielded maps are float32 NumPy arrays (c, H, W).
"""

from typing import Dict, Iterator, Optional, Sequence, Tuple

import keras
import numpy as np


def normalize_maps(maps: np.ndarray, mode: Optional[str] = "minmax", channel_range=None) -> np.ndarray:
    """Normalise (h, w, C) maps per channel (see module doc) -> float32 (h, w, C)."""
    maps = np.asarray(maps, dtype=np.float32)
    if channel_range is not None:
        mins, maxs = (np.asarray(v, dtype=np.float32).ravel() for v in channel_range)
        if mins.shape != (maps.shape[-1],) or maxs.shape != (maps.shape[-1],):
            raise ValueError(f"`channel_range` vectors must have shape ({maps.shape[-1]},); "
                             f"got {mins.shape} and {maxs.shape}.")
        span = maxs - mins
        return (maps - mins) / np.where(span > 0, span, 1.0)
    if mode is None:
        return maps
    if mode != "minmax":
        raise ValueError(f"`mode` must be 'minmax' or None; got {mode!r}.")
    lo = maps.min(axis=(0, 1), keepdims=True)
    span = maps.max(axis=(0, 1), keepdims=True) - lo
    return np.where(span > 0, (maps - lo) / np.where(span > 0, span, 1.0), 0.0).astype(np.float32)


def _feature_model(model: keras.Model, layer_names: Sequence[str]) -> keras.Model:
    """Sub-model returning ``layer_names``: layers of ``model``, or keys of its dict output
    (e.g. a ``keras_saliency.backbones.get(...)`` feature extractor's taps)."""
    if not layer_names:
        raise ValueError("`layer_names` is empty.")
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    if isinstance(model.output, dict) and all(n in model.output for n in layer_names):
        return keras.Model(inputs, [model.output[n] for n in layer_names])
    known = {layer.name for layer in model.layers}
    missing = [n for n in layer_names if n not in known]
    if missing:
        raise ValueError(f"Unknown layer(s) {missing}; the model has {sorted(known)}.")
    return keras.Model(inputs, [model.get_layer(n).output for n in layer_names])


def iter_activation_maps(
    model: keras.Model,
    images,
    layer_names: Sequence[str],
    image_size: Tuple[int, int],
    batch_size: int = 8,
    channel_chunk: int = 64,
    mode: Optional[str] = "minmax",
    channel_range: Optional[Dict[str, Tuple[np.ndarray, np.ndarray]]] = None,
) -> Iterator[Tuple[str, int, int, np.ndarray]]:
    """Yield ``(layer_name, image_index, first_channel, maps)`` with maps float32 (c, H, W).

    ``images``: array (N, h_in, w_in, 3) already preprocessed for ``model`` (or any sequence of
    such images of one shape). ``image_size`` (H, W): the size the maps are resized to (usually
    the original image / fixation-map size). Layers must output (B, h, w, C).
    """
    if batch_size < 1 or channel_chunk < 1:
        raise ValueError(f"`batch_size` and `channel_chunk` must be >= 1; got {batch_size}, {channel_chunk}.")
    height, width = (int(v) for v in image_size)
    features = _feature_model(model, layer_names)
    n = len(images)
    for start in range(0, n, batch_size):
        batch = np.asarray(images[start:start + batch_size], dtype=np.float32)
        outs = features(batch, training=False)
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        for name, out in zip(layer_names, outs):
            out = keras.ops.convert_to_numpy(out)
            if out.ndim != 4:
                raise ValueError(f"Layer {name!r} outputs shape {out.shape}; expected (B, h, w, C).")
            rng = None if channel_range is None else channel_range.get(name)
            for b in range(out.shape[0]):
                maps = normalize_maps(out[b], mode, rng)
                for c0 in range(0, maps.shape[-1], channel_chunk):
                    chunk = maps[..., c0:c0 + channel_chunk]
                    resized = keras.ops.image.resize(chunk[None], (height, width), interpolation="bilinear",
                                                     antialias=False)
                    resized = keras.ops.convert_to_numpy(resized)[0]
                    yield name, start + b, c0, np.ascontiguousarray(np.moveaxis(resized, -1, 0))
