"""Pop-out search arrays (Tables 4-5 analogues of He et al., CVPR 2019): NMM of models and of inner units.

The arrays are the ``popout_search_arrays`` TFDS builder's (``tfds_builders``, generated, nothing
downloaded). Table 4 analogue: NMM under the target mask (mean +- standard error over arrays) of the
probe's maps and of other models' (classical models, presets); Table 5 analogue: inner NMM of every
unit of every tap (:func:`unit_nmm`) summarised by :func:`top_units` (best unit, top-k mean,
held-out best unit).
"""

from __future__ import annotations

import types
from typing import Dict, List, Sequence

import keras
import numpy as np

from keras_saliency.analysis import plots
from keras_saliency.analysis.inner_nmm import top_units, unit_nmm
from keras_saliency.analysis.nmm import nmm
from keras_saliency.analysis.probe import probe_logits


def load_popout_arrays(config: str, data_dir, per_kind: int, in_size) -> types.SimpleNamespace:
    """The first ``per_kind`` test arrays (by image id) of every kind of the ``popout_search_arrays`` builder.

    Returns a namespace with ``names`` (kinds in builder order), ``kinds`` (N,), ``images`` uint8
    (N, H, W, 3), ``masks`` bool (N, H, W) and ``inputs`` float32 (N, *in_size, 3) for the probe;
    a ``ValueError`` when the split has fewer arrays of a kind.
    """
    import tensorflow_datasets as tfds

    from tfds_builders.popout_search_arrays.popout_search_arrays_dataset_builder import Builder

    builder = Builder(config=config, data_dir=data_dir)
    builder.download_and_prepare()
    category = builder.info.features["category"]
    by_kind = {}
    for example in tfds.as_numpy(builder.as_dataset(split="test")):
        by_kind.setdefault(category.int2str(example["category"]), []).append(
            (example["image_id"].decode(), example["image"], example["target_mask"][..., 0] > 0))
    kinds, images, masks = [], [], []
    for kind in category.names:
        items = sorted(by_kind.get(kind, []), key=lambda item: item[0])[:per_kind]
        if len(items) < per_kind:
            raise ValueError(f"the {config!r} test split has only {len(items)} {kind!r} arrays; "
                             f"{per_kind} per kind were asked for.")
        kinds += [kind] * len(items)
        images += [item[1] for item in items]
        masks += [item[2] for item in items]
    images = np.stack(images)
    inputs = images.astype(np.float32)
    if images.shape[1:3] != tuple(in_size):
        inputs = keras.ops.convert_to_numpy(keras.ops.image.resize(inputs, tuple(in_size)))
    return types.SimpleNamespace(names=list(category.names), kinds=np.array(kinds), images=images,
                                 masks=np.stack(masks), inputs=inputs)


def popout_probe(encoder, taps: Sequence[str], probe, arrays, channel_chunk: int = 64):
    """(probe saliency maps (N, H, W), probe NMM (N,), probe logit-map NMM (N,), {tap: (N, C) unit NMM})."""
    logits = probe_logits(probe, arrays.inputs, arrays.masks.shape[1:])
    maps = np.exp(logits - logits.max(axis=(1, 2), keepdims=True))
    scores = np.array([nmm(m, k) for m, k in zip(maps, arrays.masks)])
    logit_scores = np.array([nmm(m, k) for m, k in zip(logits, arrays.masks)])
    inner = unit_nmm(encoder, arrays.inputs, arrays.masks, taps, batch_size=4, channel_chunk=channel_chunk)
    return maps, scores, logit_scores, inner


def mean_se(values):
    """(mean, standard error with ddof=1; NaN for one value)."""
    values = np.asarray(values, np.float64)
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else float("nan")
    return float(values.mean()), float(se)


def popout_tables(arrays, probes: Dict[str, tuple], models: Dict[str, object], top_k: int, out_dir) -> List[str]:
    """The Table 4 and 5 analogues as text blocks; writes the pop-out figures into ``out_dir``.

    ``probes``: {setup tag: :func:`popout_probe` result}; ``models``: {name: a model honouring the
    saliency-model contract (``predict_saliency_map(images)``, e.g. a classical model or a preset)}.
    """
    blocks, scores, maps = [], {}, {}
    for tag, (probe_maps, probe_scores, logit_scores, _) in probes.items():
        scores[f"probe {tag}"], maps[f"probe {tag}"] = probe_scores, probe_maps
        scores[f"probe {tag} (logits)"] = logit_scores
    for name, model in models.items():  # one array at a time: (1, H, W, 3) -> (H, W)
        maps[name] = np.stack([model.predict_saliency_map(image[None])[0] for image in arrays.images])
        scores[name] = np.array([nmm(m, k) for m, k in zip(maps[name], arrays.masks)])
    counts = {kind: int((arrays.kinds == kind).sum()) for kind in arrays.names}
    table = {name: {kind: mean_se(v[arrays.kinds == kind]) for kind in arrays.names} for name, v in scores.items()}
    blocks.append(f"\n### Pop-out (Table 4 analogue): NMM under the target mask, mean +- standard error over "
                  f"{'/'.join(str(counts[k]) for k in arrays.names)} arrays per kind\n")
    lines = ["| model | " + " | ".join(arrays.names) + " |\n" + "|---" * (len(arrays.names) + 1) + "|"]
    for name, per in table.items():
        lines.append(f"| {name} | " + " | ".join(f"{per[k][0]:.2f} +- {per[k][1]:.2f}" for k in arrays.names) + " |")
    blocks += lines
    ranked = [name for name in table if "(logits)" not in name]
    blocks.append("\nHighest mean NMM per kind (saliency maps; logit rows excluded): " + ", ".join(
        f"{kind}: {max(ranked, key=lambda n: table[n][kind][0])}" for kind in arrays.names))
    plots.plot_category_bars({n: table[n] for n in ranked}, out_dir / "popout_nmm.png", ylabel="NMM (mean +- SE)",
                             error_index=1)
    for tag, (_, _, _, inner) in probes.items():
        blocks.append(f"\n### Pop-out inner NMM, setup {tag} (Table 5 analogue): best unit (+- SE) / mean of "
                      f"top-{top_k} units / held-out best unit, unit NMM averaged over each kind's arrays\n")
        blocks.append("| layer (units) | " + " | ".join(arrays.names) + " |\n" + "|---" * (len(arrays.names) + 1) + "|")
        summary = {}
        for layer, values in inner.items():
            summary[layer] = {kind: top_units(values[arrays.kinds == kind], top_k) for kind in arrays.names}
            cells = [f"{s['best']:.2f} +- {s['best_se']:.2f} / {s['top_k']:.2f} / {s['held_out']:.2f}"
                     for s in summary[layer].values()]
            blocks.append(f"| {layer} ({values.shape[1]}) | " + " | ".join(cells) + " |")
        plots.plot_category_bars({layer: {k: (s["best"], s["best_se"], s["top_k"]) for k, s in per.items()}
                                  for layer, per in summary.items()}, out_dir / f"popout_inner_setup{tag}.png",
                                 ylabel="best-unit NMM (mean +- SE)", error_index=1)
    rows = []
    for kind in arrays.names:
        i = int(np.flatnonzero(arrays.kinds == kind)[0])
        rows.append((kind, arrays.images[i] / 255.0, arrays.masks[i], {n: maps[n][i] for n in maps}))
    plots.plot_map_grid(rows, out_dir / "popout_examples.png")
    return blocks
