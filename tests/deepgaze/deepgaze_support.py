"""A tiny random feature extractor standing in for an ImageNet backbone in the DeepGaze tests."""

import keras


def tiny_extractor(seed, channels=(4, 6)):
    """A random CNN: image (0..255) -> {"s4": stride-4 map, "s8": stride-8 map}."""
    keras.utils.set_random_seed(seed)
    image = keras.Input((None, None, 3))
    a = keras.layers.Conv2D(channels[0], 3, strides=4, padding="same", activation="relu")(
        keras.layers.Rescaling(1 / 255.0)(image))
    b = keras.layers.Conv2D(channels[1], 3, strides=2, padding="same")(a)
    return keras.Model(image, {"s4": a, "s8": b})
