"""The static inference graph that every export format holds: one image in, its log-density out.

:func:`export_graph` wraps a zoo model in an :class:`ExportGraph`, a ``keras.Model`` whose
``call(image)`` maps one RGB image (1, H, W, 3) float32 in 0..255, at the fixed export size
(H, W), to its normalised natural-log density (1, H, W) float32 (``logsumexp == 0``). The
family's conditions are baked in as constants:

* UNISAL: the domain (default ``model.default_domain()``); its static (Bypass-RNN) path;
  H and W multiples of 32. Default size (288, 384), the grid-rule size of 4:3 images at which
  ``predict_log_density`` runs them (other sizes run the network at that size as given).
* DeepGaze II / IIE (:class:`~keras_saliency.zoo.deepgaze.DensityMixture` and
  :class:`~keras_saliency.zoo.deepgaze.DeepGazeII`): the stored centre bias, zoomed to (H, W)
  as ``predict_log_density`` does. The network runs at (H, W) as given; the default is the
  model's working size for a 4:3 landscape image (long side ``image_long_side``; (384, 512)
  when it is None).
* WEPSAM: resized to its square input (bilinear), the map resized back. Default (S, S).
* DINet: the stride-8 map resized to (H, W) (bilinear). Default: its ``input_shape`` when
  fixed, else (240, 320).
* :class:`~keras_saliency.models.KerasSaliencyModel`: its network, resized to and from its
  ``input_size`` when that is set and differs (bilinear, without the antialiasing that
  ``predict_log_density`` applies when shrinking). Default: ``input_size``, else (240, 320).

Saliency-map outputs become densities as everywhere in the package: ``log(map + 1e-20)``
renormalised (maps clipped at 0 first). Classical (NumPy) models and cross-family
:class:`~keras_saliency.models.MixtureModel` have no graph: :class:`NotExportableError`.
"""

from __future__ import annotations

from typing import Optional, Tuple

import keras
import numpy as np
from keras import ops

FALLBACK_SIZE = (240, 320)
MAP_FLOOR = 1e-20


class NotExportableError(TypeError):
    """The model has no Keras graph that an export format can hold (classical models, cross-family mixtures)."""


@keras.saving.register_keras_serializable(package="keras_saliency")
class ExportGraph(keras.Model):
    """``call(image (1, H, W, 3) RGB 0..255) -> (1, H, W)`` normalised log-density; see the module docstring.

    ``forward(image) -> (1, H, W)`` raw output of ``output_kind``; ``input_size`` (H, W).
    Not meant to be saved as ``.keras`` (the wrapped model is); it exists to be exported.
    """

    def __init__(self, model, forward, output_kind: str, input_size, name="export_graph", **kwargs):
        super().__init__(name=name, **kwargs)
        self.model, self.forward = model, forward
        self.output_kind, self.input_size = output_kind, tuple(int(n) for n in input_size)

    def call(self, image):
        out = ops.cast(self.forward(ops.cast(image, "float32")), "float32")
        if self.output_kind == "saliency_map":
            out = ops.log(ops.maximum(out, 0.0) + MAP_FLOOR)
        peak = ops.max(out, axis=(1, 2), keepdims=True)  # max-shifted logsumexp: TFLite builtins only
        return out - peak - ops.log(ops.sum(ops.exp(out - peak), axis=(1, 2), keepdims=True))

    def input_spec_for_export(self):
        return keras.InputSpec(shape=(1,) + self.input_size + (3,), dtype="float32", name="image")


def _resize_map(maps, size):
    """(1, h, w) -> (1, H, W) bilinear, half-pixel centres (the graph form of ``resize_saliency_map``)."""
    if tuple(maps.shape[1:3]) == tuple(size):
        return maps
    return ops.image.resize(maps[..., None], tuple(size), interpolation="bilinear")[..., 0]


def _unisal(model, size, domain):
    if size[0] % 32 or size[1] % 32:
        raise ValueError(f"UNISAL exports need an input size with H and W multiples of 32; got {size[0]}x{size[1]}.")
    domain = model.default_domain() if domain is None else domain
    index = np.array([model.domain_index(domain)], np.int32)
    return lambda image: model({"image": image, "domain": index}, static=True), "log_density"


def _deepgaze(model, size, domain):
    if model.centerbias is None:
        raise NotExportableError(f"{model.name} stores no centre bias (built with centerbias_shape=None); an export "
                                 "bakes the stored centre bias in: build it with centerbias_shape and assign one.")
    bias = model.centerbias.log_density(size).astype(np.float32)[None]
    members = getattr(model, "members", [model])  # a DensityMixture of DeepGazeII, or one DeepGazeII

    def forward(image):  # what prediction runs: each member's readouts merged on one feature pass
        return _log_mean_exp([member.merged_log_density({"image": image, "centerbias": bias}) for member in members])

    return forward, "log_density"


def _log_mean_exp(log_densities):
    """``log(mean_m exp(x_m))`` with Exp/Log/Sum only (``logaddexp`` becomes Log1p, which tf2onnx lacks)."""
    if len(log_densities) == 1:
        return log_densities[0]
    stacked = ops.stack(log_densities)
    peak = ops.max(stacked, axis=0)
    return peak + ops.log(ops.mean(ops.exp(stacked - peak[None]), axis=0))


def _wepsam(model, size, domain):
    side = (model.input_size, model.input_size)
    return (lambda image: _resize_map(model(ops.image.resize(image, side, interpolation="bilinear")), size),
            "saliency_map")


def _dinet(model, size, domain):
    return lambda image: _resize_map(model(image), size), "saliency_map"


def _keras_saliency_model(model, size, domain):
    work = tuple(model.input_size or size)
    if work == tuple(size):
        return lambda image: _squeeze(model.network(image, training=False)), model.output_kind

    def forward(image):  # resized in and out; a log-density is resized as a density
        out = _squeeze(model.network(ops.image.resize(image, work, interpolation="bilinear"), training=False))
        if model.output_kind == "log_density":
            out = ops.exp(out - ops.max(out, axis=(1, 2), keepdims=True))
        return _resize_map(out, size)

    return forward, "saliency_map"


def _squeeze(maps):
    return maps[..., 0] if len(maps.shape) == 4 else maps


def _families():
    from keras_saliency.models.keras_saliency_model import KerasSaliencyModel
    from keras_saliency.zoo.deepgaze import DeepGazeII, DensityMixture
    from keras_saliency.zoo.dinet import DINet
    from keras_saliency.zoo.unisal import UNISAL
    from keras_saliency.zoo.wepsam import WEPSAM

    return ((UNISAL, _unisal), (DensityMixture, _deepgaze), (DeepGazeII, _deepgaze), (WEPSAM, _wepsam),
            (DINet, _dinet), (KerasSaliencyModel, _keras_saliency_model))


def default_input_size(model) -> Tuple[int, int]:
    """(H, W) an export of ``model`` runs at when none is given; see the module docstring."""
    from keras_saliency.zoo.deepgaze.deepgaze_centerbias import working_size

    kind = _builder(model)
    if kind is _unisal:
        return 288, 384
    if kind is _deepgaze:
        return working_size((768, 1024), model.image_long_side) if model.image_long_side else (384, 512)
    if kind is _wepsam:
        return model.input_size, model.input_size
    if kind is _dinet and None not in tuple(model.input_shape_[:2]):
        return tuple(int(n) for n in model.input_shape_[:2])
    if kind is _keras_saliency_model and model.input_size is not None:
        return model.input_size
    return FALLBACK_SIZE


def _builder(model):
    for cls, builder in _families():
        if isinstance(model, cls):
            return builder
    what = type(model).__name__
    if not isinstance(model, keras.Model):
        raise NotExportableError(f"{what} is not exportable: classical models run in NumPy (SciPy) and have no "
                                 "Keras graph; export a zoo model (UNISAL, DeepGaze, WEPSAM, DINet) instead.")
    raise NotExportableError(f"{what} is not exportable: exports cover UNISAL, DeepGaze II/IIE, WEPSAM, DINet and "
                             "KerasSaliencyModel (a MixtureModel across families runs member by member in NumPy).")


def export_graph(model, input_size: Optional[Tuple[int, int]] = None, domain: Optional[str] = None) -> ExportGraph:
    """The :class:`ExportGraph` of a zoo ``model`` at ``input_size`` (H, W) (default :func:`default_input_size`).

    ``domain``: UNISAL's domain name (default its first static domain); other families refuse one.
    """
    builder = _builder(model)
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(f"exports run on the TensorFlow backend; KERAS_BACKEND is {keras.backend.backend()!r}.")
    size = default_input_size(model) if input_size is None else tuple(int(n) for n in input_size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"`input_size` must be (H, W) with positive sizes; got {input_size!r}.")
    if domain is not None and builder is not _unisal:
        raise ValueError(f"`domain` is a UNISAL condition; {type(model).__name__} takes none (got {domain!r}).")
    forward, kind = builder(model, size, domain)
    graph = ExportGraph(model, forward, kind, size, name=f"{model.name}_export")
    graph(np.zeros((1,) + size + (3,), np.float32))  # builds it (exporters need a built model)
    return graph
