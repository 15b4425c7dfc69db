"""DeepGaze II / IIE (Kümmerer et al.; Linardos, Kümmerer et al., ICCV 2021): readouts on frozen backbones."""

from keras_saliency.zoo.deepgaze.deepgaze_centerbias import CenterBiasGrid
from keras_saliency.zoo.deepgaze.deepgaze_ensembles import (
    ensemble_log_densities,
    ensemble_rows,
    fold_comparisons,
    members_of,
    mixture,
)
from keras_saliency.zoo.deepgaze.deepgaze_convert import convert_deepgaze_iie_checkpoint, deepgaze_iie_from_state_dict
from keras_saliency.zoo.deepgaze.deepgaze_export import export_fold_presets
from keras_saliency.zoo.deepgaze.deepgaze_features import FeatureCache, readout_grid
from keras_saliency.zoo.deepgaze.deepgaze_mixture import (
    DensityMixture,
    RunningLogMeanExp,
)
from keras_saliency.zoo.deepgaze.deepgaze_model import (
    DeepGazeII,
    DeepGazeIIE,
    DeepGazeReadoutModel,
)
from keras_saliency.zoo.deepgaze.deepgaze_pretraining import pretrain_readouts, pretraining_split
from keras_saliency.zoo.deepgaze.deepgaze_protocol import (
    ReadoutTraining,
    add_ensemble_rows,
    cache_features,
    make_extractor,
    predict_readout,
    run_fold,
    standin_extractor,
    summarise,
    train_readouts,
)
from keras_saliency.zoo.deepgaze.deepgaze_readout import DeepGazeReadout
from keras_saliency.zoo.deepgaze.deepgaze_training import (
    ReadoutDataset,
    ValidationInformationGain,
    evaluate_information_gain,
    fit_readout,
    step_decay,
)

__all__ = [
    "pretrain_readouts",
    "pretraining_split",
    "CenterBiasGrid",
    "DeepGazeII",
    "DeepGazeIIE",
    "DeepGazeReadout",
    "DeepGazeReadoutModel",
    "DensityMixture",
    "FeatureCache",
    "ReadoutDataset",
    "ReadoutTraining",
    "RunningLogMeanExp",
    "ValidationInformationGain",
    "add_ensemble_rows",
    "cache_features",
    "convert_deepgaze_iie_checkpoint",
    "deepgaze_iie_from_state_dict",
    "ensemble_log_densities",
    "ensemble_rows",
    "evaluate_information_gain",
    "export_fold_presets",
    "fit_readout",
    "fold_comparisons",
    "make_extractor",
    "members_of",
    "mixture",
    "predict_readout",
    "readout_grid",
    "run_fold",
    "standin_extractor",
    "step_decay",
    "summarise",
    "train_readouts",
]
