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
with their weights, classical members by module, class and config. A member given
by a registered preset name (or a pinned ``hf://org/name@<sha>``), e.g.
``MixtureModel(["unisal_lite0_mit1003_osie", "deepgaze_iie_lite0_lite1_lite2_mit1003"])``,
is loaded from that preset and saved by that name only: the mixture's preset then
holds none of its weights (they stay in, and are verified against, the member's own
preset).
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
        members: models honouring the contract, their serialized configs, or preset names (see the module
            docstring).
        weights: one positive weight per member (normalised to sum 1); None: equal.
    """

    output_kind = "log_density"
    default_batch_size = 1

    def __init__(self, members: Sequence, weights: Optional[Sequence[float]] = None, name="mixture_model",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        specs = list(members)
        members = [deserialize_member(m) if isinstance(m, (dict, str)) else m for m in specs]
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
        self.member_presets = [m if isinstance(m, str) else None for m in specs]
        # the Keras members whose weights this model's preset holds (not those loaded from their own preset)
        self.keras_members = [m for m, p in zip(members, self.member_presets) if isinstance(m, keras.Model) and not p]
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
        """The preset part of every Keras member not loaded by preset name (e.g. DeepGaze readouts without their
        backbones)."""
        return WeightsView([preset_weights(m) for m in self.keras_members], name=f"{self.name}_weights")

    def get_config(self):
        return {**super().get_config(), "members": [serialize_member(m, p) for m, p in zip(self.members,
                                                                                          self.member_presets)],
                "weights": list(self.member_weights)}


def serialize_member(member, preset: Optional[str] = None):
    """``preset`` (the name the member was loaded by) if given, else the member's config."""
    if preset:
        return preset
    if isinstance(member, keras.Model):
        return keras.saving.serialize_keras_object(member)
    return {_NUMPY_MEMBER: {"module": type(member).__module__, "class_name": type(member).__name__,
                            "config": member.get_config()}}


def deserialize_member(config):
    """A member from `serialize_member`'s output: a preset name is loaded from that preset."""
    if isinstance(config, str):
        return _load_preset_member(config)
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


_LOADING: list = []  # the preset members being loaded, outermost first: a preset that names itself is refused


def _load_preset_member(name: str):
    from keras_saliency.presets import load, parse_hub_preset
    from keras_saliency.presets.errors import PresetError
    from keras_saliency.presets.registry import close_matches_hint, is_registered

    if name.startswith("hf://"):
        if not parse_hub_preset(name).pinned:
            raise PresetError(f"a mixture member on the Hub must be pinned to a commit: 'hf://org/name@<40-hex sha>', "
                              f"got {name!r}")
    elif not is_registered(name):
        raise PresetError(f"mixture member {name!r} is not a registered preset name{close_matches_hint(name)}; "
                          "a member is a registered name or a pinned hf://org/name@<sha>, never a folder")
    if name in _LOADING:
        raise PresetError(f"preset member {name!r} is among its own members (via {' -> '.join(_LOADING)})")
    _LOADING.append(name)
    try:
        member = load(name)
    finally:
        _LOADING.pop()
    if not is_saliency_model(member):
        raise PresetError(f"mixture member preset {name!r} holds a {type(member).__name__}, which does not honour the "
                          "saliency-model contract")
    return member
