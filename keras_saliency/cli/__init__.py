"""The ``keras-saliency`` console script.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``.
"""

import argparse
import importlib
import sys

# Subcommand modules, in the order `--help` lists them.
SUBCOMMANDS = ("predict", "evaluate", "build", "list", "convert", "push")
# Those that run TensorFlow for their work (the others stay light: `list` imports no Keras).
TENSORFLOW_COMMANDS = ("predict", "evaluate", "build", "convert")


class UserError(Exception):
    """A problem the user can fix (bad path, unknown preset...): printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-saliency",
        description="Saliency prediction, evaluation and model management for Keras 3.",
    )
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's own log messages and warnings (hidden by default)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if not args.verbose and args.command in TENSORFLOW_COMMANDS:
        from keras_saliency.cli.quiet import quiet_backend_logs

        quiet_backend_logs()
    try:
        return int(args.func(args) or 0)
    except UserError as error:
        print(f"keras-saliency {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
