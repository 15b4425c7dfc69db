"""Export: a static, single-domain UNISAL inference graph as TFLite (LiteRT).

The graph takes one RGB image (1, H, W, 3) in 0..255 at a fixed size and returns
its log-density (1, H, W): the Bypass-RNN's static path with the domain pinned,
as on-device use needs (cf. the LiteRT UNISAL sample). Replicate padding,
strided subsampling and the Gaussian priors convert to builtin ops; nothing is
approximated.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf

from keras_saliency.atomic_write import atomic_write


def export_saved_model(model, directory, domain: str = "SALICON", input_size=(288, 384)) -> Path:
    """A SavedModel with one endpoint ``serve(image (1, H, W, 3)) -> log_density (1, H, W)``."""
    import keras

    domain_id = np.array([model.domain_index(domain)], np.int32)
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serve",
        lambda image: model({"image": image, "domain": domain_id}, static=True),
        input_signature=[tf.TensorSpec((1,) + tuple(input_size) + (3,), tf.float32, name="image")],
    )
    archive.write_out(str(directory), verbose=False)
    return Path(directory)


def export_tflite(model, path, domain: str = "SALICON", input_size=(288, 384)) -> Path:
    """Converts the static single-domain graph to TFLite builtins; writes atomically; returns the path."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        converter = tf.lite.TFLiteConverter.from_saved_model(str(export_saved_model(model, tmp, domain, input_size)))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        flatbuffer = converter.convert()
    return atomic_write(path, lambda handle: handle.write(flatbuffer))


def run_tflite(path, image: np.ndarray) -> np.ndarray:
    """Runs an exported model on one (1, H, W, 3) float32 image; returns (1, H, W)."""
    interpreter = tf.lite.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image.astype(np.float32))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
