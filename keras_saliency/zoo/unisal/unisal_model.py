"""UNISAL: unified image and video saliency (Droste, Jiao & Noble, ECCV 2020).

Forward order (reference code, see the reference notes 1.3): MobileNetV2
encoder per frame -> skip branches at 1/16 and 1/8 -> Gaussian prior maps
appended to the 1/32 features -> ``post_cnn`` (shared BN) -> Bypass-RNN
(ConvGRU + ``post_rnn`` added residually, skipped for static batches) ->
bilinear x2, concat skip, inverted residual, bilinear x2, concat skip,
inverted residual -> per-domain 1x1 adaptation -> nearest upsampling to the
input size -> per-domain 41x41 smoothing with replicate padding -> bilinear
resize to ``target_size`` -> log-softmax over the pixels of each frame.
All domain-specific modules (DABN, priors, adaptation, smoothing) select their
parameters from the ``domain`` input, so one graph serves every domain.
"""

from __future__ import annotations

from typing import Optional, Sequence

import keras
import numpy as np
from keras import ops
from PIL import Image

from keras_saliency.backbones.preprocessing import IMAGENET_MEAN, IMAGENET_STD
from keras_saliency.layers import (
    BypassRNN,
    DomainAdaptiveBatchNormalization,
    DomainAdaptiveConv1x1,
    DomainAdaptiveSmoothing,
    GaussianPriorMaps,
    PixelLogSoftmax,
    DepthwiseConv2D,
    fold_batch_norms,
)
from keras_saliency.models.contract import normalize_batch
from keras_saliency.models.saliency_model import SaliencyModel
from keras_saliency.recurring_shapes import RecurringShapes
from keras_saliency.backbones.mobilenetv2_unisal import build_unisal_mobilenetv2

DEFAULT_DOMAINS = ("DHF1K", "Hollywood", "UCFSports", "SALICON")
STATIC_DOMAINS = ("SALICON", "MIT1003", "MIT300")
COMPILE_AFTER = 16  # eager image batches of one shape before predictions of that shape are compiled


class _DomainSequence(keras.layers.Layer):
    """Conv / DABN / ReLU6 / dropout steps applied in order with the domain index."""

    def __init__(self, steps, **kwargs):
        super().__init__(**kwargs)
        self.steps = steps

    def call(self, x, domain, training=False):
        for step in self.steps:
            if isinstance(step, DomainAdaptiveBatchNormalization):
                x = step(x, domain, training=training)
            elif step == "relu6":
                x = ops.relu6(x)
            else:
                x = step(x, training=training)
        return x


def _dabn(n_domains, momentums, name, synchronized):
    return DomainAdaptiveBatchNormalization(n_domains, momentums, synchronized=synchronized, name=name)


def _inverted_residual(out_channels, expand_channels, n_domains, momentums, name, synchronized):
    """PW(expand) + DABN + ReLU6, DW3x3 + DABN + ReLU6, PW(out) + DABN (no residual)."""
    return _DomainSequence([
        keras.layers.Conv2D(expand_channels, 1, use_bias=False, name=f"{name}_conv_0"),
        _dabn(n_domains, momentums, f"{name}_conv_1", synchronized), "relu6",
        DepthwiseConv2D(3, padding="same", use_bias=False, name=f"{name}_conv_3"),
        _dabn(n_domains, momentums, f"{name}_conv_4", synchronized), "relu6",
        keras.layers.Conv2D(out_channels, 1, use_bias=False, name=f"{name}_conv_6"),
        _dabn(n_domains, momentums, f"{name}_conv_7", synchronized),
    ], name=name)


def _skip(mid, out, n_domains, momentums, dropout, name, synchronized):
    return _DomainSequence([
        keras.layers.Conv2D(mid, 1, use_bias=False, name=f"{name}_expansion_0"),
        _dabn(n_domains, momentums, f"{name}_expansion_1", synchronized), "relu6",
        keras.layers.SpatialDropout2D(dropout, name=f"{name}_dropout"),
        keras.layers.Conv2D(out, 1, use_bias=True, name=f"{name}_reduction_0"),
        _dabn(n_domains, momentums, f"{name}_reduction_1", synchronized),
    ], name=name)


@keras.saving.register_keras_serializable(package="keras_saliency")
class UNISAL(SaliencyModel, keras.Model):
    """UNISAL for images (B, H, W, 3) and clips (B, T, H, W, 3), RGB in 0..255.

    Call with ``{"image": x, "domain": d[, "hidden": h]}`` where ``d`` is a
    domain name from ``domains`` (eager calls) or its index (int tensor, scalar
    or (B,); a batch comes from one domain; ``model.domain_index(name)`` maps
    names; graphs and ``fit`` take the index so one graph serves all domains). Returns the
    log-density per frame, (B, T, H', W') for clips and (B, H', W') for images
    (``logsumexp == 0`` per frame), plus the last hidden state
    (B, H/32, W/32, 256) when ``return_hidden=True``.

    ``static_domains``: the image domains (names compared case-insensitively, so a
    ``"mit1003"`` builder counts as ``"MIT1003"``); their DABN uses
    ``static_bn_momentum`` (the reference's 0.1 in PyTorch terms), video domains
    ``video_bn_momentum``. ``static``: None infers it as the reference does (T == 1,
    or a model whose domains are all static such as SALICON-only, means a static batch: the
    Bypass-RNN skips the ConvGRU); pass False to run the RNN on single frames.
    ``target_size``: output (H', W'); None keeps the input size. H and W must be
    multiples of 32.

    ``synchronized_batch_norm`` (TensorFlow only): every BatchNorm that trains normalises with
    the statistics of the global batch under a ``tf.distribute`` strategy, so N replicas train
    as one device with the global batch (the reference, like the default, uses per-replica
    statistics; `benchmarks/results/unisal_distributed_equality.md`).

    ``encoder``: ``"mobilenetv2_unisal"`` (the reference network, for converted
    original weights) or any :mod:`keras_saliency.backbones` name with
    ``head``/``stride32``, ``stride16`` and ``stride8`` taps (e.g.
    ``"efficientnet_lite0"``, whose ImageNet weights exist offline:
    ``encoder_weights="imagenet"``). ``encoder_weights`` only initialises the
    encoder; it is not part of the saved config (the weights file holds them).

    Presets: ``UNISAL.from_preset(name | folder | "hf://org/name@sha")`` and
    ``model.save_to_preset(folder)``.

    Contract (`keras_saliency.models`): ``output_kind = "log_density"``, condition
    ``domain`` (a name; default: the first static domain, else the first domain).
    ``predict_log_density(images)`` Lanczos-resizes each image (rounded to uint8) to
    the UNISAL grid-rule size (`keras_saliency.data.optimal_size`: about 110 cells of
    32 px with the image's aspect ratio, e.g. 288x384 for 4:3) and resizes the output
    back bilinearly inside the model. ``predict_video(frames)`` runs the recurrent clip
    inference of :func:`~keras_saliency.zoo.unisal.recurrent_inference` (default: the first
    video domain, else the first domain) at ``video_input_size``.
    """

    conditions = ("domain",)

    def __init__(self, domains: Sequence[str] = DEFAULT_DOMAINS, bypass_rnn: bool = True,
                 skip_dropout: float = 0.6, recurrent_dropout: float = 0.2,
                 video_bn_momentum: float = 0.99, static_bn_momentum: float = 0.9,
                 static_domains: Sequence[str] = STATIC_DOMAINS, encoder: str = "mobilenetv2_unisal",
                 encoder_weights=None, video_input_size: Sequence[int] = (224, 384),
                 synchronized_batch_norm: bool = False, name="unisal", **kwargs):
        super().__init__(name=name, **kwargs)
        self.domains = list(domains)
        self.bypass_rnn, self.skip_dropout, self.recurrent_dropout = bypass_rnn, skip_dropout, recurrent_dropout
        self.video_bn_momentum, self.static_bn_momentum = video_bn_momentum, static_bn_momentum
        self.static_domains = list(static_domains)
        self.encoder_name = encoder
        self.video_input_size = tuple(int(n) for n in video_input_size)
        if len(self.video_input_size) != 2 or any(n <= 0 or n % 32 for n in self.video_input_size):
            raise ValueError(f"`video_input_size` must be (H, W) with positive multiples of 32; got {video_input_size!r}.")
        self.synchronized_batch_norm = bool(synchronized_batch_norm)
        if self.synchronized_batch_norm and keras.backend.backend() != "tensorflow":
            raise ValueError(f"`synchronized_batch_norm=True` needs the TensorFlow backend; this is "
                             f"{keras.backend.backend()!r} (JAX's DataParallel already normalises over the global batch).")
        sync = self.synchronized_batch_norm
        n = len(self.domains)
        momentums = [static_bn_momentum if self.is_static_domain(d) else video_bn_momentum for d in self.domains]
        self.encoder = self._build_encoder(encoder, encoder_weights)
        self.skip_2x = _skip(320, 128, n, momentums, skip_dropout, "skip_2x", sync)
        self.skip_4x = _skip(128, 64, n, momentums, skip_dropout, "skip_4x", sync)
        self.gaussians = GaussianPriorMaps(n, 16, 6.0, name="coarse_gaussians")
        self.post_cnn = keras.Sequential([
            DepthwiseConv2D(3, padding="same", use_bias=False, name="post_cnn_conv_0"),
            keras.layers.BatchNormalization(epsilon=1e-5, momentum=video_bn_momentum, synchronized=sync,
                                            name="post_cnn_conv_1"),
            keras.layers.ReLU(6.0),
            keras.layers.Conv2D(256, 1, use_bias=False, name="post_cnn_conv_3"),
            keras.layers.BatchNormalization(epsilon=1e-5, momentum=video_bn_momentum, synchronized=sync,
                                            name="post_cnn_conv_4"),
        ], name="post_cnn")
        self.recurrent = BypassRNN(256, n, momentums, recurrent_dropout, synchronized=sync, name="bypass_rnn")
        self.upsampling_2 = _inverted_residual(128, 768, n, momentums, "upsampling_2", sync)
        self.post_upsampling_2 = _inverted_residual(64, 384, n, momentums, "post_upsampling_2", sync)
        self.adaptation = DomainAdaptiveConv1x1(n, 1, name="adaptation")
        self.smoothing = DomainAdaptiveSmoothing(n, 41, name="smoothing")
        self.log_softmax = PixelLogSoftmax(name="log_softmax")

    @staticmethod
    def _build_encoder(encoder, weights):
        if encoder == "mobilenetv2_unisal":
            if weights is not None:
                raise ValueError("Load reference UNISAL weights with load_unisal_weights(), not encoder_weights.")
            return build_unisal_mobilenetv2(name="cnn")
        from keras_saliency import backbones

        taps = backbones.list_backbones()[encoder]["taps"]
        deep = "head" if "head" in taps else "stride32"
        missing = [t for t in (deep, "stride16", "stride8") if t not in taps]
        if missing:
            raise ValueError(f"Encoder {encoder!r} lacks the taps {missing} UNISAL needs.")
        return backbones.get(encoder, weights=weights, taps=[deep, "stride16", "stride8"])

    def _encode(self, frames):
        """(features 1/32, feat_2x 1/16, feat_4x 1/8) of RGB frames in 0..255.

        The encoder's BatchNorms always run in inference mode (the reference trains with ``cnn_eval=True``:
        frozen statistics), so they run folded into their convolutions (`keras_saliency.layers.fold_batch_norms`:
        the same variables, gradients included; ~1.5x faster).
        """
        encoder = fold_batch_norms(self.encoder)
        if self.encoder_name == "mobilenetv2_unisal":
            frames = (ops.cast(frames, "float32") - np.float32(IMAGENET_MEAN)) / np.float32(IMAGENET_STD)
            return encoder(frames, training=False)
        return tuple(encoder(frames, training=False).values())

    def build(self, input_shape=None):
        """Creates every weight (RNN branch included) with one small forward pass."""
        self.call({"image": np.zeros((1, 1, 64, 64, 3), np.float32), "domain": np.zeros((1,), np.int32)},
                  static=False)
        self.built = True

    def compile(self, optimizer=None, loss=None, *, steps_per_epoch=None, learning_rate=None, decay_per_epoch=None,
                momentum=None, clipnorm=None, freeze_encoder_epochs=None, weight_decay=1e-4,
                encoder_weight_decay=1e-5, encoder_lr_multiplier=0.1, **kwargs):
        """``keras.Model.compile`` with the reference recipe as defaults (``unisal_training``); then ``fit``.

        ``model.compile(steps_per_epoch=N)`` (N batches per epoch) gives the
        recipe; ``fit`` takes one-domain batches ``({"image": (B, H, W, 3),
        "domain": (B,)}, targets (B, H, W, 2)[, sample_weight (B,)])``, e.g. from
        ``keras_saliency.data.domain_batches``.

        - ``optimizer``: None is the reference SGD, with ``learning_rate`` (0.04),
          ``decay_per_epoch`` (0.8), ``momentum`` (0.9) and ``clipnorm`` (global
          gradient norm, 2.0); these four only go with None.
        - ``loss``: None is ``UNISALLoss()`` (KLD - 0.1 NSS - 0.1 CC).
        - ``freeze_encoder_epochs``: epochs (of ``steps_per_epoch`` steps) before
          the encoder trains; None is the reference 2 with the recipe optimizer
          and 0 with your own.
        - ``weight_decay`` / ``encoder_weight_decay``: L2 added to the gradients
          (domain-specific parameters: only their active domain's slice).
        - ``encoder_lr_multiplier``: scales the encoder's gradients, which is a
          learning-rate factor for SGD (not for adaptive optimizers such as Adam).
        - ``kwargs``: the other ``keras.Model.compile`` arguments (``metrics``, ``run_eagerly``...).
        Runs on TensorFlow (also under ``tf.distribute``) and JAX.
        """
        from keras_saliency.zoo.unisal.unisal_training import compile_arguments

        optimizer, loss, self._gradient_recipe = compile_arguments(
            optimizer, loss, steps_per_epoch=steps_per_epoch, learning_rate=learning_rate,
            decay_per_epoch=decay_per_epoch, momentum=momentum, clipnorm=clipnorm,
            freeze_encoder_epochs=freeze_encoder_epochs, weight_decay=weight_decay,
            encoder_weight_decay=encoder_weight_decay, encoder_lr_multiplier=encoder_lr_multiplier)
        if not self.built:
            self.build()
        super().compile(optimizer=optimizer, loss=loss, **kwargs)
        # every variable now: a first image batch gives the ConvGRU no gradients, and variables made
        # inside the first traced step would make it trace twice
        self.optimizer.build(self.trainable_variables)

    def get_compile_config(self):
        config = super().get_compile_config()
        return {**config, **vars(self._gradient_recipe)} if config else config

    def compile_from_config(self, config):
        from keras_saliency.training.fit_support import compile_from_config

        compile_from_config(self, config)

    def train_step(self, *args):
        """The domain-aware step of :meth:`compile`'s recipe (``unisal_training.train_step``)."""
        from keras_saliency.zoo.unisal.unisal_training import train_step

        return train_step(self, self._gradient_recipe, *args)

    def default_domain(self, static: bool = True) -> str:
        """The first static (``static=True``) or video domain, else the first domain."""
        matching = [d for d in self.domains if self.is_static_domain(d) == static]
        return (matching or self.domains)[0]

    def _check_conditions(self, batch_shape, conditions):
        conditions = super()._check_conditions(batch_shape, conditions)
        if "domain" in conditions:
            if not isinstance(conditions["domain"], str):
                raise ValueError(f"`domain` must be a domain name from {self.domains}; got {conditions['domain']!r}.")
            self.domain_index(conditions["domain"])
        return conditions

    def working_size(self, size):
        """The network input for an (H, W) image: `keras_saliency.data.sizes.optimal_size` (multiples of 32)."""
        from keras_saliency.data.sizes import optimal_size

        return tuple(optimal_size(*(int(n) for n in size)))

    def _predict_batch(self, images, domain=None):
        from keras_saliency.data.sizes import optimal_size

        height, width = images.shape[1:3]
        size = optimal_size(height, width)
        pixels = np.clip(np.rint(images), 0, 255).astype(np.uint8)
        x = np.stack([np.asarray(Image.fromarray(p).resize(size[::-1], Image.LANCZOS), np.float32) for p in pixels])
        out = self._image_forward(x, np.array([self.domain_index(domain or self.default_domain())], np.int32))
        if tuple(out.shape[1:]) != (height, width):
            # == call(..., target_size=(height, width)): bilinear resizing commutes with log-softmax's per-image shift
            out = ops.image.resize(out[..., None], (height, width), interpolation="bilinear", antialias=False)[..., 0]
        return normalize_batch(np.asarray(keras.ops.convert_to_numpy(out), np.float64))

    def _image_forward(self, images, domain):
        """(B, h, w) log-densities of images already at a network size; on TensorFlow compiled for batch shapes
        seen more than ``COMPILE_AFTER`` times (`keras_saliency.recurring_shapes`: a trace costs about 20 eager
        batches of a 1024x768 photo, 15 s vs 0.6 s on 2 CPU cores)."""
        forward = self.__dict__.get("_image_forward_calls")  # kept out of Keras' attribute tracking
        if forward is None:
            forward = RecurringShapes(lambda x, d: self({"image": x, "domain": d}, training=False), COMPILE_AFTER,
                                      variables=self.variables)
            self.__dict__["_image_forward_calls"] = forward
        return forward(images, domain)

    def predict_video(self, frames, *, batch_size=None, progress: bool = False, domain=None, frame_modulo=None):
        """(T, H, W) float64 log-densities of a clip (T, H, W, 3) RGB 0..255 by recurrent clip inference.

        ``domain``: default the first video domain; static domains run every frame on its own
        (see :func:`~keras_saliency.zoo.unisal.recurrent_inference`, which this calls). ``frame_modulo``:
        the frame step the ConvGRU was trained with (default: the reference's for the domain's name,
        `keras_saliency.data.unisal_frame_modulo`). ``batch_size`` is unused (the clip runs in chunks of
        6 frames per interleaved offset).
        """
        from keras_saliency.models.contract import check_images
        from keras_saliency.zoo.unisal.unisal_video import recurrent_inference

        frames = check_images(frames, "frames")
        self._check_conditions(frames.shape[:3], {} if domain is None else {"domain": domain})
        pixels = np.clip(np.rint(frames), 0, 255).astype(np.uint8)
        out = recurrent_inference(self, pixels, domain=domain or self.default_domain(static=False),
                                  input_size=self.video_input_size, frame_modulo=frame_modulo, progress=progress)
        return normalize_batch(out)

    def predict_video_stream(self, frames, *, batch_size=None, domain=None):
        """Yields (t, H, W) float64 log-densities for an iterable of (H, W, 3) frames, the ConvGRU state carried.

        The streamed form of :meth:`predict_video` (same outputs; see
        :func:`~keras_saliency.zoo.unisal.recurrent_inference_stream`): one window of
        ``6 * frame_modulo`` frames is held at a time. ``batch_size`` is unused.
        """
        from keras_saliency.zoo.unisal.unisal_video import recurrent_inference_stream

        domain = domain or self.default_domain(static=False)
        self._check_conditions((1, 1, 1), {"domain": domain})
        for out in recurrent_inference_stream(self, frames, domain=domain, input_size=self.video_input_size):
            yield normalize_batch(out)

    def is_static_domain(self, domain: str) -> bool:
        """Whether ``domain`` is an image domain (``static_domains``, compared case-insensitively)."""
        return domain.lower() in {d.lower() for d in self.static_domains}

    def domain_index(self, domain: str) -> int:
        if domain not in self.domains:
            raise ValueError(f"Unknown domain {domain!r}; this model has {self.domains}.")
        return self.domains.index(domain)

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict) and isinstance(inputs.get("domain"), str):  # a name: Keras takes tensors only
            inputs = {**inputs, "domain": np.array([self.domain_index(inputs["domain"])], np.int32)}
        elif isinstance(inputs, dict) and inputs.get("domain") is not None:
            self._check_domain_indices(inputs["domain"])
        return super().__call__(inputs, *args, **kwargs)

    def _check_domain_indices(self, domain) -> None:
        """A ``ValueError`` for domain indices that are not integers in 0..len(domains)-1 (given as Python or
        NumPy values or an eager tensor; a symbolic tensor inside a traced graph cannot be checked here)."""
        try:
            values = np.asarray(domain)
        except (TypeError, ValueError, NotImplementedError):  # symbolic (graph / jit tracer / KerasTensor)
            return
        if values.dtype == object:
            return
        n = len(self.domains)
        if values.dtype.kind not in "iu" or values.size == 0 or values.min() < 0 or values.max() >= n:
            raise ValueError(f"`domain` index {values.tolist()} is out of range: this model has {n} domains "
                             f"{self.domains} (indices 0..{n - 1}); give a name, or model.domain_index(name).")

    def call(self, inputs, training=False, static: Optional[bool] = None, target_size=None,
             return_hidden: bool = False):
        if not isinstance(inputs, dict) or "image" not in inputs or "domain" not in inputs:
            got = sorted(inputs) if isinstance(inputs, dict) else type(inputs).__name__
            raise ValueError(f"UNISAL takes {{'image': (B, [T,] H, W, 3), 'domain': int[, 'hidden': state]}}; got {got}.")
        images, domain = inputs["image"], inputs["domain"]
        single_image = len(images.shape) == 4
        if single_image:
            images = images[:, None]
        if len(images.shape) != 5 or images.shape[-1] != 3:
            raise ValueError(f"`image` must be (B, H, W, 3) or (B, T, H, W, 3); got {tuple(images.shape)}.")
        steps, height, width = images.shape[1], images.shape[2], images.shape[3]
        if height is None or width is None:
            raise ValueError(f"UNISAL needs a known image height and width in its graph; got `image` of shape "
                             f"{tuple(images.shape)}. Batch images at one fixed (H, W) (e.g. "
                             f"saliency_dataset(ds, (288, 384), ...)), not at the aspect-ratio grid sizes.")
        if height % 32 or width % 32:
            raise ValueError(f"UNISAL needs H and W divisible by 32; got {height}x{width}.")
        if static is None:  # the reference: one frame, or a model of static domains only
            static = steps == 1 or all(self.is_static_domain(d) for d in self.domains)
        batch = ops.shape(images)[0]
        frames = ops.reshape(images, (-1,) + tuple(images.shape[2:]))
        x, feat_2x, feat_4x = self._encode(frames)
        skip_2x = self.skip_2x(feat_2x, domain, training=training)
        skip_4x = self.skip_4x(feat_4x, domain, training=training)
        x = ops.concatenate([x, self.gaussians(x, domain)], axis=-1)
        post_cnn = self.post_cnn(x, training=training)
        sequence = ops.reshape(post_cnn, (batch, steps) + tuple(post_cnn.shape[1:]))
        features, last_hidden = self.recurrent(sequence, domain, static=static and self.bypass_rnn,
                                               initial_state=inputs.get("hidden"), training=training)
        x = _upsample2x(ops.reshape(features, (-1,) + tuple(post_cnn.shape[1:])))
        x = _upsample2x(self.upsampling_2(ops.concatenate([x, skip_2x], axis=-1), domain, training=training))
        x = self.post_upsampling_2(ops.concatenate([x, skip_4x], axis=-1), domain, training=training)
        x = self.adaptation(x, domain)
        x = self.smoothing.call_upsampled(x, domain, 8)  # == smoothing(nearest x8 upsampling), exactly
        if target_size is not None and tuple(target_size) != (height, width):
            x = ops.image.resize(x, tuple(target_size), interpolation="bilinear", antialias=False)
        log_density = self.log_softmax(x)  # (B*T, H', W')
        log_density = ops.reshape(log_density, (batch, steps) + tuple(log_density.shape[1:]))
        if single_image:
            log_density = log_density[:, 0]
        return (log_density, last_hidden) if return_hidden else log_density

    def get_config(self):
        return {**super().get_config(), "domains": self.domains, "bypass_rnn": self.bypass_rnn,
                "skip_dropout": self.skip_dropout, "recurrent_dropout": self.recurrent_dropout,
                "video_bn_momentum": self.video_bn_momentum, "static_bn_momentum": self.static_bn_momentum,
                "static_domains": self.static_domains, "encoder": self.encoder_name,
                "video_input_size": list(self.video_input_size),
                "synchronized_batch_norm": self.synchronized_batch_norm}


def _upsample2x(x):
    """Bilinear x2 with half-pixel centres (PyTorch ``align_corners=False``)."""
    return ops.image.resize(x, (x.shape[1] * 2, x.shape[2] * 2), interpolation="bilinear", antialias=False)
