"""``keras-saliency build NAME``: prepare a keras-saliency TFDS dataset.

Calls ``builder.download_and_prepare`` directly, so it works without apache-beam
(which the ``tfds`` CLI needs even for ``--help``). TFDS writes the dataset into an ``incomplete.*``
folder renamed into place only when complete (removed on failure or Ctrl-C), so a failed build leaves
no dataset that looks prepared. A fingerprint of the ``--manual_dir`` files is recorded with it
(`tfds_builders.core.manual_fingerprint`); building again from changed files is refused unless
``--overwrite`` is given, which deletes the old dataset and builds it again.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import sys

from keras_saliency.cli import UserError, add_progress_argument, progress_of

EXIT_INTERRUPTED = 130


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build a saliency dataset (TFDS) from a manual download or its public archive",
        description="Prepare one of the keras-saliency TFDS datasets (tfds_builders) from its official "
        "archive or a manually downloaded copy, e.g. `keras-saliency build mit1003 --manual_dir "
        "FixaTons/MIT1003 --data_dir ~/tfds`; `keras-saliency evaluate` and tfds.load read it from "
        "--data_dir. What to download for each dataset: tfds_builders/README.md.",
    )
    parser.add_argument("name", help="dataset[/config], e.g. mit1003, mit1003/official, cat2000/Art")
    parser.add_argument("--manual_dir", "--manual-dir", dest="manual_dir", type=pathlib.Path,
                        help="folder with the manually downloaded files")
    parser.add_argument("--data_dir", "--data-dir", dest="data_dir", type=pathlib.Path,
                        help="TFDS data dir (default: ~/tensorflow_datasets)")
    parser.add_argument("--overwrite", action="store_true",
                        help="delete the dataset if it is already built and build it again")
    add_progress_argument(parser)
    parser.set_defaults(func=run)


def _check_source(builder, args, fingerprint) -> bool:
    """Whether the dataset is already built from the same manual files (True: nothing to do).

    Raises a `UserError` naming ``--overwrite`` when it was built from other files."""
    from tfds_builders.core.manual_fingerprint import describe_change, read_record

    if not builder.is_prepared():
        return False
    if args.overwrite:
        _delete(builder)
        return False
    recorded = read_record(builder.data_path)
    if fingerprint is not None and recorded is not None:
        change = describe_change(recorded, fingerprint)
        if change:
            raise UserError(f"{builder.info.full_name} in {builder.data_dir} was built from other files "
                            f"({recorded['manual_dir']}); --manual_dir {args.manual_dir}: {change}. "
                            "Pass --overwrite to delete it and build it again.")
    note = ""
    if fingerprint is not None and recorded is None:
        note = " (no record of the files it was built from: --manual_dir not compared; --overwrite rebuilds it)"
    print(f"Already built: {builder.info.full_name} in {builder.data_dir}{note}")
    return True


def _delete(builder) -> None:
    """Removes a built dataset and its fingerprint record."""
    from tfds_builders.core.manual_fingerprint import record_path

    record_path(builder.data_path).unlink(missing_ok=True)
    shutil.rmtree(builder.data_path)


def run(args) -> int:
    import tensorflow_datasets as tfds

    import tfds_builders
    from keras_saliency.atomic_write import atomic_write
    from keras_saliency.progress import show_progress
    from tfds_builders.core.builder_names import get_builder
    from tfds_builders.core.manual_fingerprint import manual_fingerprint, record_path
    from tfds_builders.core.readers import DatasetFileError

    if args.manual_dir is not None and not args.manual_dir.is_dir():
        raise UserError(f"--manual_dir {args.manual_dir} is not a directory.")
    try:
        builder = get_builder(args.name, tfds_builders.NAMES, args.data_dir)
    except ValueError as error:  # unknown dataset or config: the message lists the valid ones
        raise UserError(str(error)) from None
    if not show_progress(progress_of(args)):  # TFDS draws its own bars
        tfds.disable_progress_bar()
    fingerprint = None if args.manual_dir is None else manual_fingerprint(args.manual_dir)
    if _check_source(builder, args, fingerprint):
        return 0
    config = tfds.download.DownloadConfig(manual_dir=None if args.manual_dir is None else str(args.manual_dir))
    record = record_path(builder.data_path)
    try:
        if fingerprint is not None:
            record.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(record, lambda handle: handle.write(json.dumps(fingerprint).encode("utf-8")))
        builder.download_and_prepare(download_config=config)
    except BaseException as error:
        record.unlink(missing_ok=True)  # the dataset was not built: no record of its files either
        if isinstance(error, KeyboardInterrupt):
            print(f"keras-saliency build: interrupted; {builder.info.full_name} was not built (nothing kept "
                  f"in {builder.data_dir})", file=sys.stderr)
            return EXIT_INTERRUPTED
        if isinstance(error, (DatasetFileError, AssertionError)):  # AssertionError: TFDS, manual_dir missing/empty
            raise UserError(str(error)) from None
        raise
    print(f"Built {builder.info.full_name} in {builder.data_dir}")
    for split, counts in getattr(builder, "report", {}).items():
        print(f"  {split}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0
