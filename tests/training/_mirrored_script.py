"""Run in a subprocess: 2 logical CPUs must be configured before TF initialises."""
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_saliency.losses import TotalVariationDistance  # noqa: E402
from keras_saliency.training import ReferenceGuidedModel  # noqa: E402


def build():
    keras.utils.set_random_seed(0)
    inp = keras.Input((4, 4, 2))
    h = keras.layers.Conv2D(3, 1, activation="relu", name="body")(inp)
    out = keras.layers.Conv2D(1, 1, activation="sigmoid", use_bias=False, name="head")(h)
    return keras.Model(inp, keras.layers.Reshape((4, 4))(out))


rng = np.random.default_rng(1)
x, y = rng.random((8, 4, 4, 2), np.float32), rng.random((8, 4, 4), np.float32)
single = build()
ws = ReferenceGuidedModel(single, x[:2], 1 - y[:2], n_ref=2, epsilon=2.0)
ws.compile(optimizer=keras.optimizers.SGD(1.0), loss=TotalVariationDistance())
single_loss = ws.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False).history["loss"]
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    dist = build()
    wd = ReferenceGuidedModel(dist, x[:2], 1 - y[:2], n_ref=2, epsilon=2.0)
    wd.compile(optimizer=keras.optimizers.SGD(1.0), loss=TotalVariationDistance())
dist_loss = wd.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False).history["loss"]
for a, b in zip(single.get_weights(), dist.get_weights()):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
np.testing.assert_allclose(dist_loss, single_loss, rtol=1e-5)  # the logged loss is the whole batch's
print("MIRRORED_OK", strategy.num_replicas_in_sync)
