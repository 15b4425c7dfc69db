"""Classical (non-learned) saliency models: NumPy/SciPy, any image size.

Each model has ``predict_saliency(image) -> (H, W)`` and
``predict_log_density(image) -> (H, W)`` for uint8 or [0, 1] float RGB images.
"""

from keras_saliency.classical.centre_bias import CentreBiasModel
from keras_saliency.classical.gbvs import GBVS, gbvs
from keras_saliency.classical.itti_koch import IttiKoch

MODELS = {"gbvs": GBVS, "itti": IttiKoch, "centre_bias": CentreBiasModel}


def get(name: str, **kwargs):
    """A classical model by name (``list(MODELS)``)."""
    if name not in MODELS:
        raise ValueError(f"Unknown classical model {name!r}; choose from {sorted(MODELS)}.")
    return MODELS[name](**kwargs)


__all__ = ["CentreBiasModel", "GBVS", "gbvs", "IttiKoch", "MODELS", "get"]
