"""`CalibratedModel`: a monotone calibration of any contract model's density (`keras_saliency.density_calibration`).

``log q = f(log p + log(H W)) - logsumexp(...)`` per image, with ``p`` the member's density at the input size and
``f`` the nondecreasing piecewise-linear `DensityCalibration` (``knots``, ``values``, in nats relative to the
uniform density); the pixels' ranking is kept, only how the mass is shared among them changes. Fit ``f`` on
held-out predictions of the member (`fit_density_calibration`), never on the images it is scored on. Saved as a
preset like `FlipAveragedModel`: its member inside, or, given by a preset name, loaded from that preset and saved
by name.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_saliency.density_calibration import DensityCalibration
from keras_saliency.models.wrapped_model import WrappedModel


@keras.saving.register_keras_serializable(package="keras_saliency")
class CalibratedModel(WrappedModel):
    """``member``'s log-density through a `DensityCalibration`.

    Args:
        member: a model honouring the contract, its serialized config or a preset name.
        knots: strictly increasing, in nats relative to the uniform density (0: an average pixel).
        values: nondecreasing, one per knot (``values == knots`` is the identity).
    """

    def __init__(self, member, knots, values, name="calibrated_model", **kwargs):
        self.calibration = DensityCalibration(knots, values)  # first: a bad calibration fails before the member loads
        super().__init__(member, name=name, **kwargs)

    @classmethod
    def from_calibration(cls, member, calibration: DensityCalibration, **kwargs) -> "CalibratedModel":
        """The model of ``member`` and a fitted ``calibration``."""
        return cls(member, calibration.knots, calibration.values, **kwargs)

    def _predict_batch(self, images, **conditions):
        log_density = self.member.predict_log_density(images, batch_size=len(images), **conditions)
        return np.stack([self.calibration(one) for one in log_density])

    def get_config(self):
        return {**super().get_config(), **self.calibration.get_config()}
