"""n-reference transfer protocol (Luo et al., ECCV 2020), Table 1 schemes: source MIT1003 -> target OSIE.

Schemes (n target "references"/shots, per seed):
  TR        train on the source only;
  TR-Ref    train on the source with ReferenceGuidedModel on the n target references;
  FT        TR, then fine-tune on the n target shots;
  FT|Ref    TR-Ref, then fine-tune on the n target shots;
  FT w/o TR fine-tune a fresh model on the n target shots only;
  upper     3-fold "empirical upper bound": train on 2/3 of the target, test on the rest.
The schemes are ``keras_saliency.training.run_schemes``, the models ``keras_saliency.zoo.dinet.TransferModel``;
MIT1003 and OSIE are read with ``keras_saliency.data.read_fixation_images``. Metrics NSS, AUC-Judd, CC
on held-out target images, computed at the model's output grid (fixations scaled to it, the 0.2%
outside MIT1003 images clipped; dense maps = Gaussian-blurred fixation counts, sigma 1 output pixel).

Usage: python examples/n_reference.py --quick           (tiny smoke run, stand-in backbone)
       python examples/n_reference.py --backbone resnet50_dilated --backbone-weights PATH.pth \
           --size 240 320 --epochs 3 --n 1 5 10 --seeds 0 1 2
The reference setting (dilated ResNet-50 trained end to end at 320x480) needs ImageNet weights
for the dilated ResNet-50 (a torchvision state dict; not available offline here) and hours of CPU.

CPU-budget options (the committed run, docs/results/n_reference/, uses them):
  --backbone efficientnet_lite0 --backbone-weights imagenet --tap stride16
                      a backbone with real offline ImageNet weights; the head sits on the tap,
                      whose stride sets the output grid (fixations are scaled to it);
  --freeze-encoder    the backbone is frozen (BatchNorm in inference mode) and its features are
                      computed once per image; only the head trains. The reference trains end to
                      end; with a frozen encoder the schemes differ only in the head's training;
  --head-width, --dilations
                      DINet head width (reference 256) and dilation rates (reference 4 8 16 on the 40x60
                      grid of a 320x480 input); a narrower head and dilations scaled down to a smaller grid;
  --source-count, --target-count
                      the first K MIT1003 images (sorted ids) / OSIE images (file order); the target
                      pool is split in 3 folds per seed: fold 0 is the test set, the shots come from
                      folds 1-2, and all 3 folds serve the upper bound.
"""

import argparse
import json
import time
from pathlib import Path

from keras_saliency.data import read_fixation_images
from keras_saliency.training import SchemeTraining, run_schemes
from keras_saliency.training.n_reference_schemes import SCORES, summarise
from keras_saliency.zoo.dinet import TransferModel, encoder_features

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
# The smoke run tests/examples/test_examples_quick.py makes: extra arguments after --quick, the ../shared
# paths it needs and the files it must write (relative to the working directory).
QUICK_RUN = {"args": ["--output", "n_reference.json"], "shared": ["data/mit1003/SCANPATHS", "data/osie/fixations.mat"],
             "outputs": ["n_reference.json"]}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny smoke run: 64x96, n=1, one seed, 1 epoch")
    ap.add_argument("--backbone", default="standin", help="'standin' or a keras_saliency.backbones name")
    ap.add_argument("--backbone-weights", default=None, help="None, 'imagenet' or a weights path")
    ap.add_argument("--tap", default="layer4", help="backbone tap the head sits on (output stride = its stride)")
    ap.add_argument("--freeze-encoder", action="store_true",
                    help="freeze the backbone, precompute its features once, train the head only "
                         "(the reference trains end to end)")
    ap.add_argument("--head-width", type=int, default=256, help="DINet head width (reference 256)")
    ap.add_argument("--dilations", type=int, nargs="+", default=[4, 8, 16], help="DINet dilations (reference 4 8 16)")
    ap.add_argument("--head", choices=["dinet", "resnet"], default="dinet")
    ap.add_argument("--size", type=int, nargs=2, default=(240, 320))
    ap.add_argument("--n", type=int, nargs="+", default=[1, 5, 10])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--source-count", type=int, default=1003)
    ap.add_argument("--target-count", type=int, default=700)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--ft-epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--output", default=None, help="write the table as JSON here")
    args = ap.parse_args(argv)
    if args.quick:
        args.size, args.n, args.seeds = (64, 96), [1], [0]
        args.source_count, args.target_count, args.epochs, args.ft_epochs, args.batch = 6, 9, 1, 1, 3
        args.lr = 1e-3
    for name in ("head_width", "source_count", "target_count", "epochs", "batch"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    if min(args.dilations) < 1:
        raise SystemExit(f"--dilations must be >= 1, got {args.dilations}")
    if args.target_count < 3 + max(args.n):
        raise SystemExit(f"--target-count must be >= 3 + max(--n) = {3 + max(args.n)} (3 folds, shots "
                         f"outside the test fold), got {args.target_count}")
    return args


def load(name, count, size, grid):
    """(images (N, H, W, 3) float32 at ``size``, fixations scaled to the output ``grid`` and clipped)."""
    data = read_fixation_images(name, SHARED / name, count)
    return data.images(size), data.fixations_at(grid, policy="clip")[0]


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    spec = TransferModel(backbone=args.backbone, backbone_weights=args.backbone_weights, tap=args.tap,
                         freeze_encoder=args.freeze_encoder, head=args.head, head_width=args.head_width,
                         dilations=tuple(args.dilations), size=tuple(args.size))
    encoder = spec.encoder()
    grid = tuple(encoder.output.shape[1:3])
    xs, fs = load("mit1003", args.source_count, args.size, grid)
    xt, ft = load("osie", args.target_count, args.size, grid)
    feature_shape = None
    if args.freeze_encoder:  # frozen backbone (inference-mode BN, no augmentation): features once per image
        xs, xt = encoder_features(encoder, xs), encoder_features(encoder, xt)
        feature_shape = xs.shape[1:]

    def log(message):
        print(f"[{time.time() - start:7.1f} s] {message}", flush=True)

    log(f"data: {len(xs)} source, {len(xt)} target images, output grid {grid}")
    training = SchemeTraining(epochs=args.epochs, ft_epochs=args.ft_epochs, batch=args.batch, lr=args.lr,
                              run_eagerly=args.quick)
    table = run_schemes(lambda seed: spec.model(seed, feature_shape), (xs, fs), (xt, ft), grid, args.n, args.seeds,
                        training, log)
    summary = summarise(table)
    print(f"{'scheme':<16}" + "".join(f"{m:>16}" for m in SCORES))
    for k, v in summary.items():
        print(f"{k:<16}" + "".join(f"{v[m][0]:>9.3f}±{v[m][1]:<6.3f}" for m in SCORES))
    wall = time.time() - start
    print(f"wall time {wall:.0f} s")
    if args.output:
        Path(args.output).write_text(json.dumps({"args": vars(args), "grid": list(grid), "wall_s": round(wall, 1),
                                                 "table": summary, "per_seed": table}, indent=1))
    return summary


if __name__ == "__main__":
    main()
