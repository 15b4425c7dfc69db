"""One-call prediction: images, files, folders or videos -> log-densities and saliency maps.

Every prediction is returned at the **original image size**: a normalised
natural-log density (``logsumexp == 0``) and its saliency map (the density,
``exp(log_density)``, which is the AUC/NSS-optimal map).

A *model* is anything with ``predict_log_density(image) -> (H, W)``
(the classical models), a Keras model mapping (B, H, W, 3) float RGB in
0..255 to log-densities (B, h, w[, 1]), a Keras model with
``make_predictor()`` (UNISAL), a registered preset name, a preset folder or an
``hf://`` spec.

Videos (:class:`Video`, or a path with a video suffix) run through the model's
``predict_video(frames)`` when it has one (UNISAL: its recurrent clip inference),
otherwise frame by frame; see `keras_saliency.video_frames` for what can be read.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Union

import numpy as np

from keras_saliency.density import check_log_density, resize_log_density

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
DEFAULT_MODEL = "deepgaze_iie_lite0_lite1_lite2_mit1003"  # bundled; docs/results/deepgaze/
CLASSICAL_MODELS = ("gbvs", "itti", "centre_bias")


@dataclasses.dataclass(frozen=True, eq=False)
class Video:
    """Marks an input of :func:`predict` as one video: a folder of frames, an animated image or (T, H, W, 3)."""

    source: Union[str, Path, np.ndarray]


class _SaliencyMap:
    @property
    def saliency_map(self) -> np.ndarray:
        """The density ``exp(log_density)`` (the AUC/NSS-optimal map)."""
        return np.exp(self.log_density)


@dataclasses.dataclass
class VideoPrediction(_SaliencyMap):
    """One video's prediction: ``frames`` uint8 (T, H, W, 3) and ``log_density`` (T, H, W), per frame normalised."""

    source: str
    frames: np.ndarray
    log_density: np.ndarray


@dataclasses.dataclass
class Prediction(_SaliencyMap):
    """One image's prediction: ``source`` (path or index), ``image`` uint8 (H, W, 3), ``log_density`` (H, W)."""

    source: str
    image: np.ndarray
    log_density: np.ndarray


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
        from keras_saliency import presets

        # DeepGaze presets predict one image themselves (stored centre bias); UNISAL has make_predictor
        return resolve_model(presets.load(name))
    if hasattr(model, "predict_log_density"):
        return model
    if hasattr(model, "make_predictor"):
        return model.make_predictor()
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


def _items(inputs) -> list:
    """(source, image array | image path | Video) for each input; folders expand to their images."""
    from keras_saliency.video_frames import is_video_file

    if isinstance(inputs, (str, Path, Video)) or (isinstance(inputs, np.ndarray) and inputs.ndim == 3):
        inputs = [inputs]
    items = []
    for index, item in enumerate(inputs):
        if isinstance(item, Video):
            source = item.source
            items.append((f"video_{index}" if isinstance(source, np.ndarray) else str(source), item))
        elif isinstance(item, (str, Path)) and is_video_file(item):
            items.append((str(item), Video(item)))
        elif isinstance(item, (str, Path)):
            items.extend((str(p), p) for p in collect_image_paths([item]))
        else:
            items.append((f"image_{index}", item))
    return items


def _predict_image(predictor, source, item) -> Prediction:
    image = load_image(item) if isinstance(item, Path) else np.asarray(item)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"{source}: expected an (H, W, 3) RGB image; got shape {image.shape}.")
    log_density = check_log_density(f"prediction for {source}", predictor.predict_log_density(image))
    if log_density.shape != image.shape[:2]:
        raise ValueError(f"{source}: the model returned {log_density.shape}, expected {image.shape[:2]}.")
    return Prediction(source, image.astype(np.uint8), log_density)


def _predict_video(predictor, source, video: Video, progress: bool) -> VideoPrediction:
    from tqdm.auto import tqdm

    from keras_saliency.video_frames import load_frames

    frames = load_frames(video.source)
    if hasattr(predictor, "predict_video"):
        log_density = np.asarray(predictor.predict_video(frames, progress=progress), np.float64)
    else:
        log_density = np.stack([predictor.predict_log_density(frame)
                                for frame in tqdm(frames, disable=not progress, desc=source, unit="frame")])
    if log_density.shape != frames.shape[:3]:
        raise ValueError(f"{source}: the model returned {log_density.shape}, expected {frames.shape[:3]}.")
    for index, frame in enumerate(log_density):
        check_log_density(f"prediction for {source} frame {index}", frame)
    return VideoPrediction(source, frames, log_density)


def predict(inputs, model=None, progress: Optional[bool] = None) -> List[Union[Prediction, VideoPrediction]]:
    """Predicts saliency for images (arrays), image files, folders of images and videos.

    Args:
        inputs: one image array (H, W, 3), a path, a :class:`Video`, or a sequence of them.
            A folder is a set of images unless wrapped in :class:`Video` (then its sorted
            frames are one video); files with a video suffix (``.mp4``...) are videos.
        model: see the module docstring; None uses ``DEFAULT_MODEL``.
        progress: tqdm progress bar; by default shown for more than 4 inputs (and for videos
            run frame by frame).
    Returns:
        One :class:`Prediction` per image and one :class:`VideoPrediction` per video, in
        input order, at the original size.
    """
    items = _items(inputs)
    predictor = resolve_model(model)
    from tqdm.auto import tqdm

    show = len(items) > 4 if progress is None else progress
    results = []
    for source, item in tqdm(items, disable=not show, desc="predict", unit="input"):
        if isinstance(item, Video):
            results.append(_predict_video(predictor, source, item, progress is not False))
        else:
            results.append(_predict_image(predictor, source, item))
    return results


def predict_video(video, model=None, progress: Optional[bool] = None) -> VideoPrediction:
    """Predicts one video (see :class:`Video` for what ``video`` may be); shorthand for ``predict(Video(video))``."""
    return predict(video if isinstance(video, Video) else Video(video), model=model, progress=progress)[0]
