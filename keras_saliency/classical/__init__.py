"""Classical (non-learned) saliency models: NumPy/SciPy, any image size.

Each model honours the saliency-model contract (`keras_saliency.models.contract`):
``predict_saliency_map(images)`` / ``predict_log_density(images)`` on (B, H, W, 3)
RGB 0..255 batches -> (B, H, W) float64; ``output_kind = "saliency_map"``. The motion baseline
:class:`FrameDifference` predicts videos only (``predict_video``), so it is not in ``MODELS``.
"""

from keras_saliency.classical.center_bias import GaussianCenterBias
from keras_saliency.classical.gbvs import GBVS, gbvs
from keras_saliency.classical.itti_koch import IttiKoch
from keras_saliency.classical.motion import FrameDifference

MODELS = {"gbvs": GBVS, "itti": IttiKoch, "center_bias": GaussianCenterBias}


def get(name: str, **kwargs):
    """A classical model by name (``list(MODELS)``)."""
    if name not in MODELS:
        raise ValueError(f"Unknown classical model {name!r}; choose from {sorted(MODELS)}.")
    return MODELS[name](**kwargs)


__all__ = ["FrameDifference", "GaussianCenterBias", "GBVS", "gbvs", "IttiKoch", "MODELS", "get"]
