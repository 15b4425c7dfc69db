"""n-reference transfer protocol (Luo et al., ECCV 2020), Table 1 schemes: source MIT1003 -> target OSIE.

Schemes (n target "references"/shots, per seed):
  TR        train on the source only;
  TR-Ref    train on the source with ReferenceGuidedModel on the n target references;
  FT        TR, then fine-tune on the n target shots;
  FT|Ref    TR-Ref, then fine-tune on the n target shots;
  FT w/o TR fine-tune a fresh model on the n target shots only;
  upper     3-fold "empirical upper bound": train on 2/3 of the target, test on the rest.
Metrics NSS, AUC-Judd, CC on held-out target images, computed at the model's output grid
(fixations scaled to it, the 0.2% outside MIT1003 images clipped; dense maps = Gaussian-blurred fixation counts, sigma 1 output pixel).

Usage: python examples/n_reference.py --quick           (tiny smoke run, stand-in backbone)
       python examples/n_reference.py --backbone resnet50_dilated --backbone-weights PATH.pth \
           --size 240 320 --epochs 3 --n 1 5 10 --seeds 0 1 2
The real run needs ImageNet weights for the dilated ResNet-50 (a torchvision state dict;
not available offline here) and hours of CPU at 240x320.
"""

import argparse
import json
from pathlib import Path

import keras
import numpy as np
import scipy.io
from PIL import Image

from keras_saliency import backbones
from keras_saliency.fixations import Fixations
from keras_saliency.losses import TotalVariationDistance
from keras_saliency.maps import empirical_saliency_map
from keras_saliency.metrics import auc_judd, cc, nss
from keras_saliency.training import ReferenceGuidedModel
from keras_saliency.zoo.dinet import build_dinet, build_resnet_baseline

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def _image(path, size):
    img = Image.open(path).convert("RGB")
    return np.asarray(img.resize(size[::-1], Image.BILINEAR), np.float32), img.size


def load_mit1003(root, count, size, grid):
    ids = sorted(p.name for p in (root / "SCANPATHS").iterdir())[:count]
    xs, fixes = [], []
    for i in ids:
        x, (w, h) = _image(root / "STIMULI" / f"{i}.jpeg", size)
        pts = [np.loadtxt(p, ndmin=2)[1:, :2] for p in sorted((root / "SCANPATHS" / i).iterdir())]
        pts = np.concatenate([p for p in pts if len(p)] or [np.zeros((0, 2))])
        fixes.append(Fixations.from_one_based(pts[:, 0], pts[:, 1]).scaled((h, w), grid).fit_to_image(grid, policy="clip")[0])
        xs.append(x)
    return np.stack(xs), fixes


def load_osie(root, count, size, grid):
    recs = scipy.io.loadmat(root / "fixations.mat")["fixations"][:count, 0]
    xs, fixes = [], []
    for rec in recs:
        x, (w, h) = _image(root / "stimuli" / str(rec["img"][0, 0][0]), size)
        subs = rec["subjects"][0, 0][:, 0]
        px = np.concatenate([np.ravel(s[0, 0]["fix_x"]).astype(float) for s in subs])
        py = np.concatenate([np.ravel(s[0, 0]["fix_y"]).astype(float) for s in subs])
        fixes.append(Fixations.from_one_based(px, py).scaled((h, w), grid).fit_to_image(grid, policy="clip")[0])
        xs.append(x)
    return np.stack(xs), fixes


def dense(fixes, grid):
    maps = np.stack([empirical_saliency_map(f, grid, sigma=1.0) for f in fixes]).astype(np.float32)
    return maps / np.maximum(maps.sum(axis=(1, 2), keepdims=True), 1e-12)


def make_model(args, seed):
    keras.utils.set_random_seed(seed)
    shape = (*args.size, 3)
    if args.backbone == "standin":
        inp = keras.Input(shape)
        h = keras.layers.Rescaling(1 / 255.0)(inp)
        for i, f in enumerate((8, 16, 32)):
            h = keras.layers.Conv2D(f, 3, strides=2, padding="same", activation="relu", name=f"stand_in_{i}")(h)
        bb = keras.Model(inp, h)
    else:
        bb = backbones.get(args.backbone, weights=args.backbone_weights, taps=["layer4"], input_shape=shape,
                           trainable=True)
    build = build_dinet if args.head == "dinet" else build_resnet_baseline
    return build(bb, input_shape=shape)


def fit(model, x, y, args, epochs, refs=None, seed=0):
    net = model if refs is None else ReferenceGuidedModel(model, refs[0], refs[1], n_ref=args.n_ref_batch(len(refs[0])),
                                                          seed=seed)
    net.compile(optimizer=keras.optimizers.Adam(args.lr), loss=TotalVariationDistance(),
                run_eagerly=args.quick)
    net.fit(x, y, batch_size=args.batch, epochs=epochs, verbose=0, shuffle=True)
    return model


def evaluate(model, x, fixes, grid):
    pred = keras.ops.convert_to_numpy(model.predict(x, verbose=0))
    ref = dense(fixes, grid)
    rows = [(nss(p, f), auc_judd(p, f), cc(p, r)) for p, f, r in zip(pred, fixes, ref)]
    return dict(zip(("NSS", "AUC", "CC"), np.mean(rows, axis=0).tolist()))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny smoke run: 64x96, n=1, one seed, 1 epoch")
    ap.add_argument("--backbone", default="standin", help="'standin' or a keras_saliency.backbones name")
    ap.add_argument("--backbone-weights", default=None)
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
    if args.size[0] % 8 or args.size[1] % 8:
        raise SystemExit(f"--size must be multiples of 8 (output stride 8), got {args.size}")
    # reference batch sizes 1/3/5 for 1/5/10 shots (reference script)
    args.n_ref_batch = lambda n: {1: 1, 5: 3, 10: 5}.get(n, max(1, n // 2))
    grid = (args.size[0] // 8, args.size[1] // 8)
    xs, fs = load_mit1003(SHARED / "mit1003", args.source_count, args.size, grid)
    xt, ft = load_osie(SHARED / "osie", args.target_count, args.size, grid)
    ys, yt = dense(fs, grid), dense(ft, grid)
    table = {}
    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        perm = rng.permutation(len(xt))
        folds = np.array_split(perm, 3)
        test = folds[0]
        ub_scores = []
        for k in range(3):
            tr = np.concatenate([folds[j] for j in range(3) if j != k])
            m = fit(make_model(args, seed), xt[tr], yt[tr], args, args.epochs)
            ub_scores.append(evaluate(m, xt[folds[k]], [ft[i] for i in folds[k]], grid))
        table.setdefault("upper", []).append({k: float(np.mean([s[k] for s in ub_scores])) for k in ub_scores[0]})
        tr_model = fit(make_model(args, seed), xs, ys, args, args.epochs)
        table.setdefault("TR", []).append(evaluate(tr_model, xt[test], [ft[i] for i in test], grid))
        pool = np.concatenate(folds[1:])
        for n in args.n:
            shots = pool[:n]
            refs = (xt[shots], yt[shots])
            res = {}
            ref_model = fit(make_model(args, seed), xs, ys, args, args.epochs, refs=refs, seed=seed)
            res["TR-Ref"] = evaluate(ref_model, xt[test], [ft[i] for i in test], grid)
            for name, base in (("FT", tr_model), ("FT|Ref", ref_model), ("FT w/o TR", None)):
                m = make_model(args, seed)
                m.set_weights((base or m).get_weights())
                fit(m, refs[0], refs[1], args, args.ft_epochs)
                res[name] = evaluate(m, xt[test], [ft[i] for i in test], grid)
            for name, r in res.items():
                table.setdefault(f"{name} n={n}", []).append(r)
    summary = {k: {m: [float(np.mean([r[m] for r in v])), float(np.std([r[m] for r in v]))] for m in v[0]}
               for k, v in table.items()}
    print(f"{'scheme':<16}" + "".join(f"{m:>16}" for m in ("NSS", "AUC", "CC")))
    for k, v in summary.items():
        print(f"{k:<16}" + "".join(f"{v[m][0]:>9.3f}±{v[m][1]:<6.3f}" for m in ("NSS", "AUC", "CC")))
    if args.output:
        Path(args.output).write_text(json.dumps({"args": {k: v for k, v in vars(args).items()
                                                          if k != "n_ref_batch"}, "table": summary}, indent=1))
    return summary


if __name__ == "__main__":
    main()
