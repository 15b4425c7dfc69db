"""One DeepGaze readout component: saliency network -> fixation selection -> Finalizer."""

from __future__ import annotations

import keras

from keras_saliency.layers.finalizer import Finalizer
from keras_saliency.layers.readout_network import (
    fixation_selection_network,
    saliency_network,
)


@keras.saving.register_keras_serializable(package="keras_saliency")
class DeepGazeReadout(keras.layers.Layer):
    """(features (B, h, w, C), centre-bias log-density (B, H, W)) -> log-density (B, H, W).

    ``features``: the backbone taps on the readout grid (``h = ceil(H / 2 / 16)``
    for the default factors); the Finalizer blurs at ``H / saliency_map_factor``
    with a learned ``sigma`` (in those pixels) and adds the learned weight x
    centre bias. One of these is one "component" of the reference mixtures.
    """

    def __init__(self, sigma: float = 8.0, saliency_map_factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.sigma_init, self.saliency_map_factor = float(sigma), int(saliency_map_factor)
        self.saliency = saliency_network("saliency_network")
        self.selection = fixation_selection_network("fixation_selection_network")
        self.finalizer = Finalizer(sigma, saliency_map_factor=saliency_map_factor, name="finalizer")

    def build(self, features_shape, centerbias_shape=None):
        features_shape = tuple(features_shape)
        self.saliency.build(features_shape)
        self.selection.build(features_shape[:-1] + (1,))
        self.finalizer.build(features_shape[:-1] + (1,), centerbias_shape)

    def call(self, features, centerbias):
        return self.finalizer(self.selection(self.saliency(features)), centerbias)

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma_init, "saliency_map_factor": self.saliency_map_factor}
