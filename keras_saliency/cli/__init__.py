"""The ``keras-saliency`` console script.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``.
Exit codes: 0 done, 2 a `UserError` or a bad argument, 1 an unexpected error
(one line; ``--debug`` prints its traceback, and for a `UserError` raised from another
exception the traceback of that exception before the line).
"""

import argparse
import importlib
import sys
import traceback

# Subcommand modules, in the order `--help` lists them.
SUBCOMMANDS = ("predict", "evaluate", "build", "list", "convert", "push", "export", "demo")
# Those that run TensorFlow for their work (the others stay light: `list` imports no Keras).
TENSORFLOW_COMMANDS = ("predict", "evaluate", "build", "convert", "export", "demo")


class UserError(Exception):
    """A problem the user can fix (bad path, unknown preset...): printed without a traceback."""


def add_progress_argument(parser) -> None:
    """``--no-progress`` / ``--quiet``: no progress bars (`keras_saliency.progress`; by default they are
    shown only when stderr is a terminal)."""
    parser.add_argument("--no-progress", "--quiet", dest="no_progress", action="store_true",
                        help="hide progress bars (they are shown only when stderr is a terminal anyway)")


def progress_of(args):
    """The ``progress`` argument for the library: False with --no-progress, else None (terminal only)."""
    if getattr(args, "no_progress", False):
        from keras_saliency.progress import hide_library_bars

        hide_library_bars()
        return False
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-saliency",
        description="Saliency prediction, evaluation and model management for Keras 3.",
    )
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's own log messages and warnings (hidden by default)")
    parser.add_argument("--debug", action="store_true",
                        help="print the full traceback of an unexpected error (by default: one line, exit code 1) "
                             "and of the error behind a user error")
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
        if args.debug and error.__context__ is not None:  # the library's or dependency's error behind it
            traceback.print_exception(error.__context__)
        print(f"keras-saliency {args.command}: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug or a dependency's failure: one line unless --debug
        if args.debug:
            traceback.print_exc()
        else:
            print(f"keras-saliency {args.command}: error: {_one_line(error)} (run with --debug for the traceback)",
                  file=sys.stderr)
        return 1


def _one_line(error: Exception) -> str:
    """``Type: first line of the message`` (just ``Type`` when the message is empty)."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
