"""Train UNISAL on real video gaze (eye_tracking_causality clips) plus MIT1003 images; score held-out clips.

    # the runs of docs/results/unisal_video/ (about 32 min each on 2 CPU cores): 13 training clips + MIT1003 + OSIE
    python examples/train_unisal_video.py --data-dir tfds --osie ../shared/data/osie --epochs 5 --seed 0 \\
        --split-seed 0 --eval-size 375 500 --frame-step 5 --output presets/unisal_lite0_video \\
        --results docs/results/unisal_video/seed0.json          # and --seed 1 ... seed1.json
    python examples/train_unisal_video.py --summarize docs/results/unisal_video/seed0.json \\
        docs/results/unisal_video/seed1.json --summary docs/results/unisal_video/table.md
    # a smoke run of about a minute (tiny clips, random encoder, 1 epoch, eager)
    python examples/train_unisal_video.py --quick

Domains (`keras_saliency.zoo.unisal.unisal_fitting.fit_unisal`): ``eye_tracking_causality``, a video
domain (clips of ``--clip-length`` frames, every ``--frame-modulo``-th, through the ConvGRU), and the
image domains ``mit1003`` (and ``osie`` with ``--osie``; Bypass-RNN), one domain per batch, from the
ImageNet EfficientNet-Lite0 encoder as ``examples/train_unisal.py``. The 17 clips are split by clip
(``keras_saliency.evaluation.clip_split``, ``--n-test`` held out, seeded); MIT1003 trains on all its
images (its held-out numbers are ``train_unisal.py``'s business). Held-out clips are scored per frame,
averaged over frames then clips (`keras_saliency.evaluation.video_clips`), information gain over a
centre bias fitted on the training clips' gaze, for: the trained model through its ConvGRU
(``predict_video``), the same weights frame by frame through the static Bypass path, the image-only
preset ``unisal_lite0_mit1003_osie``, the DeepGaze IIE preset per frame (``--skip-deepgaze`` leaves it
out), the motion baseline ``FrameDifference`` and the centre bias. The viewing is task-driven (causal
judgements about billiard balls), not natural video: results test temporal modelling on this data only.

``--quick``: the first ``QUICK_FRAMES`` frames of every clip (re-encoded at full size under
``DATA_DIR/quick_subsets``, so they never pass for the full dataset), 8 MIT1003 images, a random encoder
at 64x64, clips of 3 frames every 2nd, 1 epoch, eager, every 4th frame scored at 60x80, DeepGaze skipped; it
prints an estimate of the full run's time per epoch (crude: the quick run's seconds per batch scaled by
pixels and frames).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_unisal import build_domain, subset_manual_dir  # noqa: E402  (the image domains, built the same way)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
QUICK_RUN = {"args": ["--data-dir", "tfds", "--output", "unisal_video_preset", "--results", "video.json"],
             "shared": ["data/mit1003/SCANPATHS", "data/eye_tracking_causality/videos/clips/actual/clip_1.mov"],
             "outputs": ["video.json", "unisal_video_preset/config.json", "unisal_video_preset/metadata.json"]}
VIDEO_DOMAIN = "eye_tracking_causality"
QUICK_FRAMES = 8
IMAGE_ONLY_PRESET = "unisal_lite0_mit1003_osie"
DEEPGAZE_PRESET = "deepgaze_iie_lite0_lite1_lite2_mit1003"
BENCHMARK_FRAMES_PER_S = 12.6  # benchmarks/results/depthwise.md: a UNISAL training step at 288x384, 2-core CPU, graph mode
FULL_RUN = {"mit1003_images": 1003, "osie_images": 700, "image_size": (288, 384), "batch_size": 8,
            "clip_batch_size": 2, "clip_length": 12, "clips_per_video": 4}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", default=str(SHARED / VIDEO_DOMAIN), help="eye_tracking_causality manual dir")
    parser.add_argument("--mit1003", default=str(SHARED / "mit1003"), help="MIT1003 manual dir")
    parser.add_argument("--osie", default=None, help="OSIE manual dir: adds it as a third domain")
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default: a temporary folder)")
    parser.add_argument("--encoder", default="efficientnet_lite0")
    parser.add_argument("--encoder-weights", default="imagenet")
    parser.add_argument("--image-size", type=int, nargs=2, default=(288, 384), help="training H W (images and clips)")
    parser.add_argument("--clip-length", type=int, default=12)
    parser.add_argument("--frame-modulo", type=int, default=5, help="30 fps clips: every 5th frame, as DHF1K")
    parser.add_argument("--clips-per-video", type=int, default=4,
                        help="training clips per video per epoch (13 videos: 1 would give 6 clip batches)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--clip-batch-size", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--n-test", type=int, default=4, help="held-out clips")
    parser.add_argument("--eval-size", type=int, nargs=2, default=None,
                        help="score frames resized to H W (default: the clips' 750x1000)")
    parser.add_argument("--frame-step", type=int, default=1, help="score every k-th frame")
    parser.add_argument("--skip-deepgaze", action="store_true", help="leave out the (slow) DeepGaze IIE row")
    parser.add_argument("--run-eagerly", action="store_true")
    parser.add_argument("--output", default=None, help="save the trained model as a preset folder here")
    parser.add_argument("--results", default=None, help="write the table, split, losses and command as JSON here")
    parser.add_argument("--seed", type=int, default=0, help="training seed (initialisation, batches, clip starts)")
    parser.add_argument("--split-seed", type=int, default=0,
                        help="seed of the held-out clips (keep it fixed across training seeds)")
    parser.add_argument("--quick", action="store_true", help="smoke run (see the docstring)")
    parser.add_argument("--summarize", nargs="+", default=None, metavar="RESULTS_JSON",
                        help="no training: the table of these runs' --results (one split, several seeds)")
    parser.add_argument("--summary", default=None, help="the Markdown file --summarize writes (default: print)")
    args = parser.parse_args(argv)
    if args.summarize:
        return args
    if args.quick:
        args.encoder_weights, args.image_size, args.epochs, args.batch_size = None, (64, 64), 1, 8
        args.clip_length, args.frame_modulo, args.clip_batch_size, args.clips_per_video = 3, 2, 13, 1
        args.eval_size, args.frame_step, args.skip_deepgaze, args.run_eagerly = (60, 80), 4, True, True
    from keras_saliency.presets import machine_paths

    args.command = "python examples/train_unisal_video.py " + " ".join(sys.argv[1:] if argv is None else argv)
    paths = machine_paths(args.command) if (args.output or args.results) else []
    if paths:
        parser.error(f"the results record this command; give paths relative to here, not {paths}")
    return args


def quick_clips(source: Path, frames: int, destination: Path) -> Path:
    """``destination`` with the upstream layout: every clip's first ``frames`` frames re-encoded at full size
    (an MP4 container under the upstream ``.mov`` name; FFmpeg reads it by content), the gaze files linked."""
    from keras_saliency.video_io import VideoReader, VideoWriter

    folder = destination / "videos" / "clips" / "actual"
    if folder.is_dir():
        return destination
    staging = destination / "videos" / "clips" / ".partial"
    staging.mkdir(parents=True, exist_ok=True)
    for clip in sorted((source / "videos" / "clips" / "actual").glob("clip_*.mov")):
        reader = VideoReader(clip)
        with VideoWriter(staging / f"{clip.stem}.mp4", reader.rate) as writer:
            for index, frame in enumerate(reader):
                if index == frames:
                    break
                writer.write(frame)
        (staging / f"{clip.stem}.mp4").rename(staging / clip.name)
    (destination / "data" / "raw").mkdir(parents=True, exist_ok=True)
    mats = destination / "data" / "raw" / "mat"
    if not mats.exists():
        mats.symlink_to((source / "data" / "raw" / "mat").resolve())
    staging.rename(folder)
    return destination


def build_clips(manual_dir: Path, data_dir: str):
    """(the builder's train split with encoded frames, the same with decoded frames) of eye_tracking_causality."""
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401  (registers the builders)

    builder = tfds.builder(VIDEO_DOMAIN, data_dir=data_dir)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    encoded = builder.as_dataset(split="train", decoders={"frames": tfds.decode.SkipDecoding()})
    return encoded, builder.as_dataset(split="train")


def main(argv=None):
    args = parse_args(argv)
    if args.summarize:
        return write_summary(args.summarize, args.summary)
    import keras
    import tensorflow_datasets as tfds

    from keras_saliency import presets
    from keras_saliency.data import filter_ids
    from keras_saliency.evaluation import video_clips as vc
    from keras_saliency.zoo.unisal.unisal_fitting import UNISALTraining, VideoDomain, fit_unisal

    started = time.perf_counter()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="keras_saliency_tfds_")
    clips_dir, mit_dir, osie_dir = Path(args.clips), Path(args.mit1003), args.osie and Path(args.osie)
    if args.quick:
        data_dir = str(Path(data_dir) / "quick_subsets")
        clips_dir = quick_clips(clips_dir, QUICK_FRAMES, Path(data_dir) / "manual" / VIDEO_DOMAIN)
        mit_dir = subset_manual_dir(mit_dir, 8, Path(data_dir) / "manual" / "mit1003")
    encoded, decoded = build_clips(clips_dir, data_dir)
    ids = sorted(e["video_id"].decode() for e in tfds.as_numpy(encoded.map(lambda e: {"video_id": e["video_id"]})))
    split = vc.clip_split(ids, n_test=args.n_test, seed=args.split_seed)
    print(f"{len(ids)} clips; held out (split seed {args.split_seed}): {', '.join(split['test'])}", flush=True)
    sources = {VIDEO_DOMAIN: VideoDomain(filter_ids(encoded, split["train"], key="video_id"), len(split["train"]),
                                         args.clip_length, args.frame_modulo, args.clips_per_video)}
    image_domains = [("mit1003", mit_dir)] + ([("osie", osie_dir)] if osie_dir else [])
    for name, folder in image_domains:
        images = build_domain(name, folder, data_dir)
        sources[name] = (images, int(images.reduce(0, lambda n, _: n + 1)))
    training = UNISALTraining(encoder=args.encoder, encoder_weights=args.encoder_weights,
                              image_size=tuple(args.image_size), epochs=args.epochs, batch_size=args.batch_size,
                              learning_rate=args.learning_rate, seed=args.seed, run_eagerly=args.run_eagerly,
                              clip_batch_size=args.clip_batch_size)
    keras.utils.set_random_seed(args.seed)  # python, NumPy and TensorFlow: initialisation included
    model, history, train_seconds = fit_unisal(sources, training)

    eval_size = tuple(args.eval_size) if args.eval_size else None
    train_gaze = vc.read_clips(tfds.as_numpy(filter_ids(encoded, split["train"], key="video_id")), split["train"],
                               size=eval_size, with_frames=False)  # gaze only: no decoded training clip in memory
    test_clips = vc.read_clips(tfds.as_numpy(filter_ids(decoded, split["test"], key="video_id")), split["test"],
                               size=eval_size)
    bias = vc.clip_center_bias(train_gaze)
    rows = comparison(model, bias, args.frame_modulo, deepgaze=not args.skip_deepgaze)
    scores, seconds = {}, {}
    for label, predict in rows.items():
        start = time.perf_counter()
        scores[label] = vc.evaluate_clips(predict, test_clips, bias, frame_step=args.frame_step)
        seconds[label] = round(time.perf_counter() - start, 1)
        print(f"scored {label} ({seconds[label]} s)", flush=True)
    lines = [f"Held-out clips {', '.join(split['test'])}: per-frame metrics, mean over frames then clips",
             "| model | " + " | ".join(vc.METRICS) + " |", "|---|" + "---|" * len(vc.METRICS)]
    lines += [f"| {label} | " + " | ".join(f"{s['mean'][m]:.3f}" for m in vc.METRICS) + " |"
              for label, s in scores.items()]
    print("\n".join(lines))
    estimate = estimate_full_epoch(args, training, train_seconds, sources, len(split["train"]))
    print(f"full run estimate: {estimate['steps_per_epoch']} batches per epoch, about "
          f"{estimate['seconds_per_epoch'] / 60:.0f} min per epoch ({estimate['basis']}; an upper bound, eager tiny "
          f"batches are overhead-bound); {estimate['benchmark_seconds_per_epoch'] / 60:.0f} min at the benchmarked "
          f"{BENCHMARK_FRAMES_PER_S} frames/s")
    record = {"command": args.command, "seed": args.seed, "split_seed": args.split_seed, "split": split, "train_seconds": round(train_seconds, 1),
              "total_seconds": round(time.perf_counter() - started, 1), "domains": model.domains,
              "loss_by_epoch": [float(v) for v in history.history["loss"]], "eval_size": eval_size or test_clips[0].size,
              "frame_step": args.frame_step, "scores": scores, "score_seconds": seconds, "full_run_estimate": estimate,
              "note": "task-driven viewing of billiard-ball animations, not natural video"}
    if args.results:
        from keras_saliency.atomic_write import atomic_write

        Path(args.results).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(args.results, lambda handle: handle.write(json.dumps(record, indent=1).encode()))
    if args.output:
        ours = scores["UNISAL video (ConvGRU)"]["mean"]
        presets.save(model, args.output, metadata={
            "name": Path(args.output).name, "license": "apache-2.0",
            "description": (f"UNISAL with an {args.encoder} encoder ({args.encoder_weights} initialisation), domains "
                            f"{', '.join(model.domains)} ({VIDEO_DOMAIN}: video, through the ConvGRU), trained "
                            f"{args.epochs} epochs at {args.image_size[0]}x{args.image_size[1]}"),
            "training_data": f"{VIDEO_DOMAIN} clips {', '.join(split['train'])}; "
                             + ", ".join(name for name, _ in image_domains),
            "metrics": [{"name": m, "value": float(v), "dataset": f"{VIDEO_DOMAIN} held-out clips "
                         f"{', '.join(split['test'])}", "command": args.command} for m, v in ours.items()],
            "citations": ["Droste, Jiao & Noble, Unified Image and Video Saliency Modeling, ECCV 2020",
                          "Gerstenberg et al., Eye-tracking causality, Psychological Science 2017"]})
    return record


def summarize(records: list) -> str:
    """Markdown: per row and metric the mean over the runs and their min..max; then each clip's information
    gain (mean over runs). The runs must share one split."""
    import numpy as np

    from keras_saliency.evaluation.video_clips import METRICS

    splits = {json.dumps(record["split"], sort_keys=True) for record in records}
    if len(splits) != 1:
        raise SystemExit(f"--summarize: the runs have {len(splits)} different splits; give runs of one split")
    rows = list(records[0]["scores"])
    if any(list(record["scores"]) != rows for record in records):
        raise SystemExit("--summarize: the runs compare different rows")
    seeds = ", ".join(str(record["seed"]) for record in records)

    def cell(values):
        return f"{np.mean(values):.3f}" if len(values) == 1 or np.ptp(values) == 0 else \
            f"{np.mean(values):.3f} ({min(values):.3f}..{max(values):.3f})"

    test = records[0]["split"]["test"]
    lines = [f"Held-out clips {', '.join(test)}; seeds {seeds}: mean over seeds (min..max); per-frame metrics, "
             "mean over frames then clips; IG in bits/fixation over the training clips' centre bias.", "",
             "| model | " + " | ".join(METRICS) + " |", "|---|" + "---|" * len(METRICS)]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(cell([r["scores"][row]["mean"][m] for r in records])
                                             for m in METRICS) + " |")
    lines += ["", "Information gain per held-out clip (mean over seeds):", "",
              "| model | " + " | ".join(test) + " |", "|---|" + "---|" * len(test)]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(
            f"{np.mean([r['scores'][row]['per_clip'][c]['information_gain'] for r in records]):.3f}"
            for c in test) + " |")
    return "\n".join(lines) + "\n"


def write_summary(paths, output=None) -> str:
    records = [json.loads(Path(path).read_text()) for path in paths]
    text = summarize(records)
    if output:
        from keras_saliency.atomic_write import atomic_write

        atomic_write(output, lambda handle: handle.write(text.encode()))
    print(text)
    return text


def comparison(model, bias, frame_modulo: int, deepgaze: bool = True) -> dict:
    """{row label: predictor} of the comparison (`keras_saliency.evaluation.video_clips`): ``model`` (a UNISAL
    with the video domain) through its ConvGRU and frame by frame, the image-only and (``deepgaze``) DeepGaze
    IIE presets per frame, the motion baseline and ``bias``, the training clips' centre bias."""
    import numpy as np

    from keras_saliency import presets
    from keras_saliency.classical import FrameDifference
    from keras_saliency.evaluation import video_clips as vc

    rows = {"UNISAL video (ConvGRU)": vc.video_predictor(model, domain=VIDEO_DOMAIN, frame_modulo=frame_modulo),
            "UNISAL video, same weights per frame (Bypass)": vc.frame_predictor(model, domain=VIDEO_DOMAIN),
            f"{IMAGE_ONLY_PRESET} per frame": vc.frame_predictor(presets.load(IMAGE_ONLY_PRESET))}
    if deepgaze:
        deepgaze_model = presets.load(DEEPGAZE_PRESET)
        rows[f"{DEEPGAZE_PRESET} per frame"] = lambda frames, indices: deepgaze_model.predict_log_density(
            frames[indices], centerbias=np.broadcast_to(bias.log_density(frames.shape[1:3]),
                                                        (len(indices),) + frames.shape[1:3]))
    rows["motion (FrameDifference)"] = vc.video_predictor(FrameDifference())
    rows["centre bias (training clips)"] = vc.center_bias_predictor(bias)
    return rows


def estimate_full_epoch(args, training, train_seconds, sources, train_clips) -> dict:
    """Batches per epoch of the default full run and a crude time: this run's seconds per batch, image batches
    scaled by pixels x batch size, clip batches by pixels x clips x frames (eager quick batches also pay
    Python overhead, graph batches pay a first trace: order of magnitude only)."""
    h, w = training.image_size
    image_batches = sum(-(-s[1] // training.batch_size) for n, s in sources.items() if n != VIDEO_DOMAIN)
    clip_batches = max(1, train_clips * args.clips_per_video // training.clip_batch_size)
    per_batch = train_seconds / (args.epochs * (image_batches + clip_batches))
    full = FULL_RUN
    scale = (full["image_size"][0] * full["image_size"][1]) / (h * w)
    image_full = -(-full["mit1003_images"] // full["batch_size"]) + (
        -(-full["osie_images"] // full["batch_size"]) if args.osie else 0)
    clip_full = max(1, train_clips * full["clips_per_video"] // full["clip_batch_size"])
    image_cost = per_batch * scale * full["batch_size"] / training.batch_size
    clip_cost = per_batch * scale * (full["clip_batch_size"] * full["clip_length"]) / training.batch_size
    frames = image_full * full["batch_size"] + clip_full * full["clip_batch_size"] * full["clip_length"]
    return {"steps_per_epoch": image_full + clip_full, "image_batches": image_full, "clip_batches": clip_full,
            "seconds_per_epoch": round(image_full * image_cost + clip_full * clip_cost),
            "benchmark_seconds_per_epoch": round(frames / BENCHMARK_FRAMES_PER_S),
            "basis": f"{per_batch:.2f} s per batch in this run, scaled to {full['image_size'][0]}x"
                     f"{full['image_size'][1]}, batch {full['batch_size']} / clips {full['clip_batch_size']}x"
                     f"{full['clip_length']}"}


if __name__ == "__main__":
    main()
