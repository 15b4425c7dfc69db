"""Inner-representation analysis of a probe saliency model (He et al., CVPR 2019) on OSIE or MIT1003.

The analysis is ``keras_saliency.analysis.probe_analysis.run_probe_analysis`` (the probe model in
``keras_saliency.analysis.probe``, the pop-out tables in ``keras_saliency.analysis.popout``); the
images and fixations come from ``keras_saliency.data.read_fixation_images``.

Probe model: an encoder (frozen) + 1x1 conv readout without bias, trained with -NSS
(``keras_saliency.losses.NSSLoss``) -- setup I; setup II additionally fine-tunes the encoder
layers named by ``--finetune`` (the paper's "last k blocks"). Regions: fixation clusters
(``keras_saliency.analysis.cluster_regions``, mean-shift bandwidth 60 px of the original image,
about 2 degrees; OSIE's object masks are not available), with the category = the cluster's rank
by fixation count ("rank1", "rank2", "rank3+"). Prints the Tables 2-3 analogues (per layer and
category: mean top-10 unit NSS / mean number of units with NSS > T) for both setups, OS_c vs OD_c
Spearman, and writes figures and ``output.md`` (the command line plus everything printed) to
``--out``. The probe's saliency map is ``exp(logits)`` (what ``NSSLoss(from_logits=True)``
scores), used for OS_c and NMM. ``--dataset mit1003`` reads FixaTons MIT1003 (``STIMULI/``,
``SCANPATHS/``; first fixation of every scanpath dropped); every image is resized to the input
size (MIT1003 portraits are squeezed; fixations are scaled with them).

Encoders: ``--encoder tiny`` (a small random-init stand-in CNN, for smoke runs) or any
``keras_saliency.backbones`` name with ``--weights imagenet`` (e.g. efficientnet_lite0) and
``--taps``. Pop-out (Tables 4-5): ``--popout`` builds the ``popout_search_arrays`` TFDS dataset
(``tfds_builders``, nothing downloaded; run from the repository root with ``PYTHONPATH=.``) and
takes the first ``--popout-n`` test arrays of every kind (by image id). Table 4 analogue: NMM
(mean +- standard error over arrays) of the probe after setup I and after setup II (map resized
bilinearly in the logit domain to the array size, then exp) and of GBVS, Itti-Koch and the
centre bias (``keras_saliency.classical``). Table 5 analogue: inner NMM of every unit of every
tap (``keras_saliency.analysis.unit_nmm``) summarised by ``top_units`` (best unit, top-10 mean,
held-out best unit). No trained UNISAL or DeepGaze weights exist in the zoo, so no other deep
model is scored.

    python examples/analyze_representations.py --quick
    PYTHONPATH=. python examples/analyze_representations.py --quick --popout --popout-config tiny
"""

import argparse
import contextlib
import io
import os
import shlex
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
# The smoke run tests/examples/test_examples_quick.py makes: extra arguments after --quick, the ../shared
# paths it needs and the files it must write (relative to the working directory).
QUICK_RUN = {"args": ["--out", "analysis_out", "--popout", "--popout-config", "tiny", "--popout-dir", "tfds",
                      "--popout-models", "deepgaze_ii_lite2_mit1003"],
             "shared": ["data/osie/fixations.mat"],
             "outputs": ["analysis_out/output.md", "analysis_out/bars_setupI.png", "analysis_out/bars_setupII.png",
                         "analysis_out/top_units.png", "analysis_out/popout_nmm.png",
                         "analysis_out/popout_inner_setupI.png", "analysis_out/popout_inner_setupII.png",
                         "analysis_out/popout_examples.png"]}
DATASETS = ("mit1003", "osie")


class _Tee(io.TextIOBase):
    """A text stream writing to ``stream`` and keeping a copy."""

    def __init__(self, stream):
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text):
        self.stream.write(text)
        return self.copy.write(text)

    def flush(self):
        self.stream.flush()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 images, 3 epochs, small inputs, 2 arrays per kind")
    parser.add_argument("--dataset", choices=DATASETS, default="osie")
    parser.add_argument("--data", type=Path, default=None, help="dataset folder (default ../shared/data/<dataset>)")
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--encoder", default="tiny", help="'tiny' or a keras_saliency.backbones name")
    parser.add_argument("--weights", default=None, help="backbone weights, e.g. imagenet")
    parser.add_argument("--taps", default=None, help="comma-separated backbone taps (last = readout input)")
    parser.add_argument("--finetune", default="block3_conv",
                        help="comma-separated layer-name parts for setup II (e.g. block15_ for efficientnet_lite0)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=5e-3, help="Adam lr of setup I (readout only)")
    parser.add_argument("--finetune-lr", type=float, default=5e-4, help="Adam lr of setup II")
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--threshold", type=float, default=1.0)
    parser.add_argument("--channel-chunk", type=int, default=64)
    parser.add_argument("--popout", action="store_true", help="also the pop-out Tables 4-5 analogues")
    parser.add_argument("--popout-config", default="default", help="popout_search_arrays builder config")
    parser.add_argument("--popout-dir", default=None, help="TFDS data_dir for the built arrays")
    parser.add_argument("--popout-n", type=int, default=20, help="test arrays per kind")
    parser.add_argument("--popout-models", nargs="*", default=[],
                        help="more models for the Table 4 analogue: preset names or folders (keras_saliency.predict)")
    parser.add_argument("--out", type=Path, default=Path("analysis_out"))
    args = parser.parse_args(argv)
    if args.quick:
        args.images, args.epochs, args.popout_n = 4, 3, min(args.popout_n, 2)
    args.data = args.data or SHARED / "data" / args.dataset
    return args


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv=None):
    args = parse_args(argv)
    from keras_saliency import prediction
    from keras_saliency.analysis.popout import load_popout_arrays
    from keras_saliency.analysis.probe_analysis import ProbeAnalysis, run_probe_analysis
    from keras_saliency.data import read_fixation_images

    if args.images < 1 or args.popout_n < 1:
        return fail(f"--images and --popout-n must be >= 1; got {args.images}, {args.popout_n}")
    in_size, out_size = ((96, 128), (75, 100)) if args.quick else ((240, 320), (150, 200))
    try:
        images = read_fixation_images(args.dataset, args.data, args.images)
    except FileNotFoundError as err:
        return fail(f"--dataset {args.dataset}: {err} (--data {args.data})")
    except (ImportError, ValueError) as err:
        return fail(f"--dataset {args.dataset}: {err} (run from the repository root with PYTHONPATH=.)")
    args.out.mkdir(parents=True, exist_ok=True)
    data = (images.images(in_size), images.fixations_at(in_size, policy=None)[0], images.sizes)
    arrays, models = None, {}
    if args.popout:
        try:
            arrays = load_popout_arrays(args.popout_config, args.popout_dir, args.popout_n, in_size)
        except (ImportError, ValueError) as err:
            return fail(f"--popout: {err} (run from the repository root with PYTHONPATH=.)")
        # classical models: their map; presets: their density, exp(log-density)
        models = {name: prediction.resolve_model(name) for name in ("gbvs", "itti", "center_bias", *args.popout_models)}
    settings = ProbeAnalysis(
        dataset=args.dataset, encoder=args.encoder, weights=args.weights,
        taps=args.taps.split(",") if args.taps else None, finetune=tuple(args.finetune.split(",")),
        epochs=args.epochs, lr=args.lr, finetune_lr=args.finetune_lr, top_k=args.top_k, threshold=args.threshold,
        channel_chunk=args.channel_chunk)
    tee, start = _Tee(sys.stdout), time.time()
    with contextlib.redirect_stdout(tee):
        try:
            run_probe_analysis(settings, in_size, out_size, data, arrays, args.out, models)
        except LookupError as err:
            return fail(f"--finetune {args.finetune!r} matches no encoder layer ({err})")
        print(f"\nfigures in {args.out}/")
    given = sys.argv[1:] if argv is None else list(argv)
    command = shlex.join(["python", "examples/analyze_representations.py", *given])
    header = (f"Command (repository root, PYTHONPATH=., CPU, {time.time() - start:.0f} s after data loading):\n\n"
              f"    {command}\n\n")
    tmp = args.out / "output.md.tmp"
    tmp.write_text(header + tee.copy.getvalue())
    os.replace(tmp, args.out / "output.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
