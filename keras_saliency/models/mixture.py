"""`MixtureModel`: a probability-space mixture of any models that honour the contract.

``log p(x) = logsumexp_m(log w_m + log p_m(x))`` with weights ``w`` summing to 1
(equal by default), the reference's (and pysaliency's) ``MixtureModel``. Members
may come from any family: Keras models (UNISAL, DeepGaze, WEPSAM, DINet, a
`KerasSaliencyModel`) and the NumPy classical models alike, e.g.
``MixtureModel([unisal, deepgaze, classical.get("gbvs")])``. Each member predicts
its normalised log-density at the input size (saliency-map members are read as
densities), one member and ``batch_size`` images at a time, so peak memory is one
member's. Conditions are handed to the members that take them (a member that
takes ``centerbias`` or ``domain`` uses its own default when none is given).

Saved like any Keras model and as a preset (``save_to_preset``): Keras members
with their weights, classical members by module, class and config.
"""

from __future__ import annotations

import importlib
import math
from typing import Optional, Sequence

import keras
import numpy as np

from keras_saliency.models.contract import CONDITIONS, SaliencyContract, is_saliency_model
from keras_saliency.models.saliency_model import SaliencyModel
from keras_saliency.presets import WeightsView, preset_weights

_NUMPY_MEMBER = "numpy_saliency_model"


@keras.saving.register_keras_serializable(package="keras_saliency")
class MixtureModel(SaliencyModel, keras.Model):
    """Mixture of contract models in probability space; see the module docstring.

    Args:
        members: models honouring the contract (or their serialized configs).
        weights: one positive weight per member (normalised to sum 1); None: equal.
    """

    output_kind = "log_density"
    default_batch_size = 1

    def __init__(self, members: Sequence, weights: Optional[Sequence[float]] = None, name="mixture_model",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        members = [deserialize_member(m) if isinstance(m, dict) else m for m in members]
        if not members:
            raise ValueError("`members` must hold at least one model.")
        bad = [f"#{i} ({type(m).__name__})" for i, m in enumerate(members) if not is_saliency_model(m)]
        if bad:
            raise TypeError(f"mixture members must honour the saliency-model contract (keras_saliency.models); "
                            f"got {', '.join(bad)}. Wrap plain Keras networks in KerasSaliencyModel.")
        weights = [1.0] * len(members) if weights is None else [float(w) for w in weights]
        if len(weights) != len(members) or not all(w > 0 and math.isfinite(w) for w in weights):
            raise ValueError(f"`weights` must be {len(members)} positive finite numbers; got {weights!r}.")
        self.members = members
        self.keras_members = [m for m in members if isinstance(m, keras.Model)]
        self.member_weights = [w / sum(weights) for w in weights]
        self.conditions = tuple(c for c in CONDITIONS if any(c in m.conditions for m in members))
        self.built = all(m.built for m in self.keras_members)

    def call(self, inputs, training=False):
        raise NotImplementedError("MixtureModel is evaluated member by member: use predict_log_density.")

    def _predict_batch(self, images, **conditions):
        total = None
        for member, weight in zip(self.members, self.member_weights):
            given = {k: v for k, v in conditions.items() if k in member.conditions}
            log_density = member.predict_log_density(images, batch_size=len(images), **given) + math.log(weight)
            total = log_density if total is None else np.logaddexp(total, log_density)
        return total

    def preset_weights(self) -> keras.Model:
        """The preset part of every Keras member (e.g. DeepGaze readouts without their backbones)."""
        return WeightsView([preset_weights(m) for m in self.keras_members], name=f"{self.name}_weights")

    def get_config(self):
        return {**super().get_config(), "members": [serialize_member(m) for m in self.members],
                "weights": list(self.member_weights)}


def serialize_member(member) -> dict:
    if isinstance(member, keras.Model):
        return keras.saving.serialize_keras_object(member)
    return {_NUMPY_MEMBER: {"module": type(member).__module__, "class_name": type(member).__name__,
                            "config": member.get_config()}}


def deserialize_member(config: dict):
    if _NUMPY_MEMBER not in config:
        return keras.saving.deserialize_keras_object(config)
    spec = config[_NUMPY_MEMBER]
    module = str(spec.get("module", ""))
    if not module.startswith("keras_saliency."):
        raise ValueError(f"a NumPy mixture member must come from keras_saliency, not {module!r}.")
    cls = getattr(importlib.import_module(module), str(spec.get("class_name")), None)
    if not (isinstance(cls, type) and issubclass(cls, SaliencyContract)):
        raise ValueError(f"{module}.{spec.get('class_name')} is not a saliency model class.")
    return cls(**spec.get("config", {}))
