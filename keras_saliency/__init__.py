"""keras-saliency: visual saliency prediction for Keras 3.

Light modules (fixations, maps, density, metrics) import without TensorFlow;
Keras-based ones (losses, layers, zoo, backbones) are imported on first use.
"""

import importlib

from keras_saliency import xla_flags as _xla_flags

__version__ = "0.1.0.dev0"

_SUBMODULES = (
    "analysis",
    "backbones",
    "classical",
    "cli",
    "convert",
    "data",
    "density",
    "evaluation",
    "fixations",
    "layers",
    "losses",
    "maps",
    "metrics",
    "models",
    "prediction",
    "presets",
    "training",
    "visualize",
    "zoo",
)

_xla_flags.apply()  # before JAX compiles anything (see keras_saliency.xla_flags)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in ("predict", "predict_video", "Video"):
        from keras_saliency import prediction

        return getattr(prediction, name)
    if name == "Fixations":
        from keras_saliency.fixations import Fixations

        return Fixations
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + ["Fixations", "Video", "predict", "predict_video"])
