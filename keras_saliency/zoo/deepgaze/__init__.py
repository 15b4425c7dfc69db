"""DeepGaze IIE (Linardos, Kümmerer et al., ICCV 2021)."""

from keras_saliency.zoo.deepgaze.deepgaze_model import DeepGazeIIE, fixation_selection_network, saliency_network

__all__ = ["DeepGazeIIE", "fixation_selection_network", "saliency_network"]
