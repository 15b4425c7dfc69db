"""Feature caching for DeepGaze training: the frozen backbone runs once per image.

:class:`FeatureCache` stores ``DeepGazeII.features(image)`` (the concatenated
taps on the readout grid, (h, w, C)) per image id, in memory or on disk as
``<directory>/<image id>.npy`` next to a ``meta.json`` that fingerprints the
extractor (tap names, factors and a SHA-256 of its weights), so a folder
written by another backbone or other weights is refused instead of silently
reused. Files are written to a temporary file and ``os.replace``-d into place.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import keras
import numpy as np

from keras_saliency.atomic_write import atomic_write
from keras_saliency.recurring_shapes import RecurringShapes
from keras_saliency.zoo.deepgaze.deepgaze_model import tap_list

COMPILE_AFTER = 4  # eager images of one size before that size's features are compiled (a trace: ~5 eager calls)
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def extractor_fingerprint(model) -> dict:
    """What determines a DeepGazeII's cached features: tap names, factors, SHA-256 of the weight values."""
    try:
        outputs = model.extractor.output
    except (AttributeError, ValueError):  # a subclassed extractor has no symbolic outputs
        outputs = {}
    taps = list(outputs) if isinstance(outputs, dict) else [f"output {i}" for i in range(len(tap_list(outputs)))]
    return {"taps": taps, "downsample": model.downsample,
            "readout_factor": model.readout_factor, "weights_sha256": model.backbone_sha256()}


def readout_grid(size, model) -> tuple:
    """(h, w) of the readout grid for an (H, W) image: ``ceil(floor(H / d) / f)``."""
    f = model.readout_factor
    return tuple(-(-(int(n) // model.downsample) // f) for n in size)


class FeatureCache:
    """Per-image readout-grid features of ``model`` (a :class:`DeepGazeII`), computed on first use.

    Args:
        model: the DeepGazeII whose frozen ``features`` are cached.
        directory: a folder for ``.npy`` files (created; reused across runs
            when its ``meta.json`` matches), or None to keep them in memory.
        dtype: storage dtype ("float32" or "float16" to halve the size).
    ``cache.get(image_id, load_image)`` returns the (h, w, C) array (memory-mapped
    from disk), calling ``load_image() -> (H, W, 3)`` only on a miss.
    """

    def __init__(self, model, directory=None, dtype: str = "float32"):
        if np.dtype(dtype) not in (np.float32, np.float16):
            raise ValueError(f"`dtype` must be 'float32' or 'float16'; got {dtype!r}.")
        self.model, self.dtype = model, np.dtype(dtype)
        self.meta = {**extractor_fingerprint(model), "dtype": self.dtype.name}
        self.directory = None if directory is None else Path(directory)
        self._memory: Dict[str, np.ndarray] = {}
        self._features = None
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            meta_path = self.directory / "meta.json"
            if meta_path.exists():
                stored = json.loads(meta_path.read_text())
                if stored != self.meta:
                    diff = sorted(k for k in set(stored) | set(self.meta) if stored.get(k) != self.meta.get(k))
                    raise ValueError(f"Feature cache {self.directory} holds features of another extractor "
                                     f"(differs in {diff}); use another directory or delete it.")
            else:
                atomic_write(meta_path, lambda h: h.write(json.dumps(self.meta, indent=1).encode()))

    def _path(self, image_id: str) -> Path:
        if not _SAFE_ID.match(image_id):
            raise ValueError(f"image id {image_id!r} is not a safe file name (letters, digits, '._-').")
        return self.directory / f"{image_id}.npy"

    def compute(self, image) -> np.ndarray:
        """Features (h, w, C) of one (H, W, 3) RGB 0..255 image, in the storage dtype."""
        image = np.asarray(image, np.float32)
        if image.ndim != 3 or image.shape[-1] != 3:
            raise ValueError(f"`image` must be (H, W, 3) RGB 0..255; got shape {image.shape}.")
        if self._features is None:  # compiled for recurring image sizes (most of a dataset's images)
            self._features = RecurringShapes(self.model.features, COMPILE_AFTER, variables=self.model.variables)
        features = keras.ops.convert_to_numpy(self._features(image[None]))[0]
        return features.astype(self.dtype)

    def get(self, image_id: str, load_image: Callable[[], np.ndarray], size: Optional[Sequence[int]] = None):
        """The cached features of ``image_id``; ``size`` (H, W), if given, checks the grid of a stored file."""
        image_id = str(image_id)
        if self.directory is None:
            if image_id not in self._memory:
                self._memory[image_id] = self.compute(load_image())
            return self._memory[image_id]
        path = self._path(image_id)
        if not path.exists():
            features = self.compute(load_image())
            atomic_write(path, lambda h: np.save(h, features))
            return features
        features = np.load(path, mmap_mode="r")
        if features.dtype != self.dtype or features.ndim != 3 or (
                size is not None and features.shape[:2] != readout_grid(size, self.model)):
            expected = "(h, w, C)" if size is None else f"{readout_grid(size, self.model)} x C"
            raise ValueError(f"Cached features {path} have shape {features.shape} / {features.dtype}, expected "
                             f"{expected} / {self.dtype}; delete the file to recompute it.")
        return features

    def get_many(self, image_ids: Sequence[str], load_image: Callable[[str], np.ndarray], sizes=None,
                 progress: Optional[bool] = None) -> list:
        """``[get(i, lambda: load_image(i), size)]`` for each id (computing the misses); ``progress``: a bar
        over the images (`keras_saliency.progress`: None shows it on a terminal only)."""
        from keras_saliency.progress import progress_bar

        sizes = [None] * len(image_ids) if sizes is None else sizes
        return [self.get(i, lambda i=i: load_image(i), s)
                for i, s in progress_bar(list(zip(image_ids, sizes)), progress=progress, desc="features",
                                         unit="image")]
