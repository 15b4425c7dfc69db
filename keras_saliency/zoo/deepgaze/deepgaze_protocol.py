"""DeepGaze IIE's training on the cross-validation protocol of :mod:`keras_saliency.evaluation`.

Per fold and backbone the frozen features come from a :class:`FeatureCache` (computed once), then
``instances`` readouts are trained by maximum likelihood on the training folds (:func:`fit_readout`:
Adam 1e-3, x0.1 every ``decay_every`` epochs, early stopping on the validation information gain, best
weights restored) and scored on the test fold and out of domain, with their ensembles
(:func:`ensemble_rows`). :func:`summarise` adds the per-fold claim counts and the training table to
the protocol's summary.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import keras
import numpy as np

from keras_saliency.evaluation import CrossValidation, Fold, summarise_folds
from keras_saliency.evaluation.fold_summary import DOMAINS
from keras_saliency.zoo.deepgaze.deepgaze_ensembles import ensemble_log_densities, ensemble_rows, fold_comparisons
from keras_saliency.zoo.deepgaze.deepgaze_features import FeatureCache
from keras_saliency.zoo.deepgaze.deepgaze_model import DeepGazeII
from keras_saliency.zoo.deepgaze.deepgaze_training import ReadoutDataset, fit_readout

LOG = functools.partial(print, flush=True)  # the default progress log: one flushed line per step


@dataclasses.dataclass(frozen=True)
class ReadoutTraining:
    """How the readouts of one fold are trained (``epochs=None``: until the rate falls below 1e-7)."""

    instances: int = 3
    epochs: Optional[int] = None
    decay_every: int = 15
    patience: Optional[int] = 15
    batch_size: int = 4
    seed: int = 0
    run_eagerly: bool = False


def standin_extractor(seed: int = 0) -> keras.Model:
    """A random 4-stage CNN with stride-8 and stride-16 taps (no ImageNet weights; for smoke runs only)."""
    keras.utils.set_random_seed(seed)
    image = keras.Input((None, None, 3))
    x = keras.layers.Rescaling(1 / 127.5, offset=-1)(image)
    taps = {}
    for i, width in enumerate((16, 32, 64, 64)):
        x = keras.layers.Conv2D(width, 3, strides=2, padding="same", activation="relu", name=f"standin_{i}")(x)
        if i >= 2:
            taps[f"stride{2 ** (i + 1)}"] = x
    return keras.Model(image, taps, name="standin_features")


def make_extractor(name: str, weights=None) -> keras.Model:
    """``"standin"`` (:func:`standin_extractor`) or a ``keras_saliency.backbones`` name with its default taps."""
    if name == "standin":
        return standin_extractor()
    from keras_saliency import backbones

    return backbones.get(name, weights=weights)


def cache_features(extractors: Dict[str, keras.Model], protocol: CrossValidation, cache_dir=None,
                   scale: float = 1.0, log: Callable[[str], None] = LOG,
                   progress: Optional[bool] = None) -> Dict[str, dict]:
    """``{backbone: {"in_domain": [features], "out_of_domain": [features]}}`` of the protocol's images.

    Features (h, w, C) per image, in the datasets' order; in memory, or under
    ``cache_dir/<backbone>_<dataset>_scale<scale>`` to be reused by later runs. ``progress``: a bar per
    dataset (`keras_saliency.progress`: None shows it on a terminal only).
    """
    caches = {}
    for name, extractor in extractors.items():
        start = time.perf_counter()
        caches[name] = {}
        for domain, dataset in (("in_domain", protocol.data), ("out_of_domain", protocol.ood)):
            if dataset is None:
                continue
            directory = None if cache_dir is None else Path(cache_dir) / f"{name}_{dataset.name}_scale{scale:g}"
            caches[name][domain] = FeatureCache(DeepGazeII(extractor), directory).get_many(
                dataset.ids, dataset.load_image, dataset.sizes, progress=progress)
        log(f"{name}: features in {time.perf_counter() - start:.1f} s")
    return caches


def predict_readout(readout_model, dataset: ReadoutDataset) -> List[np.ndarray]:
    """float64 log-densities of every image of a (non-shuffled) ReadoutDataset, in the dataset's image order."""
    out = [None] * len(dataset.sizes)
    for b, batch in enumerate(dataset.batches):
        inputs, _ = dataset[b]
        for i, log_density in zip(batch, keras.ops.convert_to_numpy(readout_model(inputs, training=False))):
            out[i] = log_density.astype(np.float64)
    return out


def train_readouts(protocol: CrossValidation, fold: Fold, extractors: Dict[str, keras.Model],
                   caches: Dict[str, dict], training: ReadoutTraining, weights_dir, result: dict,
                   log: Callable[[str], None] = LOG, reuse_saved: bool = False,
                   initial_weights: Optional[Dict[str, Path]] = None):
    """Trains every backbone's readouts on ``fold``: ``(predictions, models)``.

    ``predictions``: log-densities ``{split: {backbone: [per readout]}}``; ``models``: ``{backbone:
    DeepGazeII}`` holding the trained readouts (``models[b].readout_model([k])`` is readout ``k``).

    Splits: ``"test"`` and ``"validation"`` (the fold's images, in ``fold.indices`` order) and
    ``"out_of_domain"`` (every OSIE image; absent without ``protocol.ood``). Each backbone's readouts
    are saved as ``weights_dir/<backbone>_fold<number>.weights.h5`` (``DeepGazeII.readout_model()``; the folder
    is created);
    ``result["training"]`` gets epochs, seconds, best validation IG and the Finalizer's blur and
    centre-bias weight of every readout. ``reuse_saved``: a backbone whose weights file exists is loaded
    from it instead of trained (its ``result["training"]`` entries say ``"loaded"``), to resume a fold.
    ``initial_weights``: ``{backbone: weights file}`` of readouts to start from instead of a fresh
    initialisation (``deepgaze_pretraining.pretrain_readouts``; the same number of instances), recorded
    as ``"initialised_from"``.
    """
    data, ood, number = protocol.data, protocol.ood, fold.number
    Path(weights_dir).mkdir(parents=True, exist_ok=True)
    predictions = {split: {} for split in ("test", "validation") + (("out_of_domain",) if ood is not None else ())}
    models = {}
    for name, extractor in extractors.items():
        features = caches[name]["in_domain"]
        sets = {split: ReadoutDataset([features[i] for i in part], [data.fixations[i] for i in part],
                                      [data.sizes[i] for i in part], fold.center_bias, batch_size=training.batch_size,
                                      shuffle=(split == "train"), seed=training.seed + number)
                for split, part in fold.indices.items()}
        if ood is not None:
            sets["out_of_domain"] = ReadoutDataset(caches[name]["out_of_domain"], ood.fixations, ood.sizes,
                                                   fold.center_bias, batch_size=training.batch_size, shuffle=False)
        keras.utils.set_random_seed(training.seed + 1000 * number)
        models[name] = model = DeepGazeII(extractor, n_components=training.instances)
        for split in predictions:
            predictions[split][name] = []
        path = Path(weights_dir) / f"{name}_fold{number}.weights.h5"
        if reuse_saved and path.is_file():
            model.readout_model().load_weights(path)
            for k in range(training.instances):
                result["training"][f"{name} #{k}"] = {"loaded": path.name}
                for split in predictions:
                    predictions[split][name].append(predict_readout(model.readout_model([k]), sets[split]))
            log(f"fold {number} {name}: readouts loaded from {path.name}")
            continue
        start_from = (initial_weights or {}).get(name)
        if start_from is not None:
            try:
                model.readout_model().load_weights(start_from)
            except ValueError as error:
                raise ValueError(f"{start_from}: not {training.instances} readouts of backbone {name!r} "
                                 f"({error})") from error
        for k in range(training.instances):
            start = time.perf_counter()
            history = fit_readout(model.readout_model([k]), sets["train"], sets["validation"], epochs=training.epochs,
                                  decay_every=training.decay_every, patience=training.patience,
                                  run_eagerly=training.run_eagerly)
            result["training"][f"{name} #{k}"] = {
                "epochs": len(history.history["loss"]), "seconds": round(time.perf_counter() - start, 1),
                "best_val_ig": float(np.max(history.history["val_ig"])),
                "sigma": float(model.readouts[k].finalizer.sigma.numpy()),
                "center_bias_weight": float(model.readouts[k].finalizer.center_bias_weight.numpy()),
                **({"initialised_from": Path(start_from).name} if start_from is not None else {})}
            for split in predictions:
                predictions[split][name].append(predict_readout(model.readout_model([k]), sets[split]))
            log(f"fold {number} {name} #{k}: {result['training'][f'{name} #{k}']}")
        model.readout_model().save_weights(path)
    return predictions, models


def add_ensemble_rows(protocol: CrossValidation, fold: Fold, result: dict, predictions: Dict[str, Dict[str, list]],
                      names, instances: int):
    """Scores every readout and ensemble of :func:`ensemble_rows` (test fold and out of domain) into ``result``."""
    ood_rows = ensemble_rows(predictions["out_of_domain"], names, instances) if "out_of_domain" in predictions else {}
    for row, members in ensemble_rows(predictions["test"], names, instances).items():
        protocol.add_rows(result, fold, row, ensemble_log_densities(members),
                          ensemble_log_densities(ood_rows[row]) if ood_rows else None)


def run_fold(protocol: CrossValidation, number: int, extractors: Dict[str, keras.Model], caches: Dict[str, dict],
             training: ReadoutTraining, weights_dir, log: Callable[[str], None] = LOG,
             initial_weights: Optional[Dict[str, Path]] = None) -> dict:
    """Fold ``number``: trains every backbone's readouts (:func:`train_readouts`, from ``initial_weights``
    if given), scores them and their ensembles; the fold's result."""
    fold = protocol.fold(number)
    result = protocol.start(fold)
    predictions, _ = train_readouts(protocol, fold, extractors, caches, training, weights_dir, result, log,
                                    initial_weights=initial_weights)
    add_ensemble_rows(protocol, fold, result, predictions, list(extractors), training.instances)
    return result


def comparisons_section(runs: list, summary: dict):
    """Summary section: the folds where each claim of :func:`fold_comparisons` holds, per domain."""
    lines = ["## Per-fold comparisons", "", "| claim | domain | folds where it holds |", "|---|---|---|"]
    comparisons = {}
    for domain in [d for d in DOMAINS if d in summary]:
        claims = fold_comparisons(runs, domain)
        comparisons[domain] = [{"claim": c, "holds": k, "folds": n} for c, k, n in claims]
        lines += [f"| {c} | {domain.replace('_', ' ')} | {k} / {n} |" for c, k, n in claims]
    return lines + [""], {"comparisons": comparisons}


def training_section(runs: list, summary: dict):
    """Summary section: per readout the fold means of epochs, seconds, best validation IG, blur and weight,
    and where its training started (fresh, or the pre-trained readouts' file); loaded folds are left out."""
    training = [run["training"] for run in runs]
    lines = ["## Training", "",
             "| readout | folds | start | epochs | seconds | best validation IG | sigma | centre-bias weight |",
             "|---|---|---|---|---|---|---|---|"]
    for name in training[0]:
        trained = [t[name] for t in training if "epochs" in t.get(name, {})]
        if not trained:
            continue
        values = {k: np.mean([t[k] for t in trained])
                  for k in ("epochs", "seconds", "best_val_ig", "sigma", "center_bias_weight")}
        start = ", ".join(sorted({t.get("initialised_from", "fresh") for t in trained}))
        lines.append(f"| {name} | {len(trained)} | {start} | {values['epochs']:.1f} | {values['seconds']:.0f} | "
                     f"{values['best_val_ig']:.3f} | {values['sigma']:.2f} | {values['center_bias_weight']:.2f} |")
    return lines, {}


def summarise(output) -> dict:
    """The protocol's summary of every ``fold*.json`` in ``output`` with the claim and training sections."""
    return summarise_folds(output, (comparisons_section, training_section))
