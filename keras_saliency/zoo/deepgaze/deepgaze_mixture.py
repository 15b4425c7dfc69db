"""Probability-space mixtures of log-density models, evaluated member by member.

A mixture of M log-densities is ``log(1/M sum_m exp(l_m)) = logsumexp_m(l_m) -
log M`` (the reference's ``MixtureModel``). :class:`RunningLogMeanExp`
accumulates it one member at a time with ``logaddexp`` so only one member's
output is alive at once (DeepGaze issue #19: ensembles must be evaluable in
chunks).
"""

from __future__ import annotations

import math
from typing import Sequence

import keras
import numpy as np
from keras import ops

from keras_saliency.presets import PresetMixin, WeightsView
from keras_saliency.zoo.deepgaze.deepgaze_centerbias import CentreBiasTemplate, predict_image


class RunningLogMeanExp:
    """``log(mean_m exp(x_m))`` over the arrays passed to :meth:`add`, in any number of calls."""

    def __init__(self):
        self.total, self.count = None, 0

    def add(self, log_density):
        if self.total is None:
            self.total = log_density
        elif isinstance(log_density, np.ndarray) and isinstance(self.total, np.ndarray):
            self.total = np.logaddexp(self.total, log_density)
        else:
            self.total = ops.logaddexp(self.total, log_density)
        self.count += 1

    def result(self):
        if self.count == 0:
            raise ValueError("RunningLogMeanExp.result() before any add(): the mixture has no members.")
        return self.total - math.log(self.count)


def check_inputs(inputs, name: str):
    """``{"image": (B, H, W, 3), "centerbias": (B, H, W)}`` as float32 NumPy, or a clear error."""
    if not isinstance(inputs, dict) or set(inputs) != {"image", "centerbias"}:
        got = sorted(inputs) if isinstance(inputs, dict) else type(inputs).__name__
        raise ValueError(f"{name} takes a dict with keys 'image' and 'centerbias'; got {got}.")
    image = np.asarray(inputs["image"], np.float32)
    centerbias = np.asarray(inputs["centerbias"], np.float32)
    if image.ndim != 4 or image.shape[-1] != 3:
        raise ValueError(f"`image` must be (B, H, W, 3) RGB 0..255; got shape {image.shape}.")
    if centerbias.shape != image.shape[:3]:
        raise ValueError(f"`centerbias` must be (B, H, W) = {image.shape[:3]} like the image; got {centerbias.shape}.")
    return image, centerbias


def check_batch_size(batch_size) -> int:
    if int(batch_size) < 1:
        raise ValueError(f"`batch_size` must be >= 1; got {batch_size}.")
    return int(batch_size)


def predict_in_batches(model, inputs, batch_size: int = 1) -> np.ndarray:
    """``model``'s log-densities, ``batch_size`` images at a time, as float32 NumPy (B, H, W).

    Uses ``model.predict_log_density`` where the model has one (chunked
    evaluation), otherwise ``model.predict_on_batch`` (compiled).
    """
    if hasattr(model, "predict_log_density"):
        return model.predict_log_density(inputs, batch_size=batch_size)
    image, centerbias = check_inputs(inputs, type(model).__name__)
    batch_size = check_batch_size(batch_size)
    return np.concatenate([
        np.asarray(model.predict_on_batch({"image": image[s:s + batch_size],
                                           "centerbias": centerbias[s:s + batch_size]}), np.float32)
        for s in range(0, len(image), batch_size)])


@keras.saving.register_keras_serializable(package="keras_saliency")
class DensityMixture(PresetMixin, keras.Model):
    """Equal-weight mixture of log-density models: ``logsumexp_m member_m(inputs) - log M``.

    ``members``: Keras models mapping ``{"image", "centerbias"}`` to a
    normalised log-density (B, H, W) (e.g. :class:`DeepGazeII`). ``call`` runs
    them in sequence inside one graph; :meth:`predict_log_density` runs one
    member (and, for DeepGaze members, one readout component) at a time, each
    as its own compiled function, and accumulates in NumPy, so only one
    member's activations exist at a time. ``centerbias_shape`` and
    ``image_long_side``: a stored centre bias for one-image prediction, as in
    :class:`~keras_saliency.zoo.deepgaze.DeepGazeII`.
    """

    def __init__(self, members: Sequence, centerbias_shape=None, image_long_side=None, name="density_mixture",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        members = [keras.saving.deserialize_keras_object(m) if isinstance(m, dict) else m for m in members]
        if not members or not all(isinstance(m, keras.Model) for m in members):
            raise ValueError(f"`members` must be a non-empty list of Keras models; got {members!r}.")
        self.members = members
        self.centerbias = None if centerbias_shape is None else CentreBiasTemplate(centerbias_shape, name="centerbias")
        self.image_long_side = None if image_long_side is None else int(image_long_side)
        self.built = all(m.built for m in members)

    def call(self, inputs, training=False):
        mixture = RunningLogMeanExp()
        for member in self.members:
            mixture.add(member(inputs, training=training))
        return mixture.result()

    def predict_log_density(self, inputs, batch_size: int = 1) -> np.ndarray:
        """The mixture's log-density (B, H, W) as float32 NumPy, evaluated member by member.

        ``inputs``: ``{"image", "centerbias"}`` batches, or one (H, W, 3) image
        (stored centre bias, resized to ``image_long_side``; returns (H, W) float64).
        """
        if not isinstance(inputs, dict):
            return predict_image(self, inputs, batch_size)
        mixture = RunningLogMeanExp()
        for member in self.members:
            mixture.add(predict_in_batches(member, inputs, batch_size).astype(np.float64))
        return mixture.result().astype(np.float32)

    def preset_weights(self) -> keras.Model:
        """Members' readouts (+ centre bias) when every member rebuilds its backbone by name, else everything."""
        if not all(getattr(m, "by_name", False) for m in self.members):
            return self
        layers = [r for m in self.members for r in m.readouts]
        return WeightsView(layers + ([self.centerbias] if self.centerbias is not None else []))

    def get_config(self):
        return {**super().get_config(), "members": [keras.saving.serialize_keras_object(m) for m in self.members],
                "centerbias_shape": None if self.centerbias is None else list(self.centerbias.shape),
                "image_long_side": self.image_long_side}
