"""One-call prediction: images, files, folders or videos -> log-densities and saliency maps.

Every prediction is returned at the **original image size** (unless ``size="working"``): a
normalised natural-log density (``logsumexp == 0``) and its saliency map (the density,
``exp(log_density)``, which is the AUC/NSS-optimal map); maps at another size than the
image cover the same area, pixel centres aligned.

A *model* is anything that honours the saliency-model contract
(`keras_saliency.models`: every zoo family, the classical models, a
`~keras_saliency.models.MixtureModel` across families, a
`~keras_saliency.models.KerasSaliencyModel` wrapping a plain network), a
classical model name, a registered preset name, a preset folder or an ``hf://``
spec. A plain ``keras.Model`` is refused: its output could be a saliency map,
logits or a log-density, so wrap it and declare which. Without a model, images use
``DEFAULT_MODEL`` and videos ``DEFAULT_VIDEO_MODEL`` (a :class:`ModelChoice`), each loaded when
first needed.

Images run in batches of one working size through ``model.predict_log_density`` (see
:func:`predict`); videos (:class:`Video`) through ``model.predict_video(frames)`` (UNISAL: its
recurrent clip inference; image models: frame by frame); see `keras_saliency.video_frames` for
what can be read. Video files (``.mp4 .mov .avi .mkv .webm``...) are streamed with bounded memory
by `keras_saliency.video_prediction.predict_video_file` (PyAV, the ``video`` extra): their result
is a `~keras_saliency.video_prediction.VideoFilePrediction` whose log-densities are memory-mapped.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import List, Optional, Union

import numpy as np

from keras_saliency.density import check_log_density, upsample_log_density
from keras_saliency.image_files import collect_image_paths, load_image, load_image_near
from keras_saliency.models.contract import check_images, is_saliency_model
from keras_saliency.video_frames import is_video_file, load_frames

DEFAULT_MODEL = "unisal_deepgaze_mit1003"  # bundled; docs/results/best_models/, benchmarks/results/best_presets.md
DEFAULT_VIDEO_MODEL = "unisal_lite0_video"  # bundled; docs/results/unisal_video/
CLASSICAL_MODELS = ("gbvs", "itti", "center_bias")
SIZES = ("original", "working")
FLOAT64_PIXELS = 2**24  # larger outputs of `predict` are float32 (a 100-megapixel float64 map would take 800 MB)


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


def resolve_model(model=None, *, video: bool = False):
    """The contract model for a classical name, a preset (name, folder, ``hf://``) or a model; clear errors otherwise.

    None is ``DEFAULT_VIDEO_MODEL`` if ``video`` else ``DEFAULT_MODEL``. Classical names ignore case
    (``"GBVS"``); an unknown name is a `PresetNotFoundError` listing close matches among the classical
    models and the registered presets.
    """
    if model is None:
        model = DEFAULT_VIDEO_MODEL if video else DEFAULT_MODEL
    if isinstance(model, (str, Path)):
        name = str(model)
        if name.lower() in CLASSICAL_MODELS:
            from keras_saliency import classical

            return classical.get(name.lower())
        from keras_saliency import presets

        _check_model_name(name)
        loaded = presets.load(name)
        if not is_saliency_model(loaded):
            raise TypeError(f"preset {name!r} holds a {type(loaded).__name__}, which does not honour the "
                            "saliency-model contract (keras_saliency.models).")
        return loaded
    if is_saliency_model(model):
        return model
    if _is_keras_model(model):
        raise TypeError(f"{type(model).__name__} {getattr(model, 'name', '')!r} is a plain Keras model: its output "
                        "kind is unknown. Wrap it: keras_saliency.models.KerasSaliencyModel(model, "
                        "output_kind='log_density' | 'saliency_map').")
    raise TypeError("`model` must be a classical model name, a preset name/folder/hf:// spec or a model honouring "
                    f"the saliency-model contract (keras_saliency.models); got {type(model).__name__}.")


class ModelChoice:
    """The model for images and the model for videos: ``spec`` (any :func:`resolve_model` takes) for both, or,
    with None, ``DEFAULT_MODEL`` for images and ``DEFAULT_VIDEO_MODEL`` for videos; each resolved once, when
    first asked for, by ``resolve(spec, video=...)`` (default :func:`resolve_model`)."""

    def __init__(self, spec=None, resolve=None):
        self.spec = spec
        self._resolve = resolve or resolve_model
        self._resolved = {}

    def get(self, video: bool = False):
        """The resolved model for videos (``video``) or images."""
        key = video and self.spec is None
        if key not in self._resolved:
            self._resolved[key] = self._resolve(self.spec, video=video)
        return self._resolved[key]


def _check_model_name(name: str) -> None:
    """`PresetNotFoundError` with close matches among every kind of model unless ``name`` is a preset spec."""
    from keras_saliency.presets import PresetNotFoundError, registry
    from keras_saliency.presets.hub import HF_PREFIX

    if name.startswith(HF_PREFIX) or registry.is_registered(name) or Path(name).is_dir():
        return
    hint = registry.close_matches_hint(name, also=CLASSICAL_MODELS)
    raise PresetNotFoundError(
        f"{name!r} is not a classical model ({', '.join(CLASSICAL_MODELS)}), a registered preset, a preset "
        f"folder nor an 'hf://org/name[@revision]' Hub preset{hint}"
    )


def _is_keras_model(model) -> bool:
    try:
        import keras
    except ImportError:  # pragma: no cover - keras is a dependency
        return False
    return isinstance(model, keras.Model)


def _items(inputs) -> list:
    """(source, image array | image path | Video) for each input; folders expand to their images."""
    if isinstance(inputs, (str, Path, Video)) or (isinstance(inputs, np.ndarray) and inputs.ndim in (2, 3)):
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


def _rgb_array(source, item) -> np.ndarray:
    """(H, W, 3) RGB of an image array: (H, W) and (H, W, 1) grayscale are replicated; others refused, naming ``source``."""
    image = np.asarray(item)
    if image.ndim == 2 or (image.ndim == 3 and image.shape[-1] == 1):
        return np.repeat(image.reshape(image.shape[:2] + (1,)), 3, axis=-1)
    if image.ndim == 3 and image.shape[-1] == 4:
        raise ValueError(f"{source}: got an (H, W, 4) RGBA array of shape {image.shape}; expected (H, W, 3) RGB: "
                         "drop or composite the alpha channel first (e.g. `image[..., :3]`).")
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"{source}: expected an (H, W, 3) RGB or (H, W) grayscale image; got shape {image.shape}.")
    return image


def _load(model, source, item, size: str):
    """(model input (h, w, 3), the uint8 image at the output size or its path, output (H, W)) of one image input.

    A file whose output is larger than the model input is decoded in full only after the
    prediction (:func:`_predictions`), so the full image and the model never hold memory together.
    """
    if isinstance(item, Path):
        working, original = load_image_near(item, model.working_size)
        check_images(working[None], source)
        if size == "working" or working.shape[:2] == original:
            image, original = working, working.shape[:2]
        else:
            image = item
    else:
        working = _rgb_array(source, item)
        check_images(working[None], source)
        image, original = np.clip(np.rint(working), 0, 255).astype(np.uint8), working.shape[:2]
    return working, image, original


def _predictions(model, batch) -> list:
    """One :class:`Prediction` per ``(source, working, image or path, (H, W))`` of one working size, as one batch."""
    log_densities = model.predict_log_density(np.stack([working for _, working, _, _ in batch]))
    results = []
    for (source, _, image, original), log_density in zip(batch, log_densities):
        log_density = check_log_density(f"prediction for {source}", log_density)
        if isinstance(image, Path):  # decoded before the large map: a lower peak
            if original[0] * original[1] > FLOAT64_PIXELS:
                release_freed_memory()
            image = load_image(image)
        if log_density.shape != tuple(original):
            dtype = np.float32 if original[0] * original[1] > FLOAT64_PIXELS else np.float64
            log_density = upsample_log_density(log_density, original, dtype)
        results.append(Prediction(source, image, log_density))
    return results


def release_freed_memory() -> None:
    """Hands memory freed by the process back to the OS (glibc's ``malloc_trim``; a no-op without it).

    Called before a full-size decode of a large image: the heap still holds what TensorFlow's
    first trace freed (about 70-150 MB with the default model), which would otherwise add to
    the image and its map (``benchmarks/results/large_images.md``).
    """
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # not glibc (macOS, Windows, musl without it)
        pass


def stream(inputs, model=None, progress: Optional[bool] = None, *, batch_size: Optional[int] = None,
           size: str = "original"):
    """Yields ``(source, Prediction | VideoPrediction | Exception)`` per input, in input order, as soon as each exists.

    The batched, compile-once loop behind :func:`predict` (which raises the first exception) and
    ``keras-saliency predict`` (which reports and skips failed inputs): consecutive images of one
    working size and dtype (see :func:`predict`) are predicted as one batch of up to ``batch_size`` (default:
    the model's ``default_batch_size``); an input that cannot be read or predicted is yielded as its
    ``ValueError`` / ``OSError``, after the images before it. ``model`` may also be a :class:`ModelChoice`.
    """
    from keras_saliency.progress import progress_bar, show_progress

    if size not in SIZES:
        raise ValueError(f"`size` must be one of {list(SIZES)}; got {size!r}.")
    if batch_size is not None and int(batch_size) < 1:
        raise ValueError(f"`batch_size` must be >= 1; got {batch_size}.")
    items = _items(inputs)
    models = model if isinstance(model, ModelChoice) else ModelChoice(model)
    if any(isinstance(item, Video) for _, item in items):
        models.get(video=True)  # a bad spec fails here, not as every video's error
    if any(not isinstance(item, Video) for _, item in items):
        model = models.get()
        limit = int(batch_size or model.default_batch_size)
    show = progress if progress is not None or len(items) > 4 else False
    pending = []

    def flush():
        batch, pending[:] = list(pending), []
        try:
            results = _predictions(model, batch) if batch else []
        except (OSError, ValueError) as error:
            results = [error] * len(batch)
        return [(entry[0], result) for entry, result in zip(batch, results)]

    for source, item in progress_bar(items, progress=show, desc="predict", unit="input"):
        if isinstance(item, Video):
            yield from flush()
            try:
                yield source, _predict_video(models.get(video=True), source, item, show_progress(progress))
            except (OSError, ValueError) as error:
                yield source, error
            continue
        try:
            working, image, original = _load(model, source, item, size)
        except (OSError, ValueError) as error:
            yield from flush()
            yield source, error
            continue
        first = pending[0][1] if pending else None
        if pending and (first.shape != working.shape or first.dtype != working.dtype or len(pending) >= limit):
            yield from flush()
        pending.append((source, working, image, original))
    yield from flush()


def _predict_video(model, source, video: Video, progress: bool):
    if isinstance(video.source, (str, Path)) and is_video_file(video.source):
        from keras_saliency.video_prediction import predict_video_file

        return predict_video_file(video.source, model, progress=progress)
    frames = load_frames(video.source)
    log_density = model.predict_video(frames, progress=progress)
    for index, frame in enumerate(log_density):
        check_log_density(f"prediction for {source} frame {index}", frame)
    return VideoPrediction(source, frames, log_density)


def predict(inputs, model=None, progress: Optional[bool] = None, *, batch_size: Optional[int] = None,
            size: str = "original") -> List[Union[Prediction, VideoPrediction]]:
    """Predicts saliency for images (arrays), image files, folders of images and videos.

    Args:
        inputs: one image array, a path, a :class:`Video`, or a sequence of them. An image
            array is (H, W, 3) RGB in 0..255 (uint8 or float; float arrays in 0..1 are
            refused: multiply by 255) or (H, W) / (H, W, 1) grayscale (replicated to RGB);
            (H, W, 4) RGBA is refused (drop or composite the alpha first). Image files are
            decoded by `keras_saliency.image_files.load_image` (16-bit, float, palette,
            transparent, CMYK and EXIF-rotated files included). A folder is a set of images
            unless wrapped in :class:`Video` (then its sorted frames are one video); files
            with a video suffix (``.mp4 .mov .avi .mkv .webm``...) are video files, streamed.
            Errors name the input: its path, or ``image_<index>`` for arrays.
        model: see the module docstring; None uses ``DEFAULT_MODEL`` for images and
            ``DEFAULT_VIDEO_MODEL`` for videos.
        progress: tqdm progress bar on stderr (`keras_saliency.progress`); by default (None) shown only
            when stderr is a terminal, for more than 4 inputs and for videos; True: always; False: never.
        batch_size: images per model call (default: the model's ``default_batch_size``).
        size: ``"original"`` (default): every result at the input's original size;
            ``"working"``: image files at the model's working size (the image as decoded for
            the model and its log-density; arrays stay at their size).
    Returns:
        One :class:`Prediction` per image, one :class:`VideoPrediction` per video of frames
        and one `~keras_saliency.video_prediction.VideoFilePrediction` per video file, in
        input order.

    Image files are decoded near the model's working size (``model.working_size``, e.g. a
    DeepGaze model's ``image_long_side``; `keras_saliency.image_files.load_image_near`: JPEG DCT
    scaling, then antialiased bilinear resizing), so consecutive images of one working size run
    as one batch through one compiled model, never retraced per image size. The log-density at
    the working size is resized to the original size by
    `keras_saliency.density.upsample_log_density` (bilinear on the density, pixel centres
    aligned, renormalised; float32 for images over ``FLOAT64_PIXELS`` pixels, float64 otherwise),
    and then the file is decoded in full for ``Prediction.image``.
    """
    results = []
    for _, result in stream(inputs, model, progress, batch_size=batch_size, size=size):
        if isinstance(result, Exception):
            raise result
        results.append(result)
    return results


def predict_video(video, model=None, progress: Optional[bool] = None) -> VideoPrediction:
    """Predicts one video (see :class:`Video` for what ``video`` may be); shorthand for ``predict(Video(video))``."""
    return predict(video if isinstance(video, Video) else Video(video), model=model, progress=progress)[0]
