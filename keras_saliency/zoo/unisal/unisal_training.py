"""UNISAL's reference training recipe: the defaults of ``UNISAL.compile``, and its domain-aware ``train_step``.

As the reference trainer (reference notes 1.7): batches come from one domain
at a time (the ``domain`` input), interleaved across datasets by the input
pipeline (``keras_saliency.data.domain_batches``); per-domain loss weights
arrive as ``sample_weight`` (:func:`domain_loss_weight`: SALICON 0.5); SGD with
momentum 0.9, learning rate 0.04 decayed by 0.8 per epoch, gradient norm
clipped at 2.0; L2 weight decay 1e-4 (encoder 1e-5) added to the gradients
like PyTorch's ``SGD(weight_decay=...)``, and for domain-specific parameters
only on the active domain's slice (the reference switches the other domains'
parameters off for the batch); the encoder is frozen for the first
``freeze_encoder_epochs`` epochs, then trained at a 10x lower learning rate
(its gradients are scaled by 0.1, which is the same thing for SGD), and its
BatchNorm always runs in inference mode (``UNISAL`` calls it so). Loss:
``KLD - 0.1 NSS - 0.1 CC`` (:class:`~keras_saliency.losses.UNISALLoss`).

Where this differs from the reference: the decay and the freeze count
optimizer steps (``steps_per_epoch`` of them per epoch), so they follow
``optimizer.iterations`` rather than ``fit``'s epoch index; under
``tf.distribute`` Keras clips each replica's gradients before summing them
(the reference trains on one device). On JAX, variables a batch does not reach
(the ConvGRU on static batches) get zero gradients instead of none: they get
no weight decay, as in the reference, but SGD momentum still moves them.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import keras
import numpy as np
from keras import ops

from keras_saliency.layers import (
    DomainAdaptiveBatchNormalization,
    DomainAdaptiveConv1x1,
    DomainAdaptiveSmoothing,
    GaussianPriorMaps,
)
from keras_saliency.layers.domain_batch_norm import domain_index
from keras_saliency.layers.traversal import nested_layers
from keras_saliency.losses import UNISALLoss
from keras_saliency.training.fit_support import record_loss, recipe_optimizer_arguments, replicas_in_sync

DOMAIN_LOSS_WEIGHTS = {"SALICON": 0.5}
DOMAIN_LAYERS = (DomainAdaptiveBatchNormalization, DomainAdaptiveConv1x1, DomainAdaptiveSmoothing, GaussianPriorMaps)
BACKENDS = ("tensorflow", "jax")


@dataclasses.dataclass(frozen=True)
class GradientRecipe:
    """The per-variable gradient treatment of :func:`train_step` (see the module docstring)."""

    steps_per_epoch: Optional[int] = None
    freeze_encoder_epochs: int = 2
    weight_decay: float = 1e-4
    encoder_weight_decay: float = 1e-5
    encoder_lr_multiplier: float = 0.1

    def __post_init__(self):
        if self.steps_per_epoch is not None and (int(self.steps_per_epoch) != self.steps_per_epoch
                                                 or self.steps_per_epoch < 1):
            raise ValueError(f"`steps_per_epoch` must be a positive integer; got {self.steps_per_epoch!r}.")
        if int(self.freeze_encoder_epochs) != self.freeze_encoder_epochs or self.freeze_encoder_epochs < 0:
            raise ValueError(f"`freeze_encoder_epochs` must be an integer >= 0; got {self.freeze_encoder_epochs!r}.")
        if self.freeze_encoder_epochs and self.steps_per_epoch is None:
            raise ValueError(f"freeze_encoder_epochs={self.freeze_encoder_epochs} needs `steps_per_epoch` (batches "
                             "per epoch) to know when an epoch ends; pass it, or freeze_encoder_epochs=0.")
        for name in ("weight_decay", "encoder_weight_decay", "encoder_lr_multiplier"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"`{name}` must be >= 0; got {getattr(self, name)!r}.")

    @property
    def frozen_steps(self) -> int:
        """Optimizer steps during which the encoder is frozen."""
        return self.freeze_encoder_epochs * (self.steps_per_epoch or 0)


def unisal_optimizer(steps_per_epoch: int, learning_rate: float = 0.04, decay_per_epoch: float = 0.8,
                     momentum: float = 0.9, clipnorm: float = 2.0) -> keras.optimizers.SGD:
    """The reference SGD: ``learning_rate * decay_per_epoch ** epoch``, momentum, global gradient-norm clip."""
    if not learning_rate > 0:
        raise ValueError(f"`learning_rate` must be positive; got {learning_rate}.")
    schedule = keras.optimizers.schedules.ExponentialDecay(learning_rate, steps_per_epoch, decay_per_epoch,
                                                           staircase=True)
    return keras.optimizers.SGD(schedule, momentum=momentum, global_clipnorm=clipnorm)


def compile_arguments(optimizer=None, loss=None, *, steps_per_epoch=None, learning_rate=None, decay_per_epoch=None,
                      momentum=None, clipnorm=None, freeze_encoder_epochs=None, weight_decay=1e-4,
                      encoder_weight_decay=1e-5, encoder_lr_multiplier=0.1):
    """``(optimizer, loss, GradientRecipe)`` for ``UNISAL.compile`` (arguments documented there)."""
    if keras.backend.backend() not in BACKENDS:
        raise RuntimeError(f"UNISAL's domain-aware train_step runs on {' and '.join(BACKENDS)}; "
                           f"the Keras backend is {keras.backend.backend()!r}.")
    given = recipe_optimizer_arguments(optimizer, learning_rate=learning_rate, decay_per_epoch=decay_per_epoch,
                                       momentum=momentum, clipnorm=clipnorm)
    recipe_schedule = optimizer is None
    if recipe_schedule:
        if steps_per_epoch is None:
            raise ValueError("UNISAL.compile's recipe decays the learning rate every epoch: pass `steps_per_epoch` "
                             "(batches per epoch), or your own `optimizer`.")
        optimizer = unisal_optimizer(steps_per_epoch, **given)
    if freeze_encoder_epochs is None:
        freeze_encoder_epochs = 2 if recipe_schedule else 0
    recipe = GradientRecipe(steps_per_epoch, freeze_encoder_epochs, weight_decay, encoder_weight_decay,
                            encoder_lr_multiplier)
    return optimizer, UNISALLoss() if loss is None else loss, recipe


def variable_kinds(model) -> list:
    """Per ``model.trainable_variables``: ``"encoder"``, ``"domain"`` (sliced per domain) or ``"shared"``."""
    encoder = {id(v) for v in model.encoder.trainable_variables}
    domain = {id(v) for layer in nested_layers(model) if isinstance(layer, DOMAIN_LAYERS)
              for v in layer.trainable_variables}
    return ["encoder" if id(v) in encoder else "domain" if id(v) in domain else "shared"
            for v in model.trainable_variables]


def treat_gradients(recipe: GradientRecipe, kinds, gradients, values, domain, iterations, loss_scale=1.0,
                    skip_zero=False):
    """The recipe's weight decay and encoder scaling applied to ``gradients`` of variables with ``values``.

    ``iterations``: the optimizer's step count (the encoder is frozen for the
    first ``recipe.frozen_steps``); ``loss_scale``: the optimizer's loss scale
    (mixed precision), applied to the decay terms as to the loss gradients, which
    are also per replica (Keras sums them across replicas). ``skip_zero``: no
    decay for all-zero gradients (JAX: variables the batch did not reach).
    """
    d = domain_index(domain)
    encoder_scale = ops.where(ops.cast(iterations, "int32") >= recipe.frozen_steps, recipe.encoder_lr_multiplier, 0.0)
    decay_scale = loss_scale / replicas_in_sync()
    out = []
    for kind, gradient, value in zip(kinds, gradients, values):
        if gradient is None:  # TF: a variable the batch did not reach (the RNN on a static batch)
            out.append(None)
            continue
        value = ops.convert_to_tensor(value)
        if kind == "domain":
            mask = ops.reshape(ops.one_hot(d, value.shape[0]), (-1,) + (1,) * (len(value.shape) - 1))
            decay = recipe.weight_decay * value * mask
        else:
            decay = (recipe.encoder_weight_decay if kind == "encoder" else recipe.weight_decay) * value
        decay = ops.cast(decay * decay_scale, gradient.dtype)
        if skip_zero:
            decay = ops.where(ops.any(ops.not_equal(gradient, 0)), decay, ops.zeros_like(decay))
        gradient = gradient + decay
        out.append(gradient * ops.cast(encoder_scale, gradient.dtype) if kind == "encoder" else gradient)
    return out


def train_step(model, recipe: GradientRecipe, *args):
    """``UNISAL.train_step``: ``(data)`` on TensorFlow, ``(state, data)`` on JAX; returns what Keras expects."""
    if keras.backend.backend() == "jax":
        return _jax_train_step(model, recipe, *args)
    return _tf_train_step(model, recipe, *args)


def _tf_train_step(model, recipe, data):
    import tensorflow as tf

    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
        scaled = model.optimizer.scale_loss(loss)
    variables = model.trainable_variables
    gradients = treat_gradients(recipe, variable_kinds(model), tape.gradient(scaled, variables), variables,
                                x["domain"], model.optimizer.iterations, model.optimizer.scale_loss(ops.ones(())))
    pairs = [(g, v) for g, v in zip(gradients, variables) if g is not None]
    model.optimizer.apply([g for g, _ in pairs], [v for _, v in pairs])
    record_loss(model, loss, y)
    return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)


def _jax_train_step(model, recipe, state, data):
    """The stateless step of Keras' JAX custom-``train_step`` guide, with :func:`treat_gradients`."""
    import jax

    trainable, non_trainable, optimizer_variables, metrics_variables = state
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    optimizer_state = list(zip(model.optimizer.variables, optimizer_variables))

    def scaled_loss(trainable, non_trainable, metrics_variables):
        y_pred, non_trainable = model.stateless_call(trainable, non_trainable, x, training=True)
        loss, (_, non_trainable, metrics_variables) = model.stateless_compute_loss(
            trainable, non_trainable, metrics_variables, x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        with keras.StatelessScope(state_mapping=optimizer_state):
            scaled = model.optimizer.scale_loss(loss)
        return scaled, (loss, y_pred, non_trainable, metrics_variables)

    (_, (loss, y_pred, non_trainable, metrics_variables)), gradients = jax.value_and_grad(
        scaled_loss, has_aux=True)(trainable, non_trainable, metrics_variables)
    with keras.StatelessScope(state_mapping=optimizer_state):
        gradients = treat_gradients(recipe, variable_kinds(model), gradients, trainable, x["domain"],
                                    model.optimizer.iterations, model.optimizer.scale_loss(ops.ones(())),
                                    skip_zero=True)
    trainable, optimizer_variables = model.optimizer.stateless_apply(optimizer_variables, gradients, trainable)
    with keras.StatelessScope(state_mapping=list(zip(model.metrics_variables, metrics_variables))) as scope:
        record_loss(model, loss, y)
        logs = model.compute_metrics(x, y, y_pred, sample_weight)
    metrics_variables = [scope.get_current_value(v) for v in model.metrics_variables]
    return logs, (trainable, non_trainable, optimizer_variables, metrics_variables)


def domain_loss_weight(domain_name: str) -> float:
    """The reference's loss weight of a domain's batches (SALICON 0.5, others 1), for ``sample_weight``."""
    return DOMAIN_LOSS_WEIGHTS.get(domain_name, 1.0)


def loss_weights_for(domains) -> np.ndarray:
    """Per-domain loss weights in ``domains`` order (SALICON 0.5, others 1)."""
    return np.array([domain_loss_weight(d) for d in domains], np.float32)
