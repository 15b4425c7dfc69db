"""Forward passes, tap shapes and torchvision state-dict conversion of the other backbones."""

import importlib.util

import numpy as np
import pytest

import keras

from keras_saliency import backbones
from keras_saliency.backbones import resnet, vgg

HAS_TORCH = importlib.util.find_spec("torch") is not None


@pytest.mark.parametrize("name, taps, strides", [
    ("vgg19", ["conv5_1", "relu5_4"], [16, 16]),
    ("resnet50_dilated", ["layer2", "layer4"], [8, 8]),
    ("resnet50", ["layer4"], [32]),
    ("resnext50", ["layer3", "layer4.2.conv2"], [16, 32]),
    ("densenet201", ["denselayer32.norm1", "denselayer31.conv2"], [32, 32]),
    ("efficientnet_b5", ["stride16", "stride32"], [16, 32]),
])
def test_forward_and_tap_strides(name, taps, strides):
    model = backbones.get(name, taps=taps, input_shape=(64, 96, 3))
    out = model(np.random.default_rng(0).uniform(0, 255, (1, 64, 96, 3)).astype("float32"))
    for tap, stride in zip(taps, strides):
        assert tuple(out[tap].shape[1:3]) == (64 // stride, 96 // stride), (name, tap)
    assert not model.trainable_weights


def test_deepgaze_iie_default_taps_have_the_papers_channel_counts():
    # reference-notes §2.1: ResNeXt 512x3 + 1024, DenseNet 1888 + 128 + 32, EfficientNet-B5 1056 + 1056 + 304.
    expected = {"resnext50": [512, 512, 512, 1024], "densenet201": [1888, 128, 32],
                "efficientnet_b5": [1056, 1056, 304], "resnet50": [256, 256, 256, 256, 512, 512]}
    for name, channels in expected.items():
        out = backbones.get(name, input_shape=(64, 64, 3))(np.zeros((1, 64, 64, 3), np.float32))
        default_taps = backbones.list_backbones()[name]["default_taps"]
        assert [int(out[tap].shape[-1]) for tap in default_taps] == channels, name


def test_list_backbones_documents_taps_and_weights():
    listing = backbones.list_backbones()
    assert {"efficientnet_lite0", "vgg19", "resnet50_dilated", "densenet201", "efficientnet_b5",
            "resnext50"} <= set(listing)
    assert listing["efficientnet_lite0"]["imagenet"] and not listing["vgg19"]["imagenet"]
    assert listing["vgg19"]["default_taps"] == ["conv5_1", "relu5_1", "relu5_2", "conv5_3", "relu5_4"]
    with pytest.raises(ValueError, match="No offline ImageNet weights for vgg16"):
        backbones.get("vgg16", weights="imagenet", input_shape=(32, 32, 3))


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (optional cross-check)")
def test_vgg_state_dict_matches_torch():
    import torch
    import torch.nn.functional as F

    model = vgg.build_vgg("vgg16", (32, 32, 3))
    rng = np.random.default_rng(0)
    # torchvision layout: conv at features.i, then its ReLU at i + 1, a MaxPool after each block.
    state, i, c_in = {}, 0, 3
    for repeats, width in zip(vgg.CONFIGS["vgg16"], vgg.WIDTHS):
        for _ in range(repeats):
            state[f"features.{i}.weight"] = rng.normal(0, 0.1, (width, c_in, 3, 3)).astype(np.float32)
            state[f"features.{i}.bias"] = rng.normal(0, 0.1, width).astype(np.float32)
            i, c_in = i + 2, width
        i += 1
    vgg.load_state_dict_into(model, state)
    x = rng.normal(size=(1, 32, 32, 3)).astype(np.float32)
    t = torch.from_numpy(x.transpose(0, 3, 1, 2))
    for key in sorted({int(k.split(".")[1]) for k in state}):
        t = F.relu(F.conv2d(t, torch.from_numpy(state[f"features.{key}.weight"]),
                            torch.from_numpy(state[f"features.{key}.bias"]), padding=1))
        if key + 2 not in {int(k.split(".")[1]) for k in state}:
            t = F.max_pool2d(t, 2)
    np.testing.assert_allclose(model.predict(x, verbose=0), t.numpy().transpose(0, 2, 3, 1), rtol=5e-4, atol=1e-3)


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (optional cross-check)")
def test_dilated_resnet_state_dict_matches_torch():
    import torch
    import torch.nn.functional as F

    model = resnet.build_resnet("resnet50_dilated", (64, 64, 3), dilated=True)
    rng = np.random.default_rng(0)
    state = {}
    for layer in model.layers:
        if not layer.weights:
            continue
        if layer.name in ("conv1", "bn1"):
            prefix = layer.name
        else:
            stage, block, rest = layer.name.split("_", 2)
            prefix = f"{stage}.{block}." + {"downsample_conv": "downsample.0", "downsample_bn": "downsample.1"}.get(
                rest, rest)
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw, c_in, c_out = layer.kernel.shape
            state[f"{prefix}.weight"] = rng.normal(0, np.sqrt(2 / (kh * kw * c_in)), (c_out, c_in, kh, kw))
        else:
            n = layer.gamma.shape[0]
            state.update({f"{prefix}.weight": rng.uniform(0.5, 1, n), f"{prefix}.bias": rng.normal(0, 0.1, n),
                          f"{prefix}.running_mean": rng.normal(0, 0.1, n),
                          f"{prefix}.running_var": rng.uniform(0.5, 1.5, n)})
    state = {k: v.astype(np.float32) for k, v in state.items()}
    resnet.load_state_dict_into(model, state)
    T = {k: torch.from_numpy(v) for k, v in state.items()}

    def bn(x, p):
        return F.batch_norm(x, T[f"{p}.running_mean"], T[f"{p}.running_var"], T[f"{p}.weight"], T[f"{p}.bias"],
                            False, 0.0, 1e-5)

    x = rng.normal(size=(1, 64, 64, 3)).astype(np.float32)
    t = torch.from_numpy(x.transpose(0, 3, 1, 2))
    t = F.max_pool2d(F.relu(bn(F.conv2d(t, T["conv1.weight"], stride=2, padding=3), "bn1")), 3, 2, 1)
    for stage, repeats in enumerate(resnet.BLOCKS, 1):
        dilation = {3: 2, 4: 4}.get(stage, 1)
        stride = 2 if stage == 2 else 1
        for b in range(repeats):
            p = f"layer{stage}.{b}"
            y = F.relu(bn(F.conv2d(t, T[f"{p}.conv1.weight"]), f"{p}.bn1"))
            y = F.relu(bn(F.conv2d(y, T[f"{p}.conv2.weight"], stride=stride if b == 0 else 1, padding=dilation,
                                   dilation=dilation), f"{p}.bn2"))
            y = bn(F.conv2d(y, T[f"{p}.conv3.weight"]), f"{p}.bn3")
            if f"{p}.downsample.0.weight" in T:
                t = bn(F.conv2d(t, T[f"{p}.downsample.0.weight"], stride=stride), f"{p}.downsample.1")
            t = F.relu(y + t)
    expected = t.numpy().transpose(0, 2, 3, 1)
    assert expected.shape[1:3] == (8, 8)  # output stride 8
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-3, atol=1e-3)


def test_register_backbone_adds_a_family_usable_through_get(tmp_path):
    def build(input_shape):
        inputs = keras.Input(input_shape)
        x = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="conv")(inputs)
        return keras.Model(inputs, keras.layers.ReLU(name="relu")(x))

    backbones.register_backbone("tiny_test_net", build, taps={"features": "relu"})
    try:
        assert "tiny_test_net" in backbones.list_backbones()
        with pytest.raises(ValueError, match="no default taps"):
            backbones.get("tiny_test_net")
        model = backbones.get("tiny_test_net", taps=["features", "conv"], trainable=True, input_shape=(8, 8, 3))
        assert len(model.trainable_weights) == 2
        out = model(np.full((1, 8, 8, 3), 255.0, np.float32))
        assert tuple(out["features"].shape) == (1, 4, 4, 4) and float(keras.ops.min(out["features"])) >= 0
        # The whole extractor (preprocessing included) round-trips through .keras serialization.
        model.save(tmp_path / "tiny.keras")
        restored = keras.models.load_model(tmp_path / "tiny.keras")
        again = restored(np.full((1, 8, 8, 3), 255.0, np.float32))
        np.testing.assert_allclose(keras.ops.convert_to_numpy(again["conv"]), keras.ops.convert_to_numpy(out["conv"]),
                                   atol=1e-6)
    finally:
        from keras_saliency.backbones import registry

        registry._REGISTRY.pop("tiny_test_net", None)
    with pytest.raises(ValueError, match=r"`input_shape` must be \(height, width, 3\)"):
        backbones.get("vgg16", input_shape=(32, 32))


def test_efficientnet_b5_pytorch_pads_as_for_456_pixels_whatever_the_input():
    from keras_saliency.backbones.efficientnet_pytorch import block_specs, static_same_padding

    # reference notes 2.1: stride 1 k3 (1, 1), k5 (2, 2); stride 2 k3 (0, 1), k5 (1, 2); 1x1 none.
    assert [static_same_padding(k, s) for k, s in ((3, 1), (5, 1), (3, 2), (5, 2), (1, 1))] == [
        (1, 1), (2, 2), (0, 1), (1, 2), (0, 0)]
    specs = block_specs()
    assert len(specs) == 39 and specs[24]["filters_in"] * specs[24]["expand"] == 1056
    assert specs[35]["filters_out"] == 304
