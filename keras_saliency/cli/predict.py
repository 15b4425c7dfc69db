"""``keras-saliency predict``: images, folders or videos -> heatmap overlays, saliency PNGs and log-density .npy."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_saliency.cli import UserError
from keras_saliency.cli.model_arg import add_model_argument, load_model


def register(subparsers):
    parser = subparsers.add_parser(
        "predict",
        help="predict saliency for images, folders of images or videos",
        description="Writes <stem>_overlay.png (heatmap over the image), <stem>_saliency.png and "
        "<stem>_log_density.npy (natural-log density at the original size, logsumexp == 0) per image. "
        "A video (a folder of frames with --video, an animated GIF/WebP with --video, or a video file) "
        "gives <stem>/<frame>_overlay.png and <stem>/<frame>_saliency.png per frame and one "
        "<stem>_log_density.npy of shape (T, H, W). Video files (.mp4...) need their frames extracted "
        "first (ffmpeg -i clip.mp4 clip/%06d.png).",
    )
    parser.add_argument("inputs", nargs="+", help="image files, folders of images, or videos (see --video)")
    parser.add_argument("--output", "-o", required=True, help="folder for the results (created if needed)")
    add_model_argument(parser)
    parser.add_argument("--video", action="store_true",
                        help="treat every folder input as one video (its frames sorted by name) and animated "
                             "images as videos; image-only models run frame by frame, UNISAL as a clip")
    parser.add_argument("--alpha", type=float, default=0.6, help="overlay opacity in [0, 1] (default 0.6)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def _inputs(args) -> list:
    from keras_saliency import image_files, prediction
    from keras_saliency.video_frames import is_video_file

    inputs = []
    for item in args.inputs:
        path = Path(item)
        if not path.exists():
            raise UserError(f"No such file or folder: {item}")
        if args.video or is_video_file(path):
            inputs.append(prediction.Video(path))
        else:
            inputs.extend(image_files.collect_image_paths([path]))
    return inputs


def _save_npy(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        np.save(f, array.astype(np.float32))
    tmp.replace(path)


def run(args) -> int:
    from keras_saliency import prediction, visualize

    try:
        inputs = _inputs(args)
    except (FileNotFoundError, ValueError) as error:
        raise UserError(str(error)) from None
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise UserError(f"--output {output} is a file; give a folder (created if needed).")
    model = load_model(args.model)
    stems = [Path(item.source if isinstance(item, prediction.Video) else item).stem for item in inputs]
    if len(set(stems)) != len(stems):
        raise UserError("several inputs share a file name stem; their outputs would overwrite each other")
    try:
        results = prediction.predict(inputs, model=model, progress=not args.no_progress and None)
    except (FileNotFoundError, ValueError) as error:
        raise UserError(str(error)) from None
    output.mkdir(parents=True, exist_ok=True)
    written = 0
    for stem, result in zip(stems, results):
        if isinstance(result, prediction.VideoPrediction):
            frames_dir = output / stem
            frames_dir.mkdir(exist_ok=True)
            pairs = [(frames_dir / f"{t:06d}", f, m) for t, (f, m) in enumerate(zip(result.frames, result.saliency_map))]
        else:
            pairs = [(output / stem, result.image, result.saliency_map)]
        for prefix, image, saliency in pairs:
            visualize.save_image(prefix.with_name(f"{prefix.name}_overlay.png"),
                                 visualize.overlay_heatmap(image, saliency, alpha=args.alpha))
            visualize.save_image(prefix.with_name(f"{prefix.name}_saliency.png"), visualize.colorize(saliency))
        _save_npy(output / f"{stem}_log_density.npy", result.log_density)
        written += 2 * len(pairs) + 1
    videos = sum(isinstance(r, prediction.VideoPrediction) for r in results)
    print(f"wrote {written} files for {len(results) - videos} images and {videos} videos to {output}")
    return 0
