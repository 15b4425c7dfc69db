"""``keras-saliency predict``: images, folders or videos -> heatmap overlays, saliency PNGs and log-density .npy.

Streams: options and the output folder are checked before the model loads, then the inputs are predicted
in order (`keras_saliency.prediction.stream`: consecutive images of one working size as one batch, one
compiled model for every size) and each input's files are written atomically (`keras_saliency.atomic_write`)
as soon as its batch is done, so a failed input, a write error or Ctrl-C never loses finished results and
never leaves a temporary file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from keras_saliency.cli import UserError, add_progress_argument, progress_of
from keras_saliency.cli.model_arg import add_model_argument, load_model

EXIT_SOME_FAILED = 1
EXIT_INTERRUPTED = 130


def register(subparsers):
    parser = subparsers.add_parser(
        "predict",
        help="predict saliency for images, folders of images or videos",
        description="Writes <stem>_overlay.png (heatmap over the image), <stem>_saliency.png and "
        "<stem>_log_density.npy (natural-log density at the original size, logsumexp == 0) per image. "
        "A video (a folder of frames with --video, an animated GIF/WebP with --video, or a video file) "
        "gives <stem>/<frame>_overlay.png and <stem>/<frame>_saliency.png per frame and one "
        "<stem>_log_density.npy of shape (T, H, W). A video file (.mp4 .mov .avi .mkv .webm...) is streamed "
        "(bounded memory) to <stem>_overlay.mp4 (heatmap over the frames, the file's fps) and a memory-mapped "
        "<stem>_log_density.npy of shape (T, H, W). Each input's files are written as soon as it is "
        "predicted; an unreadable input is reported and skipped (exit code 1 at the end), Ctrl-C keeps "
        "what is written (exit code 130).",
    )
    parser.add_argument("inputs", nargs="+", help="image files, folders of images, or videos (see --video)")
    parser.add_argument("--output", "-o", required=True, help="folder for the results (created if needed)")
    add_model_argument(parser)
    parser.add_argument("--video", action="store_true",
                        help="treat every folder input as one video (its frames sorted by name) and animated "
                             "images as videos; image-only models run frame by frame, UNISAL as a clip")
    parser.add_argument("--alpha", type=float, default=0.6, help="overlay opacity in [0, 1] (default 0.6)")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first input that cannot be read, predicted or written (exit code 2)")
    parser.add_argument("--skip-existing", action="store_true",
                        help="do not predict inputs whose output files all exist (resume an interrupted run)")
    add_progress_argument(parser)
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


def _check_output(output: Path) -> None:
    """Refuses an --output that is a file or that cannot be created or written, without creating it."""
    if output.exists() and not output.is_dir():
        raise UserError(f"--output {output} is a file; give a folder (created if needed).")
    existing = next(folder for folder in (output.absolute(), *output.absolute().parents) if folder.exists())
    if not existing.is_dir():
        raise UserError(f"--output {output} cannot be created: {existing} is a file.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--output {output} is not writable ({existing} does not allow writing).")


def _frame_prefixes(output: Path, stem: str, frame_count) -> list:
    """Path prefixes of the overlay/saliency PNGs: ``<stem>`` for an image, ``<stem>/<frame>`` per video frame."""
    if frame_count is None:
        return [output / stem]
    return [output / stem / f"{t:06d}" for t in range(frame_count)]


def _png_pair(prefix: Path) -> tuple:
    return prefix.with_name(f"{prefix.name}_overlay.png"), prefix.with_name(f"{prefix.name}_saliency.png")


def _already_written(output: Path, stem: str, is_video: bool, video_file: bool = False) -> bool:
    """Whether every output file of one input exists (the .npy is written last; for a video it gives T)."""
    npy = output / f"{stem}_log_density.npy"
    if not npy.is_file():
        return False
    if video_file:
        return (output / f"{stem}_overlay.mp4").is_file()
    frame_count = None
    if is_video:
        try:
            frame_count = np.load(npy, mmap_mode="r").shape[0]
        except (OSError, ValueError, IndexError):
            return False
    return all(path.is_file() for prefix in _frame_prefixes(output, stem, frame_count) for path in _png_pair(prefix))


def _write(output: Path, stem: str, result, alpha: float) -> int:
    """Writes one result's files (PNGs first, the .npy last), each atomically; returns how many."""
    from keras_saliency import prediction, visualize
    from keras_saliency.atomic_write import atomic_write

    output.mkdir(parents=True, exist_ok=True)
    if isinstance(result, prediction.VideoPrediction):
        (output / stem).mkdir(exist_ok=True)
        images = zip(_frame_prefixes(output, stem, len(result.frames)), result.frames, result.saliency_map)
    else:
        images = [(output / stem, result.image, result.saliency_map)]
    written = 0
    for prefix, image, saliency in images:
        overlay_path, saliency_path = _png_pair(prefix)
        visualize.save_image(overlay_path, visualize.overlay_heatmap(image, saliency, alpha=alpha))
        visualize.save_image(saliency_path, visualize.colorize(saliency))
        written += 2
    log_density = result.log_density.astype(np.float32)
    atomic_write(output / f"{stem}_log_density.npy", lambda f: np.save(f, log_density))
    return written + 1


def _write_video_file(output: Path, stem: str, source: str, model, args) -> int:
    """Streams one video file to <stem>_overlay.mp4 and <stem>_log_density.npy (`keras_saliency.video_prediction`)."""
    from keras_saliency.video_io import VideoReader
    from keras_saliency.video_prediction import predict_video_file

    reader = VideoReader(source)  # a bad file fails before the output folder is created
    output.mkdir(parents=True, exist_ok=True)
    predict_video_file(reader, model, log_density_path=output / f"{stem}_log_density.npy",
                       overlay_path=output / f"{stem}_overlay.mp4", alpha=args.alpha, progress=progress_of(args))
    return 2


def _naming(source: str, error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if source in text else f"{source}: {text}"


def _predicted(todo, models, progress):
    """``(source, stem, Prediction | VideoPrediction | Exception | None)`` per ``(source, stem, input)``, in order.

    None stands for a video file, which `_write_video_file` streams itself; the inputs between
    video files are batched by `keras_saliency.prediction.stream`.
    """
    from keras_saliency import prediction
    from keras_saliency.video_frames import is_video_file

    run = []

    def flush():
        batch = list(run)
        run.clear()
        if batch:
            results = prediction.stream([item for _, _, item in batch], model=models, progress=progress)
            for (source, stem, _), (_, result) in zip(batch, results):
                yield source, stem, result

    for source, stem, item in todo:
        if isinstance(item, prediction.Video) and is_video_file(source):
            yield from flush()
            yield source, stem, None
        else:
            run.append((source, stem, item))
    yield from flush()


def run(args) -> int:
    from tqdm.auto import tqdm

    from keras_saliency import prediction
    from keras_saliency.video_frames import is_video_file

    if not 0.0 <= args.alpha <= 1.0:  # NaN too
        raise UserError(f"--alpha must be in [0, 1]; got {args.alpha}.")
    try:
        inputs = _inputs(args)
    except (FileNotFoundError, ValueError) as error:
        raise UserError(str(error)) from None
    output = Path(args.output)
    _check_output(output)
    sources = [str(item.source if isinstance(item, prediction.Video) else item) for item in inputs]
    stems = [Path(source).stem for source in sources]
    if len(set(stems)) != len(stems):
        raise UserError("several inputs share a file name stem; their outputs would overwrite each other")

    files = images = videos = skipped = 0
    failed = []
    try:
        models = prediction.ModelChoice(args.model, resolve=load_model)
        for video in sorted({isinstance(item, prediction.Video) for item in inputs}):
            models.get(video=video)  # the models the inputs need, load errors reported before any output
        progress = progress_of(args)
        todo = []
        for source, stem, item in zip(sources, stems, inputs):
            is_video = isinstance(item, prediction.Video)
            if args.skip_existing and _already_written(output, stem, is_video, is_video and is_video_file(source)):
                skipped += 1
            else:
                todo.append((source, stem, item))
        for source, stem, result in _predicted(todo, models, progress):  # batched; in input order
            try:
                if isinstance(result, Exception):
                    raise result
                if result is None:  # a video file, streamed to its files
                    files += _write_video_file(output, stem, source, models.get(video=True), args)
                else:
                    files += _write(output, stem, result, args.alpha)
            except (OSError, ValueError) as error:
                if args.strict:
                    raise UserError(f"{_naming(source, error)} (--strict: stopped; {images + videos} inputs "
                                    "written)") from None
                failed.append(source)
                tqdm.write(f"keras-saliency predict: failed: {_naming(source, error)}", file=sys.stderr)
                continue
            is_video = result is None or isinstance(result, prediction.VideoPrediction)
            videos += is_video
            images += not is_video
    except KeyboardInterrupt:
        print(f"keras-saliency predict: interrupted; {images + videos} of {len(inputs)} inputs written to "
              f"{output} ({files} files)", file=sys.stderr)
        return EXIT_INTERRUPTED
    summary = f"wrote {files} files for {images} images and {videos} videos to {output}"
    if skipped:
        summary += f"; skipped {skipped} inputs already written"
    if failed:
        summary += f"; {len(failed)} inputs failed: {', '.join(failed)}"
    print(summary)
    return EXIT_SOME_FAILED if failed else 0
