"""One cross-validation protocol for every candidate model (DeepGaze IIE's MIT1003 protocol).

Folds from :func:`keras_saliency.data.kfold_split` (test = fold f, validation = fold f + 1, training =
the rest); the centre bias (:class:`keras_saliency.maps.EmpiricalCenterBias`) is fitted on the training folds
only and is the baseline of the information gain; every row carries the Table 1 metrics
(``METRICS``, image-averaged) and the equal-mass calibration histogram; the leave-one-subject-out
gold standard and the centre bias are rows of their own; an out-of-domain dataset (OSIE) is scored
with the same models and the same (in-domain) centre bias. One fold's result is a JSON-ready dict
``{"in_domain": {row: metrics}, "out_of_domain": {row: metrics}, "training": {...}, ...}``.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Sequence

import numpy as np

from keras_saliency import metrics
from keras_saliency.evaluation.evaluation_images import EvaluationImages
from keras_saliency.evaluation.gold_standard import GoldStandard, fit_gold_bandwidth
from keras_saliency.maps import EmpiricalCenterBias

METRICS = ("information_gain", "log_likelihood", "auc_judd", "sauc", "nss", "cc", "kld", "sim")
CENTRE_BIAS, GOLD_STANDARD = "centre bias", "gold standard (LOSO)"


class CenterBiasMaps:
    """``size -> (H, W)`` float32 log-density of a :class:`EmpiricalCenterBias`, computed once per size."""

    def __init__(self, center_bias: EmpiricalCenterBias):
        self.center_bias, self.maps = center_bias, {}

    def __call__(self, size) -> np.ndarray:
        size = tuple(size)
        if size not in self.maps:
            self.maps[size] = self.center_bias.log_density(size).astype(np.float32)
        return self.maps[size]


@dataclasses.dataclass
class Fold:
    """One fold: ``indices`` {"train", "validation", "test"} into the in-domain data, its centre bias."""

    number: int
    indices: Dict[str, List[int]]
    center_bias: CenterBiasMaps


class CrossValidation:
    """The protocol on ``data`` (in domain) and ``ood`` (out of domain, optional), ``k`` folds.

    ``split_seed`` seeds the fold assignment, ``bins`` the calibration histogram. The LOSO bandwidth is
    fitted once on the first in-domain images (``bandwidth``, ``bandwidth_scores``).
    """

    def __init__(self, data: EvaluationImages, ood: Optional[EvaluationImages] = None, k: int = 10,
                 split_seed: int = 0, bins: int = 10):
        self.data, self.ood, self.k, self.split_seed, self.bins = data, ood, k, split_seed, bins
        self.bandwidth, self.bandwidth_scores = fit_gold_bandwidth(data)
        self.gold = {"in_domain": GoldStandard(data, self.bandwidth),
                     "out_of_domain": GoldStandard(ood, self.bandwidth) if ood is not None else None}

    def fold(self, number: int) -> Fold:
        """Fold ``number``'s image indices and its training-fold centre bias."""
        from keras_saliency.data.splits import kfold_split  # keras_saliency.data imports TensorFlow

        split = kfold_split(self.data.ids, number, k=self.k, seed=self.split_seed)
        indices = {name: [self.data.index[i] for i in ids] for name, ids in split.items()}
        train = indices["train"]
        bias = EmpiricalCenterBias.fit([self.data.fixations[i] for i in train], [self.data.sizes[i] for i in train])
        return Fold(number, indices, CenterBiasMaps(bias))

    def start(self, fold: Fold) -> dict:
        """A fold result holding the centre-bias and gold-standard rows (``"training"`` left empty)."""
        result = {"in_domain": {}, "out_of_domain": {}, "training": {}}
        bias = fold.center_bias
        self.add_rows(result, fold, CENTRE_BIAS, [bias(self.data.sizes[i]).astype(np.float64)
                                                  for i in fold.indices["test"]],
                      None if self.ood is None else [bias(s).astype(np.float64) for s in self.ood.sizes])
        result["in_domain"][GOLD_STANDARD] = self.gold["in_domain"].row(fold.indices["test"], bias)
        if self.ood is not None:
            result["out_of_domain"][GOLD_STANDARD] = self.gold["out_of_domain"].row(range(len(self.ood.ids)), bias)
        return result

    def add_rows(self, result: dict, fold: Fold, name: str, in_domain: Sequence[np.ndarray],
                 out_of_domain: Optional[Sequence[np.ndarray]] = None):
        """Scores row ``name``: log-densities of the fold's test images and (with ``ood``) of every OSIE image."""
        result["in_domain"][name] = self.score(in_domain, self.data, fold.indices["test"], fold.center_bias)
        if self.ood is not None:
            result["out_of_domain"][name] = self.score(out_of_domain, self.ood, range(len(self.ood.ids)),
                                                       fold.center_bias)

    def add_model(self, result: dict, fold: Fold, name: str, model, progress: Optional[bool] = None):
        """Scores a model honouring the saliency-model contract (``keras_saliency.models``:
        ``predict_log_density(images) -> (B, H, W)``; a classical model, a preset, ...) as row ``name``.
        ``progress``: a bar over the images (`keras_saliency.progress`: None shows it on a terminal only)."""
        in_domain = predicted_log_densities(model, self.data, fold.indices["test"], progress=progress)
        ood = None if self.ood is None else predicted_log_densities(model, self.ood, range(len(self.ood.ids)),
                                                                    progress=progress)
        self.add_rows(result, fold, name, in_domain, ood)

    def finish(self, result: dict, command: str) -> dict:
        """Adds the LOSO bandwidth, the number of out-of-domain images and the ``command`` that ran the fold."""
        result.update(gold_standard_bandwidth=self.bandwidth, ood_images=len(self.ood.ids) if self.ood else 0,
                      command=command)
        return result

    def score(self, log_densities, data: EvaluationImages, indices, center_bias) -> dict:
        """``{metric: image mean}`` of ``METRICS`` plus ``"calibration"`` (fixations per equal-mass bin)."""
        result = metrics.evaluate(list(log_densities), data.samples(indices), METRICS + ("calibration",),
                                  baseline=center_bias, calibration_bins_count=self.bins)
        row = {name: values["by_image"] for name, values in result.summary().items()}
        row["calibration"] = result.calibration_counts.tolist()
        return row


def predicted_log_densities(model, data: EvaluationImages, indices, progress: Optional[bool] = None) -> List[np.ndarray]:
    """float64 (H, W) log-densities of ``data``'s images ``indices`` (float32 RGB 0..255 at their evaluation
    size), one image at a time: ``model.predict_log_density(image[None])[0]``; ``progress`` as `add_model`."""
    from keras_saliency.progress import progress_bar

    return [np.asarray(model.predict_log_density(data.load_image(data.ids[i])[None])[0], np.float64)
            for i in progress_bar(list(indices), progress=progress, desc=f"predict {data.name}", unit="image")]
