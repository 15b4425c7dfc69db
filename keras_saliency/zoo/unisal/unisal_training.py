"""UNISAL's domain-aware optimisation through ``model.fit`` (TensorFlow backend).

As the reference trainer (reference notes 1.7): batches come from one domain
at a time (the ``domain`` input), interleaved across datasets by the input
pipeline; per-domain loss weights arrive as ``sample_weight`` (SALICON 0.5);
SGD with momentum 0.9, learning rate 0.04 decayed by 0.8 per epoch, gradient
norm clipped at 2.0; L2 weight decay 1e-4 (encoder 1e-5) added to the
gradients like PyTorch's ``SGD(weight_decay=...)``, and for domain-specific
parameters only on the active domain's slice (the reference switches the
other domains' parameters off for the batch); the encoder is frozen for the
first ``freeze_encoder_epochs`` epochs, then trained at a 10x lower learning
rate (its gradients are scaled by 0.1, which is the same thing for SGD), and its
BatchNorm always runs in inference mode. Loss: ``KLD - 0.1 NSS - 0.1 CC``.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras.src.losses import loss as loss_module

from keras_saliency.layers import (
    DomainAdaptiveBatchNormalization,
    DomainAdaptiveConv1x1,
    DomainAdaptiveSmoothing,
    GaussianPriorMaps,
)
from keras_saliency.layers.domain_batch_norm import domain_index
from keras_saliency.losses import UNISALLoss

DOMAIN_LOSS_WEIGHTS = {"SALICON": 0.5}


class DomainAwareTrainer:
    """Computes UNISAL's per-variable gradient treatment inside a TF ``train_step``."""

    def __init__(self, model, weight_decay=1e-4, encoder_weight_decay=1e-5, encoder_lr_multiplier=0.1):
        self.model = model
        self.weight_decay, self.encoder_weight_decay = weight_decay, encoder_weight_decay
        self.encoder_lr_multiplier = encoder_lr_multiplier
        self.encoder_scale = tf.Variable(0.0, trainable=False, dtype="float32", name="encoder_gradient_scale")
        encoder_ids = {id(v) for v in model.encoder.trainable_variables}
        domain_layers = (DomainAdaptiveBatchNormalization, DomainAdaptiveConv1x1, DomainAdaptiveSmoothing,
                         GaussianPriorMaps)
        domain_ids = set()
        for layer in model._flatten_layers(include_self=False, recursive=True):
            if isinstance(layer, domain_layers):
                domain_ids.update(id(v) for v in layer.trainable_variables)
        self.kind = {}
        for variable in model.trainable_variables:
            key = id(variable)
            self.kind[key] = "encoder" if key in encoder_ids else "domain" if key in domain_ids else "shared"

    def set_encoder_trainable(self, trainable: bool) -> None:
        self.encoder_scale.assign(self.encoder_lr_multiplier if trainable else 0.0)

    def transform(self, gradients, variables, domain):
        d = domain_index(domain)
        out = []
        for gradient, variable in zip(gradients, variables):
            kind = self.kind[id(variable)]
            if gradient is None:  # e.g. the RNN on a static batch
                out.append(None)
                continue
            value = tf.convert_to_tensor(variable)
            if kind == "encoder":
                gradient = (gradient + self.encoder_weight_decay * value) * self.encoder_scale
            elif kind == "domain":
                mask = tf.reshape(tf.one_hot(d, tf.shape(value)[0]), [-1] + [1] * (len(value.shape) - 1))
                gradient = gradient + self.weight_decay * value * mask
            else:
                gradient = gradient + self.weight_decay * value
            out.append(gradient)
        return out


class FreezeEncoder(keras.callbacks.Callback):
    """Keeps the encoder frozen for ``epochs`` epochs, then trains it at the reduced rate."""

    def __init__(self, trainer: DomainAwareTrainer, epochs: int = 2):
        super().__init__()
        self.trainer, self.epochs = trainer, epochs

    def on_epoch_begin(self, epoch, logs=None):
        self.trainer.set_encoder_trainable(epoch >= self.epochs)


def unisal_optimizer(steps_per_epoch: int, learning_rate=0.04, decay_per_epoch=0.8, momentum=0.9, clipnorm=2.0):
    schedule = keras.optimizers.schedules.ExponentialDecay(learning_rate, steps_per_epoch, decay_per_epoch,
                                                           staircase=True)
    return keras.optimizers.SGD(schedule, momentum=momentum, global_clipnorm=clipnorm)


def domain_loss_weight(domain_name: str) -> float:
    return DOMAIN_LOSS_WEIGHTS.get(domain_name, 1.0)


def compile_for_training(model, steps_per_epoch: int, freeze_encoder_epochs: int = 2, learning_rate: float = 0.04,
                         metrics=None, **kwargs):
    """Compiles ``model`` (a UNISAL) with the reference recipe; returns the callbacks for ``fit``.

    ``learning_rate``: the initial SGD rate (reference 0.04), decayed by 0.8 per epoch.
    """
    if not learning_rate > 0:
        raise ValueError(f"`learning_rate` must be positive; got {learning_rate}.")
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("UNISAL domain-aware training needs the TensorFlow backend.")
    if not model.built:
        model.build()
    trainer = DomainAwareTrainer(model)
    model._domain_trainer = trainer
    model.compile(optimizer=unisal_optimizer(steps_per_epoch, learning_rate), loss=UNISALLoss(), metrics=metrics,
                  **kwargs)
    return [FreezeEncoder(trainer, freeze_encoder_epochs)]


def train_step(model, data):
    """The UNISAL ``train_step`` (TensorFlow): gradient treatment from :class:`DomainAwareTrainer`."""
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = model._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
        model._loss_tracker.update_state(loss_module.unscale_loss_for_distribution(loss),
                                         sample_weight=tf.shape(x["image"])[0])
        scaled = model.optimizer.scale_loss(loss)
    variables = model.trainable_variables
    gradients = tape.gradient(scaled, variables)
    trainer = getattr(model, "_domain_trainer", None)
    if trainer is not None:
        gradients = trainer.transform(gradients, variables, x["domain"])
    pairs = [(g, v) for g, v in zip(gradients, variables) if g is not None]
    model.optimizer.apply([g for g, _ in pairs], [v for _, v in pairs])
    return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)


def loss_weights_for(domains) -> np.ndarray:
    """Per-domain loss weights in ``domains`` order (SALICON 0.5, others 1)."""
    return np.array([domain_loss_weight(d) for d in domains], np.float32)
