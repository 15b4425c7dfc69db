"""pysaliency half of metrics_vs_pysaliency.py; runs inside a venv that has pysaliency 0.2.22.

Reads the maps/fixations npz given as argv[1] and prints JSON {metric: [seconds, values]}.
"""

import json
import sys
import time

import numpy as np
import pysaliency
from pysaliency import metrics as PM

data = np.load(sys.argv[1])
repeats = int(sys.argv[2])
maps, log_densities, gt_maps = data["maps"], data["log_densities"], data["gt_maps"]
n_maps, height, width = maps.shape
# Stimulus n carries its index in pixel (0, 0) so the models can look their map up.
stimuli = pysaliency.Stimuli([np.full((height, width, 3), n, dtype=np.uint8) for n in range(n_maps)])
fixations = pysaliency.Fixations.create_without_history(
    data["x"] + 0.5, data["y"] + 0.5, data["n"].astype(int), subjects=np.zeros(len(data["x"]), int))


class Maps(pysaliency.SaliencyMapModel):
    def __init__(self, arrays):
        super().__init__(caching=False)
        self.arrays = arrays

    def _saliency_map(self, stimulus):
        return self.arrays[int(stimulus[0, 0, 0])]


class Densities(pysaliency.Model):
    def __init__(self, arrays):
        super().__init__(caching=False)
        self.arrays = arrays

    def _log_density(self, stimulus):
        return self.arrays[int(stimulus[0, 0, 0])]


model, prob = Maps(maps), Densities(log_densities)
uniform = pysaliency.UniformModel()
per_fix = [np.flatnonzero(data["n"] == n) for n in range(n_maps)]

RUNS = {
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
for name, run in RUNS.items():
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        value = run()
        best = min(best, time.perf_counter() - start)
    out[name] = [best, float(np.mean(value))]
print(json.dumps(out))
