"""2-D convolution whose input channels are zero-padded to a multiple of 4 on JAX (XLA:CPU); the same result."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_saliency")
class Conv2D(keras.layers.Conv2D):
    """``keras.layers.Conv2D`` (same weights, same config) that on JAX runs a C % 4 != 0 channel input as 4k channels.

    It keeps the class name on purpose: Keras names a layer's entry in ``.weights.h5`` / ``.keras`` files
    after its class, so weight files saved with the Keras layer load into this one and back.

    jaxlib 0.10's XLA:CPU runs convolutions of 3-channel inputs (an RGB image: every backbone's first
    layer) far slower than of 4-channel ones: WEPSAM's 5x5, 3 -> 32 convolution of 8 images of 128x128
    took 28-45 ms against 12-17 ms with a zero fourth channel, a 3x3 stride-2 stem of one 224x384
    image 2.7-3.2 against 0.9-2.0 ms (idle 2-core machine, medians; `benchmarks/results/backends.md`).
    So on the JAX backend, for channels-last inputs with C % 4 != 0 and one group, zeros are appended
    to the input's channels and to the kernel's input axis: the same products plus zeros, so results
    agree to float32 rounding. TensorFlow runs the parent's convolution: its graph-mode kernel is
    slower padded (9-12 -> 17 ms for the WEPSAM case) and its XLA gains nothing (26 -> 28 ms).
    ``fold_batch_norms`` goes through :meth:`convolution_op`, so folded convolutions are padded too.
    """

    def convolution_op(self, inputs, kernel):
        channels = inputs.shape[-1]
        if (keras.backend.backend() != "jax" or self.data_format != "channels_last" or self.groups != 1
                or channels is None or channels % 4 == 0):
            return super().convolution_op(inputs, kernel)
        pad = -channels % 4
        inputs = ops.pad(inputs, [[0, 0]] * (len(inputs.shape) - 1) + [[0, pad]])
        kernel = ops.pad(kernel, [[0, 0], [0, 0], [0, pad], [0, 0]])
        return super().convolution_op(inputs, kernel)
