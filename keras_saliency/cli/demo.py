"""``keras-saliency demo``: a local web page to try models on your own images and videos (`keras_saliency.demo`)."""

from __future__ import annotations

from keras_saliency.cli import UserError


def register(subparsers):
    parser = subparsers.add_parser(
        "demo",
        help="start a local web page to try models on your own images and videos",
        description="Serves a page where you drop an image or a video, pick one or two models (registered presets, "
        "classical models, a preset folder or converted checkpoint, an exported .tflite/.onnx) and see the "
        "heatmap overlays, the most likely fixation and the two side by side. Binds to 127.0.0.1 (this "
        "machine only) unless --host says otherwise. Ctrl-C stops it.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: local only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free port)")
    parser.add_argument("--model", default=None, help="the model selected first (default: the package default)")
    parser.add_argument("--max-upload-mb", type=float, default=20.0, help="largest accepted upload (default 20 MB)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from keras_saliency.demo import serve

    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be in 0..65535; got {args.port}.")
    if not args.max_upload_mb > 0:
        raise UserError(f"--max-upload-mb must be positive; got {args.max_upload_mb}.")
    try:
        serve(args.host, args.port, default_model=args.model, max_upload_mb=args.max_upload_mb,
              verbose=args.verbose)
    except OSError as error:  # port in use, address not available
        raise UserError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    return 0
