"""The ``--model`` argument shared by ``predict`` and ``evaluate``."""

from __future__ import annotations

from keras_saliency.cli import UserError

MODEL_HELP = ("classical model name (gbvs, itti, center_bias), registered preset name, preset folder or "
              "hf://org/name[@revision]; default: the package default (keras_saliency.prediction.DEFAULT_MODEL)")


def add_model_argument(parser) -> None:
    parser.add_argument("--model", default=None, help=MODEL_HELP)


def load_model(spec):
    """``keras_saliency.prediction.resolve_model(spec)``; any failure becomes a one-line `UserError`."""
    from keras_saliency import prediction

    try:
        return prediction.resolve_model(spec)
    except Exception as error:  # unknown preset names, bad folders, unreachable hub...
        raise UserError(f"cannot load model {spec!r}: {error}") from None
