"""The ``--model`` argument shared by ``predict`` and ``evaluate``."""

from __future__ import annotations

from keras_saliency.cli import UserError

MODEL_HELP = ("classical model name (gbvs, itti, center_bias), registered preset name, preset folder or "
              "hf://org/name[@revision]; default: the package defaults (keras_saliency.prediction.DEFAULT_MODEL "
              "for images, DEFAULT_VIDEO_MODEL for videos in `predict`)")


def add_model_argument(parser) -> None:
    parser.add_argument("--model", default=None, help=MODEL_HELP)


def load_model(spec, *, video: bool = False):
    """``keras_saliency.prediction.resolve_model(spec, video=video)``; any failure becomes a one-line `UserError`."""
    from keras_saliency import prediction

    try:
        return prediction.resolve_model(spec, video=video)
    except Exception as error:  # unknown preset names, bad folders, unreachable hub...
        shown = spec if spec is not None else (prediction.DEFAULT_VIDEO_MODEL if video else prediction.DEFAULT_MODEL)
        raise UserError(f"cannot load model {shown!r}: {error}") from None
