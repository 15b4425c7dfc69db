"""DeepGaze IIE on MIT1003: cross-validated maximum-likelihood readouts on frozen backbones, ensembles, OSIE.

The protocol is the package's (``keras_saliency.evaluation.CrossValidation``): 10 folds (test = fold f,
validation = fold f+1), the centre bias fitted on the training folds, information gain over it, all
Table 1 metrics, the leave-one-subject-out gold standard, OSIE out of domain with the same models,
equal-mass calibration histograms and one ``fold<f>.json`` per fold. The DeepGaze part
(``keras_saliency.zoo.deepgaze.run_fold``): per backbone the frozen features are computed once, then
``--instances`` readouts are trained (Adam 1e-3, x0.1 every ``--decay-every`` epochs, early stopping on
validation information gain) and scored with their mixtures, pairs and the all-backbone mixture. Data:
MIT1003 (FixaTons layout) and OSIE through ``keras_saliency.data.read_fixation_images``, images scaled by
``--scale`` (the model then halves them, as the reference).

Usage:
  python examples/train_deepgaze.py --quick             (stand-in random CNN, 12 + 8 images, 1 fold, ~1 min)
  python examples/train_deepgaze.py --backbones efficientnet_lite0 efficientnet_lite1 efficientnet_lite2 \\
      --backbone-weights imagenet --instances 2 --scale 0.5 --run-folds 0 --cache-dir runs/cache --output runs/dg
  python examples/train_deepgaze.py --summarise-only --output runs/dg      (tables + figure of all folds run)
Every number written is a test-fold number; ``summary.md`` averages the folds found in ``--output``
and counts the folds where each of the paper's claims holds.

Pre-training (the paper's SALICON stage, ``keras_saliency.zoo.deepgaze.pretrain_readouts``):
``--pretrain-data DIR --pretrain-dataset salicon`` (or ``osie``) first trains the readouts on that
dataset (10 % of it held out for early stopping) and saves ``<backbone>_pretrained_<DATASET>.weights.h5``
in ``--output``; every fold's readouts then start from them:
  python examples/train_deepgaze.py --backbones efficientnet_lite0 --backbone-weights imagenet \
      --pretrain-data path/to/SALICON --pretrain-dataset salicon --cache-dir runs/cache --output runs/dg_salicon
"""


from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from keras_saliency.data import read_fixation_images
from keras_saliency.evaluation import CrossValidation, EvaluationImages
from keras_saliency.presets import machine_paths
from keras_saliency.zoo import deepgaze

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
# The smoke run tests/examples/test_examples_quick.py makes: extra arguments after --quick, the ../shared
# paths it needs and the files it must write (relative to the working directory).
QUICK_RUN = {"args": ["--output", "deepgaze_run", "--export-presets", "presets"],
             "shared": ["data/mit1003/SCANPATHS", "data/osie/fixations.mat"],
             "outputs": ["deepgaze_run/fold0.json", "deepgaze_run/summary.json", "deepgaze_run/summary.md",
                         "deepgaze_run/calibration.png", "deepgaze_run/standin_fold0.weights.h5",
                         "presets/deepgaze_ii_standin_mit1003/model.weights.h5"]}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: stand-in backbone, 12 MIT1003 + 8 OSIE images "
                                                         "at 1/4 size, fold 0 of 4, 2 instances, 2 epochs, eager")
    ap.add_argument("--data", type=Path, default=SHARED / "mit1003", help="MIT1003 in the FixaTons layout")
    ap.add_argument("--ood-data", type=Path, default=SHARED / "osie", help="OSIE (stimuli/, fixations.mat); "
                                                                           "skipped when absent")
    ap.add_argument("--backbones", nargs="+", default=None,
                    help="keras_saliency.backbones names (default taps) or 'standin' (default: efficientnet_lite0; "
                         "standin with --quick)")
    ap.add_argument("--backbone-weights", default=None, help="'imagenet' or a weights path (backbones.get)")
    ap.add_argument("--instances", type=int, default=3, help="readouts trained per backbone and fold")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--run-folds", type=int, nargs="+", default=None, help="which folds to run (default all)")
    ap.add_argument("--count", type=int, default=None, help="first N MIT1003 images only")
    ap.add_argument("--ood-count", type=int, default=None, help="first N OSIE images only")
    ap.add_argument("--scale", type=float, default=1.0, help="image scale factor before the model")
    ap.add_argument("--epochs", type=int, default=None, help="default: until the rate falls below 1e-7")
    ap.add_argument("--decay-every", type=int, default=15, help="epochs between x0.1 learning-rate steps")
    ap.add_argument("--patience", type=int, default=15)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--cache-dir", type=Path, default=None, help="feature cache folder (default: in memory)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output", type=Path, default=Path("deepgaze_run"))
    ap.add_argument("--pretrain-data", type=Path, default=None,
                    help="pre-train the readouts on this dataset folder first (SALICON's role in the paper)")
    ap.add_argument("--pretrain-dataset", default="salicon", choices=("salicon", "osie"),
                    help="layout of --pretrain-data (salicon: images/, fixations/, maps/ with a train split)")
    ap.add_argument("--pretrain-count", type=int, default=None, help="first N pre-training images only")
    ap.add_argument("--summarise-only", action="store_true", help="only rebuild summary.md from fold*.json")
    ap.add_argument("--export-presets", type=Path, default=None,
                    help="after summarising, save the ensemble and the best single backbone as presets here")
    args = ap.parse_args(argv)
    args.command = "python examples/train_deepgaze.py " + " ".join(sys.argv[1:] if argv is None else argv)
    paths = machine_paths(args.command) if args.export_presets else []
    if paths:
        ap.error(f"--export-presets: the presets record this command; give paths relative to here, not {paths}")
    if args.summarise_only:
        args.backbones = args.backbones or ["efficientnet_lite0"]
        return args
    args.backbones = args.backbones or (["standin"] if args.quick else ["efficientnet_lite0"])
    if args.pretrain_data is not None and args.pretrain_dataset == "osie" and (args.ood_data / "fixations.mat").is_file():
        ap.error("--pretrain-dataset osie: OSIE would be both pre-training and out-of-domain data; "
                 "pass --ood-data of another dataset (or a folder without one)")
    if args.quick:
        args.count, args.ood_count, args.scale, args.folds, args.run_folds = 12, 8, 0.25, 4, [0]
        args.instances, args.epochs, args.patience, args.batch_size = 2, 2, None, 2
    return args


def read(name, root, scale, count):
    """The dataset at ``root`` as EvaluationImages, or exit with the loader's message when it is absent."""
    try:
        return EvaluationImages(read_fixation_images(name, root, count), scale)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None


def summarise(args, data=None):
    """summary.md / summary.json / calibration.png of the folds in --output, then the presets if asked."""
    try:
        summary = deepgaze.summarise(args.output)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None
    if args.export_presets:
        data = data or read("mit1003", args.data, args.scale, args.count)
        deepgaze.export_fold_presets(args.output, args.export_presets, data, args.backbones, args.instances,
                                     args.backbone_weights, args.scale, args.command)
    return summary


def main(argv=None):
    args = parse_args(argv)
    if args.summarise_only:
        return summarise(args)
    data = read("mit1003", args.data, args.scale, args.count)
    ood = None
    if (args.ood_data / "fixations.mat").is_file():
        ood = read("osie", args.ood_data, args.scale, args.ood_count)
    args.output.mkdir(parents=True, exist_ok=True)
    protocol = CrossValidation(data, ood, k=args.folds)
    print(f"{data.name}: {len(data.ids)} images, {sum(map(len, data.fixations))} fixations ({data.clipped} clipped); "
          f"OSIE: {len(ood.ids) if ood else 0} images; gold-standard bandwidth {protocol.bandwidth} "
          f"({protocol.bandwidth_scores})", flush=True)
    extractors = {name: deepgaze.make_extractor(name, args.backbone_weights if name != "standin" else None)
                  for name in args.backbones}
    caches = deepgaze.cache_features(extractors, protocol, args.cache_dir, args.scale)
    training = deepgaze.ReadoutTraining(instances=args.instances, epochs=args.epochs, decay_every=args.decay_every,
                                        patience=args.patience, batch_size=args.batch_size, seed=args.seed,
                                        run_eagerly=args.quick)
    initial = None
    if args.pretrain_data is not None:
        images = read(args.pretrain_dataset, args.pretrain_data, args.scale, args.pretrain_count)
        initial = deepgaze.pretrain_readouts(extractors, images, training, args.output, args.cache_dir, args.scale)
    for fold in args.run_folds or range(args.folds):
        result = deepgaze.run_fold(protocol, fold, extractors, caches, training, args.output, initial_weights=initial)
        protocol.finish(result, args.command)
        (args.output / f"fold{fold}.json").write_text(json.dumps(result, indent=1))
        print(f"fold {fold}: " + ", ".join(f"{k}: IG {v['information_gain']:.3f}"
                                           for k, v in result["in_domain"].items()), flush=True)
    return summarise(args, data)


if __name__ == "__main__":
    main()
