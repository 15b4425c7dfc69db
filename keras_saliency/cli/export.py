"""``keras-saliency export MODEL --format tflite|onnx|saved_model -o PATH``: a model as a runtime artifact.

The artifact takes one RGB image (1, H, W, 3) float32 in 0..255 at a fixed size and returns
its log-density (1, H, W) (`keras_saliency.export`); it is checked against the Keras model
before it is moved into place, and the check is printed.
"""

from __future__ import annotations

import re
from pathlib import Path

from keras_saliency.cli import UserError
from keras_saliency.cli.model_arg import MODEL_HELP

FORMAT_HELP = ("tflite: a LiteRT flatbuffer (builtin ops; run it with ai-edge-litert); onnx: an ONNX model "
               "(onnxruntime); saved_model: a TensorFlow SavedModel folder with the endpoint `serve` (TF Serving)")


def register(subparsers):
    parser = subparsers.add_parser(
        "export",
        help="export a model to LiteRT (.tflite), ONNX or a TensorFlow SavedModel",
        description="Exports a zoo model (UNISAL, DeepGaze II/IIE, WEPSAM, DINet) at a fixed input size, e.g. "
        "`keras-saliency export deepgaze_ii_lite2_mit1003 --format onnx -o deepgaze.onnx`. Input `image` "
        "(1, H, W, 3) float32 RGB 0..255, output the normalised natural-log density (1, H, W). UNISAL's domain "
        "and DeepGaze's stored centre bias are baked in. Every export is run in its runtime and compared with "
        "the Keras model (max |log-density difference| printed) before it is written. Classical models "
        "(gbvs, itti, center_bias) run in NumPy and cannot be exported.",
    )
    parser.add_argument("model", help=MODEL_HELP.split("; default")[0])
    parser.add_argument("--format", "-f", required=True, choices=("tflite", "onnx", "saved_model"),
                        help=FORMAT_HELP)
    parser.add_argument("--output", "-o", type=Path, required=True,
                        help="the .tflite / .onnx file or the SavedModel folder to write")
    parser.add_argument("--input-size", default=None, metavar="HxW",
                        help="fixed input size, e.g. 288x384 (default: the model's working size)")
    parser.add_argument("--domain", default=None, help="UNISAL domain to bake in (default: its first image domain)")
    parser.add_argument("--check-image", action="append", type=Path, default=None, metavar="PATH",
                        help="image to compare the export with the Keras model on (repeatable; default: a "
                             "synthetic pop-out search array)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")
    parser.set_defaults(func=run)


def parse_size(text):
    """(H, W) from ``"HxW"``; None stays None."""
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match or min(int(match[1]), int(match[2])) < 1:
        raise UserError(f"--input-size must be HxW with positive integers (e.g. 288x384); got {text!r}.")
    return int(match[1]), int(match[2])


def run(args) -> int:
    from keras_saliency.prediction import CLASSICAL_MODELS

    size = parse_size(args.input_size)
    if args.model.lower() in CLASSICAL_MODELS:
        raise UserError(f"{args.model!r} is a classical model: it runs in NumPy (SciPy) and has no graph to export; "
                        "export a zoo model (UNISAL, DeepGaze, WEPSAM, DINet).")
    if args.output.exists() and not args.overwrite:
        raise UserError(f"--output {args.output} already exists; pass --overwrite to replace it.")
    if not args.output.parent.is_dir():
        raise UserError(f"--output {args.output}: the folder {args.output.parent} does not exist.")
    missing = [str(p) for p in args.check_image or () if not p.is_file()]
    if missing:
        raise UserError(f"--check-image {', '.join(missing)}: no such file.")
    import logging

    from keras_saliency.cli.model_arg import load_model
    from keras_saliency.export import NotExportableError, export_model

    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    model = load_model(args.model)
    try:
        result = export_model(model, args.output, args.format, input_size=size, domain=args.domain,
                              overwrite=args.overwrite, check_images=args.check_image)
    except (NotExportableError, ValueError) as error:
        raise UserError(str(error)) from None
    height, width = result.input_size
    print(f"{result.path}: {result.format}, input (1, {height}, {width}, 3) RGB 0..255 -> log-density "
          f"(1, {height}, {width}); max |diff| from Keras {result.max_abs_diff:.2e} nats on {result.checked} "
          f"image(s); {result.seconds:.0f} s")
    return 0
