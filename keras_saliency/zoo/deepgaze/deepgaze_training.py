"""Maximum-likelihood training of DeepGaze readouts on cached features.

The recipe, ``DeepGazeReadoutModel.compile``'s default: negative
log-likelihood of the fixations (nats per fixation, averaged per image, then
over images, as the reference's image-weighted objective); Adam (lr 1e-3) with
step decay (x ``decay`` every ``decay_every`` epochs; the reference's
MultiStepLR milestones every 15 epochs, PyTorch's default factor 0.1), counted
in optimizer steps of ``steps_per_epoch`` per epoch. :func:`fit_readout` adds
the reference's protocol: training until the rate falls below
``min_learning_rate``, early stopping on the validation information gain over
the centre bias (bits per fixation) and the best-validation weights restored.
"""

from __future__ import annotations

import math
from typing import Callable, Dict, Optional, Sequence

import keras
import numpy as np

from keras_saliency.fixations import as_fixations

LN2 = math.log(2.0)


class ReadoutDataset:
    """Batches ``({"features", "centerbias"}, fixations)`` of same-size images for a DeepGazeReadoutModel.

    Args:
        features: per image (h, w, C) cached readout features.
        fixations: per image :class:`~keras_saliency.fixations.Fixations` (or
            (N, 2) x, y) in that image's 0-based pixel coordinates, all inside.
        sizes: per image (H, W).
        centerbias: ``size -> (H, W)`` normalised log-density (e.g.
            ``EmpiricalCenterBias.log_density``); evaluated once per distinct size.
        batch_size: images per batch (each batch holds one image size).
        shuffle: reshuffle the batches and their members every epoch.
    Targets are (B, N, 2) float32 (x, y) lists padded with -1 (``NegativeLogLikelihood(target="fixations")``),
    N the batch's largest fixation count rounded up to a power of two, so that backends compiling one
    function per input shape (JAX) trace a few target shapes per image size, not one per batch.
    ``dataset[i]`` is batch i; :meth:`tf_dataset` feeds ``fit`` (sizes vary between batches, which
    Keras' own adapters, inferring shapes from the first two batches, do not allow).
    """

    def __init__(self, features: Sequence[np.ndarray], fixations: Sequence, sizes: Sequence, centerbias: Callable,
                 batch_size: int = 4, shuffle: bool = True, seed: int = 0):
        if not len(features) == len(fixations) == len(sizes) or not features:
            raise ValueError(f"`features`, `fixations` and `sizes` must be non-empty and equally long; got "
                             f"{len(features)}, {len(fixations)}, {len(sizes)}.")
        if batch_size < 1:
            raise ValueError(f"`batch_size` must be >= 1; got {batch_size}.")
        self.features, self.sizes = list(features), [tuple(int(n) for n in s) for s in sizes]
        self.fixations = []
        for i, (fix, size) in enumerate(zip(fixations, self.sizes)):
            fix = as_fixations(fix)
            if len(fix) == 0:
                raise ValueError(f"image {i} has no fixations; leave it out of the dataset.")
            if not fix.inside(size).all():
                raise ValueError(f"image {i} has fixations outside its {size} pixels; "
                                 "use Fixations.fit_to_image(size, policy='clip' or 'drop') first.")
            self.fixations.append(fix.xy.astype(np.float32))
        self.centerbias, self._bias_cache = centerbias, {}
        self.batch_size, self.shuffle = int(batch_size), bool(shuffle)
        self.rng = np.random.default_rng(seed)
        self.batches = self._make_batches()

    def _make_batches(self):
        by_size: Dict[tuple, list] = {}
        for i, size in enumerate(self.sizes):
            by_size.setdefault(size, []).append(i)
        batches = []
        for indices in by_size.values():
            indices = list(self.rng.permutation(indices)) if self.shuffle else indices
            batches += [indices[s:s + self.batch_size] for s in range(0, len(indices), self.batch_size)]
        if self.shuffle:
            batches = [batches[j] for j in self.rng.permutation(len(batches))]
        return batches

    def __len__(self):
        return len(self.batches)

    def _bias(self, size):
        if size not in self._bias_cache:
            bias = np.asarray(self.centerbias(size), np.float32)
            if bias.shape != size:
                raise ValueError(f"`centerbias({size})` returned shape {bias.shape}.")
            self._bias_cache[size] = bias
        return self._bias_cache[size]

    def __getitem__(self, index):
        batch = self.batches[index]
        size = self.sizes[batch[0]]
        n_max = 1 << (max(len(self.fixations[i]) for i in batch) - 1).bit_length()  # a power of two: few shapes
        targets = np.full((len(batch), n_max, 2), -1.0, np.float32)
        for row, i in enumerate(batch):
            targets[row, :len(self.fixations[i])] = self.fixations[i]
        features = np.stack([np.asarray(self.features[i], np.float32) for i in batch])
        bias = np.broadcast_to(self._bias(size), (len(batch),) + size).copy()
        return {"features": features, "centerbias": bias}, targets

    def on_epoch_end(self):
        if self.shuffle:
            self.batches = self._make_batches()

    def tf_dataset(self):
        """A ``tf.data.Dataset`` of the batches with dynamic (None) spatial sizes; reshuffles every pass."""
        import tensorflow as tf

        channels = int(np.shape(self.features[0])[-1])
        signature = ({"features": tf.TensorSpec((None, None, None, channels), tf.float32),
                      "centerbias": tf.TensorSpec((None, None, None), tf.float32)},
                     tf.TensorSpec((None, None, 2), tf.float32))

        def generate():
            for index in range(len(self)):
                yield self[index]
            self.on_epoch_end()

        dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
        return dataset.apply(tf.data.experimental.assert_cardinality(len(self))).prefetch(2)


def information_gain_per_image(log_density: np.ndarray, centerbias: np.ndarray, fixations: np.ndarray) -> np.ndarray:
    """Per image (bits/fixation) mean of ``log_density - centerbias`` at padded (B, N, 2) fixation lists."""
    gains = []
    for pred, bias, fix in zip(log_density, centerbias, fixations):
        fix = fix[(fix[:, 0] >= 0) & (fix[:, 1] >= 0)]
        rows, cols = np.floor(fix[:, 1]).astype(np.int64), np.floor(fix[:, 0]).astype(np.int64)
        gains.append(float(np.mean(pred[rows, cols] - bias[rows, cols]) / LN2))
    return np.asarray(gains)


def evaluate_information_gain(model, dataset: ReadoutDataset) -> float:
    """Information gain of ``model`` over the dataset's centre bias, bits/fixation averaged over images."""
    gains = []
    for index in range(len(dataset)):
        inputs, fixations = dataset[index]
        log_density = keras.ops.convert_to_numpy(model(inputs, training=False))
        gains.append(information_gain_per_image(log_density, inputs["centerbias"], fixations))
    return float(np.mean(np.concatenate(gains)))


class ValidationInformationGain(keras.callbacks.Callback):
    """Adds ``val_ig`` (bits/fixation over the centre bias, image-averaged) to the epoch logs."""

    def __init__(self, dataset: ReadoutDataset, name: str = "val_ig"):
        super().__init__()
        self.dataset, self.name = dataset, name

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs[self.name] = evaluate_information_gain(self.model, self.dataset)


def _check_decay(decay_every: int, decay: float) -> None:
    if decay_every < 1 or not 0 < decay < 1:
        raise ValueError(f"need decay_every >= 1 and 0 < decay < 1; got {decay_every}, {decay}.")


def step_decay(learning_rate: float, decay_every: int = 15, decay: float = 0.1) -> Callable[[int], float]:
    """``epoch -> learning_rate * decay ** (epoch // decay_every)`` (epochs from 0)."""
    _check_decay(decay_every, decay)
    return lambda epoch, _lr=None: float(learning_rate * decay ** (epoch // decay_every))


def epochs_until(learning_rate: float, min_learning_rate: float, decay_every: int = 15, decay: float = 0.1) -> int:
    """Epochs trained while the step-decayed rate stays >= ``min_learning_rate`` (the reference's stop rule)."""
    schedule, epochs = step_decay(learning_rate, decay_every, decay), 0
    while schedule(epochs) >= min_learning_rate * (1 - 1e-9):
        epochs += 1
    return epochs


def readout_optimizer(steps_per_epoch: int, learning_rate: float = 1e-3, decay_every: int = 15,
                      decay: float = 0.1) -> keras.optimizers.Adam:
    """Adam at :func:`step_decay`'s rate, counted in optimizer steps (``steps_per_epoch`` per epoch)."""
    _check_decay(decay_every, decay)
    if int(steps_per_epoch) != steps_per_epoch or steps_per_epoch < 1:
        raise ValueError(f"`steps_per_epoch` must be a positive integer; got {steps_per_epoch!r}.")
    if not learning_rate > 0:
        raise ValueError(f"`learning_rate` must be positive; got {learning_rate!r}.")
    schedule = keras.optimizers.schedules.ExponentialDecay(learning_rate, decay_every * int(steps_per_epoch), decay,
                                                           staircase=True)
    return keras.optimizers.Adam(schedule)


def fit_readout(readout_model, train: ReadoutDataset, validation: Optional[ReadoutDataset] = None, *,
                epochs: Optional[int] = None, learning_rate: float = 1e-3, decay_every: int = 15, decay: float = 0.1,
                min_learning_rate: float = 1e-7, patience: Optional[int] = 15, run_eagerly: bool = False,
                verbose: int = 0):
    """The reference protocol in one call; returns ``readout_model.fit``'s ``History``.

    The same as ``readout_model.compile(steps_per_epoch=len(train), ...)`` and
    ``readout_model.fit(train.tf_dataset(), epochs=epochs, callbacks=...)`` with,
    given ``validation``, a :class:`ValidationInformationGain` (its
    ``history.history["val_ig"]`` per epoch) and early stopping after
    ``patience`` epochs without improvement (None: never) that restores the
    best-validation weights. ``epochs=None`` trains until the step-decayed rate
    falls below ``min_learning_rate`` (75 epochs for the defaults).
    """
    epochs = epochs_until(learning_rate, min_learning_rate, decay_every, decay) if epochs is None else int(epochs)
    if epochs < 1:
        raise ValueError(f"`epochs` must be >= 1; got {epochs}.")
    readout_model.compile(steps_per_epoch=len(train), learning_rate=learning_rate, decay_every=decay_every,
                          decay=decay, run_eagerly=run_eagerly)
    callbacks = []
    if validation is not None:
        callbacks = [ValidationInformationGain(validation),
                     keras.callbacks.EarlyStopping(monitor="val_ig", mode="max", restore_best_weights=True,
                                                   patience=epochs if patience is None else patience)]
    return readout_model.fit(train.tf_dataset(), epochs=epochs, callbacks=callbacks, verbose=verbose, shuffle=False)
