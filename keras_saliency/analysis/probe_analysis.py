"""The probe analysis on fixation-cluster regions (He et al., CVPR 2019, Tables 2-3 analogues) and its run.

Regions: fixation clusters (:func:`cluster_regions`, mean-shift bandwidth 60 px of the original image,
about 2 degrees), with the category = the cluster's rank by fixation count ("rank1", "rank2",
"rank3+"). Per setup (I: readout only; II: also the encoder layers named by ``finetune``) the tables
hold, per layer and category, the mean top-k unit NSS / mean number of units with NSS > T, then OS_c
(the probe's region NSS) against OD_c (units above T in the last tap) and their Spearman correlation.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Optional, Sequence

import keras
import numpy as np

from keras_saliency.analysis import plots
from keras_saliency.analysis.activations import iter_activation_maps
from keras_saliency.analysis.association import associate_units, layer_table
from keras_saliency.analysis.clusters import cluster_regions
from keras_saliency.analysis.inner_vs_output import inner_vs_output
from keras_saliency.analysis.popout import popout_probe, popout_tables
from keras_saliency.analysis.probe import build_encoder, probe_model, probe_saliency, train_probe, unfreeze_layers
from keras_saliency.analysis.region_nss import region_nss
from keras_saliency.maps import fixation_map


@dataclasses.dataclass(frozen=True)
class ProbeAnalysis:
    """The analysis' settings: encoder ("tiny" or a backbone with ``weights`` and ``taps``), setup II's
    ``finetune`` layer-name parts, training (``epochs``, Adam ``lr`` / ``finetune_lr``), the tables'
    ``top_k`` and ``threshold`` and the activation ``channel_chunk``."""

    dataset: str = "osie"
    encoder: str = "tiny"
    weights: Optional[str] = None
    taps: Optional[Sequence[str]] = None
    finetune: Sequence[str] = ("block3_conv",)
    epochs: int = 20
    lr: float = 5e-3
    finetune_lr: float = 5e-4
    top_k: int = 10
    threshold: float = 1.0
    channel_chunk: int = 64


def regions_by_rank(fixations, size, bandwidth: float) -> list:
    """Fixation-cluster regions ``[(bool mask (H, W), "rank1" | "rank2" | "rank3+")]``, most fixated first."""
    fmap = fixation_map(fixations, size)
    regions = cluster_regions(fixations, size, bandwidth=bandwidth)
    regions.sort(key=lambda r: -fmap[r[0]].sum())
    return [(m, "rank1" if k == 0 else "rank2" if k == 1 else "rank3+") for k, (m, _) in enumerate(regions)]


def setup_tables(tag: str, encoder, taps, probe, images, fix_maps, regions, settings: ProbeAnalysis, out_dir,
                 emit: Callable[[str], None] = print):
    """Emits setup ``tag``'s Tables 2-3 analogue and OS_c / OD_c; writes ``bars_setup<tag>.png``; the unit stats."""
    stats = associate_units(encoder, images, fix_maps, regions, taps, batch_size=4,
                            channel_chunk=settings.channel_chunk)
    emit(f"\n### Setup {tag}: per layer and category, mean top-{settings.top_k} unit NSS / "
         f"mean #units NSS > {settings.threshold}\n")
    emit(layer_table(stats, settings.top_k, settings.threshold))
    table = stats.table(settings.top_k, settings.threshold)
    plots.plot_category_bars(table, Path(out_dir) / f"bars_setup{tag}.png", ylabel=f"mean top-{settings.top_k} NSS")
    preds = probe_saliency(probe, images)
    os_c = {}
    for i, regs in enumerate(regions):
        for mask, cat in regs:
            if (fix_maps[i] * mask).sum() > 0:
                os_c.setdefault(cat, []).append(region_nss(preds[i][None], fix_maps[i], mask)[0])
    os_c = {c: float(np.mean(v)) for c, v in os_c.items()}
    od_c = {c: v[1] for c, v in table[taps[-1]].items()}
    emit("\n| category | OS_c (output region NSS) | OD_c (#units > T, last tap) |\n|---|---|---|")
    for c in sorted(os_c):
        emit(f"| {c} | {os_c[c]:.3f} | {od_c.get(c, float('nan')):.2f} |")
    if len(set(os_c) & set(od_c)) >= 3:
        rho, p = inner_vs_output(os_c, od_c)
        emit(f"\nSpearman(OS_c, OD_c) = {rho:.3f} (p = {p:.3f}, {len(os_c)} categories)")
    return stats


def plot_top_units_for_first_region(encoder, tap, images, fix_maps, regions, stats, out_dir):
    """``top_units.png``: the first region's image with the 4 units of ``tap`` best associated with it."""
    for image_index, category, values in stats.unit_nss[tap]:
        top = np.argsort(values)[::-1][:4]
        maps = np.concatenate([m for _, _, _, m in iter_activation_maps(
            encoder, images[image_index:image_index + 1], [tap], fix_maps[image_index].shape)])
        mask = next(m for m, c in regions[image_index] if c == category)
        plots.plot_top_units(images[image_index] / 255.0, mask, maps[top], values[top], Path(out_dir) / "top_units.png")
        return


def run_probe_analysis(settings: ProbeAnalysis, in_size, out_size, data, arrays, out_dir, models=None,
                       emit: Callable[[str], None] = print) -> None:
    """Trains setups I and II on ``data`` and emits every table; figures go to ``out_dir``.

    ``data``: (images (N, *in_size, 3) float32 0..255, their fixations scaled to ``in_size``, original
    sizes (H, W)); ``arrays``: :func:`load_popout_arrays`' result or None (no pop-out tables);
    ``models``: {name: model} scored next to the probe on the arrays (see :func:`popout_tables`). Raises a
    ``LookupError`` (after setup I) when ``settings.finetune`` matches no encoder layer with weights.
    """
    keras.utils.set_random_seed(0)
    images, fixations, sizes = data
    out_fix = [f.scaled(in_size, out_size).fit_to_image(out_size, policy="clip")[0] for f in fixations]
    fix_maps = [fixation_map(f, out_size) for f in out_fix]
    # 60 px of the original image (about 2 degrees in OSIE and MIT1003), scaled by the linear resize factor
    bandwidths = [60.0 * np.sqrt(out_size[0] * out_size[1] / (h * w)) for h, w in sizes]
    regions = [regions_by_rank(f, out_size, b) for f, b in zip(out_fix, bandwidths)]
    emit(f"{len(images)} {settings.dataset} images, {sum(len(r) for r in regions)} fixation-cluster regions, "
         f"encoder {settings.encoder}")

    encoder, taps = build_encoder(settings.encoder, tuple(in_size) + (3,), settings.weights, settings.taps)
    encoder.trainable = False
    probe = probe_model(encoder, taps, out_size)
    losses = train_probe(probe, images, fix_maps, settings.epochs, settings.lr)
    emit(f"setup I: -NSS {losses[0]:.3f} -> {losses[-1]:.3f}")
    stats = setup_tables("I", encoder, taps, probe, images, fix_maps, regions, settings, out_dir, emit)
    plot_top_units_for_first_region(encoder, taps[-1], images, fix_maps, regions, stats, out_dir)
    probes = {"I": popout_probe(encoder, taps, probe, arrays, settings.channel_chunk)} if arrays is not None else {}

    n = unfreeze_layers(encoder, settings.finetune)
    losses = train_probe(probe, images, fix_maps, settings.epochs, settings.finetune_lr)
    emit(f"\nsetup II ({n} layers fine-tuned): -NSS {losses[0]:.3f} -> {losses[-1]:.3f}")
    setup_tables("II", encoder, taps, probe, images, fix_maps, regions, settings, out_dir, emit)
    if arrays is not None:
        probes["II"] = popout_probe(encoder, taps, probe, arrays, settings.channel_chunk)
        for block in popout_tables(arrays, probes, models or {}, settings.top_k, Path(out_dir)):
            emit(block)
