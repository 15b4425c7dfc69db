"""One worker of a 2-worker MultiWorkerMirroredStrategy run on 127.0.0.1 (started by test_multi_worker.py).

Usage: python _multi_worker_script.py INDEX PORT0 PORT1 OUT_DIR. Each worker trains a DeepGaze
readout and UNISAL (``synchronized_batch_norm=True``) for 2 steps of global batch 4 on its shard of
the data and writes the weights to the file worker<INDEX>.npz in OUT_DIR; worker 0 then trains the
same models on one device with the same global batches and writes single.npz (and the weights
before training, initial.npz) there.

Sharding: the global-batch ``tf.data`` dataset goes through ``experimental_distribute_dataset``
with ``AutoShardPolicy.DATA``, so each worker gets its own part of every global batch.
UNISAL's default per-replica BatchNorm statistics would not match one device
(benchmarks/results/unisal_distributed_equality.md); synchronized ones do.
"""

import json
import os
import sys
import time

START = time.time()

index, port0, port1, out_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.environ["TF_CONFIG"] = json.dumps({
    "cluster": {"worker": [f"127.0.0.1:{port0}", f"127.0.0.1:{port1}"]},
    "task": {"type": "worker", "index": index},
})
import tensorflow as tf  # noqa: E402

strategy = tf.distribute.MultiWorkerMirroredStrategy()
import numpy as np  # noqa: E402

from _distributed_models import GLOBAL_BATCH, STEPS, readout_x, readout_y, unisal_x, unisal_y  # noqa: E402
from _distributed_models import readout_model as shared_readout_model  # noqa: E402
from _distributed_models import unisal_model as shared_unisal_model  # noqa: E402


def readout_model():
    model = shared_readout_model()
    model({"features": readout_x["features"][:1], "centerbias": readout_x["centerbias"][:1]})
    return model


def unisal_model():
    # Keras clips each replica's gradients before they are summed, so the recipe's clipnorm would
    # make two workers differ from one device; the check turns clipping off.
    model = shared_unisal_model(synchronized_batch_norm=True, clipnorm=1e9, learning_rate=0.002)
    model({"image": unisal_x["image"][:1], "domain": unisal_x["domain"][:1]})
    return model


def sharded(x, y):
    """The global-batch dataset; Keras distributes it, and tf.data's DATA auto-sharding gives each
    worker its own part of every global batch."""
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options)


def weights(model):
    return [np.asarray(w) for w in model.get_weights()]


RUNS = [("readout", readout_model, readout_x, readout_y), ("unisal", unisal_model, unisal_x, unisal_y)]
results = {}
for name, build, x, y in RUNS:
    with strategy.scope():
        model = build()
        model.optimizer.build(model.trainable_variables)
    # Keras 3.15's fit cannot run under MultiWorkerMirroredStrategy (keras-team/keras#20585: its
    # symbolic build reduces the nested first batch), so the same train_step runs in a plain loop.
    step = tf.function(lambda batch: strategy.run(model.train_step, args=(batch,)))
    batches = iter(strategy.experimental_distribute_dataset(sharded(x, y)))
    for _ in range(STEPS):  # a fixed count: no end-of-data handshake between the workers
        step(next(batches))
    print(name, "trained", round(time.time() - START, 1), flush=True)
    results.update({f"{name}/{i}": w for i, w in enumerate(weights(model))})
np.savez(os.path.join(out_dir, f"worker{index}.npz"), **results)

if index == 0:
    single, initial = {}, {}
    for name, build, x, y in RUNS:
        model = build()
        initial.update({f"{name}/{i}": w for i, w in enumerate(weights(model))})
        model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
        single.update({f"{name}/{i}": w for i, w in enumerate(weights(model))})
    np.savez(os.path.join(out_dir, "single.npz"), **single)
    np.savez(os.path.join(out_dir, "initial.npz"), **initial)
print("WORKER_DONE", index, strategy.num_replicas_in_sync, round(time.time() - START, 1), flush=True)
os._exit(0)  # skip the strategy's shutdown barrier, which waits for the other worker
