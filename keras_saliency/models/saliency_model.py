"""`SaliencyModel`: the contract of `keras_saliency.models.contract` for Keras model families.

A family mixes it in before ``keras.Model``::

    @keras.saving.register_keras_serializable(package="keras_saliency")
    class MyFamily(SaliencyModel, keras.Model):
        output_kind = "log_density"          # or "saliency_map"
        conditions = ("centerbias",)         # extra inputs besides "image", if any
        def call(self, inputs, training=False): ...        # {"image": (B, H, W, 3) 0..255, ...}
        def _predict_batch(self, images, **conditions): ...  # (B, H, W) at the input size

and inherits ``predict_log_density`` / ``predict_saliency_map`` / ``predict_video``,
``MyFamily.from_preset(...)`` / ``model.save_to_preset(...)`` and ``fit`` like any Keras
model. (A mixin rather than a ``keras.Model`` subclass, because Keras rewrites the
bases of functional subclasses such as WEPSAM.)

``supported_backends``: the Keras backends the family runs on; constructing it on
another backend raises one clear error (this is the one place a family says so).
"""

from __future__ import annotations

import keras

from keras_saliency.models.contract import SaliencyContract
from keras_saliency.presets import PresetMixin

BACKENDS = ("tensorflow", "jax")


class SaliencyModel(SaliencyContract, PresetMixin):
    """Mixin for Keras saliency models; see the module docstring."""

    supported_backends = BACKENDS

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not issubclass(cls, keras.Model):
            raise TypeError(f"{cls.__qualname__}: mix SaliencyModel into a keras.Model subclass "
                            f"(class {cls.__name__}(SaliencyModel, keras.Model)).")

    def __init__(self, *args, **kwargs):
        backend = keras.backend.backend()
        if backend not in self.supported_backends:
            raise RuntimeError(f"{type(self).__name__} runs on the {' and '.join(self.supported_backends)} "
                               f"backend(s), not on {backend!r} (KERAS_BACKEND).")
        super().__init__(*args, **kwargs)
