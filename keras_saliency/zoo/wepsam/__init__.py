"""WEPSAM (Lahiri et al. 2016): a shallow saliency CNN weakly pre-trained on GBVS pseudo-labels."""

from keras_saliency.zoo.wepsam.wepsam_experiment import ROWS, FineTuneSet, WepsamExperiment, run_experiment
from keras_saliency.zoo.wepsam.wepsam_model import WEPSAM, Maxout, ResizeMap
from keras_saliency.zoo.wepsam.wepsam_pseudo_labels import (
    ImageSource,
    PseudoLabels,
    PseudoLabelSettings,
    array_source,
    build_pseudo_labels,
    entropy_filter,
    folder_source,
    map_entropy,
    tfds_source,
)
from keras_saliency.zoo.wepsam.wepsam_training import fixation_targets, min_max_scale

__all__ = [
    "ROWS", "FineTuneSet", "ImageSource", "Maxout", "PseudoLabelSettings", "PseudoLabels", "ResizeMap", "WEPSAM",
    "WepsamExperiment", "array_source", "build_pseudo_labels", "entropy_filter", "fixation_targets",
    "folder_source", "map_entropy", "min_max_scale", "run_experiment", "tfds_source",
]
