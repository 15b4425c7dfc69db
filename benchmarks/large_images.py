"""Peak memory of predicting very large photos with the default model, each case in a fresh process.

    PYTHONPATH=. python benchmarks/large_images.py --output benchmarks/results/large_images.md

Cases: a 10000x10000 (100-megapixel) and a 4000x6000 JPEG, with the default model and with
the ``center_bias`` classical model, through ``keras_saliency.predict(path)`` (the result at
the original size, ``Prediction.image`` included) and ``size="working"``. The photos are
generated (smooth colour gradients and noise, quality 90) in a separate process first. Each
case runs in a child process that imports the package, loads the model, predicts, touches
the result and reports its peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which
covers the whole child: interpreter, TensorFlow, model and prediction), the wall time and the
result's shape and dtype. Linux (``ru_maxrss`` in KiB).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

CASES = [("10000x10000", "default", "original"), ("10000x10000", "default", "working"),
         ("4000x6000", "default", "original"), ("10000x10000", "center_bias", "original")]

MAKE = """
import sys, numpy as np
from PIL import Image
height, width = int(sys.argv[2]), int(sys.argv[3])
rows = []
for start in range(0, height, 1000):  # in strips: the generator itself stays small
    y, x = np.mgrid[start:min(start + 1000, height), 0:width] / max(height, width)
    strip = np.stack([np.sin(9 * x), np.cos(7 * y), np.sin(5 * (x + y))], -1) * 100 + 128
    rows.append(np.clip(strip + np.random.default_rng(start).normal(0, 8, strip.shape), 0, 255).astype(np.uint8))
Image.fromarray(np.concatenate(rows)).save(sys.argv[1], quality=90)
"""

CHILD = """
import json, os, resource, sys, time, warnings
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
warnings.simplefilter("ignore")  # Pillow's DecompressionBombWarning for 100 MP: a file we made
import keras_saliency
from keras_saliency import prediction
model = prediction.resolve_model(None if sys.argv[2] == "default" else sys.argv[2])
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
[result] = keras_saliency.predict(sys.argv[1], model=model, progress=False, size=sys.argv[3])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the check below, which makes a copy
mass = float(np.exp(result.log_density).sum(dtype="float64"))
print(json.dumps({"peak_mb": peak, "loaded_mb": loaded, "seconds": seconds, "shape": list(result.log_density.shape),
                  "dtype": str(result.log_density.dtype), "image": list(result.image.shape), "mass": mass}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--cases", type=int, nargs="*", default=None, help="indices into CASES (default: all)")
    args = parser.parse_args()
    cases = CASES if args.cases is None else [CASES[i] for i in args.cases]
    chosen = f" --cases {' '.join(map(str, args.cases))}" if args.cases else ""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                          os.environ.get("PYTHONPATH", "")])}
    lines = ["# Very large photos: peak memory with the default model", "",
             f"Command: `PYTHONPATH=. python benchmarks/large_images.py{chosen} "
             "--output benchmarks/results/large_images.md`", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}. Peak RSS of "
             "a fresh process (interpreter + TensorFlow + model + one prediction); 'after loading' is its peak "
             "before predicting.", "",
             "| photo (JPEG) | model | size= | peak RSS (MB) | after loading (MB) | s | log-density | dtype | "
             "Prediction.image |", "|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name in sorted({c[0] for c in cases}):
            height, width = (int(n) for n in name.split("x"))
            files[name] = Path(folder) / f"photo_{name}.jpg"
            subprocess.run([sys.executable, "-c", MAKE, str(files[name]), str(height), str(width)], check=True)
        for name, model, size in cases:
            done = subprocess.run([sys.executable, "-c", CHILD, str(files[name]), model, size], env=env,
                                  capture_output=True, text=True)
            if done.returncode:
                lines.append(f"| {name} | {model} | {size} | failed: {done.stderr.strip().splitlines()[-1]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            assert abs(r["mass"] - 1) < 1e-3, r
            lines.append(f"| {name} | {model} | {size} | {r['peak_mb']:.0f} | {r['loaded_mb']:.0f} | "
                         f"{r['seconds']:.1f} | {r['shape'][0]}x{r['shape'][1]} | {r['dtype']} | "
                         f"{'x'.join(map(str, r['image']))} |")
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text)


if __name__ == "__main__":
    main()
