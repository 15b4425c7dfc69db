"""Training procedures (n-reference gradient-guided transfer)."""

from keras_saliency.training.reference_guided import ReferenceGuidedModel
from keras_saliency.training.surgery import ascent_direction, cosine, refine

__all__ = ["ReferenceGuidedModel", "ascent_direction", "cosine", "refine"]
