"""Saliency metrics: NumPy float64 reference implementations.

Defaults follow pysaliency's conventions (duplicates counted, no resizing,
exact AUC without jitter); ``convention="mit"`` gives the MIT/Tübingen MATLAB
variants. Fixations are (N, 2) arrays of continuous 0-based (x, y) or
:class:`keras_saliency.fixations.Fixations`.
"""

from keras_saliency.metrics.auc import auc_borji, auc_judd, auc_uniform, sauc
from keras_saliency.metrics.dataset import (
    ALL_METRICS,
    DatasetEvaluation,
    EvaluationResult,
    ShuffledNegatives,
    evaluate,
    shuffled_nonfixations,
)
from keras_saliency.metrics.distribution import cc, kld, sim
from keras_saliency.metrics.location import nss
from keras_saliency.metrics.optimal import metric_optimal_saliency_map
from keras_saliency.metrics.probabilistic import (
    calibration_bins,
    calibration_histogram,
    information_gain,
    log_likelihood,
)

__all__ = [
    "ALL_METRICS",
    "DatasetEvaluation",
    "EvaluationResult",
    "ShuffledNegatives",
    "evaluate",
    "metric_optimal_saliency_map",
    "shuffled_nonfixations",
    "auc_borji",
    "auc_judd",
    "auc_uniform",
    "calibration_bins",
    "calibration_histogram",
    "cc",
    "information_gain",
    "kld",
    "log_likelihood",
    "nss",
    "sauc",
    "sim",
]
