"""The saliency-model contract every model of the zoo implements (NumPy side; no Keras import).

A model declares

* ``output_kind``: ``"log_density"`` (a natural-log density per image, any
  offset: it is renormalised) or ``"saliency_map"`` (a non-negative map, read as a
  density proportional to it). Consumers use this declaration, never the
  method names a model happens to have;
* ``conditions``: the extra inputs it takes besides ``"image"``, a subset of
  ``("centerbias", "domain")``;
* ``working_size(size)``: the (h, w) it runs an (H, W) image at, or None when it
  runs at any size (see :meth:`SaliencyContract.working_size`);

and implements ``_predict_batch(images, **conditions) -> (B, H, W)``: its output
of ``output_kind`` at the input size, for a float32 batch of RGB 0..255 images.

From that, :class:`SaliencyContract` gives every model the same public methods:

* ``predict_log_density(images, **conditions) -> (B, H, W)`` float64, each image
  normalised (``logsumexp == 0``), at the input size; batched in, batched out;
* ``predict_saliency_map(images, **conditions) -> (B, H, W)`` float64: the
  model's own map for ``"saliency_map"`` models, the density ``exp(log_density)``
  (the AUC/NSS-optimal map) for ``"log_density"`` models;
* ``predict_video(frames, **conditions) -> (T, H, W)`` float64 log-densities,
  frame by frame unless the family has a temporal model (UNISAL);
* ``predict_video_stream(frames, **conditions)``: the same, streamed: yields
  (t, H, W) batches for an iterable of frames (a video file, bounded memory).

Conventions: ``images`` is (B, H, W, 3) RGB in 0..255 (uint8 or float; a list of
equally sized (H, W, 3) arrays is stacked; float images in 0..1 are refused, see
:func:`check_images`); resizing to the model's working size
and back is part of each model (saved in its config) and documented by the family.
A saliency map becomes a density as ``log(map + 1e-20)`` renormalised
(:func:`keras_saliency.density.log_density_from_saliency_map`).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np
from scipy.special import logsumexp

from keras_saliency.density import log_density_from_saliency_map

OUTPUT_KINDS = ("log_density", "saliency_map")
CONDITIONS = ("centerbias", "domain")


def check_images(images, where: str = "images") -> np.ndarray:
    """float32 (B, H, W, 3) RGB 0..255 from an array or a list of equally sized images; clear errors otherwise.

    Integer and float arrays are read as 0..255. A float array whose values all lie in
    0..1 but are not all zero is refused (it is almost surely a 0..1 image: multiply it
    by 255); an all-black float image is accepted, and integer arrays are never refused
    for being dark.
    """
    if isinstance(images, (list, tuple)):
        if not images:
            raise ValueError(f"`{where}` is an empty list; expected (B, H, W, 3) RGB images.")
        shapes = {np.shape(image) for image in images}
        if len(shapes) > 1:
            raise ValueError(f"`{where}` holds images of different sizes {sorted(shapes)}; a batch needs one size "
                             "(use keras_saliency.predict for images of different sizes).")
    array = np.asarray(images)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"`{where}` must be numeric RGB values; got dtype {array.dtype}.")
    if array.ndim == 3 and array.shape[-1] == 3:
        raise ValueError(f"`{where}` must be a batch (B, H, W, 3); got one image of shape {array.shape}: "
                         f"pass `{where}[None]` (or a list of images).")
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f"`{where}` must be (B, H, W, 3) RGB images; got shape {array.shape}.")
    if min(array.shape[:3]) < 1:
        raise ValueError(f"`{where}` must hold at least one image of at least 1x1 pixels; got shape {array.shape}.")
    is_float = np.issubdtype(array.dtype, np.floating)
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"`{where}` contains NaN or infinite values.")
    low, high = float(array.min()), float(array.max())
    if low < 0 or high > 255:
        raise ValueError(f"`{where}` must be RGB values in 0..255; got values in [{low:.6g}, {high:.6g}].")
    if is_float and 0 < high <= 1:
        raise ValueError(f"`{where}` looks like float RGB in 0..1 (values in [{low:.6g}, {high:.6g}]); models take "
                         f"RGB in 0..255: pass `{where} * 255` (a near-black 0..255 image: pass it as uint8).")
    return array


def check_centerbias(centerbias, shape, where: str = "centerbias") -> np.ndarray:
    """float32 (B, H, W) finite centre-bias log-densities for a batch of ``shape`` (B, H, W)."""
    array = np.asarray(centerbias, np.float32)
    if array.shape != tuple(shape):
        raise ValueError(f"`{where}` must be (B, H, W) = {tuple(shape)} like the images; got shape {array.shape}.")
    if not np.isfinite(array).all():
        raise ValueError(f"`{where}` contains NaN or infinite values.")
    return array


def normalize_batch(log_values: np.ndarray) -> np.ndarray:
    """float64 (B, H, W) shifted so that every image's ``exp`` sums to 1."""
    log_values = np.asarray(log_values, np.float64)
    return log_values - logsumexp(log_values, axis=(1, 2), keepdims=True)


def to_log_density(output: np.ndarray, kind: str) -> np.ndarray:
    """float64 (B, H, W) normalised log-densities from a batch of ``kind`` outputs."""
    output = np.asarray(output, np.float64)
    if kind == "saliency_map":
        return np.stack([log_density_from_saliency_map(m) for m in output])
    return normalize_batch(output)


class SaliencyContract:
    """Mixin with the public prediction methods of the contract (see the module docstring).

    Subclasses set ``output_kind`` and ``conditions`` and implement
    :meth:`_predict_batch`; ``default_batch_size`` is how many images
    ``predict_log_density`` hands to it at once.
    """

    output_kind: str = "log_density"
    conditions: Sequence[str] = ()
    default_batch_size: int = 8

    def working_size(self, size) -> Optional[Tuple[int, int]]:
        """(h, w) this model runs an (H, W) image at (it resizes to it and back itself), or None: at (H, W).

        `keras_saliency.predict` decodes image files near this size and hands the model images
        already at it, so that images of one working size run as one batch; an image at its
        working size is not resized again. Families with a fixed scale override this.
        """
        return None

    def _predict_batch(self, images: np.ndarray, **conditions) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement _predict_batch(images, **conditions).")

    def _check_conditions(self, batch_shape, conditions: dict) -> dict:
        """Validated conditions for a batch of (B, H, W); families extend this for their defaults."""
        unknown = sorted(set(conditions) - set(self.conditions))
        if unknown:
            takes = f"takes only {list(self.conditions)}" if self.conditions else "takes no conditions"
            raise ValueError(f"{type(self).__name__} {takes}; got {unknown}.")
        if conditions.get("centerbias") is not None:
            conditions = {**conditions, "centerbias": check_centerbias(conditions["centerbias"], batch_shape)}
        return conditions

    def _predicted_batches(self, images, batch_size, conditions, where="images"):
        """Yields ``_predict_batch`` outputs (b, H, W) chunk by chunk, shapes checked."""
        images = check_images(images, where)
        conditions = self._check_conditions(images.shape[:3], {k: v for k, v in conditions.items() if v is not None})
        for start, stop in _chunks(len(images), batch_size or self.default_batch_size):
            chunk = {k: v[start:stop] if isinstance(v, np.ndarray) else v for k, v in conditions.items()}
            output = np.asarray(self._predict_batch(images[start:stop], **chunk), np.float64)
            expected = (stop - start,) + images.shape[1:3]
            if output.shape != expected:
                raise ValueError(f"{type(self).__name__}._predict_batch returned shape {output.shape} for images "
                                 f"of shape {images[start:stop].shape}; expected {expected}.")
            if not np.isfinite(output).all():
                raise FloatingPointError(f"{type(self).__name__} predicted non-finite values.")
            yield output

    def predict_log_density(self, images, *, batch_size: Optional[int] = None, **conditions) -> np.ndarray:
        """(B, H, W) float64 normalised log-densities at the input size; see the module docstring."""
        return np.concatenate([to_log_density(output, self.output_kind)
                               for output in self._predicted_batches(images, batch_size, conditions)])

    def predict_saliency_map(self, images, *, batch_size: Optional[int] = None, **conditions) -> np.ndarray:
        """(B, H, W) float64: the model's saliency map, or ``exp(log_density)`` for log-density models."""
        if self.output_kind == "log_density":
            return np.exp(self.predict_log_density(images, batch_size=batch_size, **conditions))
        return np.concatenate(list(self._predicted_batches(images, batch_size, conditions)))

    def predict_video(self, frames, *, batch_size: Optional[int] = None, progress: bool = False,
                      **conditions) -> np.ndarray:
        """(T, H, W) float64 log-densities of a clip (T, H, W, 3), each frame normalised.

        Frames run independently in batches (image models); a centre bias, if
        given, is one (H, W) map for every frame. Families with a temporal model
        override this.
        """
        from tqdm.auto import tqdm

        if conditions.get("centerbias") is not None:
            bias = np.asarray(conditions["centerbias"], np.float32)
            if bias.ndim == 2:
                conditions = {**conditions, "centerbias": np.broadcast_to(bias, (len(frames),) + bias.shape)}
        size = batch_size or self.default_batch_size
        batches = self._predicted_batches(frames, size, conditions, where="frames")
        return np.concatenate([to_log_density(output, self.output_kind) for output in
                               tqdm(batches, total=-(-len(frames) // size), disable=not progress,
                                    desc="predict_video", unit="batch")])


    def predict_video_stream(self, frames, *, batch_size: Optional[int] = None, **conditions):
        """Yields (t, H, W) float64 log-densities for an iterable of (H, W, 3) frames, in order.

        Holds at most one batch of frames (``batch_size``, default ``default_batch_size``) at a
        time, so a video file can be streamed (`keras_saliency.video_prediction`); each batch
        runs through :meth:`predict_video` (a (T, H, W) ``centerbias`` is sliced to it, an
        (H, W) one serves every frame). Families with a temporal model override this and
        carry their state from batch to batch.
        """
        size = batch_size or self.default_batch_size
        bias = conditions.get("centerbias")
        start = 0
        for window in frame_windows(frames, size):
            chunk = dict(conditions)
            if bias is not None and np.ndim(bias) == 3:  # one map per frame: this window's maps
                chunk["centerbias"] = np.asarray(bias)[start:start + len(window)]
            yield self.predict_video(window, batch_size=size, **chunk)
            start += len(window)


def frame_windows(frames, size: int):
    """Yields float32 (t, H, W, 3) arrays of ``size`` consecutive frames (the last may be shorter), each checked."""
    if int(size) < 1:
        raise ValueError(f"`batch_size` must be >= 1; got {size}.")
    window, first = [], None
    for index, frame in enumerate(frames):
        frame = np.asarray(frame)
        first = frame.shape if first is None else first
        if frame.shape != first:
            raise ValueError(f"frame {index} has shape {frame.shape}; the first frame has {first}.")
        window.append(frame)
        if len(window) == int(size):
            yield check_images(np.stack(window), "frames")
            window = []
    if window:
        yield check_images(np.stack(window), "frames")


def check_output_kind(kind) -> str:
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"`output_kind` must be one of {list(OUTPUT_KINDS)}; got {kind!r}.")
    return kind


def is_saliency_model(model) -> bool:
    """Whether ``model`` honours the contract (a :class:`SaliencyContract` with a valid ``output_kind``)."""
    return isinstance(model, SaliencyContract) and getattr(model, "output_kind", None) in OUTPUT_KINDS


def _chunks(total: int, size: int):
    if int(size) < 1:
        raise ValueError(f"`batch_size` must be >= 1; got {size}.")
    for start in range(0, total, int(size)):
        yield start, min(start + int(size), total)
