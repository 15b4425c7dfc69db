"""A centre bias stored inside a DeepGaze model, so that one image predicts without a centre-bias input."""

from __future__ import annotations

import keras
import numpy as np
from scipy import ndimage
from scipy.special import logsumexp

from keras_saliency.density import resize_log_density


@keras.saving.register_keras_serializable(package="keras_saliency")
class CenterBiasGrid(keras.layers.Layer):
    """A centre-bias log-density on a fixed (h, w) grid, scaled to any image size.

    As the DeepGaze reference README does with its 1024x1024
    ``centerbias_mit1003.npy``: :meth:`log_density` nearest-zooms the grid to
    (H, W) (``scipy.ndimage.zoom(order=0, mode="nearest")``) and renormalises
    it (``logsumexp == 0``). The grid is a non-trainable weight, saved with
    the model; it starts at zeros (uniform). Fill it with :meth:`assign`.
    """

    def __init__(self, shape=(128, 128), **kwargs):
        super().__init__(**kwargs)
        shape = tuple(int(n) for n in shape)
        if len(shape) != 2 or min(shape) < 1:
            raise ValueError(f"`shape` must be (h, w) with positive sizes; got {shape}.")
        self.shape = shape
        self.grid = self.add_weight(shape=shape, initializer="zeros", trainable=False, name="grid")
        self.built = True

    def assign(self, log_density) -> None:
        """Stores an (h, w) log-density (e.g. ``EmpiricalCenterBias(...).log_density(shape)``); renormalised."""
        log_density = np.asarray(log_density, np.float64)
        if log_density.shape != self.shape:
            raise ValueError(f"centre-bias grid must have shape {self.shape}; got {log_density.shape}.")
        if not np.all(np.isfinite(log_density)):
            raise ValueError("centre-bias grid has NaN or infinite values.")
        self.grid.assign((log_density - logsumexp(log_density)).astype(np.float32))

    def log_density(self, size) -> np.ndarray:
        """(H, W) float64 normalised log-density for an image of ``size``."""
        height, width = (int(n) for n in size)
        grid = np.asarray(keras.ops.convert_to_numpy(self.grid), np.float64)
        zoomed = ndimage.zoom(grid, (height / self.shape[0], width / self.shape[1]), order=0, mode="nearest")
        return zoomed - logsumexp(zoomed)

    def get_config(self):
        return {**super().get_config(), "shape": list(self.shape)}


def working_size(size, long_side) -> tuple:
    """(H, W) scaled so that the longer side is ``long_side`` (None: unchanged)."""
    height, width = (int(n) for n in size)
    if long_side is None or max(height, width) == long_side:
        return height, width
    factor = long_side / max(height, width)
    return max(1, round(height * factor)), max(1, round(width * factor))


def predict_at_working_size(model, images: np.ndarray, centerbias, log_densities) -> np.ndarray:
    """(B, H, W) float64 log-densities of a float32 RGB 0..255 batch, run at ``model``'s working size.

    The images are resized (bilinear, antialiased) so that their longer side is
    ``model.image_long_side`` (the scale the readouts were trained at; None: as
    given); ``centerbias`` (B, H, W) log-densities (renormalised) are resized
    likewise with :func:`~keras_saliency.density.resize_log_density`, and None
    uses the stored :class:`CenterBiasGrid`. ``log_densities(images, centerbias)``
    runs the network at that size; its output is renormalised and resized back
    to (H, W).
    """
    size = images.shape[1:3]
    work = working_size(size, model.image_long_side)
    if centerbias is None:
        if model.centerbias is None:
            raise ValueError(f"{model.name} stores no centre bias (built with centerbias_shape=None): pass "
                             "`centerbias` (B, H, W) log-densities.")
        bias = np.broadcast_to(model.centerbias.log_density(work).astype(np.float32), (len(images),) + work)
    elif work != size:
        bias = np.stack([resize_log_density(b - logsumexp(b), work) for b in np.asarray(centerbias, np.float64)])
    else:
        bias = centerbias
    if work != size:
        images = keras.ops.convert_to_numpy(keras.ops.image.resize(images, work, antialias=True))
    out = np.asarray(log_densities(images, np.asarray(bias, np.float32)), np.float64)
    out = out - logsumexp(out, axis=(1, 2), keepdims=True)
    return out if work == size else np.stack([resize_log_density(o, size) for o in out])
