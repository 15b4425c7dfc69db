"""Training throughput on this machine: UNISAL images/s and clip frames/s, DeepGaze readout epochs/s, input headroom.

    PYTHONPATH=. python benchmarks/training_throughput.py --output benchmarks/results/training_throughput.md
    KERAS_BACKEND=jax PYTHONPATH=. python benchmarks/training_throughput.py --parts unisal_images unisal_clips \
        --append benchmarks/results/training_throughput.md

Parts (each timed after its first, tracing, step):

- ``unisal_images``: UNISAL (EfficientNet-Lite0, ImageNet weights, the reference recipe of ``UNISAL.compile``,
  encoder trainable) on MIT1003 batches of 8 at 288x384 from ``keras_saliency.data.saliency_dataset`` over
  ``FixationImages.as_dataset`` (the input of ``examples/train_unisal.py`` / ``best_models.py``), through
  ``unisal_fitting.TrainSteps`` as ``fit_unisal`` runs them. Three rates: the input pipeline alone, the train
  step alone on one fixed batch, and both together (what a run gets); pipeline / step = the headroom.
- ``unisal_clips``: the same for video batches (2 clips x 12 frames every 5th at 288x384, ConvGRU) from
  ``keras_saliency.data.video_clip_dataset`` over synthetic videos of the eye_tracking_causality clips' size
  (300 JPEG-encoded 750x1000 frames each, as the TFDS builder stores them, decoded per clip).
- ``deepgaze_readouts``: one DeepGaze IIE readout (the ``deepgaze_protocol`` recipe, batch 4) trained by
  ``fit_readout`` on cached EfficientNet-Lite0 features of ``--readout-images`` MIT1003 images at scale 0.5;
  seconds per epoch after the first, and the epoch time this gives for a 10-fold training split (802 images).

Needs ``../shared/data/mit1003`` (FixaTons layout). TensorFlow or JAX backend (``KERAS_BACKEND``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

MIT1003 = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mit1003"
PARTS = ("unisal_images", "unisal_clips", "deepgaze_readouts")
SIZE = (288, 384)
FOLD_TRAIN_IMAGES = 802  # MIT1003 10-fold: 8 training folds


def rate(iterator_step, steps: int) -> float:
    """Seconds per call of ``iterator_step`` over ``steps`` calls after one warm-up call."""
    iterator_step()
    start = time.perf_counter()
    for _ in range(steps):
        iterator_step()
    return (time.perf_counter() - start) / steps


def unisal_model():
    from keras_saliency.zoo.unisal import UNISAL

    model = UNISAL(domains=["data"], static_domains=["data"], encoder="efficientnet_lite0", encoder_weights="imagenet",
                   video_input_size=SIZE)
    model.compile(steps_per_epoch=100, freeze_encoder_epochs=0, learning_rate=0.01)
    return model


def three_rates(batches, steps: int):
    """(pipeline s/batch, step s/batch, pipeline + step s/batch) of a UNISAL model on ``batches``."""
    from keras_saliency.zoo.unisal.unisal_fitting import TrainSteps

    iterator = iter(batches.repeat())
    pipeline = rate(lambda: next(iterator), steps)
    step = TrainSteps(unisal_model())
    fixed = next(iterator)
    alone = rate(lambda: step(*fixed), steps)
    together = rate(lambda: step(*next(iterator)), steps)
    return pipeline, alone, together


def unisal_images(args):
    from keras_saliency.data import read_fixation_images, saliency_dataset

    images = read_fixation_images("mit1003", args.data, args.count)
    batches = saliency_dataset(images.as_dataset(), SIZE, "unisal", 8, sigma=0.04 * max(SIZE), domain=0,
                               sample_weight=1.0, shuffle_buffer=len(images), seed=0)
    return 8, three_rates(batches, args.steps)


def synthetic_videos(videos: int, frames: int, size=(750, 1000)):
    """``videos`` unbatched video examples: JPEG-encoded moving-blob frames and one gaze sample per frame."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:size[0], 0:size[1]]
    encoded, gaze = [], []
    for t in range(frames):
        cx, cy = size[1] * (0.2 + 0.6 * t / frames), size[0] * 0.5
        blob = 200 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 40.0 ** 2))
        frame = np.clip(blob[..., None] + rng.normal(60, 20, size + (3,)), 0, 255).astype(np.uint8)
        encoded.append(tf.io.encode_jpeg(frame, quality=90).numpy())
        gaze.append((cx, cy))
    gaze = np.asarray(gaze, np.float32)
    fixations = {"frame": np.arange(frames, dtype=np.int32), "x": gaze[:, 0], "y": gaze[:, 1]}
    example = {"frames": np.asarray(encoded, object), "fixations": fixations}
    return tf.data.Dataset.from_tensors(example).repeat(videos)


def unisal_clips(args):
    from keras_saliency.data import video_clip_dataset

    videos = synthetic_videos(4, 300).cache()
    batches = video_clip_dataset(videos.repeat(), SIZE, 12, 5, "unisal", 2, sigma=0.04 * max(SIZE), domain=0,
                                 sample_weight=1.0, seed=0, drop_remainder=True)
    return 2 * 12, three_rates(batches, args.steps)


def deepgaze_readouts(args):
    import keras

    from keras_saliency.data import read_fixation_images
    from keras_saliency.evaluation import EvaluationImages
    from keras_saliency.maps import EmpiricalCenterBias
    from keras_saliency.zoo import deepgaze
    from keras_saliency.zoo.deepgaze.deepgaze_protocol import make_extractor

    data = EvaluationImages(read_fixation_images("mit1003", args.data, args.readout_images), 0.5)
    extractor = make_extractor("efficientnet_lite0")
    start = time.perf_counter()
    features = deepgaze.FeatureCache(deepgaze.DeepGazeII(extractor), None).get_many(
        data.ids, data.load_image, data.sizes, progress=False)
    feature_seconds = time.perf_counter() - start
    bias = EmpiricalCenterBias.fit(data.fixations, data.sizes)
    train = deepgaze.ReadoutDataset(features, data.fixations, data.sizes, bias.log_density, batch_size=4, seed=0)
    model = deepgaze.DeepGazeII(extractor, n_components=1).readout_model([0])
    epochs = 1 + args.readout_epochs
    times = []
    clock = keras.callbacks.LambdaCallback(on_epoch_begin=lambda *_: times.append(time.perf_counter()),
                                           on_train_end=lambda *_: times.append(time.perf_counter()))
    model.compile(steps_per_epoch=len(train), learning_rate=1e-3)
    model.fit(train.tf_dataset(), epochs=epochs, callbacks=[clock], verbose=0, shuffle=False)
    epoch_seconds = np.diff(times)[1:]  # the first epoch traces
    return feature_seconds, float(np.median(epoch_seconds)), len(data.ids)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=MIT1003)
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--steps", type=int, default=10, help="timed batches per rate")
    ap.add_argument("--count", type=int, default=200, help="MIT1003 images in the UNISAL image pipeline")
    ap.add_argument("--readout-images", type=int, default=100)
    ap.add_argument("--readout-epochs", type=int, default=3, help="timed readout epochs (after the first)")
    ap.add_argument("--output", type=Path, default=None, help="write the table here")
    ap.add_argument("--append", type=Path, default=None, help="append the rows to this table")
    args = ap.parse_args(argv)
    import keras

    backend = keras.backend.backend()
    rows = []
    for part in args.parts:
        if part == "deepgaze_readouts":
            feature_seconds, epoch_seconds, n = deepgaze_readouts(args)
            rows.append(f"| {backend} | DeepGaze IIE readout (Lite0 features, {n} MIT1003 images at scale 0.5, "
                        f"batch 4) | - | {epoch_seconds:.2f} s/epoch = {n / epoch_seconds:.1f} images/s | - | "
                        f"{1 / epoch_seconds * n / FOLD_TRAIN_IMAGES:.3f} epochs/s on {FOLD_TRAIN_IMAGES} images "
                        f"({FOLD_TRAIN_IMAGES * epoch_seconds / n:.1f} s/epoch); features {n / feature_seconds:.1f} "
                        "images/s |")
        else:
            per_batch, (pipeline, alone, together) = globals()[part](args)
            unit = "images" if part == "unisal_images" else "clip frames"
            what = ("UNISAL Lite0 fit, MIT1003 batches of 8 at 288x384" if part == "unisal_images" else
                    "UNISAL Lite0 fit, video batches of 2 x 12 frames at 288x384 (ConvGRU)")
            rows.append(f"| {backend} | {what} | {per_batch / pipeline:.1f} | {per_batch / alone:.2f} | "
                        f"{per_batch / together:.2f} | {unit}/s; headroom {alone / pipeline:.1f}x |")
        print(rows[-1], flush=True)
    header = ["# Training throughput", "",
              "Command: `PYTHONPATH=. python benchmarks/training_throughput.py --output "
              "benchmarks/results/training_throughput.md` (JAX rows: `KERAS_BACKEND=jax`, `--append`).", "",
              f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
              f"Keras {keras.__version__}. Rates after the first (tracing) step, over {args.steps} batches; "
              "'pipeline' = the input pipeline alone, 'step' = the train step alone on one batch, "
              "'fit' = both, as a run gets them. No GPU was lent to this machine.", "",
              "| backend | what | pipeline /s | step /s | fit /s | notes |", "|---|---|---|---|---|---|"]
    if args.output:
        args.output.write_text("\n".join(header + rows) + "\n")
    if args.append:
        with open(args.append, "a") as f:
            f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
