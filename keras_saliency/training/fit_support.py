"""Shared by the package's custom ``train_step`` and ``compile`` methods (public Keras API only)."""

from __future__ import annotations

import keras
from keras import ops


def replicas_in_sync() -> int:
    """Replicas of the current ``tf.distribute`` strategy (1 outside one, and on other backends)."""
    if keras.backend.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    return tf.distribute.get_strategy().num_replicas_in_sync


def record_loss(model, loss, y) -> None:
    """Adds a batch's ``loss`` (as returned by ``model.compute_loss``) to ``model``'s ``loss`` metric.

    As Keras' own ``train_step``: the per-replica loss (divided by the replica
    count under ``tf.distribute``) is scaled back, weighted by the batch size of ``y``.
    """
    tracker = next((m for m in model.metrics if m.name == "loss"), None)
    if tracker is None:
        raise ValueError(f"{model.name} has no `loss` metric; compile it before training.")
    tracker.update_state(loss * replicas_in_sync(), sample_weight=ops.shape(keras.tree.flatten(y)[0])[0])


def recipe_optimizer_arguments(optimizer, **arguments) -> dict:
    """The recipe-optimizer ``arguments`` that were given (not None); an error if ``optimizer`` is given too."""
    given = {name: value for name, value in arguments.items() if value is not None}
    if optimizer is not None and given:
        raise ValueError(f"{sorted(given)} configure the recipe's optimizer; with an explicit `optimizer`, "
                         "set them on that optimizer instead.")
    return given


def compile_from_config(model, config) -> None:
    """``keras.Model.compile_from_config`` for a model whose ``compile`` is overridden (Keras skips those)."""
    model.compile(**keras.saving.deserialize_keras_object(config))
    if model.built:
        model.optimizer.build(model.trainable_variables)  # so saved optimizer variables can load
