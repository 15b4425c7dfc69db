"""Export parity and speed: every family, every format, Keras and each runtime in the same run.

    PYTHONPATH=. python benchmarks/export.py --output benchmarks/results/export.md

For each model (the bundled presets; ``wepsam_random`` and ``dinet_resnet50_random``: WEPSAM and DINet
at their default architectures with random weights, as no trained preset of theirs is registered) and each format, the model is
exported at its default input size with `keras_saliency.export.export_model`, then run on the
real images (examples/images, plus the first ``--mit1003`` MIT1003 stimuli when ../shared is
beside the checkout), each resized to the input size. Reported: max |log-density difference|
(nats, `keras_saliency.export.log_density_difference`: both clipped 1e-6 of the peak density below it)
of the artifact from the Keras export graph, or the parity check's refusal, and of that graph from the model's own
``predict_log_density`` at the same size (the graph is the model); ms/image: median of
``--repeats`` calls of one image after a warm-up, Keras (``predict_on_batch`` of the export
graph) and the runtime (LiteRT via ai-edge-litert, ONNX Runtime CPU, TensorFlow SavedModel).
"""

import argparse
import shlex
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _timing import median_seconds  # noqa: E402

from keras_saliency.export import (  # noqa: E402
    FORMATS,
    ExportParityError,
    export_graph,
    export_model,
    load_exported,
    log_density_difference,
)
from keras_saliency.export.runtimes import resize_image  # noqa: E402
from keras_saliency.image_files import collect_image_paths, load_image  # noqa: E402
from keras_saliency.prediction import resolve_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SUFFIX = {"tflite": ".tflite", "onnx": ".onnx", "saved_model": ""}


def models(names):
    from keras_saliency.zoo.dinet import build_dinet
    from keras_saliency.zoo.wepsam import WEPSAM

    keras.utils.set_random_seed(0)
    made = {"wepsam_random": lambda: WEPSAM(),
            "dinet_resnet50_random": lambda: build_dinet(input_shape=(240, 320, 3))}
    for name in names:
        yield name, (made[name]() if name in made else resolve_model(name))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["wepsam_random", "dinet_resnet50_random",
                                                        "deepgaze_ii_lite2_mit1003", "unisal_lite0_mit1003_osie",
                                                        "deepgaze_iie_lite0_lite1_lite2_mit1003"])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--mit1003", type=int, default=2, help="MIT1003 stimuli added to examples/images")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output")
    args = parser.parse_args()

    paths = collect_image_paths([ROOT / "examples" / "images"])
    examples = len(paths)
    stimuli = ROOT.parent / "shared" / "data" / "mit1003" / "STIMULI"
    if stimuli.is_dir() and args.mit1003:
        paths += collect_image_paths([stimuli])[: args.mit1003]
    images = [load_image(p) for p in paths]
    header = ("model", "format", "input HxW", "max abs diff vs Keras (nats)", "Keras graph vs predict_log_density",
              "Keras ms/image", "runtime ms/image", "export s")
    intro = ["# Export parity and speed", "",
             f"`PYTHONPATH=. python benchmarks/export.py{' ' + shlex.join(sys.argv[1:]) if sys.argv[1:] else ''}`", "",
             f"{len(images)} real images ({examples} from examples/images, {len(paths) - examples} MIT1003 stimuli), "
             f"each resized to the input size (bilinear); speed: one image, median of {args.repeats} calls after a "
             f"warm-up, {platform.machine()}, {os.cpu_count()} CPUs shared with other jobs (absolute times are "
             f"noisy; Keras and the runtimes ran in turn in the same process), Keras {keras.__version__}.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    rows = []
    for name, model in models(args.models):
        graph = export_graph(model)
        size = graph.input_size
        batches = [resize_image(image, size)[None] for image in images]
        expected = [np.asarray(graph.predict_on_batch(x), np.float64) for x in batches]
        own = max(log_density_difference(model.predict_log_density(x), e) for e, x in zip(expected, batches))
        keras_ms = 1000 * median_seconds(lambda: graph.predict_on_batch(batches[0]), args.repeats)
        for fmt in args.formats:
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                try:
                    result = export_model(model, Path(tmp) / f"model{SUFFIX[fmt]}", fmt, check_images=images[:1])
                except ExportParityError as error:  # the check refused it: a result, and the run goes on
                    row = (name, fmt, f"{size[0]}x{size[1]}", f"refused: {error}", f"{own:.2e}", f"{keras_ms:.1f}",
                           "–", f"{time.perf_counter() - start:.0f}")
                else:
                    seconds = time.perf_counter() - start
                    exported = load_exported(result.path)
                    diff = max(log_density_difference(e, exported.run(x).astype(np.float64))
                               for e, x in zip(expected, batches))
                    runtime_ms = 1000 * median_seconds(lambda: exported.run(batches[0]), args.repeats)
                    row = (name, fmt, f"{size[0]}x{size[1]}", f"{diff:.2e}", f"{own:.2e}", f"{keras_ms:.1f}",
                           f"{runtime_ms:.1f}", f"{seconds:.0f}")
            print(" | ".join(row), flush=True)
            rows.append(row)
            if args.output:  # rewritten after every row: a partial run still leaves its rows
                from keras_saliency.atomic_write import atomic_write

                text = "\n".join(intro + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"
                atomic_write(args.output, lambda handle: handle.write(text.encode()))


if __name__ == "__main__":
    main()
