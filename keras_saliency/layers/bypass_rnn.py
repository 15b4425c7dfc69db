"""UNISAL's Bypass-RNN: a residual ConvGRU branch that static (image) batches skip."""

from __future__ import annotations

import keras
from keras import ops

from keras_saliency.layers.conv_gru import ConvGRU
from keras_saliency.layers.domain_batch_norm import DomainAdaptiveBatchNormalization


@keras.saving.register_keras_serializable(package="keras_saliency")
class BypassRNN(keras.layers.Layer):
    """``x + ReLU6(DABN(Conv1x1(ConvGRU(x))))`` for clips; ``x`` unchanged for static batches.

    Call ``layer(x, domain, static=False, initial_state=None)`` with ``x`` of
    shape (B, T, H, W, C); returns ``(features (B, T, H, W, C), last_hidden)``
    where ``last_hidden`` is (B, H, W, hidden_channels). For a static batch the
    ConvGRU and the post-RNN convolution are not evaluated (they receive no
    gradient) and ``last_hidden`` is ``initial_state`` as given (None when none
    was given; the reference returns None). The post-RNN 1x1 convolution has no
    bias and maps back to C channels so the branch adds residually. ``synchronized``: global-batch
    statistics in its BatchNorms (see :class:`DomainAdaptiveBatchNormalization`).
    """

    def __init__(self, hidden_channels=256, n_domains=1, momentums=0.99, recurrent_dropout=0.2, synchronized=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.hidden_channels, self.n_domains = int(hidden_channels), int(n_domains)
        self.momentums, self.recurrent_dropout = momentums, float(recurrent_dropout)
        self.synchronized = bool(synchronized)
        self.rnn = ConvGRU(self.hidden_channels, self.n_domains, momentums, self.recurrent_dropout,
                           synchronized=self.synchronized, name="rnn")
        self.post_rnn_bn = DomainAdaptiveBatchNormalization(self.n_domains, momentums, synchronized=self.synchronized,
                                                            name="post_rnn_bn")
        self.post_rnn_conv = None

    def build(self, x_shape, domain_shape=None):
        channels = int(x_shape[-1])
        frame = (None,) + tuple(x_shape[2:4])
        self.post_rnn_conv = keras.layers.Conv2D(channels, 1, use_bias=False, name="post_rnn_conv")
        self.rnn.build(x_shape)
        self.post_rnn_conv.build(frame + (self.hidden_channels,))
        self.post_rnn_bn.build(frame + (channels,))

    def call(self, x, domain, static=False, initial_state=None, training=False):
        if static:
            return x, initial_state
        sequence, last_hidden = self.rnn(x, domain, initial_state=initial_state, training=training)
        frames = ops.reshape(sequence, (-1,) + tuple(sequence.shape[2:]))
        update = ops.relu6(self.post_rnn_bn(self.post_rnn_conv(frames), domain, training=training))
        return x + ops.reshape(update, ops.shape(x)), last_hidden

    def compute_output_shape(self, x_shape, domain_shape=None):
        return tuple(x_shape), (x_shape[0],) + tuple(x_shape[2:4]) + (self.hidden_channels,)

    def get_config(self):
        return {**super().get_config(), "hidden_channels": self.hidden_channels, "n_domains": self.n_domains,
                "momentums": self.momentums, "recurrent_dropout": self.recurrent_dropout,
                "synchronized": self.synchronized}
