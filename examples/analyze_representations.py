"""Inner-representation analysis of a probe saliency model (He et al., CVPR 2019) on OSIE or MIT1003.

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
``SCANPATHS/``; ``tfds_builders`` reader, first fixation of every scanpath dropped); every image is resized to the input
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

import numpy as np

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


def _resized(path: Path, size):
    """RGB image at ``path`` resized to ``size`` (H, W) as float32 0..255, and its original (H, W)."""
    from PIL import Image

    image = Image.open(path).convert("RGB")
    return np.asarray(image.resize((size[1], size[0]), Image.BILINEAR), dtype=np.float32), (image.height, image.width)


def load_osie(root: Path, n: int, size):
    """First ``n`` OSIE images resized to ``size`` (H, W), their fixations scaled to it, original sizes."""
    import scipy.io as sio

    from keras_saliency.fixations import Fixations

    records = sio.loadmat(str(root / "fixations.mat"))["fixations"]
    images, fixations, sizes = [], [], []
    for i in range(n):
        rec = records[i, 0]
        image, original = _resized(root / "stimuli" / str(rec["img"][0, 0][0]), size)
        subs = rec["subjects"][0, 0]
        xs = np.concatenate([np.ravel(subs[j, 0][0, 0]["fix_x"]).astype(float) for j in range(subs.shape[0])])
        ys = np.concatenate([np.ravel(subs[j, 0][0, 0]["fix_y"]).astype(float) for j in range(subs.shape[0])])
        fixations.append(Fixations.from_one_based(xs, ys).scaled(original, size))
        images.append(image)
        sizes.append(original)
    return np.stack(images), fixations, sizes


def load_mit1003(root: Path, n: int, size):
    """First ``n`` MIT1003 images (sorted by name; ``tfds_builders`` FixaTons reader: first, central
    fixation of each scanpath dropped) resized to ``size`` (H, W), their fixations scaled to it,
    original sizes."""
    import itertools

    from tfds_builders.mit1003.mit1003_dataset_builder import fixatons_records

    images, fixations, sizes = [], [], []
    for record in itertools.islice(fixatons_records(root), n):
        image, original = _resized(record.image, size)
        fixations.append(record.fixations.scaled(original, size))
        images.append(image)
        sizes.append(original)
    return np.stack(images), fixations, sizes


LOADERS = {"osie": (load_osie, "fixations.mat"), "mit1003": (load_mit1003, "SCANPATHS")}


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
    print(f"\n### Setup {tag}: per layer and category, mean top-{args.top_k} unit NSS / "
          f"mean #units NSS > {args.threshold}\n")
    print(analysis.layer_table(stats, args.top_k, args.threshold))
    table = stats.table(args.top_k, args.threshold)
    plots.plot_category_bars(table, out_dir / f"bars_setup{tag}.png", ylabel=f"mean top-{args.top_k} NSS")
    preds = probe_saliency(probe, images)
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


def probe_logits(probe, images, size=None):
    """The probe's logits (N, H, W) float64 for (N, h, w, 3) images; with ``size`` resized
    (bilinear) to ``size`` (H, W)."""
    import keras

    logits = np.asarray(probe.predict(np.asarray(images, np.float32), batch_size=4, verbose=0))
    if size is not None and tuple(logits.shape[1:3]) != tuple(size):
        logits = keras.ops.convert_to_numpy(keras.ops.image.resize(logits[..., None], tuple(size)))[..., 0]
    return logits.astype(np.float64)


def probe_saliency(probe, images, size=None):
    """The probe's saliency maps ``exp(logits - max)`` (N, H, W), see ``probe_logits``."""
    logits = probe_logits(probe, images, size)
    return np.exp(logits - logits.max(axis=(1, 2), keepdims=True))


def load_popout(args, in_size):
    """The first ``--popout-n`` test arrays (by image id) of every kind of the ``popout_search_arrays``
    builder: namespace with ``names`` (kinds in builder order), ``kinds`` (N,), ``images`` uint8
    (N, H, W, 3), ``masks`` bool (N, H, W) and ``inputs`` float32 (N, *in_size, 3) for the probe."""
    import types

    import keras
    import tensorflow_datasets as tfds

    from tfds_builders.popout_search_arrays.popout_search_arrays_dataset_builder import Builder

    builder = Builder(config=args.popout_config, data_dir=args.popout_dir)
    builder.download_and_prepare()
    category = builder.info.features["category"]
    by_kind = {}
    for example in tfds.as_numpy(builder.as_dataset(split="test")):
        by_kind.setdefault(category.int2str(example["category"]), []).append(
            (example["image_id"].decode(), example["image"], example["target_mask"][..., 0] > 0))
    kinds, images, masks = [], [], []
    for kind in category.names:
        items = sorted(by_kind.get(kind, []), key=lambda item: item[0])[:args.popout_n]
        if len(items) < args.popout_n:
            raise ValueError(f"--popout-n {args.popout_n}: the {args.popout_config!r} test split has only "
                             f"{len(items)} {kind!r} arrays.")
        kinds += [kind] * len(items)
        images += [item[1] for item in items]
        masks += [item[2] for item in items]
    images = np.stack(images)
    inputs = images.astype(np.float32)
    if images.shape[1:3] != tuple(in_size):
        inputs = keras.ops.convert_to_numpy(keras.ops.image.resize(inputs, tuple(in_size)))
    return types.SimpleNamespace(names=list(category.names), kinds=np.array(kinds), images=images,
                                 masks=np.stack(masks), inputs=inputs)


def popout_probe(encoder, taps, probe, arrays, args):
    """(probe saliency maps (N, H, W), probe NMM (N,), probe logit-map NMM (N,), {tap: (N, C) unit NMM})."""
    from keras_saliency.analysis import nmm, unit_nmm

    logits = probe_logits(probe, arrays.inputs, arrays.masks.shape[1:])
    maps = np.exp(logits - logits.max(axis=(1, 2), keepdims=True))
    scores = np.array([nmm(m, k) for m, k in zip(maps, arrays.masks)])
    logit_scores = np.array([nmm(m, k) for m, k in zip(logits, arrays.masks)])
    inner = unit_nmm(encoder, arrays.inputs, arrays.masks, taps, batch_size=4, channel_chunk=args.channel_chunk)
    return maps, scores, logit_scores, inner


def mean_se(values):
    """(mean, standard error with ddof=1; NaN for one value)."""
    values = np.asarray(values, np.float64)
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else float("nan")
    return float(values.mean()), float(se)


def report_popout(arrays, probes, args, out_dir):
    """Print the Table 4 and 5 analogues and write the pop-out figures. ``probes``: {setup tag:
    popout_probe(...) result}."""
    from keras_saliency import prediction
    from keras_saliency.analysis import nmm, top_units
    from keras_saliency.analysis import plots

    scores, maps = {}, {}
    for tag, (probe_maps, probe_scores, logit_scores, _) in probes.items():
        scores[f"probe {tag}"], maps[f"probe {tag}"] = probe_scores, probe_maps
        scores[f"probe {tag} (logits)"] = logit_scores
    for name in ("gbvs", "itti", "centre_bias", *args.popout_models):
        model = prediction.resolve_model(name)  # classical: their map; presets: their density, exp(log-density)
        maps[name] = np.stack([model.predict_saliency_map(image[None])[0] for image in arrays.images])
        scores[name] = np.array([nmm(m, k) for m, k in zip(maps[name], arrays.masks)])
    counts = {kind: int((arrays.kinds == kind).sum()) for kind in arrays.names}
    table = {name: {kind: mean_se(v[arrays.kinds == kind]) for kind in arrays.names} for name, v in scores.items()}
    print(f"\n### Pop-out (Table 4 analogue): NMM under the target mask, mean +- standard error over "
          f"{'/'.join(str(counts[k]) for k in arrays.names)} arrays per kind\n")
    print("| model | " + " | ".join(arrays.names) + " |\n" + "|---" * (len(arrays.names) + 1) + "|")
    for name, per in table.items():
        print(f"| {name} | " + " | ".join(f"{per[k][0]:.2f} +- {per[k][1]:.2f}" for k in arrays.names) + " |")
    ranked = [name for name in table if "(logits)" not in name]
    print("\nHighest mean NMM per kind (saliency maps; logit rows excluded): " + ", ".join(
        f"{kind}: {max(ranked, key=lambda n: table[n][kind][0])}" for kind in arrays.names))
    plots.plot_category_bars({n: table[n] for n in ranked}, out_dir / "popout_nmm.png", ylabel="NMM (mean +- SE)",
                             error_index=1)
    for tag, (_, _, _, inner) in probes.items():
        print(f"\n### Pop-out inner NMM, setup {tag} (Table 5 analogue): best unit (+- SE) / mean of top-{args.top_k} "
              f"units / held-out best unit, unit NMM averaged over each kind's arrays\n")
        print("| layer (units) | " + " | ".join(arrays.names) + " |\n" + "|---" * (len(arrays.names) + 1) + "|")
        summary = {}
        for layer, values in inner.items():
            summary[layer] = {kind: top_units(values[arrays.kinds == kind], args.top_k) for kind in arrays.names}
            cells = [f"{s['best']:.2f} +- {s['best_se']:.2f} / {s['top_k']:.2f} / {s['held_out']:.2f}"
                     for s in summary[layer].values()]
            print(f"| {layer} ({values.shape[1]}) | " + " | ".join(cells) + " |")
        plots.plot_category_bars({layer: {k: (s["best"], s["best_se"], s["top_k"]) for k, s in per.items()}
                                  for layer, per in summary.items()}, out_dir / f"popout_inner_setup{tag}.png",
                                 ylabel="best-unit NMM (mean +- SE)", error_index=1)
    rows = []
    for kind in arrays.names:
        i = int(np.flatnonzero(arrays.kinds == kind)[0])
        rows.append((kind, arrays.images[i] / 255.0, arrays.masks[i], {n: maps[n][i] for n in maps}))
    plots.plot_map_grid(rows, out_dir / "popout_examples.png")


class _Tee(io.TextIOBase):
    """A text stream writing to ``stream`` and keeping a copy."""

    def __init__(self, stream):
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text):
        self.stream.write(text)
        return self.copy.write(text)

    def flush(self):
        self.stream.flush()


def run(args, in_size, out_size, data, arrays):
    """Train setups I and II on ``data`` = (images, fixations, original sizes), print every table."""
    import keras

    from keras_saliency.maps import fixation_map

    keras.utils.set_random_seed(0)
    images, fixations, sizes = data
    out_fix = [f.scaled(in_size, out_size).fit_to_image(out_size, policy="clip")[0] for f in fixations]
    fix_maps = [fixation_map(f, out_size) for f in out_fix]
    # 60 px of the original image (about 2 degrees in OSIE and MIT1003), scaled by the linear resize factor
    bandwidths = [60.0 * np.sqrt(out_size[0] * out_size[1] / (h * w)) for h, w in sizes]
    regions = [regions_by_rank(f, out_size, b) for f, b in zip(out_fix, bandwidths)]
    print(f"{len(images)} {args.dataset} images, {sum(len(r) for r in regions)} fixation-cluster regions, "
          f"encoder {args.encoder}")

    encoder, taps = build_encoder(args, in_size + (3,))
    encoder.trainable = False
    probe = probe_model(encoder, taps, out_size)
    losses = train(probe, images, fix_maps, args.epochs, args.lr)
    print(f"setup I: -NSS {losses[0]:.3f} -> {losses[-1]:.3f}")
    stats = analyse("I", encoder, taps, probe, images, fix_maps, regions, args, args.out)
    plot_top_units_for_first_region(encoder, taps[-1], images, fix_maps, regions, stats, args.out)
    probes = {"I": popout_probe(encoder, taps, probe, arrays, args)} if arrays is not None else {}

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
    if arrays is not None:
        probes["II"] = popout_probe(encoder, taps, probe, arrays, args)
        report_popout(arrays, probes, args, args.out)
    print(f"\nfigures in {args.out}/")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 images, 3 epochs, small inputs, 2 arrays per kind")
    parser.add_argument("--dataset", choices=sorted(LOADERS), default="osie")
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
    marker = args.data / LOADERS[args.dataset][1]
    if not marker.exists():
        print(f"error: --dataset {args.dataset}: {marker} not found (--data {args.data})", file=sys.stderr)
        return 2
    if args.images < 1 or args.popout_n < 1:
        print(f"error: --images and --popout-n must be >= 1; got {args.images}, {args.popout_n}", file=sys.stderr)
        return 2
    in_size, out_size = ((96, 128), (75, 100)) if args.quick else ((240, 320), (150, 200))
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        data = LOADERS[args.dataset][0](args.data, args.images, in_size)
    except (ImportError, ValueError) as err:
        print(f"error: --dataset {args.dataset}: {err} (run from the repository root with PYTHONPATH=.)",
              file=sys.stderr)
        return 2
    arrays = None
    if args.popout:
        try:
            arrays = load_popout(args, in_size)
        except (ImportError, ValueError) as err:
            print(f"error: --popout: {err} (run from the repository root with PYTHONPATH=.)", file=sys.stderr)
            return 2
    tee, start = _Tee(sys.stdout), time.time()
    with contextlib.redirect_stdout(tee):
        code = run(args, in_size, out_size, data, arrays)
    if code == 0:
        given = sys.argv[1:] if argv is None else list(argv)
        command = shlex.join(["python", "examples/analyze_representations.py", *given])
        header = (f"Command (repository root, PYTHONPATH=., CPU, {time.time() - start:.0f} s after data loading):\n\n"
                  f"    {command}\n\n")
        tmp = args.out / "output.md.tmp"
        tmp.write_text(header + tee.copy.getvalue())
        os.replace(tmp, args.out / "output.md")
    return code


if __name__ == "__main__":
    sys.exit(main())
