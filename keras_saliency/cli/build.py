"""``keras-saliency build NAME``: prepare a keras-saliency TFDS dataset.

Calls ``builder.download_and_prepare`` directly, so it works without apache-beam
(which the ``tfds`` CLI needs even for ``--help``).
"""

from __future__ import annotations

import pathlib

from keras_saliency.cli import UserError


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
    parser.set_defaults(func=run)


def run(args) -> int:
    import tensorflow_datasets as tfds

    import tfds_builders
    from tfds_builders.core.readers import DatasetFileError

    if args.name.split("/")[0] not in tfds_builders.NAMES:
        raise UserError(f"unknown dataset {args.name!r}; choose one of: {', '.join(tfds_builders.NAMES)}.")
    if args.manual_dir is not None and not args.manual_dir.is_dir():
        raise UserError(f"--manual_dir {args.manual_dir} is not a directory.")
    try:
        builder = tfds.builder(args.name, data_dir=None if args.data_dir is None else str(args.data_dir))
    except (ValueError, tfds.core.registered.DatasetNotFoundError) as error:
        raise UserError(str(error)) from None
    config = tfds.download.DownloadConfig(manual_dir=None if args.manual_dir is None else str(args.manual_dir))
    try:
        builder.download_and_prepare(download_config=config)
    except DatasetFileError as error:
        raise UserError(str(error)) from None
    except AssertionError as error:  # TFDS: manual_dir missing or empty
        raise UserError(f"{error}") from None
    print(f"Built {builder.info.full_name} in {builder.data_dir}")
    for split, counts in getattr(builder, "report", {}).items():
        print(f"  {split}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0
