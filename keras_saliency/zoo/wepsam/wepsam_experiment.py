"""The WEPSAM experiment (Lahiri et al. 2016, Fig. 2 and Table 1 analogues): does weak pre-training help?

1. Weak pre-training: GBVS pseudo-labels (:func:`build_pseudo_labels`, cached) of unlabeled images
   (e.g. the OSIE stimuli without their fixations), entropy-filtered; 10% of the kept images give the
   pre-training validation curve.
2. Fine-tuning on MIT1003 fixations (``keras_saliency.data.read_fixation_images``; 10-fold split by
   image id, fold 0, seed 0: train / validation / test); targets are empirical saliency maps
   (sigma 0.04 x the longer side) at 128 x 128 (:func:`fixation_targets`), pixel-wise squared error.
3. The same fine-tuning (same seed, same batches) from the pre-trained weights and from random
   initialisation, scored with AUC-Judd, AUC-Borji, CC, SIM, KLD, NSS on the test images at their own
   size, next to GBVS (the pseudo-label teacher), the mean fine-tuning target (a learnt centre bias)
   and the pre-trained model before fine-tuning; per seed.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

import keras
import numpy as np
from PIL import Image

from keras_saliency.maps import empirical_saliency_map
from keras_saliency.metrics import evaluate
from keras_saliency.zoo.wepsam.wepsam_model import WEPSAM
from keras_saliency.zoo.wepsam.wepsam_pseudo_labels import (
    MANIFEST,
    ImageSource,
    PseudoLabelSettings,
    array_source,
    build_pseudo_labels,
    cache_key,
    folder_source,
)
from keras_saliency.zoo.wepsam.wepsam_training import fixation_targets

if TYPE_CHECKING:  # keras_saliency.data imports TensorFlow
    from keras_saliency.data.fixation_datasets import FixationImages

METRICS = ("auc_judd", "auc_borji", "cc", "sim", "kld", "nss")
PRE, RND = "pre-trained (WEPSAM)", "random init"
ROWS = ("GBVS (pseudo-label teacher)", "mean training target (centre bias)", "WEPSAM pre-trained, no fine-tuning",
        "WEPSAM pre-trained + fine-tuned", "random init + fine-tuned")
SIDE = 128  # the network's input and target size


@dataclasses.dataclass(frozen=True)
class WepsamExperiment:
    """The experiment's settings (the paper's SGD: initial ``learning_rate``, x 0.9 every 100 steps)."""

    seeds: Sequence[int] = (0, 1)
    pretrain_epochs: int = 6
    finetune_epochs: int = 6
    batch_size: int = 32
    learning_rate: float = 0.1
    keep_fraction: float = 0.7
    gbvs_max_side: int = 256
    conv_filters: Sequence[int] = (16, 32, 32)
    hidden_units: int = 256
    pretrain_images: Optional[int] = None
    finetune_images: Optional[int] = None


class FineTuneSet:
    """MIT1003 images of one split: inputs uint8 (N, 128, 128, 3), fixations, sizes, targets (and originals)."""

    def __init__(self, images: "FixationImages", indices: Sequence[int], keep_originals: bool):
        self.ids = [images.ids[i] for i in indices]
        self.sizes = [images.sizes[i] for i in indices]
        self.fixations, self.clipped = [], 0
        for i, size in zip(indices, self.sizes):
            fixations, clipped = images.fixations[i].fit_to_image(size, policy="clip")
            self.fixations.append(fixations)
            self.clipped += clipped
        self.inputs = images.images((SIDE, SIDE), indices, dtype=np.uint8)
        # the full-size test images, for GBVS and the model's `predict_saliency_map`
        self.originals = [images.image(i, dtype=np.uint8) for i in indices] if keep_originals else []
        self.targets = fixation_targets(self.fixations, self.sizes, target_size=SIDE)
        self.references = None

    def evaluate(self, maps) -> Dict[str, float]:
        """Per-image mean of each metric for saliency maps at the images' own sizes."""
        if self.references is None:  # full-size empirical maps for CC / SIM / KLD, computed once
            self.references = [empirical_saliency_map(f, s, sigma=0.04 * max(s))
                               for f, s in zip(self.fixations, self.sizes)]
        samples = [{"fixations": f, "image_size": s, "reference_map": r}
                   for f, s, r in zip(self.fixations, self.sizes, self.references)]
        result = evaluate([np.asarray(m, np.float64) for m in maps], samples, METRICS, kind="saliency")
        return {m: float(np.mean(result.per_image[m])) for m in METRICS}


def load_finetune_sets(root, count: Optional[int] = None) -> Dict[str, FineTuneSet]:
    """{"train", "validation", "test"}: FineTuneSets of the 10-fold split (fold 0, seed 0) of MIT1003 at ``root``."""
    from keras_saliency.data import kfold_split, read_fixation_images

    images = read_fixation_images("mit1003", root, count)
    split = kfold_split(images.ids, fold=0, k=10, seed=0)
    position = {image_id: n for n, image_id in enumerate(images.ids)}
    sets = {name: FineTuneSet(images, [position[i] for i in ids], name == "test") for name, ids in split.items()}
    empty = [name for name, s in sets.items() if not s.ids]
    if empty:
        raise ValueError(f"the MIT1003 split has no {' / '.join(empty)} images; use more fine-tuning images")
    return sets


def first_images(source: ImageSource, count: int) -> ImageSource:
    """The first ``count`` images of a source, as a source of its own."""
    pairs = list(itertools.islice(source.iterate(), count))
    return array_source([image for _, image in pairs], [image_id for image_id, _ in pairs])


def is_cached(source: ImageSource, cache_dir, settings: PseudoLabelSettings) -> bool:
    """Whether :func:`build_pseudo_labels` finds this source's labels complete in ``cache_dir``."""
    return (Path(cache_dir) / f"wepsam-gbvs-{cache_key(settings, source)}" / MANIFEST).is_file()


def gbvs_maps(images, settings: PseudoLabelSettings) -> List[np.ndarray]:
    """GBVS at ``settings.gbvs_max_side`` (aspect kept), resized back to each uint8 image's size."""
    model = settings.gbvs()
    out = []
    for image in images:
        height, width = image.shape[:2]
        scale = settings.gbvs_max_side / max(height, width)
        small = Image.fromarray(image).resize((max(1, round(width * scale)), max(1, round(height * scale))),
                                              Image.BILINEAR)
        saliency = model.predict_saliency_map(np.asarray(small)[None])[0].astype(np.float32)
        out.append(np.asarray(Image.fromarray(saliency).resize((width, height), Image.BILINEAR)))
    return out


def mean_map_mse(train_maps, maps) -> float:
    """Pixel-wise MSE of ``maps`` against the mean of ``train_maps`` (what a constant prediction can reach)."""
    return float(np.mean((maps - train_maps.mean(0)) ** 2))


def mean_target_maps(mean_map, sizes) -> List[np.ndarray]:
    """The mean fine-tuning target (128 x 128) resized bilinearly to every test image's size."""
    image = Image.fromarray(mean_map.astype(np.float32))
    return [np.asarray(image.resize((w, h), Image.BILINEAR)) for h, w in sizes]


def saliency_maps(model: WEPSAM, images) -> List[np.ndarray]:
    """The model's saliency maps of uint8 images of any sizes, one image at a time, each at its image's size."""
    return [model.predict_saliency_map(image[None])[0] for image in images]


def make_model(experiment: WepsamExperiment, seed: int) -> WEPSAM:
    keras.utils.set_random_seed(seed)
    return WEPSAM(conv_filters=experiment.conv_filters, hidden_units=experiment.hidden_units)


def pretrain(model, images, maps, validation, experiment: WepsamExperiment, seed: int) -> dict:
    """Weak pre-training on pseudo-labels (``WEPSAM.compile``'s recipe); the history ({"loss", "val_loss"} per epoch)."""
    model.compile(learning_rate=experiment.learning_rate)
    keras.utils.set_random_seed(seed)
    return model.fit(images, maps, epochs=experiment.pretrain_epochs, batch_size=experiment.batch_size,
                     validation_data=validation, verbose=0).history


def finetune(model, data: Dict[str, FineTuneSet], experiment: WepsamExperiment, seed: int) -> dict:
    """Fine-tune on ``data["train"]``; {"loss", "val_loss"} per epoch, index 0 = before fine-tuning."""
    train, val = data["train"], data["validation"]
    model.compile(learning_rate=experiment.learning_rate)
    before = [model.evaluate(s.inputs.astype(np.float32), s.targets, batch_size=experiment.batch_size, verbose=0)
              for s in (train, val)]
    keras.utils.set_random_seed(seed)
    history = model.fit(train.inputs, train.targets, epochs=experiment.finetune_epochs,
                        batch_size=experiment.batch_size, validation_data=(val.inputs, val.targets),
                        verbose=0).history
    return {"loss": [before[0]] + history["loss"], "val_loss": [before[1]] + history["val_loss"]}


def run_experiment(experiment: WepsamExperiment, pretrain_folder, mit1003_root, cache_dir,
                   pretrain_name: str = "OSIE stimuli", progress: bool = True,
                   log: Callable[[str], None] = print) -> Tuple[dict, WEPSAM]:
    """Runs the three steps; returns ``(results, the first seed's pre-trained + fine-tuned model)``.

    ``pretrain_folder``: the unlabeled images (``pretrain_name`` in the setup text); ``mit1003_root``:
    MIT1003 in the FixaTons layout; ``cache_dir``: the pseudo-label cache.

    ``results``: ``"setup"`` (data sizes, entropy filter, settings), ``"table"`` ({row of ``ROWS``:
    {metric: [value per seed]}}), ``"curves"`` ({PRE, RND: [{"loss", "val_loss"} per seed]}),
    ``"pretrain_curves"`` and ``"reference_mse"`` (the MSE of the mean map for each curve).
    """
    pretrain_folder = Path(pretrain_folder)
    settings = PseudoLabelSettings(gbvs_max_side=experiment.gbvs_max_side)
    source = folder_source(pretrain_folder)
    if experiment.pretrain_images is not None:
        source = first_images(source, experiment.pretrain_images)
    cache_hit = is_cached(source, cache_dir, settings)
    labels = build_pseudo_labels(source, cache_dir, settings, progress=progress)
    entropies = labels.entropies()
    kept = labels.filtered(experiment.keep_fraction)
    threshold = float(kept.entropies().max())
    log(f"pseudo-labels: {len(labels.ids)} images, kept {len(kept.ids)} (entropy <= {threshold:.3f} bits)")
    order = np.random.default_rng(0).permutation(len(kept.ids))
    n_val = max(1, len(order) // 10)
    pre_val, pre_train = np.sort(order[:n_val]), np.sort(order[n_val:])
    reference = {"pretrain_val": mean_map_mse(kept.maps[pre_train], kept.maps[pre_val])}

    data = load_finetune_sets(mit1003_root, experiment.finetune_images)
    test = data["test"]
    reference.update(finetune_train=mean_map_mse(data["train"].targets, data["train"].targets),
                     finetune_val=mean_map_mse(data["train"].targets, data["validation"].targets))
    table = {name: {m: [] for m in METRICS} for name in ROWS}
    for name, maps in ((ROWS[0], gbvs_maps(test.originals, settings)),
                       (ROWS[1], mean_target_maps(data["train"].targets.mean(0), test.sizes))):
        for metric, value in test.evaluate(maps).items():
            table[name][metric].append(value)
    log("data and baselines ready")

    curves, pretrain_curves, first_model = {PRE: [], RND: []}, [], None
    for seed in experiment.seeds:
        model = make_model(experiment, seed)
        pretrain_curves.append(pretrain(model, kept.images[pre_train], kept.maps[pre_train],
                                        (kept.images[pre_val], kept.maps[pre_val]), experiment, seed))
        for name in (ROWS[2], ROWS[3]):
            if name == ROWS[3]:
                curves[PRE].append(finetune(model, data, experiment, seed))
            for metric, value in test.evaluate(saliency_maps(model, test.originals)).items():
                table[name][metric].append(value)
        first_model = first_model or model
        model = make_model(experiment, seed)
        curves[RND].append(finetune(model, data, experiment, seed))
        for metric, value in test.evaluate(saliency_maps(model, test.originals)).items():
            table[ROWS[4]][metric].append(value)
        log(f"seed {seed} done")
    setup = {"pretrain_set": f"{pretrain_name} ({len(labels.ids)} images of {pretrain_folder.name}/)",
             "pretrain_total": len(labels.ids), "pretrain_kept": len(kept.ids), "pretrain_val": n_val,
             "keep_fraction": experiment.keep_fraction, "entropy_threshold": threshold,
             "entropy_all": [float(np.min(entropies)), float(np.median(entropies)), float(np.max(entropies))],
             "gbvs_max_side": experiment.gbvs_max_side, "pretrain_epochs": experiment.pretrain_epochs,
             "cache_hit": cache_hit,
             "finetune_set": f"MIT1003 ({sum(len(s.ids) for s in data.values())} images, FixaTons layout; "
                             "10-fold split by image id, fold 0, seed 0)",
             "n_train": len(data["train"].ids), "n_val": len(data["validation"].ids), "n_test": len(test.ids),
             "clipped": sum(s.clipped for s in data.values()), "finetune_epochs": experiment.finetune_epochs,
             "conv_filters": list(experiment.conv_filters), "hidden_units": experiment.hidden_units,
             "parameters": first_model.count_params(), "learning_rate": experiment.learning_rate,
             "batch_size": experiment.batch_size, "seeds": list(experiment.seeds)}
    results = {"setup": setup, "table": table, "curves": curves, "pretrain_curves": pretrain_curves,
               "reference_mse": reference}
    return results, first_model
