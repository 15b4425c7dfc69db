"""`WrappedModel`: the base of the wrappers that transform one contract model's prediction.

It holds the member (a model honouring the contract, its serialized config or a preset name: loaded from that
preset and saved by name, as `MixtureModel`'s members), takes the member's conditions and working size, saves
the member's preset part as its own, and leaves `_predict_batch` to the subclass (`FlipAveragedModel`,
`CalibratedModel`).
"""

from __future__ import annotations

import keras

from keras_saliency.models.contract import is_saliency_model
from keras_saliency.models.mixture import deserialize_member, serialize_member
from keras_saliency.models.saliency_model import SaliencyModel
from keras_saliency.presets import WeightsView, preset_weights


class WrappedModel(SaliencyModel, keras.Model):
    """One ``member``'s prediction, transformed by the subclass's ``_predict_batch``."""

    output_kind = "log_density"
    default_batch_size = 1

    def __init__(self, member, **kwargs):
        super().__init__(**kwargs)
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
        raise NotImplementedError(f"{type(self).__name__} is evaluated through its member: use predict_log_density.")

    def preset_weights(self) -> keras.Model:
        """The member's preset part (e.g. DeepGaze readouts without their backbones); none for a NumPy member or
        one loaded by preset name."""
        parts = [preset_weights(self.member)] if isinstance(self.member, keras.Model) and not self.member_preset else []
        return WeightsView(parts, name=f"{self.name}_weights")

    def get_config(self):
        return {**super().get_config(), "member": serialize_member(self.member, self.member_preset)}
