"""One UNISAL training run on image datasets as domains: the recipe of ``examples/train_unisal.py``.

Every named dataset is one domain (an image domain: ``static_domains``), batched at one fixed
``image_size`` with targets blurred by sigma = 0.04 x the longer side, one domain per batch, the
datasets' batches interleaved (``keras_saliency.data.domain_batches``); ``UNISAL.compile``'s reference
recipe with the encoder frozen for ``min(2, epochs - 1)`` epochs. ``shared_domain=True`` is the
ablation without domain adaptation (one set of domain-specific parameters for every dataset).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Dict, Tuple

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


def fit_unisal(sources: Dict[str, Tuple[object, int]], training: UNISALTraining, verbose: int = 2):
    """``(model, history, seconds)`` of a run on ``sources`` ``{domain name: (examples, count)}``.

    ``examples``: an unbatched ``tf.data.Dataset`` of image examples (a TFDS split, or
    ``FixationImages.as_dataset``); ``count``: how many it holds (the shuffle buffer and the steps per epoch).
    """
    from keras_saliency.data import domain_batches, saliency_dataset
    from keras_saliency.zoo.unisal.unisal_training import domain_loss_weight

    names = list(sources)
    if not names:
        raise ValueError("`sources` is empty: give at least one {domain name: (examples, count)}.")
    if training.epochs < 1:
        raise ValueError(f"`epochs` must be >= 1; got {training.epochs}.")
    domains = ["shared"] if training.shared_domain else names
    model = UNISAL(domains=domains, static_domains=domains, encoder=training.encoder,
                   encoder_weights=training.encoder_weights)
    batches, steps = [], 0
    for index, name in enumerate(names):
        examples, count = sources[name]
        batches.append(saliency_dataset(examples, tuple(training.image_size), "unisal", training.batch_size,
                                        sigma=0.04 * max(training.image_size),
                                        domain=0 if training.shared_domain else index,
                                        sample_weight=domain_loss_weight(name), shuffle_buffer=count,
                                        seed=training.seed))
        steps += -(-count // training.batch_size)
    model.compile(steps_per_epoch=steps, freeze_encoder_epochs=min(2, training.epochs - 1),
                  learning_rate=training.learning_rate, run_eagerly=training.run_eagerly)
    start = time.perf_counter()
    history = model.fit(domain_batches(batches, seed=training.seed).repeat(), steps_per_epoch=steps,
                        epochs=training.epochs, verbose=verbose)
    return model, history, time.perf_counter() - start
