"""Domain-adaptive batch normalisation (UNISAL's DSBN): one BatchNorm per domain."""

from __future__ import annotations

import keras
from keras import ops


def domain_index(domain):
    """int32 scalar from a scalar or (B,) domain tensor (a batch comes from one domain)."""
    domain = ops.cast(ops.convert_to_tensor(domain), "int32")
    return ops.reshape(domain, (-1,))[0]


@keras.saving.register_keras_serializable(package="keras_saliency")
class DomainAdaptiveBatchNormalization(keras.layers.Layer):
    """BatchNorm over the last axis with separate statistics and affine parameters per domain.

    Call: ``layer(x, domain, training=...)`` with ``domain`` an int tensor (scalar or
    (B,); a batch must come from one domain, as in UNISAL's domain-aware training).
    One compiled graph serves every domain: parameters are gathered by index.
    Moving statistics of the selected domain are updated with that domain's
    ``momentums[d]`` (Keras convention: ``moving = m * moving + (1 - m) * batch``;
    PyTorch momentum ``p`` corresponds to ``m = 1 - p``). ``epsilon`` defaults to
    PyTorch's 1e-5.

    ``synchronized=True`` (TensorFlow only, as ``keras.layers.BatchNormalization``'s): under a
    ``tf.distribute`` strategy the training statistics are those of the global batch (all
    replicas), so training on N replicas equals one device with the global batch. It uses the
    one-pass ``E[x^2] - E[x]^2`` variance also without a strategy. The reference (PyTorch
    ``BatchNorm2d``) and the default use per-replica statistics.
    """

    def __init__(self, n_domains, momentums=0.99, epsilon=1e-5, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if synchronized and keras.backend.backend() != "tensorflow":
            raise ValueError(f"`synchronized=True` needs the TensorFlow backend; this is {keras.backend.backend()!r} "
                             "(JAX's DataParallel already computes statistics over the global batch).")
        self.synchronized = bool(synchronized)
        self.n_domains = int(n_domains)
        momentums = [momentums] * self.n_domains if isinstance(momentums, (int, float)) else list(momentums)
        if len(momentums) != self.n_domains:
            raise ValueError(f"`momentums` needs {self.n_domains} values; got {len(momentums)}.")
        self.momentums, self.epsilon = [float(m) for m in momentums], float(epsilon)

    def build(self, x_shape, domain_shape=None):
        channels = int(x_shape[-1])
        shape = (self.n_domains, channels)
        self.gamma = self.add_weight(shape=shape, initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=shape, initializer="zeros", name="beta")
        self.moving_mean = self.add_weight(shape=shape, initializer="zeros", name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight(shape=shape, initializer="ones", name="moving_variance",
                                               trainable=False)

    def call(self, x, domain, training=False):
        d = domain_index(domain)
        gamma, beta = ops.take(self.gamma, d, axis=0), ops.take(self.beta, d, axis=0)
        compute_dtype = x.dtype
        x32 = ops.cast(x, "float32")
        if training:
            axes = tuple(range(len(x.shape) - 1))
            mean, variance = ops.moments(x32, axes=axes, synchronized=self.synchronized)
            n = ops.cast(ops.prod(ops.shape(x32)[:-1]), "float32") * _replicas(self.synchronized)
            unbiased = variance * n / ops.maximum(n - 1.0, 1.0)  # torch tracks the unbiased variance
            momentum = ops.take(ops.convert_to_tensor(self.momentums, "float32"), d)
            onehot = ops.expand_dims(ops.one_hot(d, self.n_domains), -1)
            self.moving_mean.assign(self.moving_mean - onehot * (1 - momentum) * (self.moving_mean - mean))
            self.moving_variance.assign(
                self.moving_variance - onehot * (1 - momentum) * (self.moving_variance - unbiased))
        else:
            mean = ops.take(self.moving_mean, d, axis=0)
            variance = ops.take(self.moving_variance, d, axis=0)
        out = (x32 - mean) * ops.rsqrt(variance + self.epsilon) * gamma + beta
        return ops.cast(out, compute_dtype)

    def compute_output_shape(self, x_shape, domain_shape=None):
        return x_shape

    def get_config(self):
        return {**super().get_config(), "n_domains": self.n_domains, "momentums": self.momentums,
                "epsilon": self.epsilon, "synchronized": self.synchronized}


def _replicas(synchronized: bool) -> int:
    """How many replicas share a synchronized batch (1 unless synchronized inside a tf.distribute replica)."""
    if not synchronized:
        return 1
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    return 1 if context is None else int(context.num_replicas_in_sync)
