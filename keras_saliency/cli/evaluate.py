"""``keras-saliency evaluate``: a model on a prepared TFDS dataset -> metrics table (Markdown, CSV or JSON).

Streams: options and ``--output`` are checked before the dataset and the model load; each image is
scored as soon as it is predicted (`keras_saliency.metrics.DatasetEvaluation`) and, with ``--output``,
the table of the images finished so far is rewritten atomically into ``<output>.partial`` (at most once a
second) until the complete table replaces it. A table that does not cover every image (Ctrl-C, failed
images) says so in its text: a ``PARTIAL`` caption (Markdown), a ``# PARTIAL`` first line (CSV),
``"complete": false`` (JSON).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

from keras_saliency.atomic_write import atomic_write
from keras_saliency.cli import UserError, add_progress_argument, progress_of
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
    "Exit code 2 with a one-line message for unknown datasets, models or metrics and unprepared data. "
    "An image that cannot be read or predicted is reported and left out (exit code 1, the table marked "
    "partial; --strict: stop there, exit code 2); Ctrl-C exits 130 with the table of the images finished "
    "so far, marked partial (with --output: in OUTPUT.partial)."
)
EXIT_SOME_FAILED = 1
EXIT_INTERRUPTED = 130
PARTIAL_EVERY_S = 1.0


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
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first image that cannot be read or predicted (exit code 2)")
    add_progress_argument(parser)
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


def check_output(output: Path) -> None:
    """Refuses an ``--output`` that is a folder or whose folder cannot be created or written, creating nothing."""
    if output.is_dir():
        raise UserError(f"--output {output} is a folder; give the file to write, e.g. {output / 'metrics.md'}")
    existing = next(folder for folder in output.absolute().parents if folder.exists())
    if not existing.is_dir():
        raise UserError(f"--output {output} cannot be created: {existing} is a file.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--output {output} is not writable ({existing} does not allow writing).")


def load_dataset(name: str, data_dir, split: str, limit, unreadable: list):
    """Evaluation samples of a prepared dataset; every problem a user can fix is a `UserError`.

    Images whose header cannot be read are left out and appended to ``unreadable`` as (id, message)."""
    import tfds_builders
    from keras_saliency.data.evaluation import evaluation_samples
    from tfds_builders.core.builder_names import check_builder_name, get_builder

    try:
        check_builder_name(name, tfds_builders.NAMES)
    except ValueError as error:  # unknown dataset or config: the message lists the valid ones
        raise UserError(str(error)) from None
    if data_dir is not None and not data_dir.is_dir():
        raise UserError(f"--data-dir {data_dir} does not exist; build the dataset into it first: "
                        f"keras-saliency build {name} --manual_dir <download> --data_dir {data_dir}")
    if limit is not None and limit < 1:
        raise UserError(f"--limit must be >= 1; got {limit}.")
    try:
        builder = get_builder(name, tfds_builders.NAMES, data_dir)
    except ValueError as error:
        raise UserError(str(error)) from None
    if not builder.is_prepared():
        raise UserError(f"{builder.info.full_name} is not prepared in {builder.data_dir}; build it first: "
                        f"keras-saliency build {name} --manual_dir <download>"
                        + (f" --data_dir {data_dir}" if data_dir is not None else ""))
    base_split = re.split(r"[\[+]", split, maxsplit=1)[0]
    if base_split not in builder.info.splits:
        raise UserError(f"--split {split!r}: {name} has the splits {', '.join(builder.info.splits)}.")
    try:
        samples = evaluation_samples(builder, split, limit, unreadable=unreadable)
    except ValueError as error:  # not an image dataset, bad slice
        raise UserError(str(error).splitlines()[0]) from None
    if not samples and not unreadable:
        raise UserError(f"--split {split!r} of {name} holds no images.")
    return builder, samples


def format_table(result, fmt: str, context: dict) -> str:
    """The metrics table in ``fmt``; Markdown and JSON also say what was evaluated (``context``).

    ``context["partial"]``, when set, says why the table does not cover every image; the text says so too."""
    partial = context.get("partial")
    if fmt == "csv":
        return (f"# PARTIAL: {partial}\n" if partial else "") + result.to_csv()
    if fmt == "json":
        return json.dumps({**context, "complete": not partial, **json.loads(result.to_json())}, indent=2) + "\n"
    caption = (f"`{context['model']}` on `{context['dataset']}` split `{context['split']}`: "
               f"{context['images']} images, {context['fixations']} fixations "
               "(information gain in bits/fixation over a uniform baseline).")
    if partial:
        caption = f"**PARTIAL**: {partial}. " + caption
    return caption + "\n\n" + result.to_markdown()


class _Tables:
    """Writes the table: to stdout at the end, or ``--output`` (complete) and ``<output>.partial`` (so far)."""

    def __init__(self, args, builder):
        self.args, self.builder = args, builder
        self.partial_path = None if args.output is None else args.output.with_name(args.output.name + ".partial")
        self.last_partial = time.monotonic()

    def text(self, evaluation, scored: dict, partial) -> str:
        from keras_saliency import prediction

        args = self.args
        context = {
            "model": args.model or prediction.DEFAULT_MODEL,
            "dataset": self.builder.info.full_name,
            "split": args.split if args.limit is None else f"{args.split} (first {args.limit})",
            "images": len(scored),
            "fixations": int(sum(len(evaluation.fixation_sets[i]) for i in scored)),
        }
        if partial:
            context["partial"] = partial
        return format_table(evaluation.result(list(scored.values())), args.format, context)

    def _write(self, path: Path, text: str) -> None:
        from keras_saliency.atomic_write import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))

    def progress(self, evaluation, scored: dict, total: int) -> None:
        """Rewrites ``<output>.partial`` with the images finished so far (at most every PARTIAL_EVERY_S)."""
        if self.partial_path is None or time.monotonic() - self.last_partial < PARTIAL_EVERY_S:
            return
        self._write(self.partial_path, self.text(evaluation, scored, f"{len(scored)} of {total} images so far"))
        self.last_partial = time.monotonic()

    def final(self, evaluation, scored: dict, partial, interrupted: bool) -> str:
        """Writes the last table; returns where it went."""
        text = self.text(evaluation, scored, partial)
        if self.args.output is None:
            sys.stdout.write(text)
            return "stdout"
        if interrupted:
            self._write(self.partial_path, text)
            return str(self.partial_path)
        self._write(self.args.output, text)
        self.partial_path.unlink(missing_ok=True)
        return str(self.args.output)


def run(args) -> int:
    import numpy as np
    from tqdm.auto import tqdm

    from keras_saliency import metrics, prediction
    from keras_saliency.progress import progress_bar

    names = parse_metrics(args.metrics)
    if args.output is not None:
        check_output(args.output)
    failed = []  # (image id, message)
    builder, samples = load_dataset(args.dataset, args.data_dir, args.split, args.limit, failed)
    if failed and args.strict:
        raise UserError(f"{failed[0][1]} (--strict: stopped before evaluating)")
    for _, message in failed:
        print(f"keras-saliency evaluate: failed: {message}", file=sys.stderr)
    if not samples:
        raise UserError(f"no image of --split {args.split!r} could be read.")
    try:
        evaluation = metrics.DatasetEvaluation(samples, names)
    except ValueError as error:  # e.g. no fixations
        raise UserError(str(error)) from None
    predictor = load_model(args.model)
    tables = _Tables(args, builder)
    total = len(evaluation.indices) + len(failed)
    scored = {}
    bar = progress_bar(evaluation.indices, progress=progress_of(args), desc="evaluate", unit="image")
    try:
        for index in bar:
            sample = samples[index]
            try:
                log_density = prediction.predict(np.asarray(sample["image"]), model=predictor,
                                                 progress=False)[0].log_density
                scored[index] = evaluation.image(index, log_density)
            except (OSError, ValueError) as error:  # unreadable image, a model returning a wrong shape...
                message = str(error).splitlines()[0] if str(error) else type(error).__name__
                if sample["image_id"] not in message:
                    message = f"{sample['image_id']}: {message}"
                if args.strict:
                    raise UserError(f"{message} (--strict: stopped; {len(scored)} of {total} images "
                                    "evaluated, no table written)") from None
                failed.append((sample["image_id"], message))
                tqdm.write(f"keras-saliency evaluate: failed: {message}", file=sys.stderr)
                continue
            tables.progress(evaluation, scored, total)
    except KeyboardInterrupt:
        bar.close()
        where = "no table written"
        if scored:
            where = "partial table in " + tables.final(
                evaluation, scored, f"interrupted after {len(scored)} of {total} images", interrupted=True)
        print(f"keras-saliency evaluate: interrupted; {len(scored)} of {total} images evaluated; {where}",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        bar.close()
    if not scored:
        raise UserError(f"none of the {total} images could be evaluated (see the errors above).")
    partial = None
    if failed:
        partial = (f"{len(failed)} of {total} images failed and are left out: "
                   + ", ".join(image_id for image_id, _ in failed))
    where = tables.final(evaluation, scored, partial, interrupted=False)
    if args.output is not None:
        print(f"wrote {args.format} metrics of {len(scored)} images to {where}")
    if failed:
        print(f"keras-saliency evaluate: {partial}", file=sys.stderr)
        return EXIT_SOME_FAILED
    return 0
