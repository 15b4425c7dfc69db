"""Inner-representation analysis of a probe saliency model (He et al., CVPR 2019) on OSIE.

Probe model: an encoder (frozen) + 1x1 conv readout without bias, trained with -NSS
(``keras_saliency.losses.NSSLoss``) -- setup I; setup II additionally fine-tunes the encoder
layers named by ``--finetune`` (the paper's "last k blocks"). Regions: fixation clusters
(``keras_saliency.analysis.cluster_regions``; OSIE's object masks are not available), with the
category = the cluster's rank by fixation count ("rank1", "rank2", "rank3+"). Prints the Tables
2-3 analogues (per layer and category: mean top-10 unit NSS / mean number of units with NSS > T)
for both setups, OS_c vs OD_c Spearman, and writes figures to ``--out``.

Encoders: ``--encoder tiny`` (a small random-init stand-in CNN, for smoke runs) or any
``keras_saliency.backbones`` name with ``--weights imagenet`` (e.g. efficientnet_lite0) and
``--taps``. Pop-out (Tables 4-5): ``--popout`` evaluates NMM of the probe model and of the
classical models in ``keras_saliency.classical`` on the ``popout_search_arrays`` TFDS dataset
when those are installed; otherwise it says what is missing.

    python examples/analyze_representations.py --quick
"""

import argparse
import sys
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def load_osie(root: Path, n: int, size):
    """First ``n`` OSIE images resized to ``size`` (H, W) and their fixations scaled to it."""
    import scipy.io as sio
    from PIL import Image

    from keras_saliency.fixations import Fixations

    records = sio.loadmat(str(root / "fixations.mat"))["fixations"]
    images, fixations = [], []
    for i in range(n):
        rec = records[i, 0]
        name = str(rec["img"][0, 0][0])
        image = Image.open(root / "stimuli" / name).convert("RGB")
        subs = rec["subjects"][0, 0]
        xs = np.concatenate([np.ravel(subs[j, 0][0, 0]["fix_x"]).astype(float) for j in range(subs.shape[0])])
        ys = np.concatenate([np.ravel(subs[j, 0][0, 0]["fix_y"]).astype(float) for j in range(subs.shape[0])])
        fix = Fixations.from_one_based(xs, ys).scaled((image.height, image.width), size)
        images.append(np.asarray(image.resize((size[1], size[0]), Image.BILINEAR), dtype=np.float32))
        fixations.append(fix)
    return np.stack(images), fixations


def tiny_encoder(input_shape):
    """Stand-in encoder: 3 conv blocks, dict output {block1..block3}; inputs 0..255 RGB."""
    import keras

    x = inp = keras.Input(input_shape, name="image")
    x = keras.layers.Rescaling(1 / 255.0)(x)
    taps = {}
    for i, filters in enumerate((16, 32, 32), start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{i}_conv")(x)
        taps[f"block{i}"] = x
        if i < 3:
            x = keras.layers.MaxPooling2D(2)(x)
    return keras.Model(inp, taps, name="tiny_encoder")


def build_encoder(args, input_shape):
    if args.encoder == "tiny":
        return tiny_encoder(input_shape), ["block1", "block2", "block3"]
    from keras_saliency import backbones

    taps = args.taps.split(",") if args.taps else None
    enc = backbones.get(args.encoder, weights=args.weights, taps=taps, input_shape=input_shape)
    return enc, list(enc.output.keys())


def probe_model(encoder, taps, out_size):
    """encoder -> last tap -> 1x1 conv (no bias) -> bilinear logits.

    The TF reference initialises the readout with ones; here with 1/C (the channel mean), because
    NSSLoss(from_logits=True) scores exp(logits) and a sum over C channels makes that map
    degenerate (one peak) at the start.
    """
    import keras

    feats = encoder(encoder.inputs[0])
    channels = feats[taps[-1]].shape[-1]
    x = keras.layers.Conv2D(1, 1, use_bias=False, kernel_initializer=keras.initializers.Constant(1.0 / channels),
                            name="readout")(feats[taps[-1]])
    x = keras.layers.Resizing(*out_size, interpolation="bilinear", name="upsample")(x)
    return keras.Model(encoder.inputs[0], x[..., 0], name="probe")


def set_trainable(model, names, trainable=True):
    """Set ``trainable`` on nested layers with weights whose name contains one of ``names``
    (BatchNormalization stays frozen: batches here are tiny); return how many."""
    import keras

    count = 0
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if (any(n in layer.name for n in names) and layer.weights
                and not isinstance(layer, keras.layers.BatchNormalization)):
            layer.trainable = trainable
            count += 1
    return count


def train(model, images, fix_maps, steps, lr):
    import keras

    from keras_saliency.losses import NSSLoss

    model.compile(optimizer=keras.optimizers.Adam(lr), loss=NSSLoss(from_logits=True))
    hist = model.fit(images, np.stack(fix_maps).astype("float32"), batch_size=min(4, len(images)),
                     epochs=steps, verbose=0)
    return hist.history["loss"]


def regions_by_rank(fixations, size, bandwidth):
    from keras_saliency.analysis import cluster_regions
    from keras_saliency.maps import fixation_map

    fmap = fixation_map(fixations, size)
    regions = cluster_regions(fixations, size, bandwidth=bandwidth)
    regions.sort(key=lambda r: -fmap[r[0]].sum())
    return [(m, "rank1" if k == 0 else "rank2" if k == 1 else "rank3+") for k, (m, _) in enumerate(regions)]


def analyse(tag, encoder, taps, probe, images, fix_maps, regions, args, out_dir):
    from keras_saliency import analysis
    from keras_saliency.analysis import plots

    stats = analysis.associate_units(encoder, images, fix_maps, regions, taps, batch_size=4,
                                     channel_chunk=args.channel_chunk)
    print(f"\n### Setup {tag}: per layer and category, mean top-{args.top_k} unit NSS / mean #units NSS > {args.threshold}\n")
    print(analysis.layer_table(stats, args.top_k, args.threshold))
    table = stats.table(args.top_k, args.threshold)
    plots.plot_category_bars(table, out_dir / f"bars_setup{tag}.png", ylabel=f"mean top-{args.top_k} NSS")
    preds = np.asarray(probe.predict(images, verbose=0))
    os_c = {}
    for i, regs in enumerate(regions):
        for mask, cat in regs:
            if (fix_maps[i] * mask).sum() > 0:
                os_c.setdefault(cat, []).append(analysis.region_nss(preds[i][None], fix_maps[i], mask)[0])
    os_c = {c: float(np.mean(v)) for c, v in os_c.items()}
    od_c = {c: v[1] for c, v in table[taps[-1]].items()}
    print("\n| category | OS_c (output region NSS) | OD_c (#units > T, last tap) |\n|---|---|---|")
    for c in sorted(os_c):
        print(f"| {c} | {os_c[c]:.3f} | {od_c.get(c, float('nan')):.2f} |")
    if len(set(os_c) & set(od_c)) >= 3:
        rho, p = analysis.inner_vs_output(os_c, od_c)
        print(f"\nSpearman(OS_c, OD_c) = {rho:.3f} (p = {p:.3f}, {len(os_c)} categories)")
    return stats


def plot_top_units_for_first_region(encoder, tap, images, fix_maps, regions, stats, out_dir):
    from keras_saliency.analysis import iter_activation_maps
    from keras_saliency.analysis.plots import plot_top_units

    for image_index, category, values in stats.unit_nss[tap]:
        top = np.argsort(values)[::-1][:4]
        maps = np.concatenate([m for _, _, _, m in iter_activation_maps(
            encoder, images[image_index:image_index + 1], [tap], fix_maps[image_index].shape)])
        mask = next(m for m, c in regions[image_index] if c == category)
        plot_top_units(images[image_index] / 255.0, mask, maps[top], values[top], out_dir / "top_units.png")
        return


def popout(probe, args):
    """Table 4 analogue: NMM of the probe and classical models on the pop-out search arrays."""
    try:
        import tensorflow_datasets as tfds

        data = tfds.load("popout_search_arrays", split="test", data_dir=args.popout_dir)
    except Exception as err:  # the dataset builder lands with the datasets issue
        print(f"\nPop-out (Tables 4-5) skipped: popout_search_arrays not available ({type(err).__name__}: {err}).")
        return
    from keras_saliency import classical
    from keras_saliency.analysis import nmm

    models = {"probe": lambda im: np.asarray(probe.predict(im[None].astype("float32"), verbose=0))[0]}
    for name in ("gbvs", "itti"):
        if name in classical.MODELS:
            models[name] = classical.get(name).predict_saliency
    scores = {name: [] for name in models}
    for example in tfds.as_numpy(data.take(args.popout_n)):
        image, mask = example["image"], example["target_mask"].astype(bool)
        for name, fn in models.items():
            pred = fn(image)
            if pred.shape != mask.shape:
                import keras

                pred = keras.ops.convert_to_numpy(keras.ops.image.resize(pred[..., None], mask.shape))[..., 0]
            scores[name].append(nmm(pred, mask))
    print("\n| model | NMM (mean) |\n|---|---|")
    for name, v in scores.items():
        print(f"| {name} | {np.mean(v):.3f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 images, 3 epochs, small inputs")
    parser.add_argument("--osie", type=Path, default=SHARED / "data" / "osie")
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
    parser.add_argument("--popout", action="store_true")
    parser.add_argument("--popout-dir", default=None)
    parser.add_argument("--popout-n", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("analysis_out"))
    args = parser.parse_args(argv)
    if args.quick:
        args.images, args.epochs = 4, 3
    if not (args.osie / "fixations.mat").is_file():
        print(f"error: OSIE not found at {args.osie} (need fixations.mat and stimuli/)", file=sys.stderr)
        return 2
    import keras

    keras.utils.set_random_seed(0)
    in_size, out_size = ((96, 128), (75, 100)) if args.quick else ((240, 320), (150, 200))
    args.out.mkdir(parents=True, exist_ok=True)
    images, fixations = load_osie(args.osie, args.images, in_size)
    from keras_saliency.fixations import Fixations
    from keras_saliency.maps import fixation_map

    out_fix = [Fixations(*(f.xy * (out_size[1] / in_size[1])).T) for f in fixations]
    fix_maps = [fixation_map(f.fit_to_image(out_size, policy="clip")[0], out_size) for f in out_fix]
    bandwidth = 60.0 * out_size[1] / 800  # 60 px at OSIE's 800 px width (about 2 degrees)
    regions = [regions_by_rank(f.fit_to_image(out_size, policy="clip")[0], out_size, bandwidth) for f in out_fix]
    print(f"{len(images)} OSIE images, {sum(len(r) for r in regions)} fixation-cluster regions, encoder {args.encoder}")

    encoder, taps = build_encoder(args, in_size + (3,))
    encoder.trainable = False
    probe = probe_model(encoder, taps, out_size)
    losses = train(probe, images, fix_maps, args.epochs, args.lr)
    print(f"setup I: -NSS {losses[0]:.3f} -> {losses[-1]:.3f}")
    stats = analyse("I", encoder, taps, probe, images, fix_maps, regions, args, args.out)
    plot_top_units_for_first_region(encoder, taps[-1], images, fix_maps, regions, stats, args.out)

    encoder.trainable = True
    for layer in encoder._flatten_layers(include_self=False, recursive=True):
        layer.trainable = False
    n = set_trainable(encoder, args.finetune.split(","))
    if n == 0:
        print(f"error: --finetune {args.finetune!r} matches no encoder layer with weights", file=sys.stderr)
        return 2
    losses = train(probe, images, fix_maps, args.epochs, args.finetune_lr)
    print(f"\nsetup II ({n} layers fine-tuned): -NSS {losses[0]:.3f} -> {losses[-1]:.3f}")
    analyse("II", encoder, taps, probe, images, fix_maps, regions, args, args.out)
    if args.popout:
        popout(probe, args)
    print(f"\nfigures in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
