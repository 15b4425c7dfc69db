"""WEPSAM: the shallow saliency CNN of "WEPSAM: Weakly Pre-Learnt Saliency Model" (Lahiri et al. 2016).

Network (issue 8; there is no public reference implementation, so the paper as
summarised in the issue is followed)::

    (B, 128, 128, 3) RGB 0..255 -> x / 255
    3 x [Conv2D(k x k, 'same') + ReLU + MaxPool 2x2/2], k = 5, 3, 3   -> (B, 16, 16, F3)
    Flatten -> Dense(hidden) + ReLU -> Dense(1024 * pieces) -> Maxout(pieces) -> (B, 1024)
    Reshape (B, 32, 32, 1) -> bilinear resize to (128, 128) -> (B, 128, 128)

Weights ~ N(0, 0.01) (std 0.01), biases 0.1, as the paper. The output is a
linear (unbounded) saliency map regressed on [0, 1]-normalised target maps with
the pixel-wise squared error (``WEPSAM.compile``, ``wepsam_training``).

Choices the paper/issue leave open, stated: filter counts (32, 64, 64) and the
hidden width 2048 are ours (the issue gives no widths); 'same' padding; the
hidden dense layer uses ReLU; maxout groups are contiguous (output unit ``i`` is
the max of dense units ``i * pieces ... (i + 1) * pieces - 1``) with 2 pieces;
the resize uses half-pixel centres (``keras.ops.image.resize`` bilinear).
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import ops

from keras_saliency.layers.padded_channels_conv import Conv2D
from keras_saliency.models.saliency_model import SaliencyModel

INPUT_SIZE = 128
MAP_SIZE = 32
WEIGHT_STDDEV = 0.01
BIAS_INIT = 0.1


@keras.saving.register_keras_serializable(package="keras_saliency")
class Maxout(keras.layers.Layer):
    """(..., units * pieces) -> (..., units): max over contiguous groups of ``pieces`` features."""

    def __init__(self, pieces: int = 2, **kwargs):
        super().__init__(**kwargs)
        if int(pieces) != pieces or pieces < 1:
            raise ValueError(f"`pieces` must be a positive integer; got {pieces!r}.")
        self.pieces = int(pieces)

    def compute_output_shape(self, input_shape):
        features = input_shape[-1]
        if features is not None and features % self.pieces:
            raise ValueError(f"Maxout: the last axis ({features}) must be a multiple of pieces={self.pieces}.")
        return tuple(input_shape[:-1]) + (None if features is None else features // self.pieces,)

    def call(self, x):
        features = x.shape[-1]
        if features % self.pieces:
            raise ValueError(f"Maxout: the last axis ({features}) must be a multiple of pieces={self.pieces}.")
        grouped = ops.reshape(x, tuple(ops.shape(x)[:-1]) + (features // self.pieces, self.pieces))
        return ops.max(grouped, axis=-1)

    def get_config(self):
        return {**super().get_config(), "pieces": self.pieces}


@keras.saving.register_keras_serializable(package="keras_saliency")
class ResizeMap(keras.layers.Layer):
    """(B, h, w, 1) -> (B, H, W): bilinear resize (half-pixel centres) and drop the channel axis."""

    def __init__(self, size: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.size = tuple(int(s) for s in size)

    def call(self, x):
        return ops.squeeze(ops.image.resize(x, self.size, interpolation="bilinear"), -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.size

    def get_config(self):
        return {**super().get_config(), "size": list(self.size)}


@keras.saving.register_keras_serializable(package="keras_saliency")
class WEPSAM(SaliencyModel, keras.Model):
    """WEPSAM saliency CNN: (B, 128, 128, 3) RGB in 0..255 (or ``{"image": ...}``) -> (B, 128, 128) saliency map.

    ``output_kind = "saliency_map"``: ``predict_log_density(images)`` / ``predict_saliency_map(images)``
    take images of any size, resize them bilinearly (half-pixel centres, no antialiasing) to
    ``input_size`` and the map back to (H, W), clipped at 0.

    Args:
        conv_filters: filters of the three conv stages (kernels 5, 3, 3).
        hidden_units: width of the first dense layer.
        maxout_pieces: linear pieces per output unit of the last (maxout) dense layer.
        input_size: square input side (128 in the paper; the output map is resized to it).
        map_size: side of the dense output map (32: 1024 outputs).
    """

    def __init__(self, conv_filters: Sequence[int] = (32, 64, 64), hidden_units: int = 2048,
                 maxout_pieces: int = 2, input_size: int = INPUT_SIZE, map_size: int = MAP_SIZE,
                 name: str = "wepsam", **kwargs):
        conv_filters = [int(f) for f in conv_filters]
        if len(conv_filters) != 3 or min(conv_filters) < 1:
            raise ValueError(f"`conv_filters` must be three positive integers; got {conv_filters!r}.")
        for arg, value in (("hidden_units", hidden_units), ("input_size", input_size), ("map_size", map_size)):
            if int(value) != value or value < 1:
                raise ValueError(f"`{arg}` must be a positive integer; got {value!r}.")
        if input_size % 8:
            raise ValueError(f"`input_size` must be a multiple of 8 (three 2x2 poolings); got {input_size}.")
        weights = keras.initializers.RandomNormal(mean=0.0, stddev=WEIGHT_STDDEV)
        biases = keras.initializers.Constant(BIAS_INIT)
        dense_args = dict(kernel_initializer=weights, bias_initializer=biases)

        inputs = keras.Input((input_size, input_size, 3), name="image")
        x = keras.layers.Rescaling(1.0 / 255.0, name="rescale")(inputs)
        for stage, (filters, kernel) in enumerate(zip(conv_filters, (5, 3, 3)), start=1):
            x = Conv2D(filters, kernel, padding="same", activation="relu", name=f"conv{stage}", **dense_args)(x)
            x = keras.layers.MaxPooling2D(2, name=f"pool{stage}")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(int(hidden_units), activation="relu", name="fc1", **dense_args)(x)
        x = keras.layers.Dense(int(map_size) ** 2 * int(maxout_pieces), name="fc2", **dense_args)(x)
        x = Maxout(maxout_pieces, name="maxout")(x)
        x = keras.layers.Reshape((int(map_size), int(map_size), 1), name="to_map")(x)
        outputs = ResizeMap((input_size, input_size), name="resize")(x)
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)

        self.conv_filters, self.hidden_units, self.maxout_pieces = conv_filters, int(hidden_units), int(maxout_pieces)
        self.input_size, self.map_size = int(input_size), int(map_size)

    output_kind = "saliency_map"

    def call(self, inputs, training=None, mask=None):
        image = inputs["image"] if isinstance(inputs, dict) else inputs
        shape = tuple(image.shape)  # Keras checks the rank and spatial size before `call`, not the channels
        if len(shape) != 4 or shape[1:] != (self.input_size, self.input_size, 3):
            raise ValueError(f"WEPSAM expects RGB images of shape (batch, {self.input_size}, {self.input_size}, 3);"
                             f" got {shape}. Use `predict_saliency_map` for images of any size.")
        return super().call(image, training=training, mask=mask)

    def compile(self, optimizer=None, loss=None, *, learning_rate=None, momentum=None, decay_rate=None,
                decay_steps=None, **kwargs):
        """``keras.Model.compile`` with the paper's recipe as defaults; then ``model.fit(images, maps)``.

        ``optimizer``: None is SGD with Nesterov ``momentum`` (0.9) at
        ``learning_rate * decay_rate ** (step / decay_steps)`` (0.01, 0.9, 100);
        these four go only with None. ``loss``: None is the pixel-wise squared
        error (``keras.losses.MeanSquaredError``).
        ``fit`` takes images (N, S, S, 3) RGB in 0..255 and maps (N, S, S) in
        [0, 1] (pseudo-labels, or ``fixation_targets`` of real fixations).
        """
        from keras_saliency.training.fit_support import recipe_optimizer_arguments
        from keras_saliency.zoo.wepsam.wepsam_training import wepsam_optimizer

        given = recipe_optimizer_arguments(optimizer, learning_rate=learning_rate, momentum=momentum,
                                           decay_rate=decay_rate, decay_steps=decay_steps)
        super().compile(optimizer=wepsam_optimizer(**given) if optimizer is None else optimizer,
                        loss=keras.losses.MeanSquaredError() if loss is None else loss, **kwargs)

    def compile_from_config(self, config):
        from keras_saliency.training.fit_support import compile_from_config

        compile_from_config(self, config)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss, after checking that the target maps are (N, S, S) like the output."""
        shape = None if y is None else tuple(y.shape[1:])
        if shape is not None and (len(shape) != 2 or any(n not in (None, self.input_size) for n in shape)):
            raise ValueError(f"WEPSAM target maps must be (N, {self.input_size}, {self.input_size}) like its "
                             f"output; got shape {tuple(y.shape)}.")
        return super().compute_loss(x, y, y_pred, sample_weight, training=training)

    def _predict_batch(self, images, **conditions):
        side = (self.input_size, self.input_size)
        maps = self.predict_on_batch(ops.image.resize(images, side, interpolation="bilinear"))
        return np.maximum(ops.convert_to_numpy(ops.image.resize(maps[..., None], images.shape[1:3],
                                                                interpolation="bilinear"))[..., 0], 0.0)

    def get_config(self):
        return {"conv_filters": list(self.conv_filters), "hidden_units": self.hidden_units,
                "maxout_pieces": self.maxout_pieces, "input_size": self.input_size, "map_size": self.map_size,
                "name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
