"""Does UNISAL trained under tf.distribute.MirroredStrategy (2 logical CPUs) equal one device? Writes a Markdown table.

One training step, global batch 4 of two images a, b at 64x64, learning rate 0.04, clipping off,
dropout off, eager. Two batch orders: [a, b, a, b] (each replica's half holds a and b, so per-replica
BatchNorm statistics equal the global batch's) and [a, a, b, b] (they differ), each with the
default per-replica BatchNorm and with ``synchronized_batch_norm=True``. Reports the largest
absolute weight difference from the one-device run of the same model.

    PYTHONPATH=. python benchmarks/unisal_distributed_equality.py \\
        --output benchmarks/results/unisal_distributed_equality.md
"""

import argparse

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_saliency.atomic_write import atomic_write  # noqa: E402
from keras_saliency.zoo.unisal import UNISAL  # noqa: E402


def build(synchronized):
    keras.utils.set_random_seed(2)
    model = UNISAL(domains=("SALICON",), skip_dropout=0.0, recurrent_dropout=0.0,
                   synchronized_batch_norm=synchronized)
    model.compile(steps_per_epoch=1, freeze_encoder_epochs=0, learning_rate=0.04, clipnorm=1e9, run_eagerly=True)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, 64, 64, 3)).astype(np.float32)
    targets = np.stack([rng.random((2, 64, 64)), rng.random((2, 64, 64)) > 0.97], -1).astype(np.float32)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    rows = []
    cases = [(label, order, sync) for sync in (False, True)
             for label, order in (("[a, b, a, b]", [0, 1, 0, 1]), ("[a, a, b, b]", [0, 0, 1, 1]))]
    for label, order, sync in cases:
        x, y = {"image": images[order], "domain": np.zeros(4, np.int32)}, targets[order]
        single = build(sync)
        single.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        with strategy.scope():
            mirrored = build(sync)
        mirrored.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        pairs = list(zip(single.get_weights(), mirrored.get_weights()))
        diff = max(float(np.max(np.abs(a - b))) for a, b in pairs)
        scale = max(float(np.max(np.abs(a))) for a, _ in pairs)
        batch_norm = "synchronized (`synchronized_batch_norm=True`)" if sync else "per replica (default)"
        rows.append(f"| {label} | {batch_norm} | {diff:.3g} | {scale:.3g} |")
    text = "\n".join([
        "# UNISAL: MirroredStrategy (2 logical CPUs) vs one device, one training step",
        "",
        "Command: `PYTHONPATH=. python benchmarks/unisal_distributed_equality.py "
        "--output benchmarks/results/unisal_distributed_equality.md`",
        "",
        "| global batch | BatchNorm statistics | max abs weight difference | max abs weight |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
    ])
    atomic_write(args.output, lambda f: f.write(text.encode()))
    print(text)


if __name__ == "__main__":
    main()
