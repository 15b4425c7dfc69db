"""`export_model`: a zoo model as a LiteRT (.tflite), ONNX (.onnx) or TensorFlow SavedModel artifact, parity-checked.

The artifact holds the :class:`~keras_saliency.export.graphs.ExportGraph` of the model at
a fixed input size: input ``image`` (1, H, W, 3) float32 RGB 0..255, output the
normalised log-density (1, H, W) float32. It is written by Keras' own exporters
(``model.export(format="litert" | "tf_saved_model")``); ONNX goes through the SavedModel,
frozen and converted by tf2onnx (Keras' ``format="onnx"`` leaves the constants of
``keras.layers.Normalization``, which the EfficientNet-Lite backbones use, as extra graph
inputs), into a temporary folder beside ``path``, run in its runtime (LiteRT through
``ai-edge-litert``, ``onnxruntime``, TensorFlow) on the check images and compared with
the Keras graph; only then is it moved into place, so a failed export or check leaves
no artifact (and an existing one untouched).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence, Tuple

import numpy as np

from keras_saliency.export.graphs import export_graph
from keras_saliency.export.runtimes import FORMATS, ExportedModel, resize_image

KERAS_FORMATS = {"tflite": "litert", "saved_model": "tf_saved_model"}
ONNX_OPSET = 17
SUFFIXES = {"tflite": ".tflite", "onnx": ".onnx", "saved_model": ""}
DEFAULT_TOLERANCE = 1e-3  # max |log-density difference| (nats) an export may have from the Keras graph
# Both log-densities are clipped at the Keras map's peak minus this many nats (density 1e-6 of the peak)
# before they are compared: below that a saliency map's log flattens into the float noise around zero.
PARITY_RANGE = float(np.log(1e6))


class ExportParityError(RuntimeError):
    """The exported artifact's log-densities differ from the Keras model's by more than the tolerance."""


@dataclasses.dataclass(frozen=True)
class ExportResult:
    """What :func:`export_model` wrote: ``max_abs_diff`` is the largest |log-density difference| (nats, see
    :func:`log_density_difference`) between the artifact and the Keras graph over the ``checked`` images, at
    ``input_size`` (H, W)."""

    path: Path
    format: str
    input_size: Tuple[int, int]
    max_abs_diff: float
    checked: int
    seconds: float


def check_format(format: str) -> str:
    if format not in FORMATS:
        raise ValueError(f"`format` must be one of {list(FORMATS)}; got {format!r}.")
    return format


def default_check_images() -> list:
    """One deterministic structured image (the colour pop-out search array, 256x256 uint8)."""
    from keras_saliency.synthetic import popout_search_array

    return [popout_search_array("colour", 256, seed=0)[0]]


def export_model(model, path, format: str = "tflite", input_size: Optional[Sequence[int]] = None,
                 domain: Optional[str] = None, overwrite: bool = False, check_images=None,
                 tolerance: float = DEFAULT_TOLERANCE) -> ExportResult:
    """Exports ``model`` (a zoo model or any spec `keras_saliency.prediction.resolve_model` takes) to ``path``.

    Args:
        format: ``"tflite"`` (a LiteRT flatbuffer, builtin ops), ``"onnx"`` or ``"saved_model"``
            (a folder with the endpoint ``serve`` for TF Serving).
        input_size: (H, W) the artifact takes; default the model's working size
            (`keras_saliency.export.graphs.default_input_size`).
        domain: UNISAL's domain, baked in (default its first static domain). DeepGaze's
            stored centre bias is baked in at (H, W).
        overwrite: replace an existing ``path``; otherwise it is refused.
        check_images: RGB 0..255 (H, W, 3) arrays or image paths compared at ``input_size``
            (resized bilinearly); default :func:`default_check_images`.
        tolerance: the largest |log-density difference| accepted (`ExportParityError` beyond).
    Returns:
        An :class:`ExportResult`.
    """
    from keras_saliency.prediction import resolve_model

    check_format(format)
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path.parent}: the output folder does not exist.")
    images = _check_images(default_check_images() if check_images is None else check_images)
    start = time.perf_counter()
    graph = export_graph(resolve_model(model), input_size, domain)
    spec = graph.input_spec_for_export()
    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        artifact = temporary / f"artifact{SUFFIXES[format]}"
        if format == "onnx":
            _export_onnx(graph, spec, temporary / "saved_model", artifact)
        else:
            graph.export(str(artifact), format=KERAS_FORMATS[format], input_signature=[spec], verbose=False)
        diff = parity(graph, ExportedModel(artifact, format), images)
        if not diff <= tolerance:
            raise ExportParityError(f"the {format} export differs from the Keras model by up to {diff:.3g} nats "
                                    f"(tolerance {tolerance:g}); nothing was written to {path}.")
        _move_into_place(artifact, path, temporary)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return ExportResult(path, format, graph.input_size, diff, len(images), time.perf_counter() - start)


def _export_onnx(graph, spec, saved_model: Path, artifact: Path) -> None:
    """SavedModel -> frozen GraphDef -> ONNX (opset ``ONNX_OPSET``) with tf2onnx."""
    import tf2onnx
    from tf2onnx import tf_loader

    graph.export(str(saved_model), format="tf_saved_model", input_signature=[spec], verbose=False)
    graph_def, inputs, outputs = tf_loader.from_saved_model(str(saved_model), None, None, tag="serve",
                                                                 signatures=["serve"])
    tf2onnx.convert.from_graph_def(graph_def, input_names=inputs, output_names=outputs, opset=ONNX_OPSET,
                                   output_path=str(artifact))


def log_density_difference(expected: np.ndarray, got: np.ndarray) -> float:
    """Max |``got`` - ``expected``| (nats) of two log-densities, both clipped at ``expected``'s peak minus
    ``PARITY_RANGE``: pixels with less than 1e-6 of the peak density in both compare equal (a saliency map's
    near-zero values, whose logs differ by whole nats between runtimes, hold no probability mass); a pixel that
    is negligible in one and not in the other still counts."""
    floor = float(np.max(expected)) - PARITY_RANGE
    return float(np.max(np.abs(np.maximum(got, floor) - np.maximum(expected, floor))))


def parity(graph, exported: ExportedModel, images: Sequence[np.ndarray]) -> float:
    """:func:`log_density_difference` of ``exported`` from ``graph`` (Keras), the worst over ``images`` at its size."""
    worst = 0.0
    for image in images:
        x = resize_image(image, graph.input_size)[None]
        expected = np.asarray(graph(x), np.float64)
        worst = max(worst, log_density_difference(expected, exported.run(x).astype(np.float64)))
    return worst


def _check_images(images) -> list:
    from keras_saliency.image_files import load_image
    from keras_saliency.models.contract import check_images

    if isinstance(images, (str, Path, np.ndarray)):
        images = [images]
    arrays = [load_image(Path(i)) if isinstance(i, (str, Path)) else i for i in images]
    if not arrays:
        raise ValueError("`check_images` is empty; give at least one image (or None for the default).")
    return [check_images(np.asarray(a)[None], f"check image {k}")[0] for k, a in enumerate(arrays)]


def _move_into_place(artifact: Path, path: Path, temporary: Path) -> None:
    """``os.replace`` for files; a folder replaces an old one by two renames (the old one is then removed)."""
    if artifact.is_dir() and path.exists():
        old = temporary / "replaced"
        os.replace(path, old)
        try:
            os.replace(artifact, path)
        except BaseException:
            os.replace(old, path)
            raise
        return
    if path.is_dir():
        shutil.rmtree(path)
    os.replace(artifact, path)
