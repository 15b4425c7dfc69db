"""JAX: keras.distribution.DataParallel over 2 logical CPU devices equals one device (run by test_multi_worker.py).

Usage: XLA_FLAGS=--xla_force_host_platform_device_count=2 KERAS_BACKEND=jax python _data_parallel_jax_script.py MODELS
(MODELS: comma list of ``readout`` and ``unisal``). Trains each model 2 steps of batch 4 on one
device, then again with the batch split over the two devices, and prints the largest weight difference.
Under DataParallel, XLA computes the global batch's statistics, BatchNorm's included.
"""

import sys

import jax
import keras
import numpy as np

from _distributed_models import GLOBAL_BATCH, readout_model, readout_x, readout_y, unisal_model, unisal_x, unisal_y

assert keras.backend.backend() == "jax" and len(jax.devices("cpu")) == 2, jax.devices()

RUNS = {"readout": (readout_model, readout_x, readout_y), "unisal": (unisal_model, unisal_x, unisal_y)}
for name in sys.argv[1].split(","):
    build, x, y = RUNS[name]
    trained = []
    for distribution in (None, keras.distribution.DataParallel(devices=jax.devices("cpu"))):
        keras.distribution.set_distribution(distribution)
        model = build()
        model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
        trained.append([np.asarray(w) for w in model.get_weights()])
    keras.distribution.set_distribution(None)
    moved = max(float(np.max(np.abs(w))) for w in trained[0])
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(*trained))
    print(f"DATA_PARALLEL {name} {diff:.3e} {moved:.3e}", flush=True)
