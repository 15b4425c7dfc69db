"""DeepGaze IIE (4 backbones x 30 readouts, random weights) at 768x1024, batch 1, CPU: Keras against the reference.

    PYTHONPATH=. python benchmarks/deepgaze_iie/speed.py --torch-python ../venv-torch/bin/python \\
        --reference ../ref/DeepGaze --output benchmarks/results/deepgaze_iie_speed.md

Each side runs in its own subprocess (so that peak RSS, ``ru_maxrss``, is its own): the Keras
``DeepGazeIIE`` on the PyTorch-layout backbones through ``predict_log_density`` (one compiled
function per backbone and per readout component, accumulated in NumPy), and the reference
``DeepGazeIIE`` of a matthias-k/DeepGaze checkout built as ``reference_side.py`` does
(``torch.no_grad``, eval mode). Same image and centre bias; the first call (tracing /
compilation included) is reported apart from the median of ``--repeats`` warm calls
(``sorted(times)[repeats // 2]``: the slower one for 2).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(fn, repeats):
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    warm = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - start)
    warm.sort()
    return first, warm[len(warm) // 2]


def keras_side(repeats):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, str(HERE))
    from reference_side import make_case

    from keras_saliency.zoo.deepgaze import DeepGazeIIE
    from keras_saliency.zoo.deepgaze.deepgaze_convert import REFERENCE_BACKBONES

    model = DeepGazeIIE(REFERENCE_BACKBONES, n_components=30)
    image, bias = make_case(768, 1024, 0)
    images, biases = image[None].astype("float32"), bias[None]
    first, median = timed(lambda: model.predict_log_density(images, centerbias=biases), repeats)
    return {"first_s": first, "median_s": median, "parameters": int(model.count_params())}


def torch_side(repeats, reference, threads):
    sys.path.insert(0, str(HERE))
    import torch
    from reference_side import make_case, patch_downloads

    sys.path.insert(0, str(Path(reference).resolve()))
    torch.set_num_threads(threads)
    patch_downloads()
    from deepgaze_pytorch.deepgaze2e import DeepGazeIIE

    torch.manual_seed(0)
    model = DeepGazeIIE(pretrained=False).eval()
    image, bias = make_case(768, 1024, 0)
    x = torch.from_numpy(image.astype("float32").transpose(2, 0, 1)[None].copy())
    b = torch.from_numpy(bias[None])

    def call():
        with torch.no_grad():
            return model(x, b)

    first, median = timed(call, repeats)
    return {"first_s": first, "median_s": median, "parameters": sum(p.numel() for p in model.parameters()),
            "torch": torch.__version__, "threads": torch.get_num_threads()}


def run_side(argv):
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"{argv[:3]} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-python", help="a Python with torch + torchvision (the reference side)")
    parser.add_argument("--reference", help="a matthias-k/DeepGaze checkout")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--output")
    parser.add_argument("--side", choices=("keras", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        result = keras_side(args.repeats) if args.side == "keras" else torch_side(args.repeats, args.reference,
                                                                                     args.threads)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    me = [str(Path(__file__).resolve()), "--repeats", str(args.repeats), "--threads", str(args.threads)]
    keras_result = run_side([sys.executable, *me, "--side", "keras"])
    torch_result = run_side([args.torch_python, *me, "--side", "torch", "--reference", args.reference])
    import keras

    rows = ["| implementation | first call (s) | median warm call (s) | peak RSS (MB) | parameters |",
            "|---|---|---|---|---|",
            f"| keras-saliency, Keras {keras.__version__} ({keras.backend.backend()}), `predict_log_density` | "
            f"{keras_result['first_s']:.1f} | {keras_result['median_s']:.1f} | {keras_result['peak_rss_mb']:.0f} | "
            f"{keras_result['parameters']:,} |",
            f"| reference PyTorch {torch_result['torch']} ({torch_result['threads']} threads), `model(x, centerbias)` "
            f"| {torch_result['first_s']:.1f} | {torch_result['median_s']:.1f} | {torch_result['peak_rss_mb']:.0f} | "
            f"{torch_result['parameters']:,} |"]
    ratio = keras_result["median_s"] / torch_result["median_s"]
    command = ("PYTHONPATH=. python benchmarks/deepgaze_iie/speed.py --torch-python <torch venv>/bin/python "
               f"--reference <DeepGaze checkout> --repeats {args.repeats} --threads {args.threads}")
    text = "\n".join([
        f"Command: `{command}`; {os.cpu_count()} CPU cores ({platform.machine()}), shared with other jobs "
        "(timings are noisy).", "",
        "DeepGaze IIE, 4 backbones x 30 readouts, random weights, one 768x1024 image, CPU:", "", *rows, "",
        f"Warm-call ratio Keras / PyTorch: {ratio:.2f} (> 1: Keras slower).", ""])
    print(text)
    if args.output:
        from keras_saliency.atomic_write import atomic_write

        atomic_write(Path(args.output), lambda h: h.write(text.encode()))


if __name__ == "__main__":
    main()
