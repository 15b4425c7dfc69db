"""`KerasSaliencyModel`: any Keras network that maps images to maps, with its output kind declared.

A plain ``keras.Model`` says nothing about what its output means (a sigmoid map?
logits? a log-density?), so `keras_saliency.predict` refuses one; wrap it to
declare it::

    model = KerasSaliencyModel(network, output_kind="saliency_map")   # e.g. a sigmoid head
    model.predict_log_density(images)                                  # (B, H, W) float64

``network``: RGB 0..255 (B, H, W, 3) -> (B, h, w) or (B, h, w, 1) of ``output_kind``
("log_density": any offset, renormalised; "saliency_map": non-negative). ``input_size``:
(h, w) the network runs at (images are resized bilinearly, half-pixel centres, with
antialiasing when shrinking); None runs at each batch's own size. The output is
resized to the input size with `keras_saliency.density.resize_log_density` or
`resize_saliency_map`.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_saliency.density import resize_log_density, resize_saliency_map
from keras_saliency.models.contract import check_output_kind, normalize_batch
from keras_saliency.models.saliency_model import SaliencyModel


def run_network(network, images: np.ndarray, input_size=None) -> np.ndarray:
    """float64 (B, h, w) outputs of ``network`` on float32 images, resized to ``input_size`` first."""
    x = images
    if input_size is not None and tuple(input_size) != images.shape[1:3]:
        x = keras.ops.image.resize(images, tuple(int(n) for n in input_size), antialias=True)
    out = np.asarray(keras.ops.convert_to_numpy(network(x, training=False)), np.float64)
    if out.ndim == 4 and out.shape[-1] == 1:
        out = out[..., 0]
    if out.ndim != 3 or out.shape[0] != len(images):
        raise ValueError(f"the network must return (B, h, w) or (B, h, w, 1) maps for {len(images)} images; "
                         f"got shape {out.shape}.")
    return out


def resize_outputs(outputs: np.ndarray, size, kind: str) -> np.ndarray:
    """A batch of ``kind`` outputs (B, h, w) resized to ``size`` (H, W)."""
    if outputs.shape[1:] == tuple(size):
        return outputs
    if kind == "log_density":
        return np.stack([resize_log_density(o, size) for o in normalize_batch(outputs)])
    return np.stack([resize_saliency_map(np.maximum(o, 0.0), size) for o in outputs])


@keras.saving.register_keras_serializable(package="keras_saliency")
class KerasSaliencyModel(SaliencyModel, keras.Model):
    """A Keras network behind the contract; see the module docstring."""

    def __init__(self, network, output_kind: str, input_size=None, name="keras_saliency_model", **kwargs):
        super().__init__(name=name, **kwargs)
        if isinstance(network, dict):
            network = keras.saving.deserialize_keras_object(network)
        if not isinstance(network, keras.Model):
            raise TypeError(f"`network` must be a keras.Model; got {type(network).__name__}.")
        self.network = network
        self.output_kind = check_output_kind(output_kind)
        self.input_size = None if input_size is None else tuple(int(n) for n in input_size)
        if self.input_size is not None and (len(self.input_size) != 2 or min(self.input_size) < 1):
            raise ValueError(f"`input_size` must be (h, w) with positive sizes or None; got {input_size!r}.")
        self.built = network.built

    def call(self, inputs, training=False):
        image = inputs["image"] if isinstance(inputs, dict) else inputs
        return self.network(image, training=training)

    def working_size(self, size):
        """``input_size`` (None: runs at the image's own size)."""
        return self.input_size

    def _predict_batch(self, images, **conditions):
        return resize_outputs(run_network(self.network, images, self.input_size), images.shape[1:3],
                              self.output_kind)

    def get_config(self):
        return {**super().get_config(), "network": keras.saving.serialize_keras_object(self.network),
                "output_kind": self.output_kind,
                "input_size": None if self.input_size is None else list(self.input_size)}
