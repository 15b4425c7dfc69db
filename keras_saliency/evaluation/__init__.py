"""Cross-validated evaluation of saliency models: one protocol for every candidate.

``evaluation_images`` (a dataset at the evaluation scale), ``gold_standard`` (leave-one-subject-out
gold standard), ``cross_validation`` (folds, training-fold centre bias, Table 1 metrics and
calibration per row, per-fold JSON results), ``fold_summary`` (averages over folds, markdown, figure),
``mixture_weights`` (mixture weights fitted on a validation fold), ``video_clips`` (held-out video clips:
split by clip, training-clip centre bias, per-frame metrics averaged over frames then clips).

```python
from keras_saliency import classical, evaluation
from keras_saliency.data import read_fixation_images
data = evaluation.EvaluationImages(read_fixation_images("mit1003", "../shared/data/mit1003"), scale=0.5)
ood = evaluation.EvaluationImages(read_fixation_images("osie", "../shared/data/osie"), scale=0.5)
protocol = evaluation.CrossValidation(data, ood, k=10)
fold = protocol.fold(0)
result = protocol.start(fold)                                  # centre bias + gold standard rows
protocol.add_model(result, fold, "gbvs", classical.get("gbvs"))   # any predict_log_density(images) model
```
"""

from keras_saliency.evaluation.cross_validation import (
    CENTRE_BIAS,
    GOLD_STANDARD,
    METRICS,
    CenterBiasMaps,
    CrossValidation,
    Fold,
    predicted_log_densities,
)
from keras_saliency.evaluation.evaluation_images import EvaluationImages
from keras_saliency.evaluation.fold_summary import (
    TABLE_METRICS,
    calibration_error,
    domain_summary,
    domain_table,
    plot_calibration,
    read_folds,
    summarise_folds,
)
from keras_saliency.evaluation.gold_standard import GoldStandard, fit_gold_bandwidth
from keras_saliency.evaluation.mixture_weights import fit_mixture_weights
from keras_saliency.evaluation.video_clips import (
    GazeClip,
    center_bias_predictor,
    clip_center_bias,
    clip_split,
    evaluate_clips,
    frame_predictor,
    read_clips,
    video_predictor,
)

__all__ = [
    "CENTRE_BIAS", "GOLD_STANDARD", "METRICS", "TABLE_METRICS", "CenterBiasMaps", "CrossValidation",
    "EvaluationImages", "Fold", "GazeClip", "GoldStandard", "calibration_error", "center_bias_predictor",
    "clip_center_bias", "clip_split", "domain_summary", "domain_table", "evaluate_clips", "fit_gold_bandwidth",
    "fit_mixture_weights", "frame_predictor", "plot_calibration", "predicted_log_densities", "read_clips",
    "read_folds", "summarise_folds", "video_predictor",
]
