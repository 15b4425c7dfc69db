"""Domain-aware UNISAL training through model.fit (tiny inputs, eager, 2 steps per epoch)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from keras_saliency.zoo.unisal import UNISAL
from keras_saliency.zoo.unisal.unisal_training import compile_for_training, loss_weights_for

RNG = np.random.default_rng(0)


def _batches(domain, n=2):
    images = RNG.uniform(0, 255, (n, 64, 64, 3)).astype("float32")
    dense = RNG.random((n, 64, 64)).astype("float32")
    fixations = (RNG.random((n, 64, 64)) > 0.97).astype("float32")
    return {"image": images, "domain": np.full((n,), domain, np.int32)}, np.stack([dense, fixations], -1)


def test_fit_freezes_encoder_then_trains_only_the_active_domain():
    model = UNISAL(domains=("A", "SALICON"))
    callbacks = compile_for_training(model, steps_per_epoch=1, freeze_encoder_epochs=1, run_eagerly=True)
    encoder_before = [np.array(w) for w in model.encoder.trainable_weights]
    gamma_before = np.array(model.skip_2x.steps[1].gamma)
    x, y = _batches(domain=1)
    history = model.fit(x, y, sample_weight=np.full(2, loss_weights_for(model.domains)[1]), epochs=1,
                        callbacks=callbacks, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    for before, after in zip(encoder_before, model.encoder.trainable_weights):
        np.testing.assert_array_equal(before, np.array(after))  # frozen during the first epoch
    gamma_after = np.array(model.skip_2x.steps[1].gamma)
    np.testing.assert_array_equal(gamma_after[0], gamma_before[0])  # domain A untouched
    assert not np.array_equal(gamma_after[1], gamma_before[1])  # domain SALICON trained
    model.fit(x, y, epochs=2, initial_epoch=1, callbacks=callbacks, verbose=0)  # encoder now trains
    changed = [not np.array_equal(b, np.array(a)) for b, a in zip(encoder_before, model.encoder.trainable_weights)]
    assert any(changed)
    assert loss_weights_for(("DHF1K", "SALICON")).tolist() == [1.0, 0.5]


def test_fit_under_mirrored_strategy_with_two_logical_cpus():
    script = textwrap.dedent("""
        import numpy as np, tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from keras_saliency.zoo.unisal import UNISAL
        from keras_saliency.zoo.unisal.unisal_training import compile_for_training
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        assert strategy.num_replicas_in_sync == 2
        with strategy.scope():
            model = UNISAL(domains=("A",))
            callbacks = compile_for_training(model, steps_per_epoch=1, freeze_encoder_epochs=0)
        rng = np.random.default_rng(0)
        x = {"image": rng.uniform(0, 255, (4, 64, 64, 3)).astype("float32"), "domain": np.zeros(4, np.int32)}
        y = np.stack([rng.random((4, 64, 64)), (rng.random((4, 64, 64)) > 0.97)], -1).astype("float32")
        history = model.fit(x, y, batch_size=4, epochs=1, callbacks=callbacks, verbose=0)
        assert np.isfinite(history.history["loss"][0]), history.history
        print("mirrored ok", history.history["loss"][0])
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "mirrored ok" in result.stdout


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


def test_learning_rate_is_the_initial_rate_of_the_decay_and_must_be_positive():
    model = UNISAL(domains=("SALICON",))
    compile_for_training(model, steps_per_epoch=10, learning_rate=0.01)
    assert np.isclose(float(model.optimizer.learning_rate), 0.01)
    with pytest.raises(ValueError, match="learning_rate"):
        compile_for_training(UNISAL(domains=("SALICON",)), steps_per_epoch=10, learning_rate=0.0)
