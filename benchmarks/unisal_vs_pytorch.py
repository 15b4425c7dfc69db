"""UNISAL per-frame time: this port (TensorFlow graph mode) against the reference PyTorch model, same machine.

    git clone https://github.com/rdroste/unisal ../unisal        # the reference code (weights not needed)
    PYTHONPATH=. python benchmarks/unisal_vs_pytorch.py --reference ../unisal --torch-python ../venv-torch/bin/python \
        --output benchmarks/results/unisal_vs_pytorch.md

Both models have random weights (speed does not depend on them) and the reference architecture
(MobileNetV2 encoder, the four reference domains). Inputs: one 224x384 frame through the static
path (domain SALICON) and one clip of 12 224x384 frames through the ConvGRU (domain DHF1K), batch 1,
log-densities at the input size. The reference runs in a worker process of ``--torch-python``
(``torch.no_grad``, eval mode, PyTorch's default threads: one per core; its package ``__init__``,
which imports the training code, is bypassed in the worker: nothing in the reference is changed);
this port runs ``tf.function`` calls in this process. The two sides alternate ``--rounds`` times,
``--repeats`` calls each per round after a warm-up, so load changes hit both; the table gives the
median over rounds and the ratio port / reference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _timing import median_seconds  # noqa: E402

SIZE = (224, 384)
CLIP = 12
WORKER = r'''
import json, sys, time, types
import numpy as np, torch
package = types.ModuleType("unisal")
package.__path__ = [sys.argv[1] + "/unisal"]
sys.modules["unisal"] = package  # import unisal.model without unisal/__init__ (the training code)
from unisal.model import UNISAL
torch.manual_seed(0)
model = UNISAL(cnn_cfg={"pretrained": False}, verbose=0).eval()
h, w, clip = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
inputs = {"static": (torch.rand(1, 1, 3, h, w), "SALICON", True), "clip": (torch.rand(1, clip, 3, h, w), "DHF1K", False)}
def call(name):
    x, source, static = inputs[name]
    with torch.no_grad():
        return model(x, source=source, static=static).numpy()
for name in inputs:
    call(name)
print(json.dumps({"threads": torch.get_num_threads(), "version": torch.__version__}), flush=True)
for line in sys.stdin:
    repeats = int(line)
    times = {}
    for name in inputs:
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter(); call(name); seconds.append(time.perf_counter() - start)
        times[name] = float(np.median(seconds))
    print(json.dumps(times), flush=True)
'''


def json_line(stream) -> dict:
    """The next line of ``stream`` that is a JSON object (the reference also prints its own lines)."""
    for line in stream:
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("the PyTorch worker stopped (see its error output above)")


def port_calls():
    """{"static": call, "clip": call} of this port's UNISAL (random weights), traced and run once."""
    import tensorflow as tf

    from keras_saliency.zoo.unisal import UNISAL

    model = UNISAL()
    model.build()
    rng = np.random.default_rng(0)
    frame = tf.constant(rng.uniform(0, 255, (1, 1, *SIZE, 3)).astype("float32"))
    clip = tf.constant(rng.uniform(0, 255, (1, CLIP, *SIZE, 3)).astype("float32"))
    static = tf.function(lambda x: model({"image": x, "domain": tf.constant([3])}, training=False, static=True))
    video = tf.function(lambda x: model({"image": x, "domain": tf.constant([0])}, training=False, static=False))
    assert model.domains[0] == "DHF1K" and model.domains[3] == "SALICON"
    calls = {"static": lambda: static(frame), "clip": lambda: video(clip)}
    for call in calls.values():
        np.asarray(call())
    return calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", required=True, help="a checkout of github.com/rdroste/unisal")
    parser.add_argument("--torch-python", required=True, help="a Python with torch installed")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    if not (Path(args.reference) / "unisal" / "model.py").is_file():
        parser.error(f"--reference {args.reference}: no unisal/model.py there (a checkout of rdroste/unisal)")
    load = os.getloadavg()[0]
    worker = subprocess.Popen([args.torch_python, "-c", WORKER, str(Path(args.reference).resolve()), str(SIZE[0]),
                               str(SIZE[1]), str(CLIP)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    torch_info = json_line(worker.stdout)
    calls = port_calls()
    ours, theirs = {name: [] for name in calls}, {name: [] for name in calls}
    try:
        for _ in range(args.rounds):
            worker.stdin.write(f"{args.repeats}\n")
            worker.stdin.flush()
            for name, seconds in json_line(worker.stdout).items():
                theirs[name].append(seconds)
            for name, call in calls.items():
                ours[name].append(median_seconds(call, args.repeats, warmup=False))
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
    import tensorflow as tf

    frames = {"static": 1, "clip": CLIP}
    labels = {"static": f"one {SIZE[0]}x{SIZE[1]} frame, static path",
              "clip": f"{CLIP}-frame clip, ConvGRU (per frame)"}
    rows = ["| input | port, TF graph (ms/frame) | reference, PyTorch (ms/frame) | port / reference |",
            "|---|---|---|---|"]
    for name in calls:
        port, reference = (1000 * float(np.median(v[name])) / frames[name] for v in (ours, theirs))
        rows.append(f"| {labels[name]} | {port:.1f} | {reference:.1f} | {port / reference:.2f} |")
    text = "\n".join([
        f"Command: `python {' '.join(sys.argv)}`; {os.cpu_count()} CPU cores ({platform.machine()}); TensorFlow "
        f"{tf.__version__}, PyTorch {torch_info['version']} ({torch_info['threads']} threads); load average "
        f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; medians of {args.rounds} alternating rounds "
        f"of {args.repeats} calls.", "", *rows]) + "\n"
    print(text)
    if args.output:
        from keras_saliency.atomic_write import atomic_write

        atomic_write(args.output, lambda handle: handle.write(text.encode()))


if __name__ == "__main__":
    main()
