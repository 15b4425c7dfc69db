"""The published DeepGaze IIE checkpoint (``deepgaze2e.pth``, matthias-k/DeepGaze v1.0.0) -> a Keras preset.

The reference ``DeepGazeIIE`` is a mixture of four backbone mixtures; its state dict holds,
for backbone ``b`` (``models.<b>.``) and readout component ``k``:

- ``features.features.1.<backbone tensor>``: the backbone after the (buffer-free) normaliser;
- ``saliency_networks.<k>.{layernorm,conv,bias}{0,1,2}.*``;
- ``fixation_selection_networks.<k>.layernorm0.layernorm_part0.*``, ``conv0.conv_part0.weight``,
  ``bias0.bias``, ``layernorm1.*``, ``conv1.weight``, ``bias1.bias``, ``conv2.weight``;
- ``finalizers.<k>.gauss.sigma`` and ``finalizers.<k>.center_bias_weight``.

:func:`deepgaze_iie_from_state_dict` builds :class:`~keras_saliency.zoo.deepgaze.DeepGazeIIE`
on the four PyTorch-layout backbones (:data:`REFERENCE_BACKBONES`) with as many components as
the checkpoint holds and assigns every tensor; a tensor left over, a weight not set or a
shape that differs raises ValueError naming the first ones. The backbones' ImageNet
classifiers (``fc.*``, ``_fc.*``, ``classifier.*``) are part of the reference's state dict but
not of the features it uses: they are checked to be classifier tensors and dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np

# models.<b> of the reference, in order: ShapeNet ResNet-50, EfficientNet-B5, DenseNet-201, ResNeXt-50.
REFERENCE_BACKBONES = ("resnet50", "efficientnet_b5_pytorch", "densenet201_torchvision", "resnext50")
BACKBONE_PREFIX = "features.features.1."
CLASSIFIERS = {"resnet50": "module.fc.", "efficientnet_b5_pytorch": "_fc.", "densenet201_torchvision": "classifier.",
               "resnext50": "fc."}
REFERENCE_URL = "https://github.com/matthias-k/DeepGaze/releases/download/v1.0.0/deepgaze2e.pth"
CENTERBIAS_URL = "https://github.com/matthias-k/DeepGaze/releases/download/v1.0.0/centerbias_mit1003.npy"
LICENSE_NOTE = ("matthias-k/DeepGaze publishes no licence for its code or weights: this preset is a format "
                "conversion of deepgaze2e.pth for the user's own use; do not redistribute it without the "
                "authors' permission.")
CITATION = ("@inproceedings{linardos2021deepgaze, title={DeepGaze IIE: Calibrated prediction in and out-of-domain "
            "for state-of-the-art saliency modeling}, author={Linardos, Akis and K{\\\"u}mmerer, Matthias and Press, "
            "Ori and Bethge, Matthias}, booktitle={ICCV}, pages={12919--12928}, year={2021}}")
_COMPONENT = re.compile(r"^models\.(\d+)\.saliency_networks\.(\d+)\.")


def split_state_dict(state: Dict[str, np.ndarray], n_backbones: int):
    """``[(backbone tensors, readout tensors)]`` per ``models.<b>``, prefixes removed; unknown keys raise."""
    parts = [({}, {}) for _ in range(n_backbones)]
    unexpected = []
    for key, value in state.items():
        head, _, rest = key.partition(".")
        index, _, rest = rest.partition(".")
        if head != "models" or not index.isdigit() or int(index) >= n_backbones:
            unexpected.append(key)
        elif rest.startswith(BACKBONE_PREFIX):
            parts[int(index)][0][rest[len(BACKBONE_PREFIX):]] = value
        else:
            parts[int(index)][1][rest] = value
    if unexpected:
        raise ValueError(f"{len(unexpected)} tensors outside models.0..{n_backbones - 1} of a {n_backbones}-backbone "
                         f"DeepGaze IIE (first: {', '.join(sorted(unexpected)[:3])}).")
    return parts


def count_components(state: Dict[str, np.ndarray]) -> int:
    """Readout components per backbone (from ``models.<b>.saliency_networks.<k>``); all backbones must agree."""
    found: Dict[int, set] = {}
    for key in state:
        match = _COMPONENT.match(key)
        if match:
            found.setdefault(int(match.group(1)), set()).add(int(match.group(2)))
    counts = {b: len(ks) for b, ks in found.items()}
    if not counts:
        raise ValueError("no DeepGaze readout tensors (models.<b>.saliency_networks.<k>.*): not a DeepGaze IIE "
                         "state dict.")
    if len(set(counts.values())) != 1 or any(ks != set(range(len(ks))) for ks in found.values()):
        raise ValueError(f"the backbones hold different or non-contiguous readout components: "
                         f"{ {b: sorted(ks)[:5] for b, ks in sorted(found.items())} }.")
    return next(iter(counts.values()))


def readout_plan(readout, tensors: Dict[str, np.ndarray], k: int):
    """``[(keras variable, torch key, convert or None)]`` for component ``k`` of one backbone's readout tensors."""
    s, f, z = f"saliency_networks.{k}.", f"fixation_selection_networks.{k}.", f"finalizers.{k}."

    def conv(key):  # (out, in, 1, 1) -> (1, 1, in, out)
        return np.transpose(tensors[key], (2, 3, 1, 0))

    plan = []
    for i in range(3):
        norm, layer = readout.saliency.norms[i], readout.saliency.convs[i]
        plan += [(norm.gamma, f"{s}layernorm{i}.weight", None), (norm.beta, f"{s}layernorm{i}.bias", None),
                 (layer.kernel, f"{s}conv{i}.weight", conv), (layer.bias, f"{s}bias{i}.bias", None)]
    sel = readout.selection
    plan += [(sel.norms[0].gamma, f"{f}layernorm0.layernorm_part0.weight", None),
             (sel.norms[0].beta, f"{f}layernorm0.layernorm_part0.bias", None),
             (sel.convs[0].kernel, f"{f}conv0.conv_part0.weight", conv), (sel.convs[0].bias, f"{f}bias0.bias", None),
             (sel.norms[1].gamma, f"{f}layernorm1.weight", None), (sel.norms[1].beta, f"{f}layernorm1.bias", None),
             (sel.convs[1].kernel, f"{f}conv1.weight", conv), (sel.convs[1].bias, f"{f}bias1.bias", None),
             (sel.convs[2].kernel, f"{f}conv2.weight", conv),
             (readout.finalizer.sigma, f"{z}gauss.sigma", None),
             (readout.finalizer.center_bias_weight, f"{z}center_bias_weight", None)]
    return plan


def assign_readouts(member, tensors: Dict[str, np.ndarray], where: str) -> None:
    """Sets every readout weight of a :class:`DeepGazeII` member; mismatches raise naming the first ones."""
    assignments, missing, shapes, used = [], [], [], set()
    for k, readout in enumerate(member.readouts):
        for variable, key, convert in readout_plan(readout, tensors, k):
            if key not in tensors:
                missing.append(f"{where}{key}")
                continue
            used.add(key)
            value = np.asarray(convert(key) if convert else tensors[key], np.float32)
            if len(variable.shape) == 0 and value.size == 1:  # sigma (), center_bias_weight (1,) -> scalars
                value = value.reshape(())
            if tuple(value.shape) != tuple(variable.shape):
                shapes.append(f"{where}{key} {tuple(np.shape(tensors[key]))} (needs {tuple(variable.shape)})")
            assignments.append((variable, value))
    unexpected = sorted(f"{where}{k}" for k in set(tensors) - used)
    if missing or shapes or unexpected:
        parts = [f"{len(v)} {label} (first: {', '.join(v[:3])})" for label, v in
                 (("missing tensors", missing), ("of the wrong shape", shapes), ("unexpected tensors", unexpected))
                 if v]
        raise ValueError(f"readout tensors do not fit DeepGaze IIE: {'; '.join(parts)}.")
    for k, readout in enumerate(member.readouts):
        sigma = float(np.asarray(tensors[f"finalizers.{k}.gauss.sigma"]).reshape(()))
        if not 0 < sigma <= readout.finalizer.max_sigma:
            raise ValueError(f"{where}finalizers.{k}.gauss.sigma = {sigma}: the blur supports 0 < sigma <= "
                             f"{readout.finalizer.max_sigma}.")
    for variable, value in assignments:
        variable.assign(value)


def deepgaze_iie_from_state_dict(state: Dict[str, np.ndarray], backbones: Sequence[str] = REFERENCE_BACKBONES,
                                 centerbias_shape=None, image_long_side: Optional[int] = 1024):
    """The Keras DeepGaze IIE holding ``state`` (reference names; ``num_batches_tracked`` may be present).

    ``backbones``: the backbone of ``models.0``, ``models.1``... (default the reference's four).
    """
    from keras_saliency.zoo.deepgaze.deepgaze_model import DeepGazeIIE

    state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    backbones = list(backbones)
    n_components = count_components(state)
    parts = split_state_dict(state, len(backbones))
    weights = []
    for b, (name, (backbone_state, _)) in enumerate(zip(backbones, parts)):
        if not backbone_state:
            raise ValueError(f"no backbone tensors (models.{b}.{BACKBONE_PREFIX}*) for {name}.")
        classifier = CLASSIFIERS.get(name)
        weights.append({k: v for k, v in backbone_state.items() if classifier is None or not k.startswith(classifier)})
    try:
        model = DeepGazeIIE(backbones, n_components=n_components, backbone_weights=weights,
                            centerbias_shape=centerbias_shape, image_long_side=image_long_side)
    except ValueError as error:
        raise ValueError(f"backbone tensors do not fit: {error}") from None
    for b, member in enumerate(model.members):
        assign_readouts(member, parts[b][1], f"models.{b}.")
    return model


def load_centerbias(path) -> np.ndarray:
    """A centre-bias template ``.npy`` (2-D, finite, at least 2x2; e.g. ``centerbias_mit1003.npy``, 1024x1024)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"centre bias file not found: {path}")
    try:
        template = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise ValueError(f"{path}: not a readable .npy array ({error})") from None
    if template.ndim != 2 or min(template.shape) < 2 or not np.issubdtype(template.dtype, np.floating):
        raise ValueError(f"{path}: a centre bias must be a 2-D float log-density (e.g. 1024x1024); got shape "
                         f"{template.shape}, dtype {template.dtype}.")
    if not np.all(np.isfinite(template)):
        raise ValueError(f"{path}: the centre bias has NaN or infinite values.")
    return template


def convert_deepgaze_iie_checkpoint(checkpoint, preset_dir, *, centerbias=None, name=None, training_data=None,
                                    overwrite=False, backbones: Sequence[str] = REFERENCE_BACKBONES):
    """``deepgaze2e.pth`` (+ ``centerbias_mit1003.npy``) -> a DeepGaze IIE preset folder; returns its path.

    Torch-free (:func:`keras_saliency.convert.load_state_dict`, which refuses pickles asking for
    anything but tensors). The metadata and model card record the checkpoint's (and centre
    bias') file name, sha256 and URL and the licence situation (none published). The preset
    stores the centre bias as the default condition (uniform without ``centerbias``) and
    predicts at a long side of 1024 px (MIT1003 scale). Written to a temporary folder and
    moved into place: a failure leaves nothing behind.
    """
    from keras_saliency.convert import load_state_dict, sha256_file
    from keras_saliency.presets import save
    from keras_saliency.presets.metadata import validate_metadata

    checkpoint = Path(checkpoint)
    digest = sha256_file(checkpoint)
    template = None if centerbias is None else load_centerbias(centerbias)
    bias_note = ("uniform centre bias (none given)" if template is None else
                 f"centre bias {Path(centerbias).name} (sha256 {sha256_file(centerbias)}, {CENTERBIAS_URL})")
    metadata = validate_metadata({
        "name": name or Path(preset_dir).name,
        "description": f"DeepGaze IIE (Linardos, Kümmerer et al., ICCV 2021): the authors' weights converted from "
                       f"{checkpoint.name}; 4 backbones (ShapeNet ResNet-50, EfficientNet-B5, DenseNet-201, "
                       f"ResNeXt-50) x 30 readouts; {bias_note}.",
        "training_data": training_data or "SALICON pretraining, then MIT1003 (10-fold cross-validation x 3 "
                                          "instances), as published",
        "license": "other",
        "citations": [CITATION],
        "source": {"file": checkpoint.name, "sha256": digest, "url": REFERENCE_URL, "license_note": LICENSE_NOTE},
    })
    state = load_state_dict(checkpoint)
    try:
        model = deepgaze_iie_from_state_dict(state, backbones,
                                             centerbias_shape=None if template is None else template.shape)
    except ValueError as error:
        raise ValueError(f"{checkpoint} does not fit DeepGaze IIE: {error}") from None
    if template is not None:
        model.centerbias.assign(template)
    return save(model, preset_dir, metadata, overwrite=overwrite)
