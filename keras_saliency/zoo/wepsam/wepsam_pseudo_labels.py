"""WEPSAM weak labels: GBVS saliency maps of unlabeled images, entropy-filtered, cached on disk.

Pipeline: each image of a source (:func:`folder_source`, :func:`tfds_source`
or :func:`array_source`) is resized to ``image_size`` x ``image_size`` (the
network input), and GBVS (:class:`keras_saliency.classical.GBVS`) runs on the
image resized with its aspect kept to ``gbvs_max_side`` on its longer side;
the GBVS map is resized bilinearly to ``image_size`` x ``image_size`` and
min-max normalised to [0, 1] (the regression target). :func:`entropy_filter`
then keeps the lowest-entropy (most focused) maps, see :func:`map_entropy`.

Cache: ``<cache_dir>/wepsam-gbvs-<key>/`` where ``key`` hashes every setting
that changes the cached content (:class:`PseudoLabelSettings`, the source's
fingerprint and a format version), so a changed setting or source never
reuses a stale cache. Images are processed in shards of ``shard_size``; each
shard ``shard-00000.npz`` (``ids``, ``images`` uint8 (n, S, S, 3), ``maps``
float32 (n, S, S)) is written to a temporary file and ``os.replace``-d into
place, and ``manifest.json`` last, so an interrupted run leaves no
half-written file and resumes at the first missing shard. The entropy filter
is applied when loading (it is cheap), so changing ``keep_fraction`` reuses
the GBVS maps.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence, Tuple

import numpy as np
from PIL import Image
from tqdm.auto import tqdm

from keras_saliency.atomic_write import atomic_write
from keras_saliency.classical import GBVS
from keras_saliency.image_files import IMAGE_SUFFIXES, load_image

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PseudoLabelSettings:
    """Everything that changes the cached pseudo-labels (all part of the cache key).

    image_size: side of the stored square images and maps (the WEPSAM input, 128).
    gbvs_max_side: GBVS runs on the image resized (aspect kept) to this longer side.
    gbvs_map_size, gbvs_sigma_activation, gbvs_sigma_normalization, gbvs_blur: :class:`GBVS` arguments.
    shard_size: images per cache shard.
    """

    image_size: int = 128
    gbvs_max_side: int = 256
    gbvs_map_size: int = 32
    gbvs_sigma_activation: float = 0.15
    gbvs_sigma_normalization: float = 0.06
    gbvs_blur: float = 0.04
    shard_size: int = 256

    def __post_init__(self):
        for name in ("image_size", "gbvs_max_side", "shard_size"):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ValueError(f"`{name}` must be a positive integer; got {value!r}.")
        if self.gbvs_max_side < 16:
            raise ValueError(f"`gbvs_max_side` must be >= 16 pixels; got {self.gbvs_max_side}.")

    def gbvs(self) -> GBVS:
        return GBVS(map_size=self.gbvs_map_size, sigma_activation=self.gbvs_sigma_activation,
                    sigma_normalization=self.gbvs_sigma_normalization, blur=self.gbvs_blur)


@dataclass
class ImageSource:
    """Unlabeled RGB images: ``fingerprint`` identifies the content, ``iterate()`` yields (id, uint8 (H, W, 3))."""

    fingerprint: str
    count: Optional[int]
    iterate: Callable[[], Iterator[Tuple[str, np.ndarray]]]
    description: str


@dataclass
class PseudoLabels:
    """Cached pseudo-labels: ``images`` uint8 (N, S, S, 3), ``maps`` float32 (N, S, S) in [0, 1], ``ids``."""

    ids: list
    images: np.ndarray
    maps: np.ndarray
    cache_dir: Path

    def entropies(self, bins: int = 256) -> np.ndarray:
        """:func:`map_entropy` of every map (bits), float64 (N,)."""
        return np.array([map_entropy(m, bins) for m in self.maps])

    def filtered(self, keep_fraction: float, bins: int = 256) -> "PseudoLabels":
        """The subset kept by :func:`entropy_filter`, in the original order."""
        keep = entropy_filter(self.entropies(bins), keep_fraction)
        return PseudoLabels([self.ids[i] for i in keep], self.images[keep], self.maps[keep], self.cache_dir)


def _rgb_uint8(image, where: str) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = np.repeat(array, 3, -1)
    if array.ndim == 2:
        array = np.stack([array] * 3, -1)
    if array.ndim != 3 or array.shape[-1] != 3 or min(array.shape[:2]) < 1:
        raise ValueError(f"{where}: expected an (H, W, 3) RGB image; got shape {array.shape}.")
    if array.dtype != np.uint8:
        if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 255:
            raise ValueError(f"{where}: pixel values must be finite and within 0..255; got "
                             f"[{np.nanmin(array)}, {np.nanmax(array)}].")
        array = np.round(array).astype(np.uint8)
    return array


def folder_source(folder) -> ImageSource:
    """Every image file (``IMAGE_SUFFIXES``) under ``folder``, recursively, sorted by relative path.

    The fingerprint hashes each file's relative path, size and modification time.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"`folder` must be an existing directory; got {str(folder)!r}.")
    paths = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ValueError(f"no image files ({', '.join(IMAGE_SUFFIXES)}) found under {root}.")
    digest = hashlib.sha256()
    for path in paths:
        stat = path.stat()
        digest.update(f"{path.relative_to(root).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())

    def iterate():
        for path in paths:
            yield path.relative_to(root).with_suffix("").as_posix(), load_image(path)

    return ImageSource(f"folder:{digest.hexdigest()}", len(paths), iterate, f"folder {root}")


def array_source(images: Sequence, ids: Optional[Sequence[str]] = None) -> ImageSource:
    """In-memory RGB images (uint8 or 0..255 floats, any sizes); the fingerprint hashes the pixels."""
    images = [_rgb_uint8(image, f"images[{i}]") for i, image in enumerate(images)]
    if not images:
        raise ValueError("`images` is empty: there is nothing to pseudo-label.")
    ids = [str(i) for i in (ids if ids is not None else range(len(images)))]
    if len(ids) != len(images):
        raise ValueError(f"got {len(ids)} ids for {len(images)} images.")
    digest = hashlib.sha256()
    for image_id, image in zip(ids, images):
        digest.update(f"{image_id}\0{image.shape}\0".encode())
        digest.update(image.tobytes())
    return ImageSource(f"arrays:{digest.hexdigest()}", len(images), lambda: iter(zip(ids, images)),
                       f"{len(images)} arrays")


def tfds_source(name: str = "unlabeled_images", split: str = "train", *, data_dir=None,
                manual_dir=None) -> ImageSource:
    """Images of a TFDS builder split (e.g. ``unlabeled_images`` with ``manual_dir`` = a folder).

    The builder is prepared if needed; the fingerprint is the builder's full
    name, the split and its example count (a changed builder version re-labels).
    """
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401  (registers the project's builders)

    builder = tfds.builder(name, data_dir=data_dir)
    config = tfds.download.DownloadConfig(manual_dir=str(manual_dir)) if manual_dir is not None else None
    builder.download_and_prepare(download_config=config)
    count = builder.info.splits[split].num_examples
    if count == 0:
        raise ValueError(f"TFDS {name!r} split {split!r} has no examples.")

    def iterate():
        for example in tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)):
            image_id = example.get("image_id", b"")
            image_id = image_id.decode() if isinstance(image_id, bytes) else str(image_id)
            yield image_id, example["image"]

    return ImageSource(f"tfds:{builder.info.full_name}:{split}:{count}", count, iterate, f"TFDS {name}/{split}")


def map_entropy(saliency_map, bins: int = 256) -> float:
    """Image entropy of a saliency map in bits (MATLAB ``entropy(im2uint8(map))`` after min-max).

    The map is min-max normalised to [0, 1], quantised to ``bins`` levels as
    ``q = round(m * (bins - 1))``, and ``H = -sum_k p_k log2 p_k`` over the
    histogram ``p_k`` of ``q`` (empty bins contribute 0). A constant map has no
    defined normalisation and gets ``+inf``, so filters drop it first.
    """
    array = np.asarray(saliency_map, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"`saliency_map` must be a non-empty 2-D array; got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError("`saliency_map` contains NaN or inf.")
    if int(bins) != bins or bins < 2:
        raise ValueError(f"`bins` must be an integer >= 2; got {bins!r}.")
    low, high = array.min(), array.max()
    if high <= low:
        return float("inf")
    levels = np.round((array - low) / (high - low) * (bins - 1)).astype(np.int64)
    p = np.bincount(levels.ravel(), minlength=int(bins)) / levels.size
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def entropy_filter(entropies, keep_fraction: float) -> np.ndarray:
    """Sorted indices of the ``ceil(keep_fraction * N)`` lowest entropies (ties: lower index first).

    ``+inf`` entries (constant maps) are never kept.
    """
    entropies = np.asarray(entropies, dtype=np.float64)
    if entropies.ndim != 1 or np.any(np.isnan(entropies)):
        raise ValueError("`entropies` must be a 1-D array without NaN.")
    if not 0 < keep_fraction <= 1:
        raise ValueError(f"`keep_fraction` must be in (0, 1]; got {keep_fraction!r}.")
    count = min(int(np.ceil(keep_fraction * len(entropies))), int(np.isfinite(entropies).sum()))
    order = np.argsort(entropies, kind="stable")[:count]
    return np.sort(order)


def cache_key(settings: PseudoLabelSettings, source: ImageSource) -> str:
    """16 hex digits of the SHA-256 of the settings, the source fingerprint and the format version."""
    payload = json.dumps({"settings": dataclasses.asdict(settings), "source": source.fingerprint,
                          "format": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _resize_rgb(image: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """uint8 (H, W, 3) -> uint8 (rows, cols, 3), PIL bilinear."""
    return np.asarray(Image.fromarray(image).resize((size[1], size[0]), Image.BILINEAR))


def pseudo_label(image: np.ndarray, settings: PseudoLabelSettings, model: Optional[GBVS] = None):
    """(image uint8 (S, S, 3), GBVS map float32 (S, S) min-max normalised to [0, 1]) for one RGB image."""
    image = _rgb_uint8(image, "image")
    height, width = image.shape[:2]
    scale = settings.gbvs_max_side / max(height, width)
    small = _resize_rgb(image, (max(1, round(height * scale)), max(1, round(width * scale))))
    saliency = (model or settings.gbvs()).predict_saliency_map(small[None])[0].astype(np.float32)
    side = settings.image_size
    saliency = np.asarray(Image.fromarray(saliency).resize((side, side), Image.BILINEAR))
    low, high = float(saliency.min()), float(saliency.max())
    saliency = (saliency - low) / (high - low) if high > low else np.zeros_like(saliency)
    return _resize_rgb(image, (side, side)), saliency.astype(np.float32)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_pseudo_labels(source: ImageSource, cache_dir, settings: PseudoLabelSettings = PseudoLabelSettings(),
                        progress: bool = True) -> PseudoLabels:
    """GBVS pseudo-labels of every image of ``source``, computed once and cached under ``cache_dir``.

    Returns all labels (apply :meth:`PseudoLabels.filtered` for the entropy
    filter). A complete cache with the same key is loaded without recomputing.
    """
    if not isinstance(source, ImageSource):
        raise TypeError(f"`source` must be an ImageSource (folder_source, tfds_source, array_source); "
                        f"got {type(source).__name__}.")
    folder = Path(cache_dir) / f"wepsam-gbvs-{cache_key(settings, source)}"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        model = settings.gbvs()
        bar = tqdm(total=source.count, desc=f"GBVS pseudo-labels ({source.description})", unit="img",
                   disable=not progress)
        shards = 0
        for index, chunk in enumerate(_chunks(source.iterate(), settings.shard_size)):
            path = folder / f"shard-{index:05d}.npz"
            if path.is_file():  # written by an earlier, interrupted run
                bar.update(len(chunk))
            else:
                pairs = []
                for _, image in chunk:
                    pairs.append(pseudo_label(image, settings, model))
                    bar.update(1)
                arrays = dict(ids=np.array([i for i, _ in chunk]), images=np.stack([p[0] for p in pairs]),
                              maps=np.stack([p[1] for p in pairs]))
                atomic_write(path, lambda f: np.savez(f, **arrays))
            shards += 1
        bar.close()
        if shards == 0:
            raise ValueError(f"{source.description} yielded no images: there is nothing to pseudo-label.")
        info = {"shards": shards, "settings": dataclasses.asdict(settings), "source": source.fingerprint,
                "format": FORMAT_VERSION}
        atomic_write(manifest, lambda f: f.write(json.dumps(info, indent=1).encode()))
    shards = json.loads(manifest.read_text())["shards"]
    ids, images, maps = [], [], []
    for index in range(shards):
        with np.load(folder / f"shard-{index:05d}.npz") as data:
            ids += [str(i) for i in data["ids"]]
            images.append(data["images"])
            maps.append(data["maps"])
    return PseudoLabels(ids, np.concatenate(images), np.concatenate(maps), folder)
