"""`FlipAveragedModel`: test-time horizontal-flip averaging of any model that honours the contract.

``p(x) = (p_m(x | image) + flip(p_m(. | flip(image)))(x)) / 2``: the member predicts the image and its
mirror image, the second density is mirrored back and the two are averaged in probability space
(as `MixtureModel`'s equal-weight mixture, so the result is again a normalised log-density).
Mirroring maps pixel column ``j`` of a width-``W`` image to ``W - 1 - j`` (pixel centres stay
pixel centres). A ``centerbias`` condition is mirrored with the image; other conditions
(``domain``) are passed unchanged. Saved as a preset like `MixtureModel`: its member inside, or, given by a
preset name (``FlipAveragedModel("unisal_lite0_mit1003_osie")``), loaded from that preset and saved by name.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from keras_saliency.models.wrapped_model import WrappedModel


@keras.saving.register_keras_serializable(package="keras_saliency")
class FlipAveragedModel(WrappedModel):
    """``member``'s density averaged with its mirrored prediction of the mirrored image.

    Args:
        member: a model honouring the contract, its serialized config or a preset name; it predicts twice per
            image.
    """

    def __init__(self, member, name="flip_averaged_model", **kwargs):
        super().__init__(member, name=name, **kwargs)

    def _predict_batch(self, images, **conditions):
        size = len(images)
        plain = self.member.predict_log_density(images, batch_size=size, **conditions)
        mirrored = dict(conditions)
        if conditions.get("centerbias") is not None:
            mirrored["centerbias"] = np.ascontiguousarray(conditions["centerbias"][:, :, ::-1])
        flipped = self.member.predict_log_density(np.ascontiguousarray(images[:, :, ::-1]), batch_size=size,
                                                  **mirrored)[:, :, ::-1]
        return np.logaddexp(plain, flipped) - math.log(2.0)
