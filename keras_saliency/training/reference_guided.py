"""``ReferenceGuidedModel``: n-reference gradient-guided training for any Keras model.

TensorFlow backend only (the ``train_step`` uses ``tf.GradientTape``); other
backends raise at ``fit`` time.

Per step (reference ``Referencer.refer_and_learn``, notes section 3.1):
1. ``g`` = gradient of the compiled loss on the source batch (all trainable
   variables; computed exactly like ``keras.Model.train_step``).
2. ``g_ref`` = gradient of the same loss on a reference batch of ``n_ref``
   samples drawn *with replacement* from the reference pool, head variables
   only. The reference forward runs in inference mode (BN frozen as in the
   reference, dropout off, no RNG or moving statistics consumed).
3. If ``cos(g_head, g_ref) < epsilon`` the head gradient becomes
   ``refine(g_head, g_ref, steps, step_size, lamb)``; the body keeps ``g``.
Metrics ``cos_before`` / ``cos_after`` are logged.

Reference pool: arrays/tensors ``(x_ref, y_ref)`` given at construction and
kept as constants in the graph (meant for few-shot pools: n = 1..10 images).
Sampling is stateless, seeded by ``(seed, optimizer.iterations)``, so every
replica of a ``tf.distribute`` strategy draws the same reference batch.

Mixed precision: gradients are divided by ``optimizer.scale_loss(1)`` before
the surgery and multiplied back afterwards (LossScaleOptimizer unscales them in
``apply_gradients``). Under ``tf.distribute`` the head gradients are summed
across replicas before the (non-linear) surgery and divided by the number of
replicas afterwards, so the optimizer's own all-reduce yields the refined sum.
"""

import keras
import numpy as np

from keras_saliency.training.fit_support import record_loss
from keras_saliency.training.surgery import cosine, refine


def _split_head(model, head):
    """Return the set of ids of head variables. ``head``: int, list of names, or callable."""
    if callable(head) and not isinstance(head, (int, list, tuple)):
        chosen = [layer for layer in model.layers if head(layer)]
    elif isinstance(head, int) and not isinstance(head, bool):
        if head < 1:
            raise ValueError(f"`head` as a count of last layers must be >= 1, got {head}")
        with_weights = [layer for layer in model.layers if layer.trainable_weights]
        if head > len(with_weights):
            raise ValueError(
                f"`head`={head} exceeds the {len(with_weights)} layers with trainable weights"
            )
        chosen = with_weights[-head:]
    elif isinstance(head, (list, tuple)) and all(isinstance(n, str) for n in head):
        names = {layer.name for layer in model.layers}
        missing = [n for n in head if n not in names]
        if missing:
            raise ValueError(f"`head` layer names {missing} not in model layers {sorted(names)}")
        chosen = [model.get_layer(n) for n in head]
    else:
        raise TypeError(
            "`head` must be an int (count of last layers with weights), a list of layer "
            f"names, or a callable(layer) -> bool; got {head!r}"
        )
    ids = {id(v) for layer in chosen for v in layer.trainable_weights}
    if not ids:
        raise ValueError(f"`head`={head!r} selects no trainable variables")
    return ids


@keras.saving.register_keras_serializable(package="keras_saliency")
class ReferenceGuidedModel(keras.Model):
    """Wraps ``model``; ``fit`` applies n-reference gradient surgery to the head.

    Args:
        model: any Keras model mapping ``x`` to ``y_pred``.
        reference_x, reference_y: the reference pool, arrays with leading axis N.
        n_ref: reference batch size (drawn with replacement each step).
        head: int (last layers with weights, default 1 = the reference's final conv),
            list of layer names, or callable(layer) -> bool.
        epsilon: surgery threshold on cos(g, g_ref) (reference 0.0; -1 never triggers).
        steps, step_size, lamb: gradient ascent on cos - lamb ||g||^2 (reference 1, 1.0, 0.01).
        seed: int seed of the reference sampling.
    """

    def __init__(self, model, reference_x, reference_y, n_ref=1, head=1, epsilon=0.0,
                 steps=1, step_size=1.0, lamb=0.01, seed=0, **kwargs):
        super().__init__(**kwargs)
        rx, ry = np.asarray(reference_x), np.asarray(reference_y)
        if rx.ndim < 1 or len(rx) == 0 or len(rx) != len(ry):
            raise ValueError(
                "`reference_x` and `reference_y` must be non-empty with the same length; got "
                f"shapes {rx.shape} and {ry.shape}"
            )
        if int(n_ref) < 1:
            raise ValueError(f"`n_ref` must be >= 1, got {n_ref}")
        if int(steps) < 0:
            raise ValueError(f"`steps` must be >= 0, got {steps}")
        self.model = model
        self.reference_x, self.reference_y = rx, ry
        self.n_ref, self.head, self.epsilon = int(n_ref), head, float(epsilon)
        self.steps, self.step_size, self.lamb = int(steps), float(step_size), float(lamb)
        self.seed = int(seed)
        self._head_ids = _split_head(model, head)
        self.cos_before_tracker = keras.metrics.Mean(name="cos_before")
        self.cos_after_tracker = keras.metrics.Mean(name="cos_after")

    def call(self, inputs, training=None):
        return self.model(inputs, training=training)

    def _reference_batch(self):
        import tensorflow as tf

        seed = tf.stack([tf.constant(self.seed, tf.int64),
                         tf.cast(self.optimizer.iterations, tf.int64)])
        idx = tf.random.stateless_uniform(
            (self.n_ref,), seed, minval=0, maxval=len(self.reference_x), dtype=tf.int64)
        return (tf.gather(tf.constant(self.reference_x), idx),
                tf.gather(tf.constant(self.reference_y), idx))

    def train_step(self, data):
        if keras.backend.backend() != "tensorflow":
            raise NotImplementedError(
                f"ReferenceGuidedModel needs the TensorFlow backend, got {keras.backend.backend()!r}")
        import tensorflow as tf

        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=True)
            scaled_loss = self.optimizer.scale_loss(loss)
        record_loss(self, loss, y)
        variables = self.trainable_weights
        grads = tape.gradient(scaled_loss, variables)

        head_pos = [i for i, v in enumerate(variables) if id(v) in self._head_ids]
        rx, ry = self._reference_batch()
        with tf.GradientTape() as ref_tape:
            ref_loss = self.compute_loss(x=rx, y=ry, y_pred=self(rx, training=False),
                                         training=False)
        ref_grads = ref_tape.gradient(ref_loss, [variables[i] for i in head_pos])

        ctx = tf.distribute.get_replica_context()
        n_rep = ctx.num_replicas_in_sync if ctx is not None else 1
        head_grads = [grads[i] for i in head_pos]
        if n_rep > 1:
            head_grads = ctx.all_reduce("sum", head_grads)
        scale = tf.cast(self.optimizer.scale_loss(tf.constant(1.0)), tf.float32)
        g = tf.concat([tf.reshape(tf.cast(t, tf.float32), [-1]) for t in head_grads], 0) / scale
        g_ref = tf.concat([tf.reshape(tf.cast(t, tf.float32), [-1]) for t in ref_grads], 0)
        cos_before = cosine(g, g_ref)
        g_new = tf.cond(cos_before < self.epsilon,
                        lambda: refine(g, g_ref, self.steps, self.step_size, self.lamb),
                        lambda: g)
        cos_after = cosine(g_new, g_ref)
        self.cos_before_tracker.update_state(cos_before)
        self.cos_after_tracker.update_state(cos_after)

        if self.epsilon > -1.0:  # epsilon <= -1 never triggers: keep g untouched (bit for bit)
            g_new = g_new * scale / n_rep
            offset = 0
            for i, t in zip(head_pos, head_grads):
                size = int(np.prod(t.shape))
                grads[i] = tf.cast(tf.reshape(g_new[offset:offset + size], t.shape), t.dtype)
                offset += size
        self.optimizer.apply_gradients(zip(grads, variables))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update({
            "model": keras.saving.serialize_keras_object(self.model),
            "reference_x": self.reference_x.tolist(), "reference_y": self.reference_y.tolist(),
            "n_ref": self.n_ref, "head": self.head if not callable(self.head) else None,
            "epsilon": self.epsilon, "steps": self.steps, "step_size": self.step_size,
            "lamb": self.lamb, "seed": self.seed,
        })
        if callable(self.head) and not isinstance(self.head, (int, list, tuple)):
            raise NotImplementedError("a callable `head` cannot be serialised; use names or a count")
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["model"] = keras.saving.deserialize_keras_object(config["model"])
        return cls(**config)
