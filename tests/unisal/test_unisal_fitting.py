"""fit_unisal with an image domain and a video domain (tiny synthetic data, one eager epoch)."""

import numpy as np
import pytest
import tensorflow as tf

from keras_saliency.data import saliency_dataset, video_clip_dataset
from keras_saliency.zoo.unisal import UNISAL
from keras_saliency.zoo.unisal.unisal_fitting import TrainSteps, UNISALTraining, VideoDomain, fit_unisal

SIZE = (64, 64)


def _images(n=3, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 255, (n, *SIZE, 3), dtype=np.uint8)
    x = rng.uniform(0, SIZE[1], (n, 5)).astype(np.float32)
    y = rng.uniform(0, SIZE[0], (n, 5)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices({"image": images, "fixations": {"x": x, "y": y}})


def _videos(n=2, frames=9, seed=1):
    """Videos with PNG-encoded frames (the SkipDecoding layout) and one fixation per frame."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (n, frames, *SIZE, 3), dtype=np.uint8)
    encoded = [[tf.io.encode_png(frame).numpy() for frame in video] for video in pixels]
    fixations = {"x": rng.uniform(0, SIZE[1], (n, frames)).astype(np.float32),
                 "y": rng.uniform(0, SIZE[0], (n, frames)).astype(np.float32),
                 "frame": np.tile(np.arange(frames, dtype=np.int32), (n, 1))}
    return tf.data.Dataset.from_tensor_slices({"frames": np.array(encoded, dtype=object), "fixations": fixations})


def test_image_and_video_domains_train_their_own_paths():
    training = UNISALTraining(encoder="mobilenetv2_unisal", encoder_weights=None, image_size=SIZE, epochs=1,
                              batch_size=2, clip_batch_size=2, run_eagerly=True)
    sources = {"images": (_images(), 3),
               "clips": VideoDomain(_videos(), 2, clip_length=3, frame_modulo=2, clips_per_video=2)}
    model, history, _ = fit_unisal(sources, training, verbose=0)
    assert model.domains == ["images", "clips"] and model.static_domains == ["images"]
    assert model.video_input_size == SIZE
    assert int(model.optimizer.iterations) == 2 + 2  # ceil(3 / 2) image batches + 2 videos x 2 clips // 2
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"][0])
    # only clip batches reach the Bypass-RNN: its BatchNorm scales (initially 1) moved in the video domain's
    # slice only (image batches skip it, and domain weight decay touches the active slice only)
    gammas = [np.array(v) for v in model.recurrent.weights if v.path.endswith("gamma")]
    assert gammas and all(g.shape[0] == 2 for g in gammas)
    assert all(np.array_equal(g[0], np.ones_like(g[0])) for g in gammas)
    assert any(not np.array_equal(g[1], np.ones_like(g[1])) for g in gammas)


def test_train_steps_take_tf_data_batches_on_every_backend():
    """fit_unisal feeds tf.data batches: TensorFlow tensors, which JAX cannot take (the JAX CI run runs this)."""
    import keras

    inputs = {"image": keras.Input((4,), name="image")}  # UNISAL's batches are dicts with "image"
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs["image"]))
    model.compile(optimizer="sgd", loss="mse")
    batch = next(iter(tf.data.Dataset.from_tensor_slices(
        ({"image": np.ones((2, 4), np.float32)}, np.zeros((2, 1), np.float32), np.ones((2,), np.float32))).batch(2)))
    step = TrainSteps(model)
    losses = [step(*batch) for _ in range(2)]
    assert all(np.isfinite(losses)) and losses[1] < losses[0]


def test_video_domains_are_checked():
    training = UNISALTraining(encoder="mobilenetv2_unisal", encoder_weights=None, image_size=SIZE, epochs=1,
                              shared_domain=True)
    with pytest.raises(ValueError, match="shared_domain.*video domains"):
        fit_unisal({"clips": VideoDomain(_videos(), 2)}, training)
    with pytest.raises(ValueError, match="count"):
        fit_unisal({"clips": VideoDomain(_videos(), 0)}, UNISALTraining(encoder="mobilenetv2_unisal",
                                                                        encoder_weights=None, image_size=SIZE))
    with pytest.raises(ValueError, match="clips_per_video"):
        fit_unisal({"clips": VideoDomain(_videos(), 2, clips_per_video=0)},
                   UNISALTraining(encoder="mobilenetv2_unisal", encoder_weights=None, image_size=SIZE))


def test_graph_steps_trace_once_per_rank_and_clips_train_after_a_first_image_batch():
    """Images then clips, alternating, in graph mode: each rank's step is traced once (not on every call), and
    the optimizer holds every variable although the first (image) batch gives the ConvGRU no gradients."""
    model = UNISAL(domains=["images", "clips"], static_domains=["images"], encoder="mobilenetv2_unisal",
                   encoder_weights=None, video_input_size=SIZE)
    model.compile(steps_per_epoch=4, freeze_encoder_epochs=0)
    images = next(iter(saliency_dataset(_images(), SIZE, "unisal", 2, sigma=3.0, domain=0, sample_weight=1.0)))
    clips = next(iter(video_clip_dataset(_videos(), SIZE, 3, 2, "unisal", 2, sigma=3.0, domain=1,
                                         sample_weight=1.0)))
    step = TrainSteps(model)
    losses = [step(*batch) for batch in (images, clips, images, clips)]
    assert all(np.isfinite(losses)) and int(model.optimizer.iterations) == 4
    assert {rank: f.experimental_get_tracing_count() for rank, f in step.functions.items()} == {4: 1, 5: 1}
    gammas = [np.array(v) for v in model.recurrent.weights if v.path.endswith("gamma")]
    assert any(not np.array_equal(g[1], np.ones_like(g[1])) for g in gammas)  # the clips trained the ConvGRU
