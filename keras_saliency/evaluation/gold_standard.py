"""The leave-one-subject-out (LOSO) gold standard: how well the other viewers predict each viewer."""

from __future__ import annotations

from typing import Dict, Sequence, Tuple

import numpy as np

from keras_saliency.maps import leave_one_subject_out_log_densities


def fit_gold_bandwidth(data, candidates: Sequence[float] = (0.015, 0.02, 0.03, 0.045),
                       count: int = 40) -> Tuple[float, Dict[float, float]]:
    """The LOSO bandwidth (fraction of the image side) with the highest likelihood on the first ``count`` images.

    Returns ``(bandwidth, {candidate: log-likelihood over uniform, bits/fixation})``; ``data`` is an
    :class:`~keras_saliency.evaluation.EvaluationImages` (fixations with subjects).
    """
    scores = {}
    for bandwidth in candidates:
        values = [leave_one_subject_out_log_densities(f, s, bandwidth=bandwidth).mean() + np.log(s[0] * s[1])
                  for f, s in zip(data.fixations[:count], data.sizes[:count])]
        scores[bandwidth] = float(np.mean(values) / np.log(2))
    return max(scores, key=scores.get), scores


class GoldStandard:
    """Per image the LOSO log-density (nats) at each of its fixations, computed on first use."""

    def __init__(self, data, bandwidth: float):
        self.data, self.bandwidth, self.values = data, bandwidth, {}

    def __getitem__(self, index: int) -> np.ndarray:
        if index not in self.values:
            self.values[index] = leave_one_subject_out_log_densities(
                self.data.fixations[index], self.data.sizes[index], bandwidth=self.bandwidth)
        return self.values[index]

    def row(self, indices, center_bias) -> Dict[str, float]:
        """Information gain over ``center_bias`` (``size -> log-density``) and log-likelihood of ``indices``.

        Bits/fixation, averaged per image and then over images.
        """
        ig, ll = [], []
        for i in indices:
            rows, cols = self.data.fixations[i].pixel_indices()
            bias = center_bias(self.data.sizes[i]).astype(np.float64)
            ig.append(np.mean(self[i] - bias[rows, cols]) / np.log(2))
            ll.append(np.mean(self[i]) / np.log(2))
        return {"information_gain": float(np.mean(ig)), "log_likelihood": float(np.mean(ll))}
