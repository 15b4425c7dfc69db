"""pysaliency half of metrics_vs_pysaliency.py; runs inside a venv that has pysaliency 0.2.22.

``maps NPZ REPEATS``: the per-map metrics; prints JSON {metric: [seconds, mean]}.
``dataset NPZ SIGMA``: one whole-dataset evaluation (MIT1003 sizes and fixations); prints
JSON [seconds, {metric: mean by image}].
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pysaliency
from pysaliency import metrics as PM


class Maps(pysaliency.SaliencyMapModel):
    def __init__(self, lookup):
        super().__init__(caching=False)
        self.lookup = lookup

    def _saliency_map(self, stimulus):
        return self.lookup(stimulus)


class Densities(pysaliency.Model):
    def __init__(self, lookup):
        super().__init__(caching=False)
        self.lookup = lookup

    def _log_density(self, stimulus):
        return self.lookup(stimulus)


def index_of(stimulus):
    """Stimulus n carries n in base 256 in its first pixel's channels."""
    return int(stimulus[0, 0, 0]) + 256 * int(stimulus[0, 0, 1])


def index_stimuli(sizes):
    """Zero-copy stimuli of the given sizes whose first pixel encodes their index."""
    return pysaliency.Stimuli([np.broadcast_to(np.array([[[n % 256, n // 256, 0]]], np.uint8), (h, w, 3))
                               for n, (h, w) in enumerate(sizes)])


def timed(run, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        value = run()
        best = min(best, time.perf_counter() - start)
    return best, value


def per_map(path, repeats):
    data = np.load(path)
    maps, log_densities, gt_maps = data["maps"], data["log_densities"], data["gt_maps"]
    n_maps, height, width = maps.shape
    stimuli = index_stimuli([(height, width)] * n_maps)
    fixations = pysaliency.Fixations.create_without_history(
        data["x"] + 0.5, data["y"] + 0.5, data["n"].astype(int), subjects=np.zeros(len(data["x"]), int))
    model = Maps(lambda s: maps[index_of(s)])
    prob = Densities(lambda s: log_densities[index_of(s)])
    uniform = pysaliency.UniformModel()
    runs = {
        "auc_judd": lambda: model.AUC_Judd(stimuli, fixations, jitter=False),
        "auc_uniform": lambda: model.AUC(stimuli, fixations, average="image"),
        "sauc": lambda: model.sAUC(stimuli, fixations, average="image"),
        "nss": lambda: model.NSS(stimuli, fixations, average="image"),
        "cc": lambda: [PM.CC(maps[n], gt_maps[n]) for n in range(n_maps)],
        "kld": lambda: [PM.MIT_KLDiv(maps[n], gt_maps[n]) for n in range(n_maps)],
        "sim": lambda: [PM.SIM(maps[n], gt_maps[n]) for n in range(n_maps)],
        "log_likelihood": lambda: prob.log_likelihood(stimuli, fixations, average="image") / np.log(2),
        "information_gain": lambda: prob.information_gain(stimuli, fixations, uniform, average="image"),
    }
    out = {}
    for name, run in runs.items():
        seconds, value = timed(run, repeats)
        out[name] = [seconds, float(np.mean(value))]
    return out


def whole_dataset(path, sigma):
    """What a pysaliency user runs for the table keras_saliency.metrics.evaluate gives (means by image)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _size_log_density import size_log_density  # the same predictions (NumPy only)

    data = np.load(path)
    sizes = [tuple(int(v) for v in s) for s in data["sizes"]]
    log_densities = {size: size_log_density(size) for size in set(sizes)}
    densities = {size: np.exp(ld) for size, ld in log_densities.items()}
    stimuli = index_stimuli(sizes)
    fixations = pysaliency.Fixations.create_without_history(
        data["x"], data["y"], data["n"].astype(int), subjects=np.zeros(len(data["x"]), int))
    stimuli.stimulus_ids  # hashing the stimuli is set-up, not evaluation
    start = time.perf_counter()
    model = Maps(lambda s: densities[s.shape[:2]])
    prob = Densities(lambda s: log_densities[s.shape[:2]])
    gold = pysaliency.FixationMap(stimuli, fixations, kernel_size=sigma)
    means = {
        "auc_judd": model.AUC_Judd(stimuli, fixations, jitter=False),
        "auc_uniform": model.AUC(stimuli, fixations, average="image"),
        "sauc": model.sAUC(stimuli, fixations, average="image"),
        "nss": model.NSS(stimuli, fixations, average="image"),
        "cc": model.CC(stimuli, gold),
        "kld": float(np.mean([PM.MIT_KLDiv(model.saliency_map(s), gold.saliency_map(s)) for s in stimuli])),
        "sim": model.SIM(stimuli, gold),
        "log_likelihood": prob.log_likelihood(stimuli, fixations, average="image") / np.log(2),
        "information_gain": prob.information_gain(stimuli, fixations, pysaliency.UniformModel(), average="image"),
    }
    return [time.perf_counter() - start, {k: float(v) for k, v in means.items()}]


if __name__ == "__main__":
    mode, path, value = sys.argv[1:4]
    print(json.dumps(per_map(path, int(value)) if mode == "maps" else whole_dataset(path, float(value))))
