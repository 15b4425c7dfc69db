"""UNISAL's recipe as compile defaults, trained through model.fit (tiny inputs, 1-2 steps)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_saliency.losses import UNISALLoss
from keras_saliency.zoo.unisal import UNISAL
from keras_saliency.zoo.unisal.unisal_training import loss_weights_for

RNG = np.random.default_rng(0)
ROOT = Path(__file__).resolve().parents[2]


def _batches(domain, n=2, rng=RNG):
    images = rng.uniform(0, 255, (n, 64, 64, 3)).astype("float32")
    dense = rng.random((n, 64, 64)).astype("float32")
    fixations = (rng.random((n, 64, 64)) > 0.97).astype("float32")
    return {"image": images, "domain": np.full((n,), domain, np.int32)}, np.stack([dense, fixations], -1)


def _run(*parts, backend="tensorflow"):
    """Runs the dedented ``parts`` as one script in a fresh Python; returns its stdout."""
    env = {**os.environ, "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", "".join(map(textwrap.dedent, parts))], capture_output=True, text=True,
                            timeout=600, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def test_fit_freezes_encoder_then_trains_only_the_active_domain():
    model = UNISAL(domains=("A", "SALICON"))
    model.compile(steps_per_epoch=1, freeze_encoder_epochs=1, run_eagerly=True)
    encoder_before = [np.array(w) for w in model.encoder.trainable_weights]
    gamma_before = np.array(model.skip_2x.steps[1].gamma)
    x, y = _batches(domain=1)
    history = model.fit(x, y, sample_weight=np.full(2, loss_weights_for(model.domains)[1]), epochs=1, verbose=0)
    assert isinstance(history, keras.callbacks.History) and np.isfinite(history.history["loss"]).all()
    for before, after in zip(encoder_before, model.encoder.trainable_weights):
        np.testing.assert_array_equal(before, np.array(after))  # frozen during the first epoch
    gamma_after = np.array(model.skip_2x.steps[1].gamma)
    np.testing.assert_array_equal(gamma_after[0], gamma_before[0])  # domain A untouched
    assert not np.array_equal(gamma_after[1], gamma_before[1])  # domain SALICON trained
    model.fit(x, y, epochs=2, initial_epoch=1, verbose=0)  # encoder now trains
    changed = [not np.array_equal(b, np.array(a)) for b, a in zip(encoder_before, model.encoder.trainable_weights)]
    assert any(changed)
    assert loss_weights_for(("DHF1K", "SALICON")).tolist() == [1.0, 0.5]


def test_two_fit_steps_on_one_batch_lower_the_loss():
    keras.utils.set_random_seed(0)  # unseeded, about one initialisation in five raised the loss at step 2
    model = UNISAL(domains=("SALICON",), skip_dropout=0.0, recurrent_dropout=0.0)
    model.compile(steps_per_epoch=1, freeze_encoder_epochs=0, run_eagerly=True)
    x, y = _batches(domain=0, n=4, rng=np.random.default_rng(0))
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert isinstance(history, keras.callbacks.History)
    assert history.history["loss"][1] < history.history["loss"][0]


# With zero loss weights the step is the recipe's weight decay alone (SGD: w -= lr * decay * w), which
# checks the decay per kind of variable (large, to be seen in float32); also run under MirroredStrategy, where Keras sums the replicas.
DECAY_CHECK = """
    def check_pure_weight_decay(model, fit, **compile_kwargs):
        model.compile(steps_per_epoch=1, freeze_encoder_epochs=1, learning_rate=0.1, weight_decay=0.5,
                      encoder_weight_decay=0.3, clipnorm=1e9, **compile_kwargs)  # large decays: no clipping
        layers = {"shared": model.post_cnn.layers[0], "domain": model.skip_2x.steps[1], "encoder": model.encoder}
        before = {k: [np.array(w) for w in layer.trainable_weights] for k, layer in layers.items()}
        history = fit(model)
        assert np.isfinite(history.history["loss"]).all() and history.history["loss"][0] == 0.0
        after = {k: [np.array(w) for w in layer.trainable_weights] for k, layer in layers.items()}
        np.testing.assert_allclose(after["shared"][0], before["shared"][0] * (1 - 0.1 * 0.5), rtol=1e-5)
        gamma0, gamma1 = before["domain"][0], after["domain"][0]
        np.testing.assert_allclose(gamma1[1], gamma0[1] * (1 - 0.1 * 0.5), rtol=1e-5)  # the active domain
        np.testing.assert_array_equal(gamma1[0], gamma0[0])
        for b, a in zip(before["encoder"], after["encoder"]):
            np.testing.assert_array_equal(a, b)  # frozen for the first epoch
        fit(model)  # second epoch: rate 0.1 * 0.8, the encoder decays at the 0.1 learning-rate multiplier
        np.testing.assert_allclose(np.array(model.encoder.trainable_weights[0]),
                                   before["encoder"][0] * (1 - 0.08 * 0.1 * 0.3), rtol=1e-5)
"""


def test_zero_weighted_step_is_the_recipe_weight_decay():
    namespace = {"np": np}
    exec(textwrap.dedent(DECAY_CHECK), namespace)
    x, y = _batches(domain=1)
    namespace["check_pure_weight_decay"](UNISAL(domains=("A", "B")), lambda model: model.fit(
        x, y, sample_weight=np.zeros(2, np.float32), batch_size=2, epochs=1, verbose=0), run_eagerly=True)


@pytest.mark.skipif(os.environ.get("KERAS_SALIENCY_SLOW_TESTS") != "1",
                    reason="slow (1.5-2 min, over the CI budget): set KERAS_SALIENCY_SLOW_TESTS=1; the contract suite "
                           "trains UNISAL on TF and JAX in CI")
def test_fit_under_mirrored_strategy_with_two_logical_cpus():
    stdout = _run("""
        import numpy as np, tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from keras_saliency.zoo.unisal import UNISAL
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        assert strategy.num_replicas_in_sync == 2
        with strategy.scope():
            model = UNISAL(domains=("A",))
            model.compile(steps_per_epoch=1, freeze_encoder_epochs=0)
        rng = np.random.default_rng(0)
        x = {"image": rng.uniform(0, 255, (4, 64, 64, 3)).astype("float32"), "domain": np.zeros(4, np.int32)}
        y = np.stack([rng.random((4, 64, 64)), (rng.random((4, 64, 64)) > 0.97)], -1).astype("float32")
        history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
        assert np.isfinite(history.history["loss"][0]), history.history
        x["domain"] = np.ones(4, np.int32)
    """, DECAY_CHECK, """
        with strategy.scope():
            model = UNISAL(domains=("A", "B"))
            check_pure_weight_decay(model, lambda model: model.fit(x, y, sample_weight=np.zeros(4, np.float32),
                                                                   batch_size=4, epochs=1, verbose=0))
        print("mirrored ok")
    """)
    assert "mirrored ok" in stdout


@pytest.mark.skipif(os.environ.get("KERAS_SALIENCY_SLOW_TESTS") != "1",
                    reason="slow (1.5-2 min, over the CI budget): set KERAS_SALIENCY_SLOW_TESTS=1; the contract suite "
                           "trains UNISAL on TF and JAX in CI")
def test_recipe_trains_on_jax():
    stdout = _run("""
        import keras, numpy as np
        assert keras.backend.backend() == "jax"
        from keras_saliency.zoo.unisal import UNISAL
        rng = np.random.default_rng(0)
        x = {"image": rng.uniform(0, 255, (2, 64, 64, 3)).astype("float32"), "domain": np.ones(2, np.int32)}
        y = np.stack([rng.random((2, 64, 64)), (rng.random((2, 64, 64)) > 0.97)], -1).astype("float32")
        model = UNISAL(domains=("A", "SALICON"), skip_dropout=0.0, recurrent_dropout=0.0)
        model.compile(steps_per_epoch=1, freeze_encoder_epochs=1, learning_rate=0.1, weight_decay=0.5)
        encoder_before = [np.array(w) for w in model.encoder.trainable_weights]
        gamma_before, shared_before = np.array(model.skip_2x.steps[1].gamma), np.array(model.post_cnn.layers[0].kernel)
        first = model.fit(x, y, epochs=1, verbose=0)
        assert isinstance(first, keras.callbacks.History)
        assert all(np.array_equal(b, np.array(a)) for b, a in zip(encoder_before, model.encoder.trainable_weights))
        gamma_after = np.array(model.skip_2x.steps[1].gamma)
        assert np.array_equal(gamma_after[0], gamma_before[0]) and not np.array_equal(gamma_after[1], gamma_before[1])
        gru_before = [np.array(w) for w in model.recurrent.rnn.trainable_weights]
        second = model.fit(x, y, epochs=1, verbose=0)
        assert any(not np.array_equal(b, np.array(a)) for b, a in zip(encoder_before, model.encoder.trainable_weights))
        assert all(np.array_equal(b, np.array(a)) for b, a in zip(gru_before, model.recurrent.rnn.trainable_weights))
        assert second.history["loss"][0] < first.history["loss"][0], (first.history, second.history)
        print("jax ok")
    """, backend="jax")
    assert "jax ok" in stdout


def test_compile_arguments_are_checked_and_survive_the_compile_config():
    model = UNISAL(domains=("SALICON",))
    model.compile(steps_per_epoch=10, learning_rate=0.01, weight_decay=2e-4)
    assert np.isclose(float(model.optimizer.learning_rate), 0.01)
    assert isinstance(model.loss, UNISALLoss) and model.optimizer.momentum == 0.9
    config = model.get_compile_config()
    assert (config["steps_per_epoch"], config["freeze_encoder_epochs"], config["weight_decay"]) == (10, 2, 2e-4)
    again = UNISAL(domains=("SALICON",))
    again.compile_from_config(config)  # what keras.saving.load_model calls
    recipe = ("steps_per_epoch", "freeze_encoder_epochs", "weight_decay", "encoder_weight_decay",
              "encoder_lr_multiplier")
    assert [again.get_compile_config()[k] for k in recipe] == [config[k] for k in recipe]
    assert np.isclose(float(again.optimizer.learning_rate), 0.01) and again.optimizer.global_clipnorm == 2.0
    with pytest.raises(ValueError, match="learning_rate"):
        model.compile(steps_per_epoch=10, learning_rate=0.0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.compile()
    with pytest.raises(ValueError, match=r"\['momentum'\] configure the recipe's optimizer"):
        model.compile(optimizer=keras.optimizers.SGD(0.01), momentum=0.5)
    with pytest.raises(ValueError, match="freeze_encoder_epochs=1 needs `steps_per_epoch`"):
        model.compile(optimizer=keras.optimizers.SGD(0.01), freeze_encoder_epochs=1)
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss=UNISALLoss())  # own objects: no freeze
    assert model.get_compile_config()["freeze_encoder_epochs"] == 0


def test_image_domains_get_the_static_batchnorm_momentum_whatever_their_case():
    model = UNISAL(domains=("mit1003", "DHF1K", "osie"), static_domains=("MIT1003", "OSIE"))
    assert [model.is_static_domain(d) for d in model.domains] == [True, False, True]
    assert model.skip_2x.steps[1].momentums == [model.static_bn_momentum, model.video_bn_momentum,
                                                 model.static_bn_momentum]
    assert UNISAL(domains=("salicon",)).skip_4x.steps[1].momentums == [0.9]


def test_unknown_image_size_in_a_graph_is_a_clear_error():
    model = UNISAL(domains=("SALICON",))
    model.build()
    spec = {"image": tf.TensorSpec((None, None, None, 3), tf.float32), "domain": tf.TensorSpec((None,), tf.int32)}
    with pytest.raises(ValueError, match="known image height and width"):
        tf.function(lambda x: model(x), input_signature=[spec]).get_concrete_function()
