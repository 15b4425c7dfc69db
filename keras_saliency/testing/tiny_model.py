"""`TinySaliency`: a registered, subclassed preset model small enough for unit tests."""

import keras

from keras_saliency.models.saliency_model import SaliencyModel


@keras.saving.register_keras_serializable(package="keras_saliency_testing")
class TinySaliency(SaliencyModel, keras.Model):
    """(B, H, W, 3) images -> (B, H, W) log-density (log-softmax over pixels).

    One 3x3 conv with ``filters`` channels, ReLU, a 1x1 conv to one channel; honours the
    saliency-model contract at any image size.
    """

    def __init__(self, filters=4, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.features = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name="features")
        self.readout = keras.layers.Conv2D(1, 1, name="readout")

    def build(self, input_shape):
        self.features.build(input_shape)
        self.readout.build((*input_shape[:-1], self.filters))

    def call(self, images):
        images = images["image"] if isinstance(images, dict) else images
        logits = self.readout(self.features(images))[..., 0]
        batch = keras.ops.shape(logits)[0]
        flat = keras.ops.reshape(logits, (batch, -1))
        return keras.ops.reshape(keras.ops.log_softmax(flat, axis=-1), keras.ops.shape(logits))

    def _predict_batch(self, images, **conditions):
        return keras.ops.convert_to_numpy(self(images))

    def get_config(self):
        return {**super().get_config(), "filters": self.filters}


def tiny_model(filters=4, size=(8, 12), seed=0):
    """A built `TinySaliency` with seeded random weights for ``size`` = (H, W) inputs."""
    keras.utils.set_random_seed(seed)
    model = TinySaliency(filters=filters)
    model.build((None, *size, 3))
    return model
