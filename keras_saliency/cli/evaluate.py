"""``keras-saliency evaluate``: a model on a prepared TFDS dataset -> metrics table (Markdown, CSV or JSON)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from keras_saliency.atomic_write import atomic_write
from keras_saliency.cli import UserError
from keras_saliency.cli.model_arg import add_model_argument, load_model

FORMATS = ("markdown", "csv", "json")
DESCRIPTION = (
    "Evaluate a model or preset on a prepared TFDS dataset and print (or write) the metrics table. "
    "Prepare the dataset first, e.g. `keras-saliency build mit1003 --manual_dir FixaTons/MIT1003 --data_dir "
    "~/tfds`, then `keras-saliency evaluate --dataset mit1003 --data-dir ~/tfds --model gbvs --limit 100`. "
    "Predictions are made at each image's original size; CC/KLD/SIM compare with the dataset's published "
    "dense map when it has one, otherwise with the empirical map of its fixations (Gaussian, sigma = 0.04 x "
    "the longer side); information gain is in bits per fixation over a uniform baseline. Averages as "
    "keras_saliency.metrics.evaluate: per image, and per fixation for the fixation-level metrics. "
    "Exit code 2 with a one-line message for unknown datasets, models or metrics and unprepared data."
)


def register(subparsers):
    from keras_saliency.metrics.dataset import ALL_METRICS, DEFAULT_METRICS

    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate a model or preset on a prepared TFDS dataset",
        description=DESCRIPTION,
    )
    add_model_argument(parser)
    parser.add_argument("--dataset", required=True, help="dataset[/config], e.g. mit1003, mit1003/official, osie")
    parser.add_argument("--split", default="train", help="TFDS split spec, e.g. train, 'train[:100]' (default train)")
    parser.add_argument("--data-dir", "--data_dir", dest="data_dir", type=Path, default=None,
                        help="TFDS data dir the dataset was built into (default: ~/tensorflow_datasets)")
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N images of the split only")
    parser.add_argument("--metrics", default=",".join(DEFAULT_METRICS),
                        help=f"comma-separated, from: {', '.join(ALL_METRICS)} (default: %(default)s)")
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="output format (default markdown)")
    parser.add_argument("--output", "-o", type=Path, default=None, help="write the table here instead of stdout")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def parse_metrics(text: str) -> list:
    from keras_saliency.metrics.dataset import ALL_METRICS

    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ALL_METRICS]
    if unknown or not names:
        raise UserError(f"--metrics: unknown metric(s) {', '.join(unknown) or '(none given)'}; "
                        f"choose from {', '.join(ALL_METRICS)}.")
    if "calibration" in names:
        raise UserError("--metrics: 'calibration' is a histogram, not a table value; use the Python API "
                        "(keras_saliency.metrics.evaluate) for it.")
    return names


def load_dataset(name: str, data_dir, split: str, limit):
    """Evaluation samples of a prepared dataset; every problem a user can fix is a `UserError`."""
    import tensorflow_datasets as tfds

    import tfds_builders
    from keras_saliency.data.evaluation import evaluation_samples

    if name.split("/")[0] not in tfds_builders.NAMES:
        raise UserError(f"unknown dataset {name!r}; choose one of: {', '.join(tfds_builders.NAMES)}.")
    if data_dir is not None and not data_dir.is_dir():
        raise UserError(f"--data-dir {data_dir} does not exist; build the dataset into it first: "
                        f"keras-saliency build {name} --manual_dir <download> --data_dir {data_dir}")
    if limit is not None and limit < 1:
        raise UserError(f"--limit must be >= 1; got {limit}.")
    try:
        builder = tfds.builder(name, data_dir=None if data_dir is None else str(data_dir))
    except (ValueError, tfds.core.registered.DatasetNotFoundError) as error:
        raise UserError(str(error).splitlines()[0]) from None
    if not builder.is_prepared():
        raise UserError(f"{builder.info.full_name} is not prepared in {builder.data_dir}; build it first: "
                        f"keras-saliency build {name} --manual_dir <download>"
                        + (f" --data_dir {data_dir}" if data_dir is not None else ""))
    base_split = re.split(r"[\[+]", split, maxsplit=1)[0]
    if base_split not in builder.info.splits:
        raise UserError(f"--split {split!r}: {name} has the splits {', '.join(builder.info.splits)}.")
    try:
        samples = evaluation_samples(builder, split, limit)
    except ValueError as error:  # not an image dataset, bad slice
        raise UserError(str(error).splitlines()[0]) from None
    if not samples:
        raise UserError(f"--split {split!r} of {name} holds no images.")
    return builder, samples


def format_table(result, fmt: str, context: dict) -> str:
    """The metrics table in ``fmt``; Markdown and JSON also say what was evaluated (``context``)."""
    if fmt == "csv":
        return result.to_csv()
    if fmt == "json":
        return json.dumps({**context, **json.loads(result.to_json())}, indent=2) + "\n"
    caption = (f"`{context['model']}` on `{context['dataset']}` split `{context['split']}`: "
               f"{context['images']} images, {context['fixations']} fixations "
               "(information gain in bits/fixation over a uniform baseline).")
    return caption + "\n\n" + result.to_markdown()


def run(args) -> int:
    import numpy as np
    from tqdm.auto import tqdm

    from keras_saliency import metrics, prediction

    names = parse_metrics(args.metrics)
    if args.output is not None and args.output.is_dir():
        raise UserError(f"--output {args.output} is a folder; give the file to write, "
                        f"e.g. {args.output / 'metrics.md'}")
    builder, samples = load_dataset(args.dataset, args.data_dir, args.split, args.limit)
    predictor = load_model(args.model)
    bar = tqdm(total=len(samples), disable=args.no_progress, desc="evaluate", unit="image", file=sys.stderr)

    def predict(image):
        log_density = prediction.predict(np.asarray(image), model=predictor, progress=False)[0].log_density
        bar.update()
        return log_density

    try:
        result = metrics.evaluate(predict, samples, names)
    except ValueError as error:  # a model returning a wrong shape or an invalid density
        raise UserError(str(error)) from None
    finally:
        bar.close()
    context = {
        "model": args.model or prediction.DEFAULT_MODEL,
        "dataset": builder.info.full_name,
        "split": args.split if args.limit is None else f"{args.split} (first {args.limit})",
        "images": len(samples),
        "fixations": int(sum(len(s["fixations"]) for s in samples)),
    }
    text = format_table(result, args.format, context)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(args.output, lambda handle: handle.write(text.encode("utf-8")))
        print(f"wrote {args.format} metrics of {len(samples)} images to {args.output}")
    return 0
