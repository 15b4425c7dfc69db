"""One-call prediction: images, files or folders -> log-densities and saliency maps.

Every prediction is returned at the **original image size**: a normalised
natural-log density (``logsumexp == 0``) and its saliency map (the density,
``exp(log_density)``, which is the AUC/NSS-optimal map).

A *model* is anything with ``predict_log_density(image) -> (H, W)``
(the classical models), a Keras model mapping (B, H, W, 3) float RGB in
0..255 to log-densities (B, h, w[, 1]), a registered preset name, a preset
folder or an ``hf://`` spec.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Union

import numpy as np

from keras_saliency.density import check_log_density, resize_log_density

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
DEFAULT_MODEL = "itti"  # GBVS does not yet converge on every photo (see keras_saliency.classical.gbvs)
CLASSICAL_MODELS = ("gbvs", "itti", "centre_bias")


@dataclasses.dataclass
class Prediction:
    """One image's prediction: ``source`` (path or index), ``image`` uint8 (H, W, 3), ``log_density`` (H, W)."""

    source: str
    image: np.ndarray
    log_density: np.ndarray

    @property
    def saliency_map(self) -> np.ndarray:
        return np.exp(self.log_density)


def load_image(path) -> np.ndarray:
    """uint8 RGB (H, W, 3) of an image file; a ValueError names an unreadable file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"Cannot read image {path}: {error}") from None


def collect_image_paths(inputs: Sequence[Union[str, Path]]) -> List[Path]:
    """Expands folders (sorted, image suffixes only); raises for missing paths and empty folders."""
    paths = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not found:
                raise FileNotFoundError(f"No images ({', '.join(IMAGE_SUFFIXES)}) in folder {item}.")
            paths.extend(found)
        elif item.is_file():
            paths.append(item)
        else:
            raise FileNotFoundError(f"No such file or folder: {item}")
    return paths


class KerasModelAdapter:
    """Runs a Keras log-density model on one image and resizes the result to the image.

    ``input_size``: (H, W) the network runs at (the image is resized
    bilinearly); None runs at the image's own size.
    """

    def __init__(self, model, input_size=None):
        self.model, self.input_size = model, input_size

    def predict_log_density(self, image: np.ndarray) -> np.ndarray:
        import keras

        x = np.asarray(image, np.float32)[None]
        if self.input_size is not None:
            x = keras.ops.convert_to_numpy(keras.ops.image.resize(x, tuple(self.input_size)))
        output = np.asarray(keras.ops.convert_to_numpy(self.model(x, training=False)), np.float64)[0]
        if output.ndim == 3:
            output = output[..., 0]
        output = output - np.logaddexp.reduce(output.ravel())  # renormalise float32 rounding
        return resize_log_density(output, image.shape[:2])


def resolve_model(model=None):
    """An object with ``predict_log_density`` for a name, preset, Keras model or callable."""
    if model is None:
        model = DEFAULT_MODEL
    if isinstance(model, (str, Path)):
        name = str(model)
        if name in CLASSICAL_MODELS:
            from keras_saliency import classical

            return classical.get(name)
        from keras_saliency import zoo

        loaded = zoo.load(name)  # DeepGaze presets predict one image with their stored centre bias
        return loaded if hasattr(loaded, "predict_log_density") else KerasModelAdapter(loaded)
    if hasattr(model, "predict_log_density"):
        return model
    try:
        import keras

        if isinstance(model, keras.Model):
            return KerasModelAdapter(model)
    except ImportError:  # pragma: no cover - keras is a dependency
        pass
    if callable(model):
        return _CallableModel(model)
    raise TypeError(f"`model` must be a name, a preset, a Keras model or a callable; got {type(model).__name__}.")


@dataclasses.dataclass
class _CallableModel:
    function: Callable[[np.ndarray], np.ndarray]

    def predict_log_density(self, image):
        return self.function(image)


def predict(inputs, model=None, progress: Optional[bool] = None) -> List[Prediction]:
    """Predicts saliency for images (arrays), image files or folders of images.

    Args:
        inputs: one image array (H, W, 3), a path, or a sequence of them.
        model: see the module docstring; None uses ``DEFAULT_MODEL``.
        progress: tqdm progress bar; by default shown for more than 4 inputs.
    Returns:
        One :class:`Prediction` per image, at the image's original size.
    """
    if isinstance(inputs, (str, Path)) or (isinstance(inputs, np.ndarray) and inputs.ndim == 3):
        inputs = [inputs]
    items = []
    for index, item in enumerate(inputs):
        if isinstance(item, (str, Path)):
            items.extend((str(p), p) for p in collect_image_paths([item]))
        else:
            items.append((f"image_{index}", item))
    predictor = resolve_model(model)
    from tqdm.auto import tqdm

    show = len(items) > 4 if progress is None else progress
    results = []
    for source, item in tqdm(items, disable=not show, desc="predict", unit="image"):
        image = load_image(item) if isinstance(item, Path) else np.asarray(item)
        if image.ndim != 3 or image.shape[-1] != 3:
            raise ValueError(f"{source}: expected an (H, W, 3) RGB image; got shape {image.shape}.")
        log_density = check_log_density(f"prediction for {source}", predictor.predict_log_density(image))
        if log_density.shape != image.shape[:2]:
            raise ValueError(f"{source}: the model returned {log_density.shape}, expected {image.shape[:2]}.")
        results.append(Prediction(source, image.astype(np.uint8), log_density))
    return results
