"""Readout pre-training on another dataset, the first stage of DeepGaze IIE's recipe.

The reference trains the readouts on SALICON, then starts every MIT1003 fold's readouts from those
weights and trains them again with the same schedule (Adam 1e-3, x0.1 every 15 epochs until the rate
falls below 1e-7). :func:`pretrain_readouts` is the first stage on any fixation dataset (SALICON,
or OSIE where SALICON is not at hand) and writes ``<weights_dir>/<backbone>_pretrained_<dataset>.weights.h5``;
``run_fold(..., initial_weights=...)`` / ``train_readouts`` run the second.

Differences from the reference, by necessity: the pre-training set's own centre bias (fitted on its
training part) stands in the readouts' centre-bias input, and early stopping uses a seeded
``validation_fraction`` of its images, since a folder of SALICON holds no separate validation split
here (the reference validates on SALICON's ``val``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Dict

import keras
import numpy as np

from keras_saliency.evaluation import EvaluationImages
from keras_saliency.evaluation.cross_validation import CenterBiasMaps
from keras_saliency.maps import EmpiricalCenterBias
from keras_saliency.zoo.deepgaze.deepgaze_features import FeatureCache
from keras_saliency.zoo.deepgaze.deepgaze_model import DeepGazeII
from keras_saliency.zoo.deepgaze.deepgaze_protocol import LOG, ReadoutTraining
from keras_saliency.zoo.deepgaze.deepgaze_training import ReadoutDataset, fit_readout


def pretraining_split(n_images: int, validation_fraction: float, seed: int) -> Dict[str, list]:
    """{"train", "validation"}: sorted image indices, a seeded ``validation_fraction`` (at least one) held out."""
    if not 0 < validation_fraction < 1:
        raise ValueError(f"`validation_fraction` must be in (0, 1); got {validation_fraction!r}.")
    n_validation = max(1, round(validation_fraction * n_images))
    if n_images - n_validation < 1:
        raise ValueError(f"pre-training needs at least 2 images (one to train, one to validate); got {n_images}.")
    order = np.random.default_rng(seed).permutation(n_images)
    return {"train": sorted(order[n_validation:].tolist()), "validation": sorted(order[:n_validation].tolist())}


def pretrain_readouts(extractors: Dict[str, keras.Model], images: EvaluationImages, training: ReadoutTraining,
                      weights_dir, cache_dir=None, scale: float = 1.0, validation_fraction: float = 0.1,
                      log: Callable[[str], None] = LOG) -> Dict[str, Path]:
    """Trains ``training.instances`` readouts per backbone on ``images``; ``{backbone: weights file}``.

    A backbone whose ``<backbone>_pretrained_<dataset>.weights.h5`` (dataset: ``images.name``) already
    exists in ``weights_dir`` is not trained again (delete the file to redo it). Features go through
    :class:`FeatureCache` (in memory, or under ``cache_dir/<backbone>_<dataset>_scale<scale>``).
    """
    weights_dir = Path(weights_dir)
    weights_dir.mkdir(parents=True, exist_ok=True)
    split = pretraining_split(len(images.ids), validation_fraction, training.seed)
    train = split["train"]
    center_bias = CenterBiasMaps(EmpiricalCenterBias.fit([images.fixations[i] for i in train],
                                                         [images.sizes[i] for i in train]))
    paths = {}
    for name, extractor in extractors.items():
        path = paths[name] = weights_dir / f"{name}_pretrained_{images.name}.weights.h5"
        if path.is_file():
            log(f"{name}: pre-trained readouts found in {path.name}")
            continue
        start = time.perf_counter()
        directory = None if cache_dir is None else Path(cache_dir) / f"{name}_{images.name}_scale{scale:g}"
        features = FeatureCache(DeepGazeII(extractor), directory).get_many(images.ids, images.load_image, images.sizes)
        sets = {part: ReadoutDataset([features[i] for i in indices], [images.fixations[i] for i in indices],
                                     [images.sizes[i] for i in indices], center_bias, batch_size=training.batch_size,
                                     shuffle=(part == "train"), seed=training.seed)
                for part, indices in split.items()}
        keras.utils.set_random_seed(training.seed)
        model = DeepGazeII(extractor, n_components=training.instances)
        for k in range(training.instances):
            history = fit_readout(model.readout_model([k]), sets["train"], sets["validation"], epochs=training.epochs,
                                  decay_every=training.decay_every, patience=training.patience,
                                  run_eagerly=training.run_eagerly)
            log(f"{name} #{k} pre-trained on {images.name}: {len(history.history['loss'])} epochs, "
                f"best validation IG {max(history.history['val_ig']):.3f}")
        model.readout_model().save_weights(path)
        log(f"{name}: pre-training on {len(train)} images took {time.perf_counter() - start:.1f} s")
    return paths
