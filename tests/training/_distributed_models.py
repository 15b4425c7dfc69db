"""The models and data the distributed-training scripts train (imported after the backend is set)."""

import keras
import numpy as np

from keras_saliency.zoo.deepgaze.deepgaze_model import DeepGazeReadoutModel
from keras_saliency.zoo.deepgaze.deepgaze_readout import DeepGazeReadout
from keras_saliency.zoo.unisal import UNISAL

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


unisal_x = {"image": rng.uniform(0, 255, (n, 64, 64, 3)).astype(np.float32), "domain": np.zeros(n, np.int32)}
unisal_y = np.stack([rng.random((n, 64, 64)), rng.random((n, 64, 64)) > 0.97], -1).astype(np.float32)


def unisal_model(synchronized_batch_norm=False, clipnorm=None, learning_rate=0.04):
    """A seeded UNISAL (SALICON only, no dropout) at 64x64 with its own optimizer."""
    keras.utils.set_random_seed(2)
    model = UNISAL(domains=("SALICON",), skip_dropout=0.0, recurrent_dropout=0.0,
                   synchronized_batch_norm=synchronized_batch_norm)
    model.compile(steps_per_epoch=STEPS, freeze_encoder_epochs=0, learning_rate=learning_rate, clipnorm=clipnorm)
    return model
