"""Reusable, serializable saliency layers (``keras.ops``)."""

from keras_saliency.layers.conv_gru import ConvGRU
from keras_saliency.layers.domain_adaptive_conv import DomainAdaptiveConv1x1, DomainAdaptiveSmoothing
from keras_saliency.layers.domain_batch_norm import DomainAdaptiveBatchNormalization
from keras_saliency.layers.gaussian_prior_maps import GaussianPriorMaps
from keras_saliency.layers.spatial import ReplicatePadding2D, Subsample2x

__all__ = [
    "ConvGRU",
    "DomainAdaptiveBatchNormalization",
    "DomainAdaptiveConv1x1",
    "DomainAdaptiveSmoothing",
    "GaussianPriorMaps",
    "ReplicatePadding2D",
    "Subsample2x",
]
