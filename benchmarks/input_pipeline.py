"""Input-pipeline throughput: MIT1003 from the built TFDS dataset to batched 384x512 model inputs.

Usage:
    PYTHONPATH=. python benchmarks/input_pipeline.py --manual_dir ../shared/data/mit1003 [--data_dir D]
        [--batch_size 8] [--batches 60] [--out benchmarks/results/input_pipeline.md]

Builds ``mit1003/fixatons`` into ``--data_dir`` (a temp dir by default; the build time is
reported too), then times ``keras_saliency.data.saliency_dataset`` for several targets:
JPEG decode + resize + targets + batching, after 3 warm-up batches, over a repeated dataset.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import tensorflow as tf
import tensorflow_datasets as tfds

import tfds_builders  # noqa: F401
from keras_saliency import data

SIZE = (384, 512)
CASES = (
    ("fixation_map", {}),
    ("fixations", {"max_fixations": 256}),
    ("dense_map", {"sigma": 17.5}),  # ~1 degree of visual angle at 384x512 for MIT1003 (35 px/deg at 768x1024)
    ("unisal", {"sigma": 17.5}),
)


def measure(ds, batch_size: int, batches: int) -> float:
    iterator = iter(ds)
    for _ in range(3):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * batch_size / (time.perf_counter() - start)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manual_dir", required=True)
    parser.add_argument("--data_dir", default=None)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="tfds_bench_")
    builder = tfds.builder("mit1003/fixatons", data_dir=data_dir)
    start = time.perf_counter()
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=args.manual_dir))
    build_s = time.perf_counter() - start

    rows = []
    for target, kwargs in CASES:
        ds = builder.as_dataset(split="train", shuffle_files=False).repeat()
        ds = data.saliency_dataset(ds, SIZE, target, args.batch_size, image_scaling="imagenet", **kwargs)
        rate = measure(ds, args.batch_size, args.batches)
        rows.append((target, kwargs, rate))
        print(f"{target:14s} {rate:7.1f} images/s")

    lines = [
        "# Input pipeline throughput (MIT1003, 384x512 inputs)",
        "",
        "Command: `PYTHONPATH=. python benchmarks/input_pipeline.py "
        f"--manual_dir {args.manual_dir} --batch_size {args.batch_size} "
        f"--batches {args.batches}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores (shared with other jobs), "
        f"TensorFlow {tf.__version__}, TFDS {tfds.__version__}; 1-min load average at the end "
        f"{os.getloadavg()[0]:.2f} (other jobs' load makes single runs vary by tens of percent).",
        f"Build of `mit1003/fixatons` from the FixaTons files: {build_s:.1f} s "
        "(0 s when the prepared dataset was reused).",
        "",
        "Per-batch work: read TFRecords, decode JPEG (max side 1024), antialiased resize to 384x512, "
        "ImageNet scaling, target, batch; after 3 warm-up batches.",
        "",
        "| target | options | images/s |",
        "| --- | --- | ---: |",
    ]
    lines += [f"| `{t}` | {k or '-'} | {r:.1f} |" for t, k, r in rows]
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
