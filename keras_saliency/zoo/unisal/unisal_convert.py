"""Converts a PyTorch UNISAL state dict (``weights_best.pth`` or the parity ``.npz``) to the Keras model.

``load_unisal_weights(model, path_or_state)`` reads the file with the torch-free
:func:`keras_saliency.convert.load_state_dict` and assigns every tensor; any
missing or mis-shaped tensor raises naming it. Domain-specific tensors
(``bn_<Source>``, ``coarse_gaussians_<source>``, ``adaptation_<source>``,
``smoothing_<source>``) are stacked in ``model.domains`` order.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Sequence, Union

import keras
import numpy as np

from keras_saliency.convert import load_state_dict
from keras_saliency.layers import DomainAdaptiveBatchNormalization
from keras_saliency.backbones.mobilenetv2_unisal import load_state_dict_into as load_encoder
from keras_saliency.backbones.mobilenetv2_unisal import torch_conv


class _State:
    def __init__(self, state: Dict[str, np.ndarray], domains):
        self.state, self.domains, self.used = state, domains, set()

    def __getitem__(self, key):
        if key not in self.state:
            raise KeyError(f"UNISAL state dict has no tensor {key!r}")
        self.used.add(key)
        return np.asarray(self.state[key], np.float32)

    def bn(self, prefix):
        return [self[f"{prefix}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")]

    def dabn(self, prefix):
        per_domain = [self.bn(f"{prefix}.bn_{d}") for d in self.domains]
        return [np.stack([w[i] for w in per_domain]) for i in range(4)]


def _assign(layer, weights):
    expected = [tuple(w.shape) for w in layer.get_weights()]
    if [tuple(w.shape) for w in weights] != expected:
        raise ValueError(f"{layer.name}: expected {expected}, got {[tuple(w.shape) for w in weights]}")
    layer.set_weights(weights)


def _set_dabn(layer: DomainAdaptiveBatchNormalization, values):
    gamma, beta, mean, var = values
    _assign(layer, [gamma, beta, mean, var])


def _load_sequence(sequence, state: _State, torch_prefix):
    """Layers named ``<name>_<part>_<idx>`` map to ``<torch_prefix>.<part>.<idx>``."""
    for step in sequence.steps:
        if isinstance(step, str) or not step.weights:
            continue
        suffix = step.name[len(sequence.name) + 1:]
        torch_name = f"{torch_prefix}.{suffix.replace('_', '.')}"
        if isinstance(step, DomainAdaptiveBatchNormalization):
            _set_dabn(step, state.dabn(torch_name))
        elif isinstance(step, keras.layers.DepthwiseConv2D):
            _assign(step, [torch_conv(state[f"{torch_name}.weight"], depthwise=True)])
        else:
            weights = [torch_conv(state[f"{torch_name}.weight"])]
            if step.use_bias:
                weights.append(state[f"{torch_name}.bias"])
            _assign(step, weights)


def domain_of(key: str, domains) -> Optional[str]:
    """The domain a domain-specific tensor belongs to (``...bn_SALICON.weight``, ``adaptation_dhf1k.0.bias``)."""
    for domain in domains:
        if f".bn_{domain}." in key or re.match(rf"^(coarse_gaussians|adaptation|smoothing)_{domain.lower()}\b", key):
            return domain
    return None


def load_unisal_weights(model, source: Union[str, Dict[str, np.ndarray]], drop_domains: Sequence[str] = ()) -> None:
    """Loads reference UNISAL weights (path to ``.pth``/``.npz`` or a name -> array dict).

    ``drop_domains``: domains of the checkpoint the model does not have; only their
    domain-specific tensors may be left unused (e.g. a SALICON-only model from the
    four-domain ``weights_ft_mit1003.pth``). A state dict of another model (or another UNISAL
    configuration) is a ``ValueError`` listing the first missing tensor of each part of the model
    and the first tensors UNISAL does not have.
    """
    raw = load_state_dict(source) if not isinstance(source, dict) else source
    overlap = sorted(set(drop_domains) & set(model.domains))
    if overlap:
        raise ValueError(f"`drop_domains` {overlap} are domains of the model.")
    raw = {k: v for k, v in raw.items() if domain_of(k, drop_domains) is None}
    state = _State(raw, model.domains)
    if not model.built:
        model.build()
    missing, misfit, unfinished = [], [], ()
    for prefixes, part in _parts(model, state, raw):
        try:
            part()
        except KeyError as error:  # the first tensor of this part that the state dict lacks
            missing.append(str(error.args[0]).removeprefix("UNISAL state dict has no tensor ").strip("'"))
            unfinished += prefixes
        except ValueError as error:  # a mis-shaped tensor
            misfit.append(str(error))
            unfinished += prefixes
    ignored = {k for k in raw if k.endswith("num_batches_tracked") or k.endswith("drop_mask_1")}
    # tensors of a part that stopped early were not read, but they are UNISAL's: not reported as unused
    unused = sorted(k for k in set(raw) - state.used - ignored if not k.startswith(unfinished))
    problems = []
    if missing:
        problems.append(f"it lacks tensors of {len(missing)} parts of the model (the first of each: "
                        f"{_first(missing)})")
    if unused:
        problems.append(f"it has {len(unused)} tensors UNISAL does not use ({_first(unused)})")
    if misfit:
        problems.append(f"{len(misfit)} tensors have the wrong shape ({misfit[0]})")
    if problems:
        raise ValueError("; ".join(problems) + ": it is not a state dict of this UNISAL configuration "
                         f"(domains {list(model.domains)}?).")


def _first(keys, count: int = 3) -> str:
    return ", ".join(keys[:count]) + (f" and {len(keys) - count} more" if len(keys) > count else "")


def _parts(model, state: _State, raw):
    """``(tensor name prefixes, loader)`` of the independent parts of the model; each loader reads its own
    tensors from ``state`` (a ``KeyError`` at the first missing one)."""
    def encoder():
        load_encoder(model.encoder, raw, prefix="cnn.")
        state.used.update(k for k in raw if k.startswith("cnn."))

    def post_cnn():
        post = {layer.name: layer for layer in model.post_cnn.layers}
        _assign(post["post_cnn_conv_0"], [torch_conv(state["post_cnn.inv_res.conv.0.weight"], depthwise=True)])
        _assign(post["post_cnn_conv_1"], state.bn("post_cnn.inv_res.conv.1"))
        _assign(post["post_cnn_conv_3"], [torch_conv(state["post_cnn.inv_res.conv.3.weight"])])
        _assign(post["post_cnn_conv_4"], state.bn("post_cnn.inv_res.conv.4"))

    def recurrent():
        _assign(model.recurrent.post_rnn_conv, [torch_conv(state["post_rnn.0.weight"])])
        _set_dabn(model.recurrent.post_rnn_bn, state.dabn("post_rnn.1"))
        rnn, p = model.recurrent.rnn, "rnn.cell_list.0"
        for gate in rnn.depthwise:
            _assign(rnn.depthwise[gate], [torch_conv(state[f"{p}.{gate}.conv_dw.weight"], depthwise=True)])
            _set_dabn(rnn.sep_bn[gate], state.dabn(f"{p}.{gate}.sep_bn"))
            _assign(rnn.pointwise[gate], [torch_conv(state[f"{p}.{gate}.conv_sep.weight"])])
        for norm, layer in rnn.norms.items():
            _set_dabn(layer, state.dabn(f"{p}.{norm}"))
        for name, weight in {**rnn.scales, **rnn.biases}.items():
            weight.assign(state[f"{p}.{name}"].reshape(-1))

    def domain_heads():
        lower = [d.lower() for d in model.domains]
        model.gaussians.gaussians.assign(np.stack([state[f"coarse_gaussians_{d}"] for d in lower]))
        model.adaptation.kernel.assign(np.stack([state[f"adaptation_{d}.0.weight"][:, :, 0, 0].T for d in lower]))
        model.adaptation.bias.assign(np.stack([state[f"adaptation_{d}.0.bias"] for d in lower]))
        model.smoothing.kernel.assign(np.stack([state[f"smoothing_{d}.weight"][0, 0] for d in lower]))

    sequences = [(model.skip_2x, "skip_2x"), (model.skip_4x, "skip_4x"),
                 (model.upsampling_2, "upsampling_2.inv_res"), (model.post_upsampling_2, "post_upsampling_2.inv_res")]
    return [(("cnn.",), encoder),
            *[((prefix + ".",), lambda s=seq, p=prefix: _load_sequence(s, state, p)) for seq, prefix in sequences],
            (("post_cnn.",), post_cnn), (("post_rnn.", "rnn."), recurrent),
            (("coarse_gaussians_", "adaptation_", "smoothing_"), domain_heads)]


REFERENCE_URL = "https://github.com/rdroste/unisal/raw/master/training_runs/pretrained_unisal/{}"
LICENSE_NOTE = ("Weights and code of the reference are published by R. Droste in rdroste/unisal under the "
                "Apache-2.0 licence; this preset is a format conversion of that checkpoint.")
CITATION = """@inproceedings{droste2020unified,
  title={Unified Image and Video Saliency Modeling},
  author={Droste, Richard and Jiao, Jianbo and Noble, J. Alison},
  booktitle={European Conference on Computer Vision (ECCV)},
  year={2020}
}"""
# What the reference says each published checkpoint was trained on (its README / training_runs).
KNOWN_CHECKPOINTS = {
    "weights_best.pth": "DHF1K, Hollywood-2, UCF Sports and SALICON, trained jointly (Droste et al. 2020)",
    "weights_ft_mit1003.pth": "weights_best.pth fine-tuned on MIT1003 in the SALICON domain (the reference's "
                              "MIT300 submission; it predicts MIT1003/MIT300 images through that domain)",
}
# The fine-tuned file holds all four domains, but only SALICON was trained on MIT1003: its preset keeps that one.
DEFAULT_CHECKPOINT_DOMAINS = {"weights_ft_mit1003.pth": ("SALICON",)}


def convert_unisal_checkpoint(checkpoint, preset_dir, *, domains=None, name=None, training_data=None,
                              overwrite=False, progress: Optional[bool] = None):
    """Reference ``weights_best.pth`` / ``weights_ft_mit1003.pth`` (or a state-dict ``.npz``) -> a UNISAL preset.

    Returns the preset's path. ``domains`` defaults to the reference's four sources for
    ``weights_best.pth`` and to ``("SALICON",)`` for ``weights_ft_mit1003.pth`` (the
    domain fine-tuned on MIT1003); for that file the tensors of the reference's other
    domains are dropped (only those: anything else left over fails the conversion).

    The preset's ``metadata.json`` records the checkpoint's file name and sha256, the
    reference repository, its licence (Apache-2.0) and the citation. The folder is written under a temporary
    name and renamed into place (`keras_saliency.presets.save`), so a failure
    leaves nothing behind; an existing preset is replaced only with ``overwrite=True``. ``progress``: a bar
    over the steps (build, load, save; `keras_saliency.progress`: None shows it on a terminal only).
    """
    from pathlib import Path

    from keras_saliency.convert import CheckpointFormatError, UnsafeCheckpointError, sha256_file
    from keras_saliency.presets import save
    from keras_saliency.presets.metadata import validate_metadata
    from keras_saliency.zoo.unisal.unisal_model import DEFAULT_DOMAINS, UNISAL

    checkpoint = Path(checkpoint)
    domains = list(domains or DEFAULT_CHECKPOINT_DOMAINS.get(checkpoint.name, DEFAULT_DOMAINS))
    drop = [d for d in DEFAULT_DOMAINS if d not in domains] if checkpoint.name in DEFAULT_CHECKPOINT_DOMAINS else []
    digest = sha256_file(checkpoint)  # before reading, so that the record is of the bytes converted
    source = {"file": checkpoint.name, "sha256": digest, "license_note": LICENSE_NOTE}
    if checkpoint.name in KNOWN_CHECKPOINTS:
        source["url"] = REFERENCE_URL.format(checkpoint.name)
    metadata = validate_metadata({  # bad names fail here, before the conversion
        "name": name or Path(preset_dir).name,
        "description": f"UNISAL (Droste et al., ECCV 2020) with the reference weights converted from "
                       f"{checkpoint.name}; domains {', '.join(domains)}.",
        "training_data": training_data or KNOWN_CHECKPOINTS.get(checkpoint.name),
        "license": "apache-2.0",
        "citations": [CITATION],
        "source": source,
    })
    from keras_saliency.progress import progress_bar

    with progress_bar(total=3, progress=progress, desc="convert", unit="step") as bar:
        bar.set_postfix_str("building UNISAL")
        model = UNISAL(domains=domains)
        model.build()
        bar.update()
        bar.set_postfix_str(f"loading {checkpoint.name}")
        try:
            load_unisal_weights(model, str(checkpoint), drop_domains=drop)
        except (CheckpointFormatError, UnsafeCheckpointError):  # both ValueErrors, reported as they are
            raise
        except ValueError as error:  # tensors missing, unused or mis-shaped
            raise ValueError(f"{checkpoint} does not fit UNISAL(domains={domains}): {error}") from None
        bar.update()
        bar.set_postfix_str("saving the preset")
        path = save(model, preset_dir, metadata, overwrite=overwrite)
        bar.update()
    return path
