"""Train UNISAL on any set of TFDS builders as domains, evaluate on held-out images, save a preset.

    # the real run (MIT1003 + OSIE as two domains, EfficientNet-Lite0 with ImageNet weights)
    python examples/train_unisal.py --domain mit1003=../shared/data/mit1003 --domain osie=../shared/data/osie \\
        --encoder efficientnet_lite0 --encoder-weights imagenet --epochs 8 --output presets/unisal_mit_osie
    # the ablation: one shared domain instead of domain adaptation
    python examples/train_unisal.py ... --shared-domain
    # a smoke run of a few minutes
    python examples/train_unisal.py --quick

Each ``--domain NAME=MANUAL_DIR`` is a builder of ``tfds_builders`` built from its
manual download into ``--data-dir`` (``--quick``: from the first 40 stimuli only, linked into
``DATA_DIR/quick_subsets/`` so that they never pass for the full datasets). Images are split per domain with a seeded
10-fold split (fold 0 is the test set, fold 1 validation). Metrics are computed
on the test images at their original size with ``keras_saliency.metrics``,
information gain over a centre bias fitted on the training fixations. Test images
go through ``model.predict_log_density(images, domain=...)`` (the path ``keras_saliency.predict``
takes with the preset: the reference's aspect-ratio rule, 288x384 for 4:3 images). Deviation:
training uses one fixed ``--image-size`` (default 288x384) instead of the
reference's five MIT1003 training grids, because one ``fit`` graph needs one
spatial shape. Every domain is an image domain (``static_domains``: BatchNorm
momentum 0.9, the reference's SALICON setting).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# The smoke run tests/examples/test_examples_quick.py makes: extra arguments after --quick, the ../shared
# paths it needs and the files it must write (relative to the working directory).
QUICK_RUN = {"args": ["--data-dir", "tfds", "--output", "unisal_preset"],
             "shared": ["data/mit1003/SCANPATHS", "data/osie/fixations.mat"],
             "outputs": ["unisal_preset/config.json", "unisal_preset/model.weights.h5", "unisal_preset/metadata.json"]}
METRICS = ("auc_judd", "sauc", "nss", "cc", "kld", "sim", "information_gain")
QUICK_IMAGES = 40  # stimuli per domain with --quick
STIMULI_FOLDERS = ("STIMULI", "stimuli", "Stimuli")  # FixaTons (MIT1003...), OSIE


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domain", action="append", default=[], help="NAME=MANUAL_DIR (repeatable)")
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default: a temporary folder)")
    parser.add_argument("--encoder", default="efficientnet_lite0")
    parser.add_argument("--encoder-weights", default="imagenet")
    parser.add_argument("--image-size", type=int, nargs=2, default=(288, 384),
                        help="training input H W (multiples of 32)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=0.01,
                        help="initial SGD rate (reference: 0.04 at batch 32; 0.01 scales it linearly to batch 8)")
    parser.add_argument("--max-train-images", type=int, default=None, help="per domain")
    parser.add_argument("--max-test-images", type=int, default=None, help="per domain")
    parser.add_argument("--shared-domain", action="store_true", help="ablation: no domain adaptation")
    parser.add_argument("--run-eagerly", action="store_true")
    parser.add_argument("--output", default=None, help="save the trained model as a preset folder here")
    parser.add_argument("--results", default=None, help="write the metrics, loss history and command as JSON here")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true",
                        help="tiny smoke run on the first 40 images of ../shared MIT1003 and OSIE")
    args = parser.parse_args(argv)
    if args.quick:
        args.domain = args.domain or [f"mit1003={SHARED / 'mit1003'}", f"osie={SHARED / 'osie'}"]
        args.image_size, args.epochs, args.batch_size = (96, 128), 1, 4
        args.max_train_images, args.max_test_images, args.run_eagerly = 8, 4, True
    if not args.domain:
        parser.error("give at least one --domain NAME=MANUAL_DIR (or --quick)")
    for spec in args.domain:
        if "=" not in spec:
            parser.error(f"--domain {spec!r}: expected NAME=MANUAL_DIR, e.g. mit1003=path/to/FixaTons/MIT1003")
    from keras_saliency.presets import machine_paths

    args.command = "python examples/train_unisal.py " + " ".join(sys.argv[1:] if argv is None else argv)
    paths = machine_paths(args.command) if args.output else []
    if paths:
        parser.error(f"--output: the preset records this command; give paths relative to here, not {paths}")
    return args


def subset_manual_dir(source: Path, count: int, destination: Path) -> Path:
    """``destination`` mirroring ``source`` with symlinks, its stimuli folder cut to the first ``count`` images."""
    from keras_saliency.image_files import IMAGE_SUFFIXES

    if not source.is_dir():
        raise SystemExit(f"--domain: {source} is not a folder")
    destination.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        target = destination / entry.name
        if target.exists():
            continue
        if entry.is_dir() and entry.name in STIMULI_FOLDERS:
            target.mkdir()
            images = sorted(p for p in entry.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            for image in images[:count]:
                (target / image.name).symlink_to(image.resolve())
        else:
            target.symlink_to(entry.resolve())
    return destination


def build_domain(name, manual_dir, data_dir):
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401  (registers the builders)

    if not Path(manual_dir).is_dir():
        raise SystemExit(f"--domain {name}: {manual_dir} is not a folder")
    builder = tfds.builder(name, data_dir=data_dir)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    return builder.as_dataset(split="train")


def examples(ds, ids):
    """Numpy test samples: image, fixations (Fixations), size."""
    import tensorflow_datasets as tfds

    from keras_saliency.data import filter_ids
    from keras_saliency.fixations import Fixations

    out = []
    for example in tfds.as_numpy(filter_ids(ds, ids)):
        fix = example["fixations"]
        out.append({"image": example["image"], "fixations": Fixations(fix["x"], fix["y"]),
                    "image_id": example["image_id"].decode()})
    return out


def main(argv=None):
    args = parse_args(argv)
    from keras_saliency import metrics
    from keras_saliency.data import filter_ids, kfold_split
    from keras_saliency.maps import EmpiricalCenterBias
    from keras_saliency.zoo.unisal.unisal_fitting import UNISALTraining, fit_unisal

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="keras_saliency_tfds_")
    specs = [spec.split("=", 1) for spec in args.domain]
    if args.quick:
        data_dir = str(Path(data_dir) / "quick_subsets")
        specs = [(name, subset_manual_dir(Path(folder), QUICK_IMAGES, Path(data_dir) / "manual" / name))
                 for name, folder in specs]
    names = [name for name, _ in specs]
    sources = {name: build_domain(name, folder, data_dir) for name, folder in specs}
    training_sets, tests = {}, {}
    for index, name in enumerate(names):
        ids = sorted(example["image_id"].decode() for example in sources[name].map(lambda e: {"image_id": e["image_id"]})
                     .as_numpy_iterator())
        split = kfold_split(ids, fold=0, k=10, seed=args.seed)
        train_ids = split["train"][: args.max_train_images]
        test_ids = split["test"][: args.max_test_images]
        training_sets[name] = (filter_ids(sources[name], train_ids), len(train_ids))
        train_examples = examples(sources[name], train_ids)
        bias = EmpiricalCenterBias.fit([e["fixations"] for e in train_examples], [e["image"].shape[:2] for e in train_examples])
        tests[name] = (0 if args.shared_domain else index, examples(sources[name], test_ids), bias)
    model, history, train_seconds = fit_unisal(training_sets, UNISALTraining(
        encoder=args.encoder, encoder_weights=args.encoder_weights, image_size=tuple(args.image_size),
        epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
        shared_domain=args.shared_domain, seed=args.seed, run_eagerly=args.run_eagerly))
    domains = model.domains
    rows = ["| model | domain | images | " + " | ".join(METRICS) + " |", "|---|---|---|" + "---|" * len(METRICS)]
    results, center_bias = {}, {}
    for name, (domain, samples, bias) in tests.items():
        predict = lambda image, d=model.domains[domain]: model.predict_log_density(image[None], domain=d)[0]  # noqa: E731
        for label, fn, store in (("UNISAL", predict, results),
                                 ("centre bias", lambda image, bias=bias: bias.log_density(image.shape[:2]),
                                  center_bias)):
            table = metrics.evaluate(fn, samples, METRICS, baseline=bias).summary()
            store[name] = {m: table[m]["by_image"] for m in METRICS}
            rows.append(f"| {label} | {name} | {len(samples)} | "
                        + " | ".join(f"{store[name][m]:.3f}" for m in METRICS) + " |")
    report = "\n".join(rows)
    print(f"final training loss {history.history['loss'][-1]:.4f}\n\n{report}")
    command = args.command
    if args.results:
        from keras_saliency.atomic_write import atomic_write

        record = {"command": command, "train_seconds": round(train_seconds, 1), "domains": model.domains,
                  "loss_by_epoch": [float(v) for v in history.history["loss"]], "unisal": results,
                  "center_bias": center_bias, "test_images": {n: len(t[1]) for n, t in tests.items()}}
        Path(args.results).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(args.results, lambda handle: handle.write(json.dumps(record, indent=1).encode()))
    if args.output:
        from keras_saliency import presets

        presets.save(model, args.output, metadata={
            "name": Path(args.output).name, "license": "apache-2.0",
            "description": (f"UNISAL with an {args.encoder} encoder ({args.encoder_weights} initialisation), "
                            f"{'one shared domain' if args.shared_domain else 'domains ' + ', '.join(domains)}, "
                            f"trained {args.epochs} epochs at {args.image_size[0]}x{args.image_size[1]}"),
            "training_data": f"{', '.join(names)}: training folds (fold 0 test, fold 1 validation, seed {args.seed})",
            "metrics": [{"name": m, "value": float(v), "dataset": f"{name} held-out (fold 0)", "command": command}
                        for name, values in results.items() for m, v in values.items()],
            "citations": ["Droste, Jiao & Noble, Unified Image and Video Saliency Modeling, ECCV 2020"]})
    return results


if __name__ == "__main__":
    main()
