"""Training procedures: n-reference gradient-guided transfer and its experiment's schemes."""

from keras_saliency.training.n_reference_schemes import (
    SchemeTraining,
    dense_targets,
    reference_batch_size,
    run_schemes,
)
from keras_saliency.training.reference_guided import ReferenceGuidedModel
from keras_saliency.training.surgery import ascent_direction, cosine, refine

__all__ = ["ReferenceGuidedModel", "SchemeTraining", "ascent_direction", "cosine", "dense_targets", "refine",
           "reference_batch_size", "run_schemes"]
