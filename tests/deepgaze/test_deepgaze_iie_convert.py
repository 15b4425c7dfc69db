"""The published DeepGaze IIE layout: the committed manifest of the reference's state dict, a converter round trip.

``data/deepgaze2e_manifest.json.gz`` holds every key and shape of the reference
``DeepGazeIIE().state_dict()`` (recorded by ``benchmarks/deepgaze_iie/reference_side.py``,
the layout of the published ``deepgaze2e.pth``). The round trip writes a synthetic checkpoint
with the manifest's ResNeXt-50 mixture (its names and shapes, small random values; two of the
30 readout components to keep CI short), converts it torch-free to a preset, loads it and
checks the prediction against an independent NumPy readout fed with the checkpoint's tensors; the
other three backbones load the manifest's backbone tensors (zeros of their shapes) through
`backbones.get`, which consumes every tensor and sets every weight or raises.
"""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from deepgaze_numpy_reference import finalizer, mixture, readout_network

from keras_saliency.testing.torch_zip import write_state_dict
from keras_saliency.zoo.deepgaze.deepgaze_convert import (
    BACKBONE_PREFIX,
    CLASSIFIERS,
    REFERENCE_BACKBONES,
    count_components,
    readout_plan,
)

MANIFEST = Path(__file__).parent / "data" / "deepgaze2e_manifest.json.gz"
CHANNELS = (2048, 2416, 2048, 2560)  # reference-notes 2.1


@pytest.fixture(scope="module")
def manifest():
    with gzip.open(MANIFEST, "rt") as handle:
        return {k: tuple(v) for k, v in json.load(handle)["keys"].items()}


def test_manifest_readouts_are_exactly_what_the_converter_consumes(manifest):
    from keras_saliency.zoo.deepgaze import DeepGazeReadout

    lazy = {k: np.broadcast_to(np.float32(0), s) for k, s in manifest.items()}  # no memory for 100M+ values
    assert count_components(lazy) == 30
    assert {k.split(".")[1] for k in manifest} == {"0", "1", "2", "3"}
    for b, (name, channels) in enumerate(zip(REFERENCE_BACKBONES, CHANNELS)):
        prefix = f"models.{b}."
        readout_keys = {k[len(prefix):] for k in manifest if k.startswith(prefix)
                        and not k.startswith(prefix + BACKBONE_PREFIX)}
        readout = DeepGazeReadout()
        readout.build((None, None, None, channels), (None, None, None))
        tensors = {k: lazy[prefix + k] for k in readout_keys}
        consumed = set()
        for k in range(30):
            for variable, key, convert in readout_plan(readout, tensors, k):
                value = convert(key) if convert else tensors[key]
                assert np.size(value) == int(np.prod(variable.shape)), key
                assert np.shape(value) in (tuple(variable.shape), (1,)), key
                consumed.add(key)
        assert consumed == readout_keys, name
        classifier = [k for k in manifest if k.startswith(prefix + BACKBONE_PREFIX + CLASSIFIERS[name])]
        assert len(classifier) == 2, name  # weight and bias, dropped by the converter


def _synthetic_checkpoint(manifest, rng, components=2):
    """The ResNeXt-50 mixture (models.3 of the manifest) as models.0, with ``components`` readouts."""
    state = {}
    for key, shape in manifest.items():
        if not key.startswith("models.3."):
            continue
        rest = key[len("models.3."):]
        if not rest.startswith(BACKBONE_PREFIX) and int(rest.split(".")[1]) >= components:
            continue
        if key.endswith("num_batches_tracked"):
            state["models.0." + rest] = np.zeros(shape, np.int64)
            continue
        if key.endswith("running_var") or key.endswith("layernorm0.weight"):
            value = rng.uniform(0.5, 1.5, shape)
        elif key.endswith("gauss.sigma"):
            value = rng.uniform(3.0, 8.0, shape)
        else:
            value = rng.standard_normal(shape, np.float32) * (0.05 if len(shape) == 4 else 0.1)
            value += key.endswith("center_bias_weight")
        state["models.0." + rest] = np.asarray(value, np.float32)
    return state


def test_converter_round_trip_through_a_preset(manifest, tmp_path):
    from keras_saliency import presets
    from keras_saliency.zoo.deepgaze.deepgaze_convert import convert_deepgaze_iie_checkpoint

    rng = np.random.default_rng(0)
    state = _synthetic_checkpoint(manifest, rng)
    checkpoint = tmp_path / "deepgaze2e.pth"
    write_state_dict(checkpoint, state)
    template = rng.normal(0, 1, (16, 16))
    np.save(tmp_path / "centerbias_mit1003.npy", template)
    path = convert_deepgaze_iie_checkpoint(checkpoint, tmp_path / "preset", backbones=("resnext50",),
                                           centerbias=tmp_path / "centerbias_mit1003.npy")
    meta = json.loads((path / "metadata.json").read_text())
    assert meta["source"]["file"] == "deepgaze2e.pth" and len(meta["source"]["sha256"]) == 64
    assert meta["source"]["url"].endswith("v1.0.0/deepgaze2e.pth") and "no licence" in meta["source"]["license_note"]
    assert "no licence" in (path / "README.md").read_text()
    model = presets.load(path)
    member = model.members[0]
    layer = member.extractor.get_layer("resnext50_features").get_layer("layer3_5_conv1")
    np.testing.assert_array_equal(np.asarray(layer.kernel),
                                  state[f"models.0.{BACKBONE_PREFIX}layer3.5.conv1.weight"].transpose(2, 3, 1, 0))

    image = rng.uniform(0, 255, (1, 96, 128, 3)).astype(np.float32)
    bias = model.centerbias.log_density((96, 128))
    ours = np.asarray(model({"image": image, "centerbias": bias[None].astype(np.float32)}))[0]
    features = np.asarray(member.features(image))[0].astype(np.float64)  # backbone checked by the parity script
    expected = []
    for k in range(2):
        s, f, z = (f"models.0.{part}.{k}." for part in ("saliency_networks", "fixation_selection_networks",
                                                            "finalizers"))

        def layer(prefix, norm, conv, bias_key):
            return (state[norm + ".weight"] if norm else None, state[norm + ".bias"] if norm else None,
                    state[prefix + conv].transpose(2, 3, 1, 0), state[bias_key] if bias_key else None)

        x = readout_network(features, [layer(s, f"{s}layernorm{i}", f"conv{i}.weight", f"{s}bias{i}.bias")
                                       for i in range(3)])
        x = readout_network(x, [layer(f, f"{f}layernorm0.layernorm_part0", "conv0.conv_part0.weight",
                                      f"{f}bias0.bias"),
                                layer(f, f"{f}layernorm1", "conv1.weight", f"{f}bias1.bias"),
                                (None, None, state[f"{f}conv2.weight"].transpose(2, 3, 1, 0), None)], plain_last=True)
        expected.append(finalizer(x[..., 0], bias, float(state[f"{z}gauss.sigma"]),
                                  float(state[f"{z}center_bias_weight"][0])))
    np.testing.assert_allclose(ours, mixture(expected), atol=2e-4)


@pytest.mark.parametrize("b", [0, 1, 2])  # models.3 (ResNeXt-50) is loaded by the round trip below
def test_manifest_backbones_are_exactly_what_the_converter_consumes(manifest, b):
    """Every backbone tensor of the reference (but its unused classifier) sets a weight, and every weight is set:
    the loader raises naming the first missing, unexpected or mis-shaped tensors otherwise."""
    from keras_saliency import backbones
    from keras_saliency.zoo.deepgaze.deepgaze_convert import split_state_dict

    name = REFERENCE_BACKBONES[b]
    lazy = {k: np.broadcast_to(np.float32(0), s) for k, s in manifest.items()
            if k.startswith(f"models.{b}.") and not k.endswith("num_batches_tracked")}
    backbone_state, _ = split_state_dict({k.replace(f"models.{b}.", "models.0.", 1): v for k, v in lazy.items()}, 1)[0]
    weights = {k: v for k, v in backbone_state.items() if not k.startswith(CLASSIFIERS[name])}
    assert len(weights) == len(backbone_state) - 2, name
    extractor = backbones.get(name, weights=weights)
    assert extractor.count_params() > 0
