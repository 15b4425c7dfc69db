"""Exporting zoo models to LiteRT, ONNX and TensorFlow SavedModel, and running the artifacts.

``export_model(model, path, format="tflite" | "onnx" | "saved_model", input_size=(H, W))``
writes the artifact (one image (1, H, W, 3) RGB 0..255 in, its log-density (1, H, W)
out; conditions baked in, see `keras_saliency.export.graphs`) after checking it against
the Keras model; ``load_exported(path)`` runs it behind the saliency-model contract.
Needs the ``export`` extra (``ai-edge-litert``, ``onnxruntime``, ``tf2onnx``).
"""

from keras_saliency.export.exporting import (
    DEFAULT_TOLERANCE,
    ExportParityError,
    ExportResult,
    export_model,
    log_density_difference,
    parity,
)
from keras_saliency.export.graphs import ExportGraph, NotExportableError, default_input_size, export_graph
from keras_saliency.export.runtimes import FORMATS, ExportedModel, format_of, load_exported

__all__ = ["DEFAULT_TOLERANCE", "FORMATS", "ExportGraph", "ExportParityError", "ExportResult", "ExportedModel",
           "NotExportableError", "default_input_size", "export_graph", "export_model", "format_of",
           "load_exported", "log_density_difference", "parity"]
