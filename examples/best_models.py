"""The best models without a download: levers screened on MIT1003's 10-fold protocol, OSIE out of domain.

The protocol is the package's (``keras_saliency.evaluation.CrossValidation``; test = fold f, validation = fold
f+1, the centre bias fitted on the training folds, information gain over it, all Table 1 metrics, the LOSO
gold standard, OSIE scored with the same models and centre bias, one ``fold<f>.json`` per fold). Per fold:

- DeepGaze IIE readouts on frozen backbones (``keras_saliency.zoo.deepgaze.train_readouts``: the recipe of
  ``docs/results/deepgaze/``) with their ensembles;
- UNISAL with its EfficientNet-Lite0 encoder fine-tuned end to end on the fold's MIT1003 training images
  only (``keras_saliency.zoo.unisal.unisal_fitting.fit_unisal``; no candidate here sees OSIE, so OSIE stays out
  of domain for all of them);
- the levers on top: test-time horizontal flip (``keras_saliency.models.FlipAveragedModel``'s rule: the
  mirrored prediction of the mirrored image averaged in probability space) and cross-family mixtures
  (UNISAL + DeepGaze, equal weights or weights fitted on the validation fold by
  ``keras_saliency.evaluation.fit_mixture_weights``);
- more training data: UNISAL trained jointly on the fold's MIT1003 training images and OSIE images
  ``--ood-count`` .. ``--ood-count + --osie-train-count`` as a second domain (UNISAL's domain-adaptive way).
  It has seen OSIE, so its rows are not in the out-of-domain table: they are scored on MIT1003's test fold
  and, in domain, on the held-out first ``--ood-count`` OSIE images (predicted with its OSIE domain) over a
  centre bias fitted on the OSIE training images (``osie_in_domain`` in the fold JSON; the MIT1003-only
  rows are scored there too, over the same centre bias, for comparison);
- calibration: a monotone nonlinearity of the density (``keras_saliency.density_calibration``) fitted on the
  validation fold's predictions of a row ("calibrated on validation"; mixture weights first, then it);
- OSIE pre-training of the DeepGaze readouts (the paper's SALICON stage with OSIE in SALICON's role:
  ``deepgaze.pretrain_readouts`` on the joint UNISAL's OSIE images, then every fold's readouts start from them,
  saved under ``osie_pretrained/``); it has seen OSIE too, so its rows are scored like the joint UNISAL's.

``--levers`` chooses which of the last three run (default all; the 10-fold confirmation runs the chosen ones).

Usage (repository root, ``PYTHONPATH=.``):
  python examples/best_models.py --quick                  (stand-in backbone, tiny UNISAL, 1 fold of 4, ~2 min)
  python examples/best_models.py --run-folds 0 --cache-dir runs/cache --output runs/best
  python examples/best_models.py --summarise-only --output runs/best
A fold whose ``fold<f>.json`` exists and holds every row of this version is not run again (one that lacks a
row is rerun: saved weights are loaded, so its earlier rows come out the same). Saved and reused by a rerun:
the readouts (``<backbone>_fold<f>.weights.h5``, ``osie_pretrained/``, ``<backbone>_pretrained_OSIE.weights.h5``),
UNISAL's weights (``unisal_fold<f>.weights.h5``, ``unisal_osie_fold<f>.weights.h5``) and the feature caches.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
# The smoke run tests/examples/test_examples_quick.py makes (see train_deepgaze.py's QUICK_RUN).
QUICK_RUN = {"args": ["--output", "best_run"],
             "shared": ["data/mit1003/SCANPATHS", "data/osie/fixations.mat"],
             "outputs": ["best_run/fold0.json", "best_run/summary.json", "best_run/summary.md",
                         "best_run/unisal_fold0.weights.h5", "best_run/unisal_osie_fold0.weights.h5",
                         "best_run/standin_pretrained_OSIE.weights.h5",
                         "best_run/osie_pretrained/standin_fold0.weights.h5"]}
UNISAL_ROW, DEEPGAZE_ROW = "UNISAL (fine-tuned Lite0)", "DeepGaze all backbones"
JOINT_ROW = "UNISAL MIT1003 + OSIE (fine-tuned Lite0)"
OSIE_IN_DOMAIN = "osie_in_domain"
CALIBRATED = "calibrated on validation"
PRETRAINED_ROW = "DeepGaze all backbones, OSIE pre-trained"
LEVERS = ("joint", "calibration", "osie_pretraining")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: stand-in DeepGaze backbone, 12 MIT1003 + 4 OSIE "
                                                         "images at 1/4 size, fold 0 of 4, UNISAL 1 epoch at 64x96")
    ap.add_argument("--data", type=Path, default=SHARED / "mit1003", help="MIT1003 in the FixaTons layout")
    ap.add_argument("--ood-data", type=Path, default=SHARED / "osie", help="OSIE (stimuli/, fixations.mat)")
    ap.add_argument("--backbones", nargs="+", default=None,
                    help="DeepGaze backbones (default: efficientnet_lite0 efficientnet_lite1 efficientnet_lite2)")
    ap.add_argument("--instances", type=int, default=2, help="DeepGaze readouts per backbone and fold")
    ap.add_argument("--epochs", type=int, default=8, help="DeepGaze readout epochs")
    ap.add_argument("--decay-every", type=int, default=3)
    ap.add_argument("--patience", type=int, default=3)
    ap.add_argument("--unisal-epochs", type=int, default=6)
    ap.add_argument("--unisal-size", type=int, nargs=2, default=(288, 384))
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--run-folds", type=int, nargs="+", default=None, help="which folds to run (default all)")
    ap.add_argument("--count", type=int, default=None, help="first N MIT1003 images only")
    ap.add_argument("--ood-count", type=int, default=300, help="first N OSIE images: the out-of-domain set")
    ap.add_argument("--osie-train-count", type=int, default=400,
                    help="the next N OSIE images: the joint UNISAL's second training domain")
    ap.add_argument("--scale", type=float, default=0.5, help="evaluation scale of the images")
    ap.add_argument("--levers", nargs="*", choices=LEVERS, default=list(LEVERS),
                    help="the optional levers to run (default all)")
    ap.add_argument("--cache-dir", type=Path, default=None, help="feature caches (default: in memory)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output", type=Path, default=Path("best_run"))
    ap.add_argument("--summarise-only", action="store_true")
    args = ap.parse_args(argv)
    args.command = "python examples/best_models.py " + " ".join(sys.argv[1:] if argv is None else argv)
    args.backbones = args.backbones or (["standin"] if args.quick else
                                        ["efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2"])
    args.weights = {"standin": None}
    if args.quick:
        args.count, args.ood_count, args.scale, args.folds, args.run_folds = 12, 4, 0.25, 4, [0]
        args.osie_train_count = 4
        args.instances, args.epochs, args.patience, args.unisal_epochs = 1, 1, None, 1
        args.unisal_size = (64, 96)
    return args


def mirrored(log_densities):
    """The images' log-densities mirrored left-right (column j -> W - 1 - j)."""
    return [np.ascontiguousarray(d[:, ::-1]) for d in log_densities]


def split_images(protocol, fold):
    """``{split: (dataset, indices)}`` of the splits every candidate predicts."""
    splits = {"test": (protocol.data, fold.indices["test"]), "validation": (protocol.data, fold.indices["validation"])}
    if protocol.ood is not None:
        splits["out_of_domain"] = (protocol.ood, list(range(len(protocol.ood.ids))))
    return splits


def deepgaze_flipped(protocol, fold, extractors, models, args, splits):
    """``{split: [log-densities]}`` of the all-backbone DeepGaze mixture on the mirrored images, mirrored back."""
    from keras_saliency.fixations import Fixations
    from keras_saliency.zoo import deepgaze
    from keras_saliency.zoo.deepgaze.deepgaze_ensembles import mixture

    out = {}
    for split, (data, indices) in splits.items():
        members = []
        for name, extractor in extractors.items():
            folder = f"{name}_{data.name}_scale{args.scale:g}_mirrored"
            directory = None if args.cache_dir is None else args.cache_dir / folder
            ids = [data.ids[i] for i in indices]
            features = deepgaze.FeatureCache(deepgaze.DeepGazeII(extractor), directory).get_many(
                ids, lambda image_id: np.ascontiguousarray(data.load_image(image_id)[:, ::-1]),
                [data.sizes[i] for i in indices])
            fixations = [Fixations(np.minimum(data.sizes[i][1] - data.fixations[i].x, data.sizes[i][1] - 1e-3),
                                   data.fixations[i].y) for i in indices]  # targets only: unused by prediction
            dataset = deepgaze.ReadoutDataset(features, fixations, [data.sizes[i] for i in indices],
                                              lambda size: np.ascontiguousarray(fold.center_bias(size)[:, ::-1]),
                                              batch_size=4, shuffle=False)
            members += [mirrored(deepgaze.predict_readout(models[name].readout_model([k]), dataset))
                        for k in range(args.instances)]
        out[split] = mixture(members)
    return out


def unisal_predictions(protocol, fold, args, splits, name="unisal", extra_domains=None):
    """``({split: log-densities}, {split: flip-averaged log-densities}, training record)`` of the fold's UNISAL
    (``name``), trained on the fold's MIT1003 training images and ``extra_domains`` ``{domain: FixationImages}``.

    Out-of-domain (OSIE) images are predicted with the ``osie`` domain where the model has one, else with
    ``mit1003``'s."""
    from keras_saliency.evaluation import predicted_log_densities
    from keras_saliency.zoo.unisal import UNISAL
    from keras_saliency.zoo.deepgaze.deepgaze_ensembles import mixture
    from keras_saliency.zoo.unisal.unisal_fitting import UNISALTraining, fit_unisal

    extra_domains = extra_domains or {}
    path = args.output / f"{name}_fold{fold.number}.weights.h5"
    training = UNISALTraining(image_size=tuple(args.unisal_size), epochs=args.unisal_epochs, seed=args.seed,
                              encoder_weights=None if args.quick else "imagenet", run_eagerly=args.quick,
                              batch_size=4 if args.quick else 8)
    train = fold.indices["train"]
    record = {"epochs": training.epochs, "image_size": list(training.image_size), "images": len(train),
              **{f"{domain}_images": len(images) for domain, images in extra_domains.items()}}
    domains = ["mit1003", *extra_domains]
    if path.is_file():
        model = UNISAL(domains=domains, static_domains=domains, encoder=training.encoder)
        model.predict_log_density(np.zeros((1, 64, 64, 3), np.float32))  # builds the weights
        model.load_weights(path)
        record["loaded"] = path.name
    else:
        sources = {"mit1003": (protocol.data.images.as_dataset(train), len(train)),
                   **{domain: (images.as_dataset(), len(images)) for domain, images in extra_domains.items()}}
        model, history, seconds = fit_unisal(sources, training)
        model.save_weights(path)
        record.update(seconds=round(seconds, 1), loss_by_epoch=[round(float(v), 4) for v in history.history["loss"]])
    plain, flipped = {}, {}
    for split, (data, indices) in splits.items():
        domain = "osie" if split == "out_of_domain" and "osie" in domains else "mit1003"
        plain[split] = predicted_log_densities(_Predictor(model, domain), data, indices, progress=False)
        # FlipAveragedModel(model)'s rule, reusing the plain predictions: 2 passes per image instead of 3
        mirrored_back = predicted_log_densities(_Predictor(model, domain, mirrored=True), data, indices,
                                                progress=False)
        flipped[split] = mixture([plain[split], mirrored_back])
    return plain, flipped, record


class _Predictor:
    """UNISAL ``model``'s prediction in ``domain``; ``mirrored``: its mirrored prediction of the mirrored images
    (one half of ``FlipAveragedModel``)."""

    def __init__(self, model, domain, mirrored=False):
        self.model, self.domain, self.mirrored = model, domain, mirrored

    def predict_log_density(self, images):
        if not self.mirrored:
            return self.model.predict_log_density(images, domain=self.domain)
        return self.model.predict_log_density(np.ascontiguousarray(images[:, :, ::-1]),
                                              domain=self.domain)[:, :, ::-1]


def candidates(args, first):
    """``{row: (members, fit the weights on the validation fold, calibrate on the validation fold)}`` of the lever
    rows built from the members."""
    rows = {
        f"{DEEPGAZE_ROW} + flip": (["deepgaze_flip"], False),
        UNISAL_ROW: (["unisal"], False),
        f"{UNISAL_ROW} + flip": (["unisal_flip"], False),
        f"{UNISAL_ROW} + {DEEPGAZE_ROW}, equal weights": (["unisal", "deepgaze"], False),
        f"{UNISAL_ROW} + {DEEPGAZE_ROW}, validation weights": (["unisal", "deepgaze"], True),
        f"{UNISAL_ROW} + {DEEPGAZE_ROW} + flip, validation weights": (["unisal_flip", "deepgaze_flip"], True),
        f"{UNISAL_ROW} + {first} x{args.instances}, validation weights": (["unisal", "deepgaze_first"], True),
        f"{UNISAL_ROW} + flip + {first} x{args.instances}, validation weights": (["unisal_flip", "deepgaze_first"],
                                                                                   True),
    }
    if "joint" in args.levers:
        rows.update({
            JOINT_ROW: (["joint"], False),
            f"{JOINT_ROW} + flip": (["joint_flip"], False),
            f"{JOINT_ROW} + {DEEPGAZE_ROW} + flip, validation weights": (["joint_flip", "deepgaze_flip"], True),
            # fast-default candidates: DeepGaze (the costlier member) without its mirrored pass
            f"{JOINT_ROW} + {DEEPGAZE_ROW}, validation weights": (["joint", "deepgaze"], True),
            f"{JOINT_ROW} + flip + {DEEPGAZE_ROW}, validation weights": (["joint_flip", "deepgaze"], True),
            f"{JOINT_ROW} + {UNISAL_ROW} + {DEEPGAZE_ROW} + flip, validation weights":
                (["joint_flip", "unisal_flip", "deepgaze_flip"], True)})
    if "osie_pretraining" in args.levers:
        rows.update({PRETRAINED_ROW: (["pretrained"], False), f"{PRETRAINED_ROW} + flip": (["pretrained_flip"], False),
                     f"{UNISAL_ROW} + {PRETRAINED_ROW} + flip, validation weights":
                         (["unisal_flip", "pretrained_flip"], True)})
        if "joint" in args.levers:
            rows[f"{JOINT_ROW} + {PRETRAINED_ROW} + flip, validation weights"] = (["joint_flip", "pretrained_flip"],
                                                                                 True)
    rows = {row: (members, fitted, False) for row, (members, fitted) in rows.items()}
    if "calibration" in args.levers:
        best = [f"{DEEPGAZE_ROW} + flip", f"{UNISAL_ROW} + flip",
                f"{UNISAL_ROW} + {DEEPGAZE_ROW} + flip, validation weights"]
        if "joint" in args.levers:  # the last two: the best and the default presets' mixtures
            best += [f"{JOINT_ROW} + {UNISAL_ROW} + {DEEPGAZE_ROW} + flip, validation weights",
                     f"{JOINT_ROW} + {DEEPGAZE_ROW} + flip, validation weights",
                     f"{JOINT_ROW} + {DEEPGAZE_ROW}, validation weights"]
        for row in best:
            rows[f"{row}, {CALIBRATED}"] = rows[row][:2] + (True,)
    return rows


def saw_osie(members) -> bool:
    return any(m.startswith(("joint", "pretrained")) for m in members)


def readout_training(args):
    from keras_saliency.zoo import deepgaze

    return deepgaze.ReadoutTraining(instances=args.instances, epochs=args.epochs, decay_every=args.decay_every,
                                    patience=args.patience, batch_size=2 if args.quick else 4, seed=args.seed,
                                    run_eagerly=args.quick)


def run_fold(protocol, number, extractors, caches, args, osie_train, pretrained):
    """One fold's result; ``osie_train``: (FixationImages, CenterBiasMaps) of the joint UNISAL's OSIE images;
    ``pretrained``: ``{backbone: readouts pre-trained on them}`` (None without that lever)."""
    from keras_saliency.density_calibration import fit_density_calibration
    from keras_saliency.evaluation import CENTRE_BIAS, GOLD_STANDARD, fit_mixture_weights
    from keras_saliency.zoo import deepgaze
    from keras_saliency.zoo.deepgaze.deepgaze_ensembles import mixture

    fold = protocol.fold(number)
    result = protocol.start(fold)
    start = time.perf_counter()
    training = readout_training(args)
    predictions, models = deepgaze.train_readouts(protocol, fold, extractors, caches, training, args.output, result,
                                                  reuse_saved=True)
    deepgaze.add_ensemble_rows(protocol, fold, result, predictions, list(extractors), args.instances)
    splits = split_images(protocol, fold)
    rows = {"deepgaze": {s: mixture([p for n in extractors for p in predictions[s][n]]) for s in splits}}
    rows["deepgaze_mirrored"] = deepgaze_flipped(protocol, fold, extractors, models, args, splits)
    rows["deepgaze_flip"] = {s: mixture([rows["deepgaze"][s], rows["deepgaze_mirrored"][s]]) for s in splits}
    result["times"] = {"deepgaze_seconds": round(time.perf_counter() - start, 1)}
    rows["unisal"], rows["unisal_flip"], result["unisal_training"] = unisal_predictions(protocol, fold, args, splits)
    osie_images, osie_bias = osie_train
    if "joint" in args.levers:
        rows["joint"], rows["joint_flip"], result["unisal_osie_training"] = unisal_predictions(
            protocol, fold, args, splits, "unisal_osie", {"osie": osie_images})
    if pretrained is not None:  # its own training record: the rows of result["training"] are the plain readouts'
        record = {"training": {}}
        pre_predictions, pre_models = deepgaze.train_readouts(protocol, fold, extractors, caches, training,
                                                              args.output / "osie_pretrained", record,
                                                              reuse_saved=True, initial_weights=pretrained)
        result["osie_pretrained_training"] = record["training"]
        rows["pretrained"] = {s: mixture([p for n in extractors for p in pre_predictions[s][n]]) for s in splits}
        mirrored_back = deepgaze_flipped(protocol, fold, extractors, pre_models, args, splits)
        rows["pretrained_flip"] = {s: mixture([rows["pretrained"][s], mirrored_back[s]]) for s in splits}
    first = list(extractors)[0]
    rows["deepgaze_first"] = {s: mixture(predictions[s][first]) for s in splits}
    validation = [protocol.data.fixations[i] for i in fold.indices["validation"]]
    everything = range(len(protocol.ood.ids))
    osie = result[OSIE_IN_DOMAIN] = {
        CENTRE_BIAS: protocol.score([osie_bias(s).astype(np.float64) for s in protocol.ood.sizes], protocol.ood,
                                    everything, osie_bias),
        GOLD_STANDARD: protocol.gold["out_of_domain"].row(everything, osie_bias)}
    result["mixture_weights"] = {}
    for row, (members, fitted, calibrated) in candidates(args, first).items():
        weights = None
        if fitted:
            weights = fit_mixture_weights([rows[m]["validation"] for m in members], validation)
            result["mixture_weights"][row] = dict(zip(members, weights.round(4).tolist()))
        parts = {s: mixture([rows[m][s] for m in members], weights) if len(members) > 1 else rows[members[0]][s]
                 for s in splits}
        if calibrated:
            calibration = fit_density_calibration(parts["validation"], validation)
            result.setdefault("calibrations", {})[row] = calibration.get_config()
            parts = {s: [calibration(d) for d in parts[s]] for s in splits}
        if saw_osie(members):  # OSIE is in domain for it: scored over the OSIE training images' centre bias only
            result["in_domain"][row] = protocol.score(parts["test"], protocol.data, fold.indices["test"],
                                                      fold.center_bias)
        else:
            protocol.add_rows(result, fold, row, parts["test"], parts["out_of_domain"])
        osie[row] = protocol.score(parts["out_of_domain"], protocol.ood, everything, osie_bias)
    result["times"]["fold_seconds"] = round(time.perf_counter() - start, 1)
    return result


def levers_section(runs, summary):
    """Summary section: each row's information gain against the DeepGaze all-backbone ensemble (with one
    backbone: its first readout), fold by fold, over the folds that hold the row."""
    rows = list(dict.fromkeys(row for run in runs for row in run["in_domain"]))
    base = next((r for r in rows if r.startswith("all ")), next(r for r in rows if r.endswith(" #0")))
    lines = ["## Against the DeepGaze ensemble", "", f"Per row the mean over folds of IG(row) - IG({base}) in "
             "bits/fixation and the folds where the row is ahead.", "",
             "| row | MIT1003 gain | ahead on | OSIE gain | ahead on |", "|---|---|---|---|---|"]
    entries = {}
    for row in rows:
        if row in ("centre bias", "gold standard (LOSO)", base):
            continue
        cells, entries[row] = [], {}
        for domain in ("in_domain", "out_of_domain"):
            holding = [run for run in runs if row in run[domain]]
            if not holding:  # a row that saw OSIE: see the OSIE in-domain section
                cells += ["–", "–"]
                continue
            gains = np.array([run[domain][row]["information_gain"] - run[domain][base]["information_gain"]
                              for run in holding])
            entries[row][domain] = {"gain": float(gains.mean()), "ahead": int((gains > 0).sum()),
                                    "folds": len(holding)}
            cells += [f"{gains.mean():+.3f}", f"{(gains > 0).sum()} / {len(holding)}"]
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return lines + [""], {"against_deepgaze_ensemble": {"baseline": base, "rows": entries}}


def osie_section(runs, summary):
    """Summary section: OSIE's held-out images in domain, over the centre bias of the OSIE-seeing levers' images."""
    from keras_saliency.evaluation import domain_summary, domain_table

    if not any(OSIE_IN_DOMAIN in run for run in runs):
        return [], {}
    table = domain_summary(runs, OSIE_IN_DOMAIN)
    lines = domain_table(table, f"OSIE, first {runs[0]['ood_images']} images, in domain for the OSIE-seeing levers")
    note = ("Information gain over a centre bias fitted on the OSIE training images of the OSIE-seeing levers "
            "(never these); rows without \"OSIE\" in their name never saw OSIE and are out of domain here too.")
    return [lines[0], "", note] + lines[1:], {OSIE_IN_DOMAIN: table}


def first_images(images, start, stop=None):
    """``images`` (a FixationImages) reduced to its images ``start`` .. ``stop``."""
    import dataclasses

    cut = slice(start, stop)
    return dataclasses.replace(images, ids=images.ids[cut], paths=images.paths[cut], sizes=images.sizes[cut],
                               fixations=images.fixations[cut])


def main(argv=None):
    args = parse_args(argv)
    from keras_saliency.atomic_write import atomic_write
    from keras_saliency.evaluation import summarise_folds

    if not args.summarise_only:
        from keras_saliency.data import read_fixation_images
        from keras_saliency.evaluation import CenterBiasMaps, CrossValidation, EvaluationImages
        from keras_saliency.maps import EmpiricalCenterBias
        from keras_saliency.zoo import deepgaze

        try:
            data = EvaluationImages(read_fixation_images("mit1003", args.data, args.count), args.scale)
            osie = read_fixation_images("osie", args.ood_data, args.ood_count + args.osie_train_count)
        except FileNotFoundError as error:
            raise SystemExit(str(error)) from None
        if len(osie) <= args.ood_count:
            raise SystemExit(f"{args.ood_data} holds {len(osie)} images: none is left for the joint UNISAL after "
                             f"the first --ood-count {args.ood_count}.")
        ood = EvaluationImages(first_images(osie, 0, args.ood_count), args.scale)
        osie_train = EvaluationImages(first_images(osie, args.ood_count), args.scale)
        osie_bias = CenterBiasMaps(EmpiricalCenterBias.fit(osie_train.fixations, osie_train.sizes))
        args.output.mkdir(parents=True, exist_ok=True)
        protocol = CrossValidation(data, ood, k=args.folds)
        extractors = {name: deepgaze.make_extractor(name, args.weights.get(name, "imagenet"))
                      for name in args.backbones}
        caches = deepgaze.cache_features(extractors, protocol, args.cache_dir, args.scale)
        pretrained = None
        if "osie_pretraining" in args.levers:
            pretrained = deepgaze.pretrain_readouts(extractors, osie_train, readout_training(args), args.output,
                                                    args.cache_dir, args.scale)
        for number in args.run_folds or range(args.folds):
            path = args.output / f"fold{number}.json"
            expected = set(candidates(args, args.backbones[0]))
            if path.is_file() and expected <= set(json.loads(path.read_text())["in_domain"]):
                print(f"fold {number}: {path} exists, not run again", flush=True)
                continue
            result = protocol.finish(run_fold(protocol, number, extractors, caches, args,
                                              (osie_train.images, osie_bias), pretrained), args.command)
            atomic_write(path, lambda handle: handle.write(json.dumps(result, indent=1).encode()))
            print(f"fold {number}: " + ", ".join(f"{k}: IG {v['information_gain']:.3f}"
                                                 for k, v in result["in_domain"].items()), flush=True)
    try:
        return summarise_folds(args.output, (levers_section, osie_section))
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
