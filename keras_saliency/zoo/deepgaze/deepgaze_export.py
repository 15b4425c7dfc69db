"""Presets of the readouts trained on the folds of :mod:`deepgaze_protocol`: ensemble and best backbone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Sequence

from keras_saliency.maps import EmpiricalCenterBias
from keras_saliency.zoo.deepgaze.deepgaze_model import DeepGazeIIE
from keras_saliency.zoo.deepgaze.deepgaze_protocol import LOG, standin_extractor

CITATIONS = [
    "@inproceedings{linardos2021deepgaze, title={DeepGaze IIE: Calibrated prediction in and out-of-domain for "
    "state-of-the-art saliency modeling}, author={Linardos, Akis and K{\\\"u}mmerer, Matthias and Press, Ori and "
    "Bethge, Matthias}, booktitle={ICCV}, year={2021}}",
    "@techreport{judd2012benchmark, title={A Benchmark of Computational Models of Saliency to Predict Human "
    "Fixations}, author={Judd, Tilke and Durand, Fr{\\'e}do and Torralba, Antonio}, institution={MIT}, year={2012}}",
]


def export_fold_presets(output, export_dir, data, backbones: Sequence[str], instances: int, backbone_weights,
                        scale: float, command: str, log: Callable[[str], None] = LOG) -> list:
    """Saves the all-backbone ensemble (with several backbones) and the best backbone's own mixture as presets.

    ``output`` holds the runs' ``fold<k>.json``, ``summary.json`` and ``<backbone>_fold<k>.weights.h5``;
    ``data`` is the MIT1003 :class:`~keras_saliency.evaluation.EvaluationImages` at the training
    ``scale``. As the reference's released model, each backbone mixes the readouts of all folds run (each
    trained without its test fold); the stored centre bias is fitted on all of ``data``; one-image
    prediction resizes to the training scale (long side ``1024 * scale``). The metrics recorded are the
    summary's test-fold means, with the commands of the runs and ``command``. Returns the preset folders.
    """
    output, export_dir = Path(output), Path(export_dir)
    summary = json.loads((output / "summary.json").read_text())
    folds = sorted(int(p.stem[4:]) for p in output.glob("fold*.json"))
    runs = sorted({json.loads((output / f"fold{fold}.json").read_text())["command"] for fold in folds})
    command = "; ".join([*runs, command])
    best = max(backbones, key=lambda n: summary["in_domain"][f"{n} mixture of {instances}"]["information_gain"][0])
    grid = EmpiricalCenterBias.fit(data.fixations, data.sizes).log_density((128, 128))
    exports = [("single", [best], f"{best} mixture of {instances}")]
    if len(backbones) > 1:
        exports.insert(0, ("ensemble", list(backbones), f"all {len(backbones)} backbones x {instances}"))
    folders = []
    for label, members, row in exports:
        model = DeepGazeIIE([standin_extractor() if n == "standin" else n for n in members],
                            n_components=instances * len(folds), backbone_weights=backbone_weights,
                            centerbias_shape=grid.shape, image_long_side=round(1024 * scale))
        model.centerbias.assign(grid)
        for member, name in zip(model.members, members):
            for j, fold in enumerate(folds):
                part = member.readout_model(range(j * instances, (j + 1) * instances))
                part.load_weights(output / f"{name}_fold{fold}.weights.h5")
        metrics_list = [{"name": m, "value": round(summary[domain][row][m][0], 4), "dataset": dataset,
                         "command": command}
                        for domain, dataset in (("in_domain", "mit1003"), ("out_of_domain", "osie"))
                        if row in summary.get(domain, {})
                        for m in ("information_gain", "auc_judd", "sauc", "nss", "cc", "kld")]
        short = [n.replace("efficientnet_", "") for n in members]
        name = f"deepgaze_iie_{'_'.join(short)}_mit1003" if label == "ensemble" else f"deepgaze_ii_{short[0]}_mit1003"
        model.save_to_preset(export_dir / name, {
            "name": name,
            "description": (f"DeepGaze IIE readouts on frozen ImageNet {', '.join(members)} "
                            f"({instances} instances x {len(folds)} folds per backbone), "
                            f"trained by maximum likelihood at long side {round(1024 * scale)} px"),
            "training_data": f"MIT1003 (FixaTons layout), folds {folds} of a 10-fold split; metrics are test-fold "
                             "means of the per-fold models (information gain in bits/fixation over the training "
                             "folds' centre bias); OSIE metrics: the same models out of domain",
            "license": "apache-2.0", "citations": CITATIONS, "metrics": metrics_list}, overwrite=True)
        log(f"preset {name}: {export_dir / name}")
        folders.append(export_dir / name)
    return folders
