"""WEPSAM experiment (Lahiri et al. 2016, Fig. 2 and Table 1 analogues): does weak pre-training help?

The pipeline is ``keras_saliency.zoo.wepsam.run_experiment``: GBVS pseudo-labels of the OSIE stimuli
(``<data>/osie/stimuli``, 700 images, used WITHOUT their fixations; cached, entropy-filtered: the
lowest-entropy ``--keep-fraction`` kept) pre-train the network; it is then fine-tuned on MIT1003
fixations (``keras_saliency.data.read_fixation_images``; 10-fold split by image id, fold 0, seed 0),
and so is the same network from random initialisation (same seed, same batches). Both are scored
with AUC-Judd, AUC-Borji, CC, SIM, KLD, NSS on the held-out test images at their own size, next to
GBVS (the pseudo-label teacher), the mean fine-tuning target (a learnt centre bias) and the
pre-trained model before fine-tuning. Mean +- std over ``--seeds``.

Usage (repository root): PYTHONPATH=. python examples/wepsam.py --quick --output-dir /tmp/wepsam-quick
The committed run and its command: docs/results/wepsam/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

from keras_saliency.presets import machine_paths
from keras_saliency.zoo.wepsam import WepsamExperiment, run_experiment
from keras_saliency.zoo.wepsam import wepsam_report

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
QUICK_RUN = {"args": ["--output-dir", "wepsam_out", "--cache-dir", "wepsam_cache", "--save-preset", "wepsam_preset"],
             "shared": ["data/mit1003/SCANPATHS", "data/osie/stimuli"],
             "outputs": ["wepsam_out/results.json", "wepsam_out/loss_curves.png", "wepsam_out/results.md",
                         "wepsam_preset/model.weights.h5"]}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke run: tiny net, 10 + 20 images, 2 epochs, one seed")
    p.add_argument("--output-dir", type=Path, required=True, help="results.md, results.json, loss_curves.png")
    p.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "keras_saliency" / "wepsam",
                   help="GBVS pseudo-label cache")
    p.add_argument("--data", type=Path, default=SHARED, help="folder holding osie/stimuli and mit1003/")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--pretrain-epochs", type=int, default=6)
    p.add_argument("--finetune-epochs", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--learning-rate", type=float, default=0.1, help="initial SGD rate (x 0.9 every 100 steps)")
    p.add_argument("--keep-fraction", type=float, default=0.7, help="entropy filter: fraction of maps kept")
    p.add_argument("--gbvs-max-side", type=int, default=256, help="GBVS image size (longer side, pixels)")
    p.add_argument("--conv-filters", type=int, nargs=3, default=[16, 32, 32])
    p.add_argument("--hidden-units", type=int, default=256)
    p.add_argument("--pretrain-images", type=int, default=None, help="use the first N OSIE stimuli (default all)")
    p.add_argument("--finetune-images", type=int, default=None, help="use the first N MIT1003 images (default all)")
    p.add_argument("--save-preset", type=Path, default=None,
                   help="save the first seed's pre-trained + fine-tuned model as a preset folder here")
    args = p.parse_args(argv)
    if args.quick:
        args.pretrain_epochs, args.finetune_epochs, args.batch_size, args.seeds = 2, 2, 8, args.seeds[:1]
        args.gbvs_max_side, args.hidden_units, args.conv_filters = 48, 16, [2, 4, 4]
        args.pretrain_images, args.finetune_images = 10, 20
    for name in ("pretrain_epochs", "finetune_epochs", "batch_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1; got {getattr(args, name)}")
    for name in ("pretrain_images", "finetune_images"):
        if getattr(args, name) is not None and getattr(args, name) < 10:
            p.error(f"--{name.replace('_', '-')} must be >= 10; got {getattr(args, name)}")
    paths = machine_paths(" ".join(argv)) if args.save_preset else []
    if paths:
        p.error(f"--save-preset: the preset records this command; give paths relative to here, not {paths}")
    return args


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    start = time.time()
    osie, mit = args.data / "osie" / "stimuli", args.data / "mit1003"
    for path in (osie, mit):
        if not path.is_dir():
            raise SystemExit(f"missing data folder {path} (see the READMEs of /work/shared/data)")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    experiment = WepsamExperiment(
        seeds=tuple(args.seeds), pretrain_epochs=args.pretrain_epochs, finetune_epochs=args.finetune_epochs,
        batch_size=args.batch_size, learning_rate=args.learning_rate, keep_fraction=args.keep_fraction,
        gbvs_max_side=args.gbvs_max_side, conv_filters=tuple(args.conv_filters), hidden_units=args.hidden_units,
        pretrain_images=args.pretrain_images, finetune_images=args.finetune_images)
    try:
        results, first_model = run_experiment(experiment, osie, mit, args.cache_dir, "OSIE stimuli",
                                              progress=not args.quick,
                                              log=lambda line: print(f"{line} at {time.time() - start:.0f} s"))
    except ValueError as error:  # e.g. too few --finetune-images for a 10-fold split
        raise SystemExit(str(error)) from None
    report = {
        "command": "PYTHONPATH=. python " + " ".join(shlex.quote(a) for a in ["examples/wepsam.py", *argv]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores (shared with other jobs)",
        "wall_s": time.time() - start, **results,
    }
    report["finding"] = wepsam_report.finding(report["curves"], report["table"], report["reference_mse"])
    wepsam_report.plot(report["curves"], report["pretrain_curves"], report["reference_mse"],
                       args.output_dir / "loss_curves.png")
    (args.output_dir / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    (args.output_dir / "results.md").write_text(wepsam_report.markdown(report))
    if args.save_preset is not None:
        wepsam_report.save_preset(first_model, args.save_preset, report)
    print(wepsam_report.markdown(report))
    return report


if __name__ == "__main__":
    main()
