"""UNISAL's convolutional GRU: MobileNet-style separable gate convolutions with domain-adaptive BN."""

from __future__ import annotations

import keras
from keras import ops

from keras_saliency.layers.domain_batch_norm import DomainAdaptiveBatchNormalization
from keras_saliency.layers.shifted_depthwise_conv import DepthwiseConv2D

GATES = ("w_r", "u_r", "w_z", "u_z", "w", "u")
NORMS = ("norm_r_x", "norm_r_h", "norm_z_x", "norm_z_h", "norm_out_x", "norm_out_h")
SCALES = ("a_r_x", "a_r_h", "a_z_x", "a_z_h", "a_h_x", "a_h_h")
BIASES = ("b_r", "b_z", "b_h")


@keras.saving.register_keras_serializable(package="keras_saliency")
class ConvGRU(keras.layers.Layer):
    """One-layer ConvGRU over (B, T, H, W, C) -> ((B, T, H, W, hidden), last hidden (B, H, W, hidden)).

    Each of the six convolutions (``w_*`` on the input, ``u_*`` on the hidden
    state) is DW3x3 -> DABN -> ReLU6 -> 1x1 (no bias), followed by a per-branch
    DABN and a per-channel scale ``a_*``; biases ``b_r, b_z, b_h``::

        r  = sigmoid(a_r_x BN(w_r x) + a_r_h BN(u_r h) + b_r)
        z  = sigmoid(a_z_x BN(w_z x) + a_z_h BN(u_z h) + b_z)
        h~ = tanh(a_h_x BN(w x) + r * (a_h_h BN(u h)) + b_h)
        h' = (1 - z) h + z h~          # z weights the new candidate (reference code)

    Recurrent dropout (training only) is variational as in the reference code:
    three channel masks (one each for ``u_r``, ``u_z``, ``u``), drawn once per
    call (sequence or chunk), shared by every sample of the batch and every
    time step, applied to the hidden state fed to those convolutions only (the
    update ``(1 - z) h`` uses the undropped state). The time loop is unrolled,
    so T must be known when the graph is built. Call
    ``layer(x, domain, initial_state=None)``.
    """

    def __init__(self, hidden_channels=256, n_domains=1, momentums=0.99, recurrent_dropout=0.2, synchronized=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.hidden_channels, self.n_domains = int(hidden_channels), int(n_domains)
        self.momentums, self.recurrent_dropout = momentums, float(recurrent_dropout)
        self.synchronized = bool(synchronized)
        dabn = lambda name: DomainAdaptiveBatchNormalization(  # noqa: E731
            n_domains, momentums, synchronized=self.synchronized, name=name)
        self.depthwise = {g: DepthwiseConv2D(3, padding="same", use_bias=False, name=f"{g}_conv_dw")
                          for g in GATES}
        self.sep_bn = {g: dabn(f"{g}_sep_bn") for g in GATES}
        self.pointwise = {g: keras.layers.Conv2D(self.hidden_channels, 1, use_bias=False, name=f"{g}_conv_sep")
                          for g in GATES}
        self.norms = {n: dabn(n) for n in NORMS}
        self.seed_generator = keras.random.SeedGenerator(0)

    def build(self, x_shape, domain_shape=None):
        shape = (self.hidden_channels,)
        self.scales = {s: self.add_weight(shape=shape, initializer="ones", name=s) for s in SCALES}
        self.biases = {b: self.add_weight(shape=shape, initializer="zeros", name=b) for b in BIASES}
        frame = (x_shape[0], x_shape[2], x_shape[3])
        for gate in GATES:
            channels = x_shape[-1] if gate.startswith("w") else self.hidden_channels
            self.depthwise[gate].build(frame + (channels,))
            self.sep_bn[gate].build(frame + (channels,))
            self.pointwise[gate].build(frame + (channels,))
        for norm in NORMS:
            self.norms[norm].build(frame + (self.hidden_channels,))

    def _gate(self, gate, x, domain, training):
        y = self.depthwise[gate](x)
        y = ops.relu6(self.sep_bn[gate](y, domain, training=training))
        return self.pointwise[gate](y)

    def step(self, x, h, domain, training=False, masks=None):
        """One time step: (B, H, W, C) input, (B, H, W, hidden) state -> new state.

        ``masks``: None or (3, hidden) recurrent dropout masks for ``u_r, u_z, u``.
        """
        hidden_inputs = {g: h if masks is None else h * masks[i] for i, g in enumerate(("u_r", "u_z", "u"))}

        def branch(gate, norm, scale):
            source = x if gate.startswith("w") else hidden_inputs[gate]
            return self.scales[scale] * self.norms[norm](self._gate(gate, source, domain, training), domain,
                                                         training=training)

        r = ops.sigmoid(branch("w_r", "norm_r_x", "a_r_x") + branch("u_r", "norm_r_h", "a_r_h") + self.biases["b_r"])
        z = ops.sigmoid(branch("w_z", "norm_z_x", "a_z_x") + branch("u_z", "norm_z_h", "a_z_h") + self.biases["b_z"])
        candidate = ops.tanh(branch("w", "norm_out_x", "a_h_x") + r * branch("u", "norm_out_h", "a_h_h")
                             + self.biases["b_h"])
        return (1.0 - z) * h + z * candidate

    def call(self, x, domain, initial_state=None, training=False):
        steps = x.shape[1]
        if steps is None:
            raise ValueError("ConvGRU unrolls the time loop: the clip length T must be static.")
        batch, height, width = ops.shape(x)[0], ops.shape(x)[2], ops.shape(x)[3]
        h = (ops.zeros((batch, height, width, self.hidden_channels), x.dtype) if initial_state is None
             else ops.cast(initial_state, x.dtype))
        masks = None
        if training and self.recurrent_dropout > 0:
            keep = 1.0 - self.recurrent_dropout
            draw = keras.random.uniform((3, self.hidden_channels), seed=self.seed_generator)
            masks = ops.cast(draw < keep, x.dtype) / keep
        outputs = []
        for t in range(steps):
            h = self.step(x[:, t], h, domain, training=training, masks=masks)
            outputs.append(h)
        return ops.stack(outputs, axis=1), h

    def get_config(self):
        return {**super().get_config(), "hidden_channels": self.hidden_channels, "n_domains": self.n_domains,
                "momentums": self.momentums, "recurrent_dropout": self.recurrent_dropout,
                "synchronized": self.synchronized}
