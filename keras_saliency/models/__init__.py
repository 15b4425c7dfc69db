"""The one saliency-model contract (`contract`), its Keras mixin and the cross-family wrappers.

``keras_saliency.models.contract`` imports no Keras (the classical models use it);
`SaliencyModel`, `KerasSaliencyModel`, `MixtureModel`, `FlipAveragedModel` and `CalibratedModel` import Keras on
first use.
"""

import importlib

from keras_saliency.models.contract import (
    CONDITIONS,
    OUTPUT_KINDS,
    SaliencyContract,
    check_images,
    is_saliency_model,
)

_LAZY = {
    "SaliencyModel": "keras_saliency.models.saliency_model",
    "KerasSaliencyModel": "keras_saliency.models.keras_saliency_model",
    "MixtureModel": "keras_saliency.models.mixture",
    "FlipAveragedModel": "keras_saliency.models.flip_average",
    "CalibratedModel": "keras_saliency.models.calibrated",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CONDITIONS", "OUTPUT_KINDS", "SaliencyContract", "check_images", "is_saliency_model", *_LAZY]
