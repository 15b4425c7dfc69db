"""The best preset and the fast default, built by the recipe that ``examples/best_models.py`` measured.

1. The UNISAL member (preset ``unisal_lite0_mit1003_osie_full``): ``best_models.py``'s joint UNISAL recipe
   (EfficientNet-Lite0 from ImageNet fine-tuned end to end, 6 epochs at 288x384, seed 0, domains ``mit1003``
   and ``osie``) trained on all 1003 MIT1003 images and OSIE images ``--ood-count`` .. ``--ood-count +
   --osie-train-count`` (300..699). OSIE's first 300 images stay unseen by every member: the presets' held-out
   check (``tests/hub/test_shipped_presets.py``, ``benchmarks/best_presets.py``).
2. The mixtures (`keras_saliency.models.MixtureModel` of preset names, so they hold no weights of their own): that
   UNISAL and the bundled DeepGaze IIE default (readouts of all 10 MIT1003 folds), each test-time flipped or not
   as the row says, with mixture weights = the mean over the folds in ``--results`` of the weights that
   ``best_models.py`` fitted on each fold's validation images for the same row. Their metrics are that row's
   mean over those folds (the recipe's cross-validated numbers: the preset itself has seen all of MIT1003).
3. The calibrated best model (`keras_saliency.models.CalibratedModel` of the best mixture's preset name): the
   mean (`DensityCalibration.mean`) of the density calibrations that ``best_models.py`` fitted on each fold's
   validation images for the calibrated row, with that row's mean metrics. Like the mixture weights, each was
   fitted to that fold's mixture, not to the preset's.

Usage (repository root, ``PYTHONPATH=.``; 12 min for the UNISAL on 2 cores, seconds for the mixtures):
  python examples/best_presets.py --output keras_saliency/presets/bundled
``--skip-unisal`` rebuilds only the mixtures (the UNISAL member must then be registered and bundled).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import best_models  # noqa: E402  (the recipe's row names and data locations)

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results" / "best_models"
# The smoke run tests/examples/test_examples_quick.py makes (see train_deepgaze.py's QUICK_RUN).
QUICK_RUN = {"args": ["--output", "presets_run"],
             "shared": ["data/mit1003/SCANPATHS", "data/osie/fixations.mat"],
             "outputs": ["presets_run/unisal_lite0_mit1003_osie_full/metadata.json",
                         "presets_run/unisal_deepgaze_flip_mit1003/config.json",
                         "presets_run/unisal_deepgaze_mit1003/config.json",
                         "presets_run/unisal_deepgaze_flip_mit1003_calibrated/config.json"]}
UNISAL_PRESET = "unisal_lite0_mit1003_osie_full"
DEEPGAZE_PRESET = "deepgaze_iie_lite0_lite1_lite2_mit1003"
JOINT, DEEPGAZE = best_models.JOINT_ROW, best_models.DEEPGAZE_ROW
# preset -> (its best_models row, {row member: (preset, flipped)}, description)
MIXTURES = {
    "unisal_deepgaze_flip_mit1003": (
        f"{JOINT} + {DEEPGAZE} + flip, validation weights",
        {"joint_flip": (UNISAL_PRESET, True), "deepgaze_flip": (DEEPGAZE_PRESET, True)},
        "the best model: UNISAL (MIT1003 + OSIE) and DeepGaze IIE (Lite0/1/2), both test-time flipped, mixed in "
        "probability space"),
    "unisal_deepgaze_mit1003": (
        f"{JOINT} + {DEEPGAZE}, validation weights",
        {"joint": (UNISAL_PRESET, False), "deepgaze": (DEEPGAZE_PRESET, False)},
        "the default model: UNISAL (MIT1003 + OSIE) and DeepGaze IIE (Lite0/1/2) mixed in probability space"),
}
# preset -> (its best_models row, the preset it calibrates, description)
CALIBRATED_MIXTURES = {
    "unisal_deepgaze_flip_mit1003_calibrated": (
        f"{JOINT} + {DEEPGAZE} + flip, validation weights, {best_models.CALIBRATED}", "unisal_deepgaze_flip_mit1003",
        "the best model calibrated: unisal_deepgaze_flip_mit1003 through a monotone map of its density fitted on "
        "held-out MIT1003 images"),
}
CITATIONS = ["Droste, Jiao & Noble, Unified Image and Video Saliency Modeling, ECCV 2020",
             "Linardos, Mohedano, Nieto, O'Connor, Giro-i-Nieto & McGuinness, DeepGaze IIE: Calibrated prediction "
             "in and out-of-domain for state-of-the-art saliency modeling, ICCV 2021"]
METRICS = ("information_gain", "auc_judd", "sauc", "nss", "cc", "kld", "sim")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=best_models.SHARED / "mit1003", help="MIT1003 (FixaTons layout)")
    ap.add_argument("--ood-data", type=Path, default=best_models.SHARED / "osie", help="OSIE (stimuli/, fixations.mat)")
    ap.add_argument("--ood-count", type=int, default=300, help="OSIE images 0..N-1 stay unseen")
    ap.add_argument("--osie-train-count", type=int, default=400, help="the next N OSIE images train the UNISAL")
    ap.add_argument("--results", type=Path, default=RESULTS,
                    help="best_models.py's fold<f>.json files: the mixture weights and the metrics")
    ap.add_argument("--output", type=Path, default=Path("keras_saliency/presets/bundled"))
    ap.add_argument("--skip-unisal", action="store_true", help="only (re)build the mixtures")
    ap.add_argument("--quick", action="store_true", help="smoke run: a UNISAL of 8 MIT1003 + 4 OSIE images, 1 epoch "
                                                         "at 64x96, no ImageNet weights; the mixtures as always")
    args = ap.parse_args(argv)
    args.command = "python examples/best_presets.py " + " ".join(sys.argv[1:] if argv is None else argv)
    return args


def train_unisal(args):
    """The UNISAL member, saved as the preset ``args.output / UNISAL_PRESET``."""
    from keras_saliency.data import read_fixation_images
    from keras_saliency.zoo.unisal.unisal_fitting import UNISALTraining, fit_unisal

    try:
        mit = read_fixation_images("mit1003", args.data, 8 if args.quick else None)
        train_count = 4 if args.quick else args.osie_train_count
        osie = read_fixation_images("osie", args.ood_data, args.ood_count + train_count)
    except FileNotFoundError as error:
        raise SystemExit(str(error)) from None
    osie = best_models.first_images(osie, args.ood_count)
    if not len(osie):
        raise SystemExit(f"{args.ood_data} holds no image after the first --ood-count {args.ood_count}.")
    # best_models.py's joint UNISAL, on every MIT1003 image (its images at the protocol's 0.5 scale, as there)
    training = UNISALTraining(image_size=(64, 96) if args.quick else (288, 384), epochs=1 if args.quick else 6,
                              seed=0, encoder_weights=None if args.quick else "imagenet", run_eagerly=args.quick,
                              batch_size=4 if args.quick else 8)
    from keras_saliency.evaluation import EvaluationImages

    sources = {name: (EvaluationImages(images, 0.5).images.as_dataset(), len(images))
               for name, images in (("mit1003", mit), ("osie", osie))}
    model, history, seconds = fit_unisal(sources, training)
    losses = [round(float(v), 4) for v in history.history["loss"]]
    print(f"UNISAL trained in {seconds:.0f} s, loss by epoch {losses}", flush=True)
    folds = _fold_results(args.results)
    command = f"{args.command} (the recipe: {folds['command']})"
    metadata = {
        "name": UNISAL_PRESET, "license": "apache-2.0", "citations": CITATIONS[:1],
        "description": f"UNISAL with a fine-tuned efficientnet_lite0 encoder, domains mit1003 and osie: "
                       f"best_models.py's joint recipe ({training.epochs} epochs at "
                       f"{training.image_size[0]}x{training.image_size[1]}, seed 0) on all MIT1003 images",
        "training_data": f"mit1003: all {len(mit)} images; osie: images {args.ood_count}.."
                         f"{args.ood_count + len(osie) - 1} (its first {args.ood_count} unseen)",
        "metrics": _metrics(folds, JOINT, "in_domain", "mit1003", command)
                   + _metrics(folds, JOINT, best_models.OSIE_IN_DOMAIN, "osie", command)}
    model.save_to_preset(args.output / UNISAL_PRESET, metadata, overwrite=True)


def _fold_results(results: Path) -> dict:
    paths = sorted(results.glob("fold*.json"))
    if not paths:
        raise SystemExit(f"no fold<f>.json in {results}: run examples/best_models.py first")
    runs = {int(p.stem[4:]): json.loads(p.read_text()) for p in paths}
    commands = sorted({run["command"] for run in runs.values()})
    return {"runs": runs, "command": "; ".join(commands)}


def _metrics(folds, row, split, dataset, command) -> list:
    """The row's mean over the folds that hold it, one metric entry per metric (``dataset`` names MIT1003's split;
    the OSIE split names itself)."""
    held = {f: run[split][row] for f, run in sorted(folds["runs"].items()) if row in run.get(split, {})}
    if not held:
        return []
    where = (f"{dataset}: mean over test folds {', '.join(map(str, held))} of examples/best_models.py's 10-fold "
             f"protocol (the recipe; this preset was trained on all its images)")
    if split == best_models.OSIE_IN_DOMAIN:
        where = (f"osie images 0..299 (unseen), over a centre bias of images 300..699: mean over the models of test "
                 f"folds {', '.join(map(str, held))} of examples/best_models.py (UNISAL in its osie domain)")
    return [{"name": name, "value": float(np.mean([h[name] for h in held.values()])), "dataset": where,
             "command": command} for name in METRICS if all(name in h for h in held.values())]


def _row_metadata(name, description, training_data, row, folds, args) -> dict:
    """A mixture preset's metadata: the row's mean metrics on MIT1003 and OSIE (in domain) over the folds."""
    command = f"{args.command} (the recipe: {folds['command']})"
    return {"name": name, "license": "apache-2.0", "citations": CITATIONS, "description": description,
            "training_data": training_data,
            "metrics": _metrics(folds, row, "in_domain", "mit1003", command)
                       + _metrics(folds, row, best_models.OSIE_IN_DOMAIN, "osie", command)}


def build_mixtures(args):
    """Every preset of ``MIXTURES``; returns {preset: weights}."""
    from keras_saliency.models import FlipAveragedModel, MixtureModel

    folds, built = _fold_results(args.results), {}
    for name, (row, members, description) in MIXTURES.items():
        fitted = [run["mixture_weights"][row] for run in folds["runs"].values() if row in run["mixture_weights"]]
        if not fitted:
            raise SystemExit(f"no fold in {args.results} holds the row {row!r}: rerun examples/best_models.py")
        weights = [float(np.mean([w[member] for w in fitted])) for member in members]
        model = MixtureModel([FlipAveragedModel(preset) if flipped else preset for preset, flipped in members.values()],
                             weights=weights, name=name)
        training_data = (f"its members' ({UNISAL_PRESET}, {DEEPGAZE_PRESET}); weights "
                         f"{dict(zip(members, np.round(weights, 4).tolist()))}: the mean of those fitted on the "
                         f"validation fold of {len(fitted)} folds")
        model.save_to_preset(args.output / name, _row_metadata(name, description, training_data, row, folds, args),
                             overwrite=True)
        built[name] = weights
        print(f"{name}: weights {np.round(weights, 4).tolist()} from {len(fitted)} folds", flush=True)
    return built


def build_calibrated(args):
    """Every preset of ``CALIBRATED_MIXTURES`` (its member loaded by preset name from the registry); returns
    {preset: its DensityCalibration}."""
    from keras_saliency.density_calibration import DensityCalibration
    from keras_saliency.models import CalibratedModel

    folds, built = _fold_results(args.results), {}
    for name, (row, member, description) in CALIBRATED_MIXTURES.items():
        fitted = [DensityCalibration(**run["calibrations"][row]) for run in folds["runs"].values()
                  if row in run.get("calibrations", {})]
        if not fitted:
            raise SystemExit(f"no fold in {args.results} holds a calibration of the row {row!r}: rerun "
                             f"examples/best_models.py with --levers joint calibration")
        calibration = DensityCalibration.mean(fitted)
        training_data = (f"its member's ({member}); the calibration: the mean of those fitted on the validation "
                         f"fold of {len(fitted)} folds")
        CalibratedModel.from_calibration(member, calibration, name=name).save_to_preset(
            args.output / name, _row_metadata(name, description, training_data, row, folds, args), overwrite=True)
        built[name] = calibration
        print(f"{name}: the mean calibration of {len(fitted)} folds", flush=True)
    return built


def main(argv=None):
    args = parse_args(argv)
    if not args.skip_unisal:
        train_unisal(args)
    build_mixtures(args)
    build_calibrated(args)


if __name__ == "__main__":
    main()
