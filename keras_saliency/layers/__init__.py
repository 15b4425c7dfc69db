"""Reusable, serializable saliency layers (``keras.ops``)."""

from keras_saliency.layers.batch_norm_folding import fold_batch_norms
from keras_saliency.layers.bypass_rnn import BypassRNN
from keras_saliency.layers.conv_gru import ConvGRU
from keras_saliency.layers.domain_adaptive_conv import DomainAdaptiveConv1x1, DomainAdaptiveSmoothing
from keras_saliency.layers.domain_batch_norm import DomainAdaptiveBatchNormalization
from keras_saliency.layers.finalizer import Finalizer
from keras_saliency.layers.gaussian_prior_maps import GaussianPriorMaps
from keras_saliency.layers.layer_norm_chw import LayerNormCHW
from keras_saliency.layers.padded_channels_conv import Conv2D
from keras_saliency.layers.pixel_log_softmax import PixelLogSoftmax
from keras_saliency.layers.readout_network import ReadoutNetwork, fixation_selection_network, saliency_network
from keras_saliency.layers.shifted_depthwise_conv import DepthwiseConv2D, depthwise_implementation
from keras_saliency.layers.spatial import ReplicatePadding2D, Subsample2x

__all__ = [
    "BypassRNN",
    "Conv2D",
    "ConvGRU",
    "DepthwiseConv2D",
    "DomainAdaptiveBatchNormalization",
    "DomainAdaptiveConv1x1",
    "DomainAdaptiveSmoothing",
    "Finalizer",
    "GaussianPriorMaps",
    "LayerNormCHW",
    "PixelLogSoftmax",
    "ReadoutNetwork",
    "ReplicatePadding2D",
    "Subsample2x",
    "depthwise_implementation",
    "fold_batch_norms",
    "fixation_selection_network",
    "saliency_network",
]
