"""A centre bias stored inside a DeepGaze model, so that one image predicts without a centre-bias input."""

from __future__ import annotations

import keras
import numpy as np
from scipy import ndimage
from scipy.special import logsumexp

from keras_saliency.density import resize_log_density


@keras.saving.register_keras_serializable(package="keras_saliency")
class CentreBiasTemplate(keras.layers.Layer):
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
        """Stores an (h, w) log-density (e.g. ``CentreBias(...).log_density(shape)``); renormalised."""
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


def predict_image(model, image, batch_size: int = 1) -> np.ndarray:
    """(H, W) float64 log-density of one (H, W, 3) RGB 0..255 image with ``model``'s stored centre bias.

    The image is resized (bilinear) so that its longer side is
    ``model.image_long_side`` (the scale the readouts were trained at; None:
    as given) and the log-density resized back to (H, W) and renormalised
    (:func:`keras_saliency.density.resize_log_density`).
    """
    image = np.asarray(image, np.float32)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"{type(model).__name__}.predict_log_density takes {{'image', 'centerbias'}} batches or "
                         f"one (H, W, 3) RGB image; got an array of shape {image.shape}.")
    if model.centerbias is None:
        raise ValueError(f"{model.name} stores no centre bias (built with centerbias_shape=None): pass "
                         "{'image': (B, H, W, 3), 'centerbias': (B, H, W)}.")
    size = image.shape[:2]
    work = working_size(size, model.image_long_side)
    if work != size:
        image = keras.ops.convert_to_numpy(keras.ops.image.resize(image[None], work, antialias=True))[0]
    bias = model.centerbias.log_density(work).astype(np.float32)
    out = np.asarray(model.predict_log_density({"image": image[None], "centerbias": bias[None]}, batch_size)[0],
                     np.float64)
    return resize_log_density(out - logsumexp(out), size)
