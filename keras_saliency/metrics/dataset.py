"""Dataset-level evaluation: per-image and per-fixation averages, shuffled negatives.

A *dataset* here is a sequence of samples, each a mapping with

* ``"fixations"``: :class:`~keras_saliency.fixations.Fixations` or (N, 2) (x, y);
* ``"image"`` (H, W, 3) and/or ``"image_size"`` (H, W);
* optionally ``"reference_map"``: a dense human map for CC/KLD/SIM (otherwise
  the empirical map of the fixations with ``sigma`` is used).

Averages: ``by_image`` is the mean of per-image values; ``by_fixation`` (for
fixation-level metrics) is the mean over all fixations of the dataset
(pysaliency's default ``average="fixation"``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import Dict, Optional, Sequence

import numpy as np

from keras_saliency.density import check_log_density, check_map, check_mass
from keras_saliency.fixations import _check_size, as_fixations
from keras_saliency.maps import empirical_saliency_map
from keras_saliency.metrics import auc as auc_module
from keras_saliency.metrics import distribution, location
from keras_saliency.metrics._inputs import fixation_pixels, values_at
from keras_saliency.metrics.probabilistic import LN2, calibration_bins

FIXATION_LEVEL = ("auc_uniform", "sauc", "nss", "log_likelihood", "information_gain")
IMAGE_LEVEL = ("auc_judd", "auc_borji", "cc", "kld", "sim")
PROBABILISTIC = ("log_likelihood", "information_gain", "calibration")
ALL_METRICS = IMAGE_LEVEL + FIXATION_LEVEL + ("calibration",)
DEFAULT_METRICS = ("auc_judd", "sauc", "nss", "cc", "kld", "sim", "information_gain")


def image_size_of(sample) -> tuple:
    if "image_size" in sample:
        return _check_size(sample["image_size"])
    if "image" in sample:
        return tuple(np.shape(sample["image"])[:2])
    raise ValueError("Each sample needs an 'image_size' or an 'image'.")


def shuffled_nonfixations(fixation_sets: Sequence, sizes: Sequence, index: int) -> np.ndarray:
    """Shuffled-AUC negatives for image ``index``: all fixations of all *other* images.

    Each fixation (x, y) of image m is mapped to image n's pixel
    ``(int(x * W_n / W_m), int(y * H_n / H_m))`` (pysaliency's convention;
    duplicates kept) and returned at that pixel's centre as float64 (M, 2).
    For many images use :class:`ShuffledNegatives` (the pool is built once).
    """
    return ShuffledNegatives(fixation_sets, sizes).for_image(index)


class ShuffledNegatives:
    """Every fixation of a dataset with its image's size, mapped onto any one image in one vectorised step."""

    def __init__(self, fixation_sets: Sequence, sizes: Sequence):
        fixation_sets = [as_fixations(f) for f in fixation_sets]
        self.sizes = [_check_size(size) for size in sizes]
        if len(self.sizes) != len(fixation_sets):
            raise ValueError(f"Got {len(fixation_sets)} fixation sets for {len(self.sizes)} sizes.")
        counts = [len(f) for f in fixation_sets]
        self.image = np.repeat(np.arange(len(counts)), counts)
        self.x = np.concatenate([f.x for f in fixation_sets]) if counts else np.zeros(0)
        self.y = np.concatenate([f.y for f in fixation_sets]) if counts else np.zeros(0)
        self.height = np.repeat([h for h, _ in self.sizes], counts)
        self.width = np.repeat([w for _, w in self.sizes], counts)

    def for_image(self, index: int) -> np.ndarray:
        """float64 (M, 2) (x, y) pixel centres of all other images' fixations on image ``index``."""
        height, width = self.sizes[index]
        other = self.image != index
        cols = np.floor(self.x[other] * width / self.width[other])
        rows = np.floor(self.y[other] * height / self.height[other])
        return np.stack([cols, rows], axis=1) + 0.5


@dataclasses.dataclass
class EvaluationResult:
    """Per-image and per-fixation metric values with table exports."""

    per_image: Dict[str, np.ndarray]
    per_fixation: Dict[str, np.ndarray]
    calibration_counts: Optional[np.ndarray] = None

    def summary(self) -> Dict[str, Dict[str, float]]:
        """``{metric: {"by_image": x[, "by_fixation": y]}}``."""
        table = {}
        for name, values in self.per_image.items():
            row = {"by_image": float(np.mean(values))}
            if name in self.per_fixation:
                row["by_fixation"] = float(np.mean(self.per_fixation[name]))
            table[name] = row
        return table

    def to_markdown(self) -> str:
        lines = ["| metric | by image | by fixation |", "|---|---|---|"]
        for name, row in self.summary().items():
            by_fix = f"{row['by_fixation']:.4f}" if "by_fixation" in row else ""
            lines.append(f"| {name} | {row['by_image']:.4f} | {by_fix} |")
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["metric", "by_image", "by_fixation"])
        for name, row in self.summary().items():
            writer.writerow([name, repr(row["by_image"]), repr(row.get("by_fixation", ""))])
        return out.getvalue()

    def to_json(self) -> str:
        payload = {"summary": self.summary()}
        if self.calibration_counts is not None:
            payload["calibration_counts"] = self.calibration_counts.tolist()
        return json.dumps(payload, indent=2)


def _resolve_baseline(baseline, index: int, size) -> np.ndarray:
    if callable(baseline):
        return check_log_density("baseline", baseline(size))
    if hasattr(baseline, "log_density"):
        return check_log_density("baseline", baseline.log_density(size))
    return check_log_density(f"baseline[{index}]", baseline[index])


class DatasetEvaluation:
    """The metrics of a dataset one image at a time, so a caller can keep (or report) finished images.

    ``DatasetEvaluation(dataset, metrics, ...)`` checks its arguments (as :func:`evaluate`);
    :meth:`image` scores one prediction, :meth:`result` combines the images scored so far.
    ``indices`` are the images to score: those with at least one fixation (an image without
    fixations contributes nothing, pysaliency PR #60).
    """

    def __init__(self, dataset: Sequence, metrics: Sequence[str] = DEFAULT_METRICS, *, kind: str = "log_density",
                 baseline=None, sigma: Optional[float] = None, calibration_bins_count: int = 10):
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        if not metrics:
            raise ValueError(f"`metrics` is empty; choose from {ALL_METRICS}.")
        unknown = [m for m in metrics if m not in ALL_METRICS]
        if unknown:
            raise ValueError(f"Unknown metrics {unknown}; choose from {ALL_METRICS}.")
        if kind not in ("log_density", "saliency"):
            raise ValueError(f"`kind` must be 'log_density' or 'saliency'; got {kind!r}.")
        if kind == "saliency" and any(m in PROBABILISTIC for m in metrics):
            raise ValueError(f"{[m for m in metrics if m in PROBABILISTIC]} need log-densities (kind='log_density').")
        self.dataset = list(dataset)
        if not self.dataset:
            raise ValueError("`dataset` is empty: nothing to evaluate.")
        self.metrics, self.kind, self.baseline, self.sigma = metrics, kind, baseline, sigma
        self.calibration_bins_count = calibration_bins_count
        self.fixation_sets = [as_fixations(sample["fixations"]) for sample in self.dataset]
        self.sizes = [image_size_of(sample) for sample in self.dataset]
        self.indices = [i for i, fixations in enumerate(self.fixation_sets) if len(fixations)]
        self.negatives = ShuffledNegatives(self.fixation_sets, self.sizes) if "sauc" in metrics else None
        if not self.indices:
            raise ValueError("The dataset has no fixations: nothing to evaluate.")

    def image(self, index: int, prediction) -> dict:
        """``{"per_image": {metric: float}, "per_fixation": {metric: (N,)}, "calibration": counts | None}``
        of image ``index`` given its prediction (a log-density or saliency map at the image's size)."""
        metrics, fixations, size = self.metrics, self.fixation_sets[index], self.sizes[index]
        prediction = np.asarray(prediction, dtype=np.float64)
        if prediction.shape[:2] != size:
            raise ValueError(f"Prediction {index} has shape {prediction.shape}, expected the image size {size}.")
        if self.kind == "log_density":  # validated once: the exp every map-based metric needs gives the mass
            log_density = check_log_density(f"prediction[{index}]", prediction, validate=False)
            with np.errstate(over="ignore"):
                saliency = np.exp(log_density)
            check_mass(f"prediction[{index}]", log_density, saliency.sum())
        else:
            saliency = check_map(f"prediction[{index}]", prediction)
        rows, cols = fixation_pixels(fixations, size)
        fixated = values_at(saliency, rows, cols)
        per_fixation = {}
        if "nss" in metrics:
            per_fixation["nss"] = location.nss_per_fixation(saliency, rows, cols)
        if "auc_uniform" in metrics:
            per_fixation["auc_uniform"] = auc_module.rank_auc_per_positive(fixated, saliency.ravel())
        if "sauc" in metrics:
            negatives = self.negatives.for_image(index)
            neg_rows, neg_cols = fixation_pixels(negatives, size, name="nonfixations")
            per_fixation["sauc"] = auc_module.rank_auc_per_positive(fixated, values_at(saliency, neg_rows, neg_cols))
        if "log_likelihood" in metrics:
            per_fixation["log_likelihood"] = log_density[rows, cols] / LN2
        if "information_gain" in metrics:
            base = (np.full(len(rows), -np.log(size[0] * size[1])) if self.baseline is None  # uniform
                    else _resolve_baseline(self.baseline, index, size)[rows, cols])
            per_fixation["information_gain"] = (log_density[rows, cols] - base) / LN2
        per_image = {name: float(values.mean()) for name, values in per_fixation.items()}
        if "auc_judd" in metrics:
            per_image["auc_judd"] = auc_module.auc_judd(saliency, fixations)
        if "auc_borji" in metrics:
            per_image["auc_borji"] = auc_module.auc_borji(saliency, fixations, seed=index)
        if any(m in metrics for m in ("cc", "kld", "sim")):
            reference = self.dataset[index].get("reference_map")
            if reference is None:
                reference = empirical_saliency_map(fixations, size, sigma=self.sigma or 0.04 * max(size))
            for name in ("cc", "kld", "sim"):
                if name in metrics:
                    per_image[name] = getattr(distribution, name)(saliency, reference)
        calibration = None
        if "calibration" in metrics:
            calibration = np.bincount(calibration_bins(log_density, self.calibration_bins_count)[rows, cols],
                                      minlength=self.calibration_bins_count)
        return {"per_image": per_image, "per_fixation": per_fixation, "calibration": calibration}

    def result(self, images: Sequence[dict]) -> EvaluationResult:
        """The :class:`EvaluationResult` of the images scored by :meth:`image` (in their order); at least one."""
        if not images:
            raise ValueError("No image was evaluated: there is no result to combine.")
        names = [m for m in self.metrics if m != "calibration"]
        calibration = None
        if "calibration" in self.metrics:
            calibration = np.sum([image["calibration"] for image in images], axis=0).astype(np.int64)
        return EvaluationResult(
            per_image={m: np.asarray([image["per_image"][m] for image in images]) for m in names},
            per_fixation={m: np.concatenate([image["per_fixation"][m] for image in images])
                          for m in names if m in FIXATION_LEVEL},
            calibration_counts=calibration,
        )


def evaluate(
    model_or_maps,
    dataset: Sequence,
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    kind: str = "log_density",
    baseline=None,
    sigma: Optional[float] = None,
    calibration_bins_count: int = 10,
) -> EvaluationResult:
    """Evaluates predictions on a dataset and returns per-image/per-fixation values.

    Args:
        model_or_maps: a model honouring the saliency-model contract
            (`keras_saliency.models`; its ``predict_log_density`` is used, one image at a
            time), a callable ``image -> (H, W) map`` or a sequence of maps aligned with
            ``dataset``, at each image's size.
        dataset: samples as described in the module docstring (at least one).
        metrics: names from ``ALL_METRICS``, or one name as a string.
        kind: ``"log_density"`` (normalised natural-log densities; the
            density itself is used as saliency map for AUC/NSS/CC/KLD/SIM) or
            ``"saliency"`` (plain saliency maps; probabilistic metrics refused).
        baseline: for ``information_gain``: None (uniform), a callable
            ``size -> log_density``, an object with ``.log_density(size)`` (e.g.
            :class:`keras_saliency.maps.EmpiricalCenterBias`) or a per-image sequence.
        sigma: pixels of the Gaussian for empirical reference maps (CC/KLD/SIM)
            when samples carry no ``"reference_map"``; default 0.04 x max(H, W).
    To keep the images finished before a failure, use :class:`DatasetEvaluation` directly.
    """
    evaluation = DatasetEvaluation(dataset, metrics, kind=kind, baseline=baseline, sigma=sigma,
                                   calibration_bins_count=calibration_bins_count)
    from keras_saliency.models.contract import is_saliency_model

    if is_saliency_model(model_or_maps):
        model = model_or_maps
        model_or_maps = lambda image: model.predict_log_density(np.asarray(image)[None])[0]  # noqa: E731
    if not callable(model_or_maps) and len(model_or_maps) != len(evaluation.dataset):
        raise ValueError(f"Got {len(model_or_maps)} maps for {len(evaluation.dataset)} samples.")
    images = []
    for index in evaluation.indices:
        sample = evaluation.dataset[index]
        prediction = model_or_maps(sample["image"]) if callable(model_or_maps) else model_or_maps[index]
        images.append(evaluation.image(index, prediction))
    return evaluation.result(images)
