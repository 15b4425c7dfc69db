"""Frames of a held-out eye_tracking_causality clip: the viewers' gaze beside the predictions of the comparison.

    # after examples/train_unisal_video.py wrote the preset (and prepared the TFDS data in tfds/)
    python examples/plot_unisal_video.py --model presets/unisal_lite0_video --data-dir tfds --clip clip_2 \\
        --frames 60 120 180 240 --output docs/results/unisal_video/frames.png
    # a smoke run: a random-weight UNISAL on the first frames of the clips
    python examples/plot_unisal_video.py --quick

One row per frame: the frame with every viewing's gaze sample at that frame (white dots), then the
saliency (density) of each row of ``train_unisal_video.comparison`` except the centre bias (DeepGaze
IIE with ``--deepgaze``), each with its NSS on that frame. Video rows see the whole clip (the ConvGRU
has the frames before); frame rows see that frame alone. ``--size`` H W: the frames are resized to
this first (the example scores at 375x500).

``--quick``: a random-weight UNISAL (MobileNetV2 encoder, 64x64 clips) with the video domain instead of
``--model``, the clips cut as ``train_unisal_video.py --quick`` does (``DATA_DIR/quick_subsets``), frames
2 and 6 of clip_2 at 60x80, the centre bias of clip_1 and clip_4.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_unisal_video import QUICK_FRAMES, SHARED, VIDEO_DOMAIN, build_clips, comparison, quick_clips  # noqa: E402

QUICK_RUN = {"args": ["--data-dir", "tfds", "--output", "frames.png"],
             "shared": ["data/eye_tracking_causality/videos/clips/actual/clip_1.mov"], "outputs": ["frames.png"]}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="the video UNISAL preset (folder or name)")
    parser.add_argument("--clips", default=str(SHARED / VIDEO_DOMAIN), help="eye_tracking_causality manual dir")
    parser.add_argument("--data-dir", required=True, help="TFDS data dir")
    parser.add_argument("--clip", default=None, help="the clip to show (a held-out one)")
    parser.add_argument("--train-clips", nargs="+", default=None,
                        help="clips of the centre bias (default: the model's metadata training_data)")
    parser.add_argument("--frames", type=int, nargs="+", default=(60, 120, 180, 240))
    parser.add_argument("--size", type=int, nargs=2, default=(375, 500))
    parser.add_argument("--frame-modulo", type=int, default=5)
    parser.add_argument("--deepgaze", action="store_true", help="add the (slow) DeepGaze IIE column")
    parser.add_argument("--output", required=True, help="the .png to write")
    parser.add_argument("--quick", action="store_true", help="smoke run (see the docstring)")
    args = parser.parse_args(argv)
    if args.quick:
        args.clip, args.train_clips, args.frames, args.size = "clip_2", ["clip_1", "clip_4"], (2, 6), (60, 80)
    elif args.model is None or args.clip is None:
        parser.error("--model and --clip are required (or --quick)")
    return args


def quick_model():
    """A random-weight UNISAL with the video domain (and an image domain), clips at 64x64."""
    from keras_saliency.zoo.unisal import UNISAL

    return UNISAL(domains=[VIDEO_DOMAIN, "mit1003"], static_domains=["mit1003"], encoder="mobilenetv2_unisal",
                  encoder_weights=None, video_input_size=(64, 64))


def main(argv=None):
    args = parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import tensorflow_datasets as tfds

    from keras_saliency import presets
    from keras_saliency.atomic_write import atomic_write
    from keras_saliency.data import filter_ids
    from keras_saliency.evaluation import video_clips as vc
    from keras_saliency.metrics import nss

    model = quick_model() if args.quick else presets.load(args.model)
    train = args.train_clips or training_clips(args.model)
    if args.clip in train:
        raise SystemExit(f"--clip {args.clip} is a training clip of {args.model}; show a held-out one")
    clips_dir, data_dir = Path(args.clips), args.data_dir
    if args.quick:
        data_dir = str(Path(data_dir) / "quick_subsets")
        clips_dir = quick_clips(clips_dir, QUICK_FRAMES, Path(data_dir) / "manual" / VIDEO_DOMAIN)
    encoded, decoded = build_clips(clips_dir, data_dir)
    bias = vc.clip_center_bias(vc.read_clips(tfds.as_numpy(filter_ids(encoded, train, key="video_id")), train,
                                             size=tuple(args.size), with_frames=False))
    clip = vc.read_clips(tfds.as_numpy(filter_ids(decoded, [args.clip], key="video_id")), [args.clip],
                         size=tuple(args.size))[0]
    frames = np.asarray(args.frames)
    if frames.min() < 0 or frames.max() >= len(clip.frames):
        raise SystemExit(f"--frames must be in 0..{len(clip.frames) - 1}; got {args.frames}")
    rows = {label: predict for label, predict in comparison(model, bias, args.frame_modulo, args.deepgaze).items()
            if not label.startswith("centre bias")}
    maps = {label: np.asarray(predict(clip.frames, frames)) for label, predict in rows.items()}
    figure, axes = plt.subplots(len(frames), 1 + len(maps), figsize=(2.6 * (1 + len(maps)), 2.1 * len(frames)),
                                squeeze=False)
    for row, t in enumerate(frames):
        gaze = clip.fixations[t]
        axes[row, 0].imshow(clip.frames[t])
        axes[row, 0].scatter(gaze.x, gaze.y, s=6, c="white", edgecolors="black", linewidths=0.3)
        axes[row, 0].set_title(f"{args.clip} frame {t}: gaze ({len(gaze.x)})", fontsize=7)
        for column, (label, log_density) in enumerate(maps.items(), start=1):
            density = np.exp(log_density[row])
            axes[row, column].imshow(clip.frames[t])
            axes[row, column].imshow(density, cmap="inferno", alpha=0.7)
            score = nss(density, gaze) if len(gaze.x) else float("nan")
            axes[row, column].set_title(f"{label}\nNSS {score:.2f}", fontsize=6)
    for axis in axes.ravel():
        axis.set_axis_off()
    figure.tight_layout()
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(output, lambda handle: figure.savefig(handle, format="png", dpi=110))
    print(f"wrote {output}")


def training_clips(spec) -> list:
    """The training clips named in the preset's metadata ``training_data`` (``"<domain> clips a, b; ..."``)."""
    from keras_saliency.presets.files import read_metadata
    from keras_saliency.presets.resolve import resolve_preset

    text = read_metadata(resolve_preset(spec)).get("training_data", "")
    prefix = f"{VIDEO_DOMAIN} clips "
    if not text.startswith(prefix):
        raise SystemExit(f"{spec}: no '{prefix}...' in its metadata training_data; give --train-clips")
    return [name.strip() for name in text[len(prefix):].split(";")[0].split(",")]


if __name__ == "__main__":
    main()
