"""DeepGaze II / IIE (Kümmerer et al.; Linardos, Kümmerer et al., ICCV 2021): readouts on frozen backbones."""

from keras_saliency.zoo.deepgaze.deepgaze_centerbias import CentreBiasTemplate
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
from keras_saliency.zoo.deepgaze.deepgaze_readout import DeepGazeReadout
from keras_saliency.zoo.deepgaze.deepgaze_training import (
    ReadoutDataset,
    ValidationInformationGain,
    evaluate_information_gain,
    fit_readout,
    step_decay,
)

__all__ = [
    "CentreBiasTemplate",
    "DeepGazeII",
    "DeepGazeIIE",
    "DeepGazeReadout",
    "DeepGazeReadoutModel",
    "DensityMixture",
    "FeatureCache",
    "ReadoutDataset",
    "RunningLogMeanExp",
    "ValidationInformationGain",
    "evaluate_information_gain",
    "fit_readout",
    "readout_grid",
    "step_decay",
]
