"""The DeepGaze readout and data both distributed-training scripts train (imported after the backend is set)."""

import keras
import numpy as np

from keras_saliency.zoo.deepgaze.deepgaze_model import DeepGazeReadoutModel
from keras_saliency.zoo.deepgaze.deepgaze_readout import DeepGazeReadout

GLOBAL_BATCH, STEPS = 4, 2
rng = np.random.default_rng(0)
n = GLOBAL_BATCH * STEPS
readout_x = {"features": rng.random((n, 4, 6, 8), np.float32),
             "centerbias": np.full((n, 16, 24), -np.log(16 * 24), np.float32)}
readout_y = np.stack([rng.uniform(0, 24, (n, 5)), rng.uniform(0, 16, (n, 5))], -1).astype(np.float32)


def readout_model():
    """A one-component readout, seeded, compiled with SGD(0.5)."""
    keras.utils.set_random_seed(1)
    model = DeepGazeReadoutModel([DeepGazeReadout(sigma=2.0, name="r0")])
    model.compile(optimizer=keras.optimizers.SGD(0.5))
    return model
