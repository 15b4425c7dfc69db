"""The pipeline feeds model.fit under MirroredStrategy (2 logical CPU devices, subprocess)."""

import os
import pathlib
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from saliency_data_examples import as_dataset, image_examples
    from keras_saliency import data

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    ds = data.saliency_dataset(as_dataset(image_examples() * 2), (16, 24), "dense_map", 4, sigma=1.5,
                               image_scaling="unit", drop_remainder=True)
    dist = strategy.experimental_distribute_dataset(ds)
    per_replica = next(iter(dist))[0]
    shapes = [t.shape[0] for t in strategy.experimental_local_results(per_replica)]
    assert shapes == [2, 2], shapes
    with strategy.scope():
        model = keras.Sequential([keras.Input((16, 24, 3)), keras.layers.Conv2D(1, 3, padding="same")])
        model.compile("sgd", "mse")
    history = model.fit(ds, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    print("OK", shapes)
""")


def test_mirrored_strategy_in_subprocess():
    here = pathlib.Path(__file__).resolve().parent
    env_path = f"{here}:{here.parents[1]}"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=240,
        env={**os.environ, "PYTHONPATH": env_path, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OK [2, 2]" in result.stdout
