"""Running an exported artifact in its own runtime: LiteRT, ONNX Runtime or TensorFlow (SavedModel).

:func:`load_exported` returns an :class:`ExportedModel`, which honours the saliency-model
contract (`keras_saliency.models`): ``predict_log_density(images)`` resizes each image to
the artifact's fixed input size (bilinear, antialiased, PIL), runs it and resizes the
log-density back (`keras_saliency.density.resize_log_density`). ``run(image)`` is the raw
call: (1, H, W, 3) float32 RGB 0..255 at the input size -> (1, H, W) float32.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from keras_saliency.density import resize_log_density
from keras_saliency.models.contract import SaliencyContract

FORMATS = ("tflite", "onnx", "saved_model")
SUFFIXES = {".tflite": "tflite", ".onnx": "onnx"}


def format_of(path) -> str:
    """The format of an artifact path: ``.tflite``, ``.onnx`` or a SavedModel folder."""
    path = Path(path)
    if path.suffix in SUFFIXES:
        return SUFFIXES[path.suffix]
    if path.is_dir() and (path / "saved_model.pb").exists():
        return "saved_model"
    raise ValueError(f"{path}: not an exported model (expected a .tflite or .onnx file or a SavedModel folder "
                     "with saved_model.pb).")


class _LiteRT:
    def __init__(self, path):
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=str(path))
        self.interpreter.allocate_tensors()
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]["index"]
        self.shape = tuple(int(n) for n in self.input["shape"])

    def __call__(self, image):
        self.interpreter.set_tensor(self.input["index"], image)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output)


class _OnnxRuntime:
    def __init__(self, path):
        import onnxruntime

        self.session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0]
        self.shape = tuple(int(n) for n in self.input.shape)

    def __call__(self, image):
        return self.session.run(None, {self.input.name: image})[0]


class _SavedModel:
    def __init__(self, path):
        import tensorflow as tf

        self.module = tf.saved_model.load(str(path))
        spec = self.module.serve.input_signature[0]
        self.shape = tuple(int(n) for n in spec.shape)

    def __call__(self, image):
        return self.module.serve(image).numpy()


RUNTIMES = {"tflite": _LiteRT, "onnx": _OnnxRuntime, "saved_model": _SavedModel}


class ExportedModel(SaliencyContract):
    """An exported artifact behind the contract (``output_kind = "log_density"``, no conditions)."""

    output_kind = "log_density"
    default_batch_size = 1

    def __init__(self, path, format=None):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no such exported model.")
        self.format = format_of(self.path) if format is None else format
        if self.format not in RUNTIMES:
            raise ValueError(f"`format` must be one of {list(FORMATS)}; got {format!r}.")
        self.runtime = RUNTIMES[self.format](self.path)
        if len(self.runtime.shape) != 4 or self.runtime.shape[0] != 1 or self.runtime.shape[3] != 3:
            raise ValueError(f"{self.path}: expected an input of shape (1, H, W, 3); got {self.runtime.shape}.")
        self.input_size = self.runtime.shape[1:3]
        self.name = self.path.name

    def run(self, image: np.ndarray) -> np.ndarray:
        """(1, H, W) float32 log-density of one (1, H, W, 3) float32 RGB 0..255 image at ``input_size``."""
        image = np.ascontiguousarray(image, np.float32)
        if image.shape != (1,) + self.input_size + (3,):
            raise ValueError(f"{self.name} takes one image of shape {(1,) + self.input_size + (3,)}; "
                             f"got {image.shape}.")
        return np.asarray(self.runtime(image))

    def _predict_batch(self, images, **conditions):
        outputs = []
        for image in images:
            resized = resize_image(image, self.input_size)
            out = self.run(resized[None])[0].astype(np.float64)
            outputs.append(resize_log_density(out, images.shape[1:3]) if out.shape != images.shape[1:3] else out)
        return np.stack(outputs)


def resize_image(image: np.ndarray, size) -> np.ndarray:
    """(H, W, 3) float32 RGB 0..255 resized to ``size`` (h, w) with PIL bilinear (antialiased), as uint8 values."""
    pixels = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    if pixels.shape[:2] == tuple(size):
        return pixels.astype(np.float32)
    return np.asarray(Image.fromarray(pixels).resize((size[1], size[0]), Image.BILINEAR), np.float32)


def load_exported(path, format=None) -> ExportedModel:
    """An :class:`ExportedModel` for a ``.tflite`` / ``.onnx`` file or a SavedModel folder."""
    return ExportedModel(path, format)
