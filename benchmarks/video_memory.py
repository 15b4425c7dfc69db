"""Peak memory of predicting a long video file: streaming keeps it bounded, whatever the length.

Usage:
    PYTHONPATH=. python benchmarks/video_memory.py [--cases 60x240x320,600x240x320,20x1080x1920]
        [--fps 30] [--model center_bias] [--out benchmarks/results/video_memory.md]

Each case ``SECONDSxHEIGHTxWIDTH`` is a synthetic H.264 ``.mp4`` (a moving blob over a gradient, written
frame by frame with `keras_saliency.video_io.write_video`), then predicted by ``keras-saliency predict``
in a fresh subprocess (overlay ``.mp4`` and memory-mapped ``.npy`` written); the subprocess's peak resident
memory (``ru_maxrss`` of the child) and wall time are reported, next to what the decoded frames alone would
take in memory (T * H * W * 3 bytes) and the size of the float32 log-density file. The video, the
outputs and their folder are temporary and removed.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from keras_saliency.video_io import VideoReader, write_video


def synthetic_frames(count: int, height: int, width: int):
    """uint8 (H, W, 3) frames: a bright blob circling over a static gradient."""
    y, x = np.mgrid[:height, :width].astype(np.float32)
    background = np.stack([x / width * 120, y / height * 120, np.full_like(x, 60)], -1)
    radius = min(height, width) / 10
    for t in range(count):
        angle = 2 * np.pi * t / 150
        cy, cx = height / 2 + height / 3 * np.sin(angle), width / 2 + width / 3 * np.cos(angle)
        blob = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius ** 2))[..., None]
        yield np.clip(background + 200 * blob, 0, 255).astype(np.uint8)


def run_case(seconds: int, height: int, width: int, fps: int, model: str, folder: Path) -> dict:
    count = seconds * fps
    video = folder / f"synthetic_{seconds}s_{height}x{width}.mp4"
    start = time.perf_counter()
    write_video(video, synthetic_frames(count, height, width), fps=fps, crf=28)
    encode_s = time.perf_counter() - start
    out = folder / "out"
    code = ("import resource, sys; from keras_saliency.cli import main; code = main(sys.argv[1:]); "
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(code)")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "predict", str(video), "--model", model, "-o", str(out),
                           "--no-progress"], capture_output=True, text=True, env={**os.environ})
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"predict failed ({done.returncode}): {done.stderr[-2000:]}")
    maxrss_kib = int(next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("MAXRSS")))
    npy = out / f"{video.stem}_log_density.npy"
    overlay = VideoReader(out / f"{video.stem}_overlay.mp4")
    assert np.load(npy, mmap_mode="r").shape == (count, height, width) and len(overlay) == count
    row = {"case": f"{seconds} s {width}x{height} @ {fps} fps", "frames": count,
           "frames_in_ram_mb": count * height * width * 3 / 2**20, "npy_mb": npy.stat().st_size / 2**20,
           "peak_rss_mb": maxrss_kib / 1024, "predict_s": wall, "encode_s": encode_s}
    for path in out.iterdir():
        path.unlink()
    out.rmdir()
    video.unlink()
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="60x240x320,600x240x320,20x1080x1920",
                        help="comma-separated SECONDSxHEIGHTxWIDTH")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--model", default="center_bias")
    parser.add_argument("--out", default="benchmarks/results/video_memory.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for case in args.cases.split(","):
            seconds, height, width = (int(n) for n in case.split("x"))
            rows.append(run_case(seconds, height, width, args.fps, args.model, Path(folder)))
            print(rows[-1], flush=True)
    command = "PYTHONPATH=. python benchmarks/video_memory.py " + " ".join(sys.argv[1:])
    lines = ["# Peak memory of `keras-saliency predict` on a long video file", "",
             f"Command: `{command.strip()}`", "",
             f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
             f"model `{args.model}`; outputs: overlay `.mp4` + memory-mapped float32 `.npy`.", "",
             "| case | frames | decoded frames would take (MB) | log-density .npy (MB) | peak RSS (MB) | "
             "predict wall (s) |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['case']} | {r['frames']} | {r['frames_in_ram_mb']:.0f} | {r['npy_mb']:.0f} | "
              f"{r['peak_rss_mb']:.0f} | {r['predict_s']:.1f} |" for r in rows]
    lines += ["", "Peak RSS is the whole `keras-saliency predict` process (Python, TensorFlow/Keras imports, "
              "the model), measured as `ru_maxrss` in a fresh subprocess; the synthetic video is written "
              "beforehand and not timed here."]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
