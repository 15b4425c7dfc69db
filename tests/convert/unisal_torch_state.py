"""The inverse of ``load_unisal_weights``: a Keras UNISAL's weights as a reference PyTorch state dict.

Written for tests from the mapping documented in the reference notes (PyTorch conv
(O, I, kh, kw) <-> Keras (kh, kw, I, O), depthwise (C, 1, kh, kw) <-> (kh, kw, C, 1),
domain-specific tensors per source name), independently of the loader's code paths.
"""

import keras
import numpy as np

from keras_saliency.layers import DomainAdaptiveBatchNormalization


def _conv(kernel, depthwise=False):
    return np.ascontiguousarray(np.transpose(kernel, (2, 3, 0, 1) if depthwise else (3, 2, 0, 1)))


def _bn(state, prefix, values):
    for key, value in zip(("weight", "bias", "running_mean", "running_var"), values):
        state[f"{prefix}.{key}"] = np.asarray(value)


def _dabn(state, prefix, layer, domains):
    values = layer.get_weights()
    for index, domain in enumerate(domains):
        _bn(state, f"{prefix}.bn_{domain}", [v[index] for v in values])


def _layer(state, prefix, layer, domains):
    if isinstance(layer, DomainAdaptiveBatchNormalization):
        _dabn(state, prefix, layer, domains)
    elif isinstance(layer, keras.layers.BatchNormalization):
        _bn(state, prefix, layer.get_weights())
    else:
        weights = layer.get_weights()
        state[f"{prefix}.weight"] = _conv(weights[0], isinstance(layer, keras.layers.DepthwiseConv2D))
        if len(weights) == 2:
            state[f"{prefix}.bias"] = weights[1]


def unisal_torch_state(model) -> dict:
    domains, state = model.domains, {}
    for layer in model.encoder.layers:
        if layer.weights:
            _layer(state, "cnn." + layer.name.replace("_conv_", ".conv.").replace("_", "."), layer, domains)
    for sequence, prefix in ((model.skip_2x, "skip_2x"), (model.skip_4x, "skip_4x"),
                             (model.upsampling_2, "upsampling_2.inv_res"),
                             (model.post_upsampling_2, "post_upsampling_2.inv_res")):
        for step in sequence.steps:
            if not isinstance(step, str) and step.weights:
                _layer(state, f"{prefix}.{step.name[len(sequence.name) + 1:].replace('_', '.')}", step, domains)
    for layer in model.post_cnn.layers:
        if layer.weights:  # post_cnn_conv_<i> -> post_cnn.inv_res.conv.<i>
            _layer(state, f"post_cnn.inv_res.conv.{layer.name.rsplit('_', 1)[1]}", layer, domains)
    _layer(state, "post_rnn.0", model.recurrent.post_rnn_conv, domains)
    _layer(state, "post_rnn.1", model.recurrent.post_rnn_bn, domains)
    rnn, p = model.recurrent.rnn, "rnn.cell_list.0"
    for gate in rnn.depthwise:
        _layer(state, f"{p}.{gate}.conv_dw", rnn.depthwise[gate], domains)
        _layer(state, f"{p}.{gate}.sep_bn", rnn.sep_bn[gate], domains)
        _layer(state, f"{p}.{gate}.conv_sep", rnn.pointwise[gate], domains)
    for norm, layer in rnn.norms.items():
        _layer(state, f"{p}.{norm}", layer, domains)
    for name, weight in {**rnn.scales, **rnn.biases}.items():
        state[f"{p}.{name}"] = np.asarray(weight).reshape(-1, 1, 1)  # (C, 1, 1) as the reference
    gaussians = np.asarray(model.gaussians.gaussians)
    kernel, bias = np.asarray(model.adaptation.kernel), np.asarray(model.adaptation.bias)
    smoothing = np.asarray(model.smoothing.kernel)
    for index, domain in enumerate(d.lower() for d in domains):
        state[f"coarse_gaussians_{domain}"] = gaussians[index]
        state[f"adaptation_{domain}.0.weight"] = np.ascontiguousarray(kernel[index].T[:, :, None, None])
        state[f"adaptation_{domain}.0.bias"] = bias[index]
        state[f"smoothing_{domain}.weight"] = smoothing[index][None, None]
    return {k: np.asarray(v, np.float32) for k, v in state.items()}
