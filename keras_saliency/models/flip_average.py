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

from keras_saliency.models.contract import is_saliency_model
from keras_saliency.models.mixture import deserialize_member, serialize_member
from keras_saliency.models.saliency_model import SaliencyModel
from keras_saliency.presets import WeightsView, preset_weights


@keras.saving.register_keras_serializable(package="keras_saliency")
class FlipAveragedModel(SaliencyModel, keras.Model):
    """``member``'s density averaged with its mirrored prediction of the mirrored image.

    Args:
        member: a model honouring the contract, its serialized config or a preset name; it predicts twice per
            image.
    """

    output_kind = "log_density"
    default_batch_size = 1

    def __init__(self, member, name="flip_averaged_model", **kwargs):
        super().__init__(name=name, **kwargs)
        self.member_preset = member if isinstance(member, str) else None
        member = deserialize_member(member) if isinstance(member, (dict, str)) else member
        if not is_saliency_model(member):
            raise TypeError(f"`member` must honour the saliency-model contract (keras_saliency.models); got "
                            f"{type(member).__name__}. Wrap plain Keras networks in KerasSaliencyModel.")
        self.member = member
        self.conditions = tuple(member.conditions)
        self.built = not isinstance(member, keras.Model) or member.built

    def working_size(self, size):
        return self.member.working_size(size)

    def call(self, inputs, training=False):
        raise NotImplementedError("FlipAveragedModel is evaluated through its member: use predict_log_density.")

    def _predict_batch(self, images, **conditions):
        size = len(images)
        plain = self.member.predict_log_density(images, batch_size=size, **conditions)
        mirrored = dict(conditions)
        if conditions.get("centerbias") is not None:
            mirrored["centerbias"] = np.ascontiguousarray(conditions["centerbias"][:, :, ::-1])
        flipped = self.member.predict_log_density(np.ascontiguousarray(images[:, :, ::-1]), batch_size=size,
                                                  **mirrored)[:, :, ::-1]
        return np.logaddexp(plain, flipped) - math.log(2.0)

    def preset_weights(self) -> keras.Model:
        """The member's preset part (e.g. DeepGaze readouts without their backbones); none for a NumPy member or
        one loaded by preset name."""
        parts = [preset_weights(self.member)] if isinstance(self.member, keras.Model) and not self.member_preset else []
        return WeightsView(parts, name=f"{self.name}_weights")

    def get_config(self):
        return {**super().get_config(), "member": serialize_member(self.member, self.member_preset)}
