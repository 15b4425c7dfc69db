"""The probe saliency model of the analysis (He et al., CVPR 2019): a frozen encoder + a 1x1 readout.

Setup I trains only the readout (a 1x1 convolution without bias on the last tap, bilinear upsampling
to the fixation-map size) with -NSS (:class:`keras_saliency.losses.NSSLoss` on ``exp(logits)``);
setup II also fine-tunes the encoder layers whose names contain given parts (the paper's "last k
blocks", :func:`unfreeze_layers`). Images are (N, H, W, 3) RGB 0..255; the probe's saliency map is
``exp(logits)``, what the loss scores.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import keras
import numpy as np

from keras_saliency.layers.traversal import nested_layers
from keras_saliency.losses import NSSLoss


def tiny_encoder(input_shape) -> keras.Model:
    """Stand-in encoder for smoke runs: 3 conv blocks (16, 32, 32 channels), dict output {block1..block3}."""
    x = inp = keras.Input(input_shape, name="image")
    x = keras.layers.Rescaling(1 / 255.0)(x)
    taps = {}
    for i, filters in enumerate((16, 32, 32), start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{i}_conv")(x)
        taps[f"block{i}"] = x
        if i < 3:
            x = keras.layers.MaxPooling2D(2)(x)
    return keras.Model(inp, taps, name="tiny_encoder")


def build_encoder(name: str, input_shape, weights=None, taps: Optional[Sequence[str]] = None
                  ) -> Tuple[keras.Model, List[str]]:
    """(encoder with a dict of taps, tap names): ``"tiny"`` or a ``keras_saliency.backbones`` name."""
    if name == "tiny":
        return tiny_encoder(input_shape), ["block1", "block2", "block3"]
    from keras_saliency import backbones

    encoder = backbones.get(name, weights=weights, taps=None if taps is None else list(taps), input_shape=input_shape)
    return encoder, list(encoder.output.keys())


def probe_model(encoder: keras.Model, taps: Sequence[str], out_size) -> keras.Model:
    """encoder -> last tap -> 1x1 conv (no bias) -> bilinear logits (N, *out_size).

    The TF reference initialises the readout with ones; here with 1/C (the channel mean), because
    NSSLoss(from_logits=True) scores exp(logits) and a sum over C channels makes that map
    degenerate (one peak) at the start.
    """
    feats = encoder(encoder.inputs[0])
    channels = feats[taps[-1]].shape[-1]
    x = keras.layers.Conv2D(1, 1, use_bias=False, kernel_initializer=keras.initializers.Constant(1.0 / channels),
                            name="readout")(feats[taps[-1]])
    x = keras.layers.Resizing(*out_size, interpolation="bilinear", name="upsample")(x)
    return keras.Model(encoder.inputs[0], x[..., 0], name="probe")


def unfreeze_layers(encoder: keras.Model, names: Sequence[str]) -> int:
    """Freezes every layer of ``encoder`` but those with weights whose name contains one of ``names``.

    BatchNormalization stays frozen (the batches here are tiny). Returns how many layers train; raises a
    ``LookupError`` when none matches.
    """
    encoder.trainable = True
    for layer in nested_layers(encoder):
        layer.trainable = False
    count = 0
    for layer in nested_layers(encoder):
        if (any(n in layer.name for n in names) and layer.weights
                and not isinstance(layer, keras.layers.BatchNormalization)):
            layer.trainable = True
            count += 1
    if count == 0:
        raise LookupError(f"no encoder layer with weights has a name containing one of {list(names)}")
    return count


def train_probe(model: keras.Model, images, fixation_maps, epochs: int, learning_rate: float) -> List[float]:
    """Adam on -NSS (batches of up to 4 images); the loss per epoch."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=NSSLoss(from_logits=True))
    history = model.fit(images, np.stack(fixation_maps).astype("float32"), batch_size=min(4, len(images)),
                        epochs=epochs, verbose=0)
    return history.history["loss"]


def probe_logits(probe: keras.Model, images, size=None) -> np.ndarray:
    """The probe's logits (N, H, W) float64 for (N, h, w, 3) images; with ``size`` resized (bilinear) to (H, W)."""
    logits = np.asarray(probe.predict(np.asarray(images, np.float32), batch_size=4, verbose=0))
    if size is not None and tuple(logits.shape[1:3]) != tuple(size):
        logits = keras.ops.convert_to_numpy(keras.ops.image.resize(logits[..., None], tuple(size)))[..., 0]
    return logits.astype(np.float64)


def probe_saliency(probe: keras.Model, images, size=None) -> np.ndarray:
    """The probe's saliency maps ``exp(logits - max)`` (N, H, W), see :func:`probe_logits`."""
    logits = probe_logits(probe, images, size)
    return np.exp(logits - logits.max(axis=(1, 2), keepdims=True))
