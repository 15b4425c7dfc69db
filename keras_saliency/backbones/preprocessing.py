"""Input normalisation layers (serializable, inside the backbone model)."""

import keras
import numpy as np


IMAGENET_MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
IMAGENET_STD = (0.229 * 255, 0.224 * 255, 0.225 * 255)


def imagenet_normalization() -> keras.layers.Layer:
    """RGB 0..255 -> (x - mean) / std with the ImageNet statistics (torchvision convention)."""
    return keras.layers.Normalization(mean=list(IMAGENET_MEAN), variance=list(np.square(IMAGENET_STD)),
                                      name="imagenet_normalization")


def tf_lite_normalization() -> keras.layers.Layer:
    """RGB 0..255 -> (x - 127) / 128, the TF EfficientNet-Lite ("inception-style") convention."""
    return keras.layers.Normalization(mean=[127.0] * 3, variance=[128.0 ** 2] * 3, name="tf_lite_normalization")


def no_normalization() -> keras.layers.Layer:
    """For networks that normalise inside themselves (keras.applications EfficientNet)."""
    return keras.layers.Identity(name="no_normalization")
