"""Probability-space mixtures of log-density models.

A mixture of M log-densities is ``log(1/M sum_m exp(l_m)) = logsumexp_m(l_m) -
log M`` (the reference's ``MixtureModel``). :class:`RunningLogMeanExp`
accumulates it one member at a time with ``logaddexp``, in a graph or in NumPy.
"""

from __future__ import annotations

import math
from typing import Sequence

import keras
import numpy as np
from keras import ops

from keras_saliency.models.saliency_model import SaliencyModel
from keras_saliency.zoo.deepgaze.deepgaze_centerbias import CenterBiasGrid, predict_at_working_size, working_size
from keras_saliency.presets import WeightsView


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


class _PartModel(keras.Model):
    """``fn(inputs)`` over the layers of another model, compiled by ``predict_on_batch``; never saved."""

    def __init__(self, fn, layers, **kwargs):
        super().__init__(**kwargs)
        self.fn, self.parts = fn, list(layers)
        self.built = True

    def call(self, inputs, training=False):
        return self.fn(inputs)


def _compile(model, fn):
    """``{"image": (B, H, W, 3), "centerbias": (B, H, W)} -> NumPy`` running ``fn`` compiled.

    TensorFlow: one ``tf.function`` traced once for every batch and image size (an input
    signature with unknown sizes); other backends: ``predict_on_batch`` of a model over
    ``model``'s layers (JAX compiles once per input shape).
    """
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        signature = {"image": tf.TensorSpec((None, None, None, 3), tf.float32),
                     "centerbias": tf.TensorSpec((None, None, None), tf.float32)}
        compiled = tf.function(fn, input_signature=[signature])
        return lambda inputs: compiled({k: tf.convert_to_tensor(v, tf.float32) for k, v in inputs.items()}).numpy()
    return _PartModel(fn, [model], name=f"{model.name}_compiled").predict_on_batch


def compiled_part(model, key: str, fn):
    """A cached :func:`_compile` of ``fn``; kept in ``__dict__`` so Keras never tracks (or saves) it."""
    parts = model.__dict__.setdefault("_part_models", {})
    if key not in parts:
        parts[key] = _compile(model, fn)
    return parts[key]


@keras.saving.register_keras_serializable(package="keras_saliency")
class DensityMixture(SaliencyModel, keras.Model):
    """Equal-weight mixture of log-density models: ``logsumexp_m member_m(inputs) - log M``.

    ``members``: Keras models mapping ``{"image", "centerbias"}`` to a
    normalised log-density (B, H, W) (e.g. :class:`DeepGazeII`). ``call`` runs
    them in sequence inside one graph; ``predict_log_density(images[, centerbias=...])``
    runs :meth:`merged_log_density` (each DeepGaze member's readout components
    merged into one stacked network on one feature pass) as one compiled
    function for every image size. ``centerbias_shape`` and
    ``image_long_side``: the stored centre bias used when none is given and the
    working size, as in :class:`~keras_saliency.zoo.deepgaze.DeepGazeII`.
    """

    conditions = ("centerbias",)
    default_batch_size = 1

    def __init__(self, members: Sequence, centerbias_shape=None, image_long_side=None, name="density_mixture",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        members = [keras.saving.deserialize_keras_object(m) if isinstance(m, dict) else m for m in members]
        if not members or not all(isinstance(m, keras.Model) for m in members):
            raise ValueError(f"`members` must be a non-empty list of Keras models; got {members!r}.")
        self.members = members
        self.centerbias = None if centerbias_shape is None else CenterBiasGrid(centerbias_shape, name="centerbias")
        self.image_long_side = None if image_long_side is None else int(image_long_side)
        self.built = all(m.built for m in members)

    def call(self, inputs, training=False):
        mixture = RunningLogMeanExp()
        for member in self.members:
            mixture.add(member(inputs, training=training))
        return mixture.result()

    def merged_log_density(self, inputs):
        """(B, H, W) float32: :meth:`call` with each member's fastest graph (``merged_log_density`` if it has one)."""
        mixture = RunningLogMeanExp()
        for member in self.members:
            merged = getattr(member, "merged_log_density", None)
            mixture.add(merged(inputs) if merged is not None else member(inputs, training=False))
        return mixture.result()

    def log_densities(self, images: np.ndarray, centerbias: np.ndarray) -> np.ndarray:
        """(B, H, W) log-densities at the given size (float32 inputs): :meth:`merged_log_density`, compiled once.

        All members run in one compiled function, traced once for every image size (see :func:`compiled_part`).
        """
        return compiled_part(self, "merged", self.merged_log_density)({"image": images, "centerbias": centerbias})

    def working_size(self, size):
        """(H, W) scaled to the longer side ``image_long_side`` (the training scale); None when that is None."""
        return None if self.image_long_side is None else working_size(size, self.image_long_side)

    def _predict_batch(self, images, centerbias=None):
        return predict_at_working_size(self, images, centerbias, self.log_densities)

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
