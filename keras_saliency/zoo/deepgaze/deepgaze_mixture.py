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

from keras_saliency.models.saliency_model import SaliencyModel
from keras_saliency.zoo.deepgaze.deepgaze_centerbias import CenterBiasGrid, predict_at_working_size
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


@keras.saving.register_keras_serializable(package="keras_saliency")
class DensityMixture(SaliencyModel, keras.Model):
    """Equal-weight mixture of log-density models: ``logsumexp_m member_m(inputs) - log M``.

    ``members``: Keras models mapping ``{"image", "centerbias"}`` to a
    normalised log-density (B, H, W) (e.g. :class:`DeepGazeII`). ``call`` runs
    them in sequence inside one graph; ``predict_log_density(images[, centerbias=...])``
    runs one member (and, for DeepGaze members, one readout component) at a time,
    each as its own compiled function, and accumulates in NumPy, so only one
    member's activations exist at a time. ``centerbias_shape`` and
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

    def log_densities(self, images: np.ndarray, centerbias: np.ndarray) -> np.ndarray:
        """(B, H, W) float64 log-densities at the given size, member by member (float32 inputs)."""
        mixture = RunningLogMeanExp()
        for member in self.members:
            mixture.add(member.log_densities(images, centerbias))
        return mixture.result()

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
