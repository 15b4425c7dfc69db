"""One UNISAL training run on image and video datasets as domains: the recipe of ``examples/train_unisal.py``.

Every named dataset is one domain. Image domains (``static_domains``: the Bypass-RNN skips the
ConvGRU) are batched at one fixed ``image_size`` with targets blurred by sigma = 0.04 x the longer
side; video domains (a :class:`VideoDomain`) give batches of ``clip_batch_size`` clips of
``clip_length`` frames, every ``frame_modulo``-th frame from a random start
(``keras_saliency.data.video_clip_dataset``, same blur), which go through the ConvGRU. One domain per
batch, as the reference: every epoch holds each domain's batches once (ceil(count / batch size)
of them), in a seeded random interleaving. ``UNISAL.compile``'s reference recipe with the encoder
frozen for ``min(2, epochs - 1)`` epochs. ``shared_domain=True`` is the ablation without domain
adaptation (one set of domain-specific parameters for every dataset; image datasets only).

Batches go through :class:`TrainSteps`: one compiled train step per batch rank (images (B, H, W, 3),
clips (B, T, H, W, 3)); one ``tf.data`` mixture of both would lose the rank that UNISAL's graph needs.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Dict, Optional, Tuple

import numpy as np

from keras_saliency.zoo.unisal.unisal_model import UNISAL


@dataclasses.dataclass(frozen=True)
class UNISALTraining:
    """The run's settings; ``learning_rate`` 0.01 at batch 8 is the reference's 0.04 at batch 32 scaled."""

    encoder: str = "efficientnet_lite0"
    encoder_weights: str = "imagenet"
    image_size: Tuple[int, int] = (288, 384)
    epochs: int = 8
    batch_size: int = 8
    learning_rate: float = 0.01
    shared_domain: bool = False
    seed: int = 0
    run_eagerly: bool = False
    clip_batch_size: int = 2
    clip_size: Optional[Tuple[int, int]] = None  # (H, W) of video clips; None = image_size


@dataclasses.dataclass(frozen=True)
class VideoDomain:
    """A video domain's source: ``examples`` (unbatched video examples: ``frames`` (T, H, W, 3), decoded or
    encoded, and ``fixations`` with ``frame``), ``count`` videos; ``clips_per_video`` clips per video per epoch
    (each from its own random start: the video list is passed that many times, reshuffled each pass).

    Every video needs at least ``(clip_length - 1) * frame_modulo + 1`` frames (shorter ones are skipped, and a
    domain without any would never yield a batch). The shuffle buffer holds ``count`` examples: give encoded
    frames (TFDS ``decoders={"frames": tfds.decode.SkipDecoding()}``) for long videos.
    """

    examples: object
    count: int
    clip_length: int = 12
    frame_modulo: int = 5
    clips_per_video: int = 1


def fit_unisal(sources: Dict[str, object], training: UNISALTraining, verbose: int = 2):
    """``(model, history, seconds)`` of a run on ``sources`` ``{domain name: (examples, count) | VideoDomain}``.

    ``(examples, count)``: an image domain, an unbatched ``tf.data.Dataset`` of image examples (a TFDS
    split, or ``FixationImages.as_dataset``) and how many it holds (the shuffle buffer and the batches per
    epoch); a :class:`VideoDomain`: a video domain. ``history.history["loss"]``: the mean batch loss per epoch.
    The model's ``video_input_size`` is the clip size, so ``predict_video`` runs at the training resolution.
    """
    import keras

    from keras_saliency.zoo.unisal.unisal_training import domain_loss_weight

    names = list(sources)
    if not names:
        raise ValueError("`sources` is empty: give at least one {domain name: (examples, count) | VideoDomain}.")
    if training.epochs < 1:
        raise ValueError(f"`epochs` must be >= 1; got {training.epochs}.")
    videos = [name for name in names if isinstance(sources[name], VideoDomain)]
    if training.shared_domain and videos:
        raise ValueError(f"`shared_domain` is the image-only ablation; {videos} are video domains.")
    clip_size = tuple(training.clip_size or training.image_size)
    domains = ["shared"] if training.shared_domain else names
    static = [d for d in domains if d not in videos]
    model = UNISAL(domains=domains, static_domains=static, encoder=training.encoder,
                   encoder_weights=training.encoder_weights, video_input_size=clip_size)
    streams, counts = [], []
    for index, name in enumerate(names):
        domain = 0 if training.shared_domain else index
        batches, count = _domain_batches(sources[name], name, domain, training, clip_size, domain_loss_weight(name))
        streams.append(iter(batches.repeat()))
        counts.append(count)
    steps = sum(counts)
    model.compile(steps_per_epoch=steps, freeze_encoder_epochs=min(2, training.epochs - 1),
                  learning_rate=training.learning_rate, run_eagerly=training.run_eagerly)
    history = keras.callbacks.History()
    history.set_model(model)
    history.on_train_begin()
    step = TrainSteps(model)
    rng = np.random.default_rng(training.seed)
    start = time.perf_counter()
    for epoch in range(training.epochs):
        losses = []
        for domain in rng.permutation(np.repeat(np.arange(len(names)), counts)):
            losses.append(step(*next(streams[domain])))
        history.on_epoch_end(epoch, {"loss": float(np.mean(losses))})
        if verbose:
            print(f"epoch {epoch + 1}/{training.epochs}: loss {np.mean(losses):.4f} ({len(losses)} batches, "
                  f"{time.perf_counter() - start:.0f} s)", flush=True)
    return model, history, time.perf_counter() - start


class TrainSteps:
    """``step(x, y, weight) -> loss`` of one batch: ``model.train_step`` (the compiled model's recipe).

    On TensorFlow graph mode, one ``tf.function`` per input rank (``functions[rank]``), each traced once
    per batch shape kind: swapping ``model.train_function`` between functions made by
    ``make_train_function(force=True)`` retraces on every call (Keras 3.12). Eager models and other
    backends use ``model.train_on_batch`` (JAX's jit caches a trace per shape; ``tf.data`` batches are
    converted to NumPy for them). Metrics are reset
    before each batch, so the loss is that batch's.
    """

    def __init__(self, model):
        self.model = model
        self.functions = {}

    def __call__(self, x, y, weight) -> float:
        import keras

        self.model.reset_metrics()
        graph = keras.backend.backend() == "tensorflow"
        if not graph:  # tf.data batches: NumPy for the other backends
            x, y, weight = keras.tree.map_structure(np.asarray, (x, y, weight))
        if self.model.run_eagerly or not graph:
            return float(self.model.train_on_batch(x, y, sample_weight=weight, return_dict=True)["loss"])
        import tensorflow as tf

        rank = len(x["image"].shape)
        if rank not in self.functions:
            self.functions[rank] = tf.function(self.model.train_step, reduce_retracing=True)
        return float(self.functions[rank]((x, y, weight))["loss"])


def _domain_batches(source, name, domain, training, clip_size, weight):
    """(finite batched dataset of one pass, its batch count) of one domain's source."""
    from keras_saliency.data import saliency_dataset, video_clip_dataset

    if isinstance(source, VideoDomain):
        if source.count < 1:
            raise ValueError(f"Video domain {name!r}: `count` must be >= 1; got {source.count}.")
        if source.clips_per_video < 1:
            raise ValueError(f"Video domain {name!r}: `clips_per_video` must be >= 1; got {source.clips_per_video}.")
        examples = source.examples.shuffle(source.count, seed=training.seed, reshuffle_each_iteration=True)
        batches = video_clip_dataset(examples.repeat(), clip_size, source.clip_length, source.frame_modulo,
                                     "unisal", training.clip_batch_size, sigma=0.04 * max(clip_size), domain=domain,
                                     sample_weight=weight, seed=training.seed, drop_remainder=True)
        return batches, max(1, source.count * source.clips_per_video // training.clip_batch_size)
    examples, count = source
    batches = saliency_dataset(examples, tuple(training.image_size), "unisal", training.batch_size,
                               sigma=0.04 * max(training.image_size), domain=domain, sample_weight=weight,
                               shuffle_buffer=count, seed=training.seed)
    return batches, -(-count // training.batch_size)
