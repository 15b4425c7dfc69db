"""`PresetMixin`: keras-hub style ``Model.from_preset(...)`` / ``model.save_to_preset(...)``."""

from __future__ import annotations

import keras

from keras_saliency.presets.registry import list_presets
from keras_saliency.presets.saving import load, save


class PresetMixin:
    """Mix into a registered Keras model class (before ``keras.Model`` in the bases)::

        @keras.saving.register_keras_serializable(package="keras_saliency")
        class MyModel(PresetMixin, keras.Model): ...

        model = MyModel.from_preset("hf://org/name@<sha>")  # a MyModel, or PresetError
        model.save_to_preset("my_preset", metadata={...})
    """

    @classmethod
    def from_preset(cls, preset, *, cache_dir=None):
        """Load ``preset`` (name, folder or ``hf://org/name[@revision]``); it must hold a ``cls``."""
        return load(preset, cache_dir=cache_dir, expected_class=cls)

    @classmethod
    def presets(cls) -> list:
        """The registered presets of exactly this class whose metadata is local (`PresetInfo` rows)."""
        return list_presets(model_class=keras.saving.get_registered_name(cls))

    def save_to_preset(self, preset_dir, metadata=None, *, overwrite=False):
        """Save this model as a preset folder (see `keras_saliency.presets.save`)."""
        return save(self, preset_dir, metadata, overwrite=overwrite)
