"""Every ``examples/*.py --quick`` in a subprocess: exit code 0, its declared outputs exist, per-example checks.

Each example declares ``QUICK_RUN = {"args": [...], "shared": [...], "outputs": [...]}`` (a literal,
read here without importing the script): extra arguments after ``--quick``, the ``../shared`` paths
it needs (the run is skipped without them) and the files it writes, relative to the working
directory, which is the test's ``tmp_path``. ``CHECKS`` holds the deeper checks of some examples.
"""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.special import logsumexp

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
TIMEOUT_S = 420  # per example; the --quick runs take 5-90 s each on the 2-core CI machine


def quick_run(script: Path) -> dict:
    """The example's ``QUICK_RUN`` literal."""
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["QUICK_RUN"]:
            spec = ast.literal_eval(node.value)
            assert set(spec) == {"args", "shared", "outputs"} and spec["outputs"], f"{script.name}: bad QUICK_RUN"
            return spec
    raise AssertionError(f"{script.name} declares no QUICK_RUN (see {Path(__file__).name}'s docstring)")


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_quick_run(script, tmp_path, shared_file):
    spec = quick_run(script)
    for path in spec["shared"]:
        shared_file(*Path(path).parts)  # skips the test when ../shared lacks it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    process = subprocess.run([sys.executable, str(script), "--quick", *spec["args"]], cwd=tmp_path, env=env,
                             check=False, capture_output=True, text=True, timeout=TIMEOUT_S)
    tail = f"{process.stdout[-3000:]}\n{process.stderr[-3000:]}"
    assert process.returncode == 0, f"{script.name} --quick: exit code {process.returncode}\n{tail}"
    missing = [path for path in spec["outputs"] if not (tmp_path / path).is_file()]
    assert not missing, f"{script.name} --quick did not write {missing}"
    check = CHECKS.get(script.stem)
    if check is not None:
        check(tmp_path, process.stdout)


def check_quickstart(out: Path, stdout: str):
    from PIL import Image

    for stem in ("astronaut", "chelsea_cat"):
        image = Image.open(ROOT / "examples" / "images" / f"{stem}.jpg")
        log_density = np.load(out / "quickstart_out" / f"{stem}_log_density.npy").astype(np.float64)
        assert log_density.shape == (image.height, image.width)
        assert abs(logsumexp(log_density)) < 1e-3
        assert Image.open(out / "quickstart_out" / f"{stem}_overlay.png").size == image.size
        row, column = np.unravel_index(np.argmax(log_density), log_density.shape)
        assert f"{stem}.jpg ({image.width}x{image.height}): most likely fixation at x={column}, y={row} " in stdout
    assert "coffee" not in stdout  # --quick: the first two images only


def check_n_reference(out: Path, stdout: str):
    summary = json.loads((out / "n_reference.json").read_text())["table"]
    assert set(summary) == {"upper", "TR", "TR-Ref n=1", "FT n=1", "FT|Ref n=1", "FT w/o TR n=1"}
    for row in summary.values():
        assert 0.0 <= row["AUC"][0] <= 1.0 and -1.0 <= row["CC"][0] <= 1.0 and np.isfinite(row["NSS"][0])


def check_train_deepgaze(out: Path, stdout: str):
    from keras_saliency import presets
    from keras_saliency.data import read_fixation_images
    from keras_saliency.zoo.deepgaze import DeepGazeII, standin_extractor

    run = out / "deepgaze_run"
    summary = json.loads((run / "summary.json").read_text())
    members = ["standin #0", "standin #1", "standin mixture of 2"]
    assert list(summary["in_domain"]) == ["centre bias", "gold standard (LOSO)"] + members
    assert list(summary["out_of_domain"]) == list(summary["in_domain"])
    assert json.loads((run / "fold0.json").read_text())["training"]["standin #0"]["epochs"] == 2
    for domain in ("in_domain", "out_of_domain"):
        table = summary[domain]
        assert table["centre bias"]["information_gain"][0] == 0.0
        assert table["gold standard (LOSO)"]["information_gain"][0] > 0.5
        # the mixture is at least as likely as its members on average (log of a mean >= mean of logs)
        mean_ig = (table["standin #0"]["information_gain"][0] + table["standin #1"]["information_gain"][0]) / 2
        assert table["standin mixture of 2"]["information_gain"][0] >= mean_ig - 1e-9
        for name in ["centre bias"] + members:
            assert 0.5 < table[name]["auc_judd"][0] < 1.0 and np.isfinite(table[name]["kld"][0])
            assert 0.0 <= table[name]["calibration_error"] <= 0.9
        claims = {c["claim"]: (c["holds"], c["folds"]) for c in summary["comparisons"][domain]}
        holds = table["standin mixture of 2"]["information_gain"][0] > max(
            table[m]["information_gain"][0] for m in members[:2])
        assert claims == {"standin mixture of 2 > its best member (IG)": (int(holds), 1)}
    # every OSIE test fixation lands in exactly one calibration bin
    n_osie = sum(len(f) for f in read_fixation_images("osie", ROOT.parent / "shared" / "data" / "osie", 8).fixations)
    assert sum(summary["out_of_domain"]["standin #0"]["calibration"]) == n_osie
    # the exported preset holds the trained readouts and the MIT1003 centre bias, and predicts one image
    preset_dir = out / "presets" / "deepgaze_ii_standin_mit1003"
    preset = presets.load(preset_dir)
    fold_model = DeepGazeII(standin_extractor(), n_components=2)
    fold_model.readout_model().load_weights(run / "standin_fold0.weights.h5")
    for exported, trained in zip(preset.members[0].readouts, fold_model.readouts, strict=True):
        np.testing.assert_array_equal(exported.finalizer.sigma.numpy(), trained.finalizer.sigma.numpy())
    log_density = preset.predict_log_density(np.full((1, 60, 80, 3), 128.0, np.float32))[0]
    assert log_density.shape == (60, 80) and abs(logsumexp(log_density)) < 1e-6
    metadata = json.loads((preset_dir / "metadata.json").read_text())
    ig = {(m["dataset"], m["name"]): m["value"] for m in metadata["metrics"]}
    for dataset, domain in (("mit1003", "in_domain"), ("osie", "out_of_domain")):
        expected = round(summary[domain]["standin mixture of 2"]["information_gain"][0], 4)
        assert ig[dataset, "information_gain"] == expected
    assert all(m["command"].startswith("python examples/train_deepgaze.py ") and "--export-presets" in m["command"]
               and not presets.machine_paths(m["command"]) for m in metadata["metrics"])


def check_train_unisal(out: Path, stdout: str):
    from keras_saliency import presets

    metadata = json.loads((out / "unisal_preset" / "metadata.json").read_text())
    values = {(m["dataset"].split()[0], m["name"]): m["value"] for m in metadata["metrics"]}
    assert {dataset for dataset, _ in values} == {"mit1003", "osie"}
    for dataset in ("mit1003", "osie"):
        assert 0.0 <= values[dataset, "auc_judd"] <= 1.0 and np.isfinite(values[dataset, "information_gain"])
        assert f"| {dataset} | " in stdout  # the printed held-out table
    assert presets.load(str(out / "unisal_preset")).domains == ["mit1003", "osie"]


def check_analyze_representations(out: Path, stdout: str):
    kinds = ("colour", "orientation", "size", "shape", "density")
    assert "4 osie images" in stdout
    assert "### Setup I:" in stdout and "### Setup II:" in stdout
    assert "| block3 |" in stdout and "Spearman(OS_c, OD_c)" in stdout
    # Table 4 analogue: one row per model, one mean +- SE cell per kind (2 arrays each)
    assert "over 2/2/2/2/2 arrays per kind" in stdout
    assert "| model | " + " | ".join(kinds) + " |" in stdout
    models = ("probe I", "probe II", "probe I (logits)", "gbvs", "itti", "center_bias", "deepgaze_ii_lite2_mit1003")
    for model in models:
        row = re.search(rf"^\| {re.escape(model)} \|(.*)\|$", stdout, re.M)
        assert row, model
        cells = [c.strip() for c in row.group(1).split("|")]
        assert len(cells) == len(kinds)
        for cell in cells:
            mean, se = (float(v) for v in cell.split(" +- "))
            assert np.isfinite(mean) and np.isfinite(se) and se >= 0
    winners = re.search(r"Highest mean NMM per kind .*?: (.*)$", stdout, re.M).group(1)
    assert [w.split(": ")[0] for w in winners.split(", ")] == list(kinds)
    # Table 5 analogue for both setups: every tap, cells best +- SE / top-10 / held-out
    for tag in ("I", "II"):
        assert f"### Pop-out inner NMM, setup {tag}" in stdout
    rows = re.findall(r"^\| (block\d) \((\d+)\) \|(.*)\|$", stdout, re.M)
    assert [(r[0], r[1]) for r in rows] == [("block1", "16"), ("block2", "32"), ("block3", "32")] * 2
    for _, _, cells in rows:
        for cell in cells.split("|"):
            best, top, held = re.fullmatch(r"\s*(\S+) \+- \S+ / (\S+) / (\S+)\s*", cell).groups()
            assert float(best) >= float(top)  # the best unit's mean is the top of the top-k means
    for path in (out / "analysis_out").glob("*.png"):
        assert path.stat().st_size > 1000, path.name
    report = (out / "analysis_out" / "output.md").read_text()
    assert report.startswith("Command") and "--popout-config tiny" in report
    body = report.split("\n\n", 2)[2]  # everything printed by the run, after the command header
    assert body.startswith("4 osie images") and stdout.endswith(body)


def check_wepsam(out: Path, stdout: str):
    from keras_saliency.zoo.wepsam import ROWS, WEPSAM

    report = json.loads((out / "wepsam_out" / "results.json").read_text())
    assert {p.name for p in (out / "wepsam_out").iterdir()} == {"results.md", "results.json", "loss_curves.png"}
    assert (out / "wepsam_out" / "loss_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(report["table"]) == list(ROWS)
    for row in report["table"].values():
        assert 0 <= row["auc_judd"][0] <= 1 and 0 <= row["auc_borji"][0] <= 1 and -1 <= row["cc"][0] <= 1
        assert 0 <= row["sim"][0] <= 1 and row["kld"][0] >= 0 and np.isfinite(row["nss"][0])
    setup = report["setup"]
    assert setup["pretrain_total"] == 10 and setup["pretrain_kept"] == 7  # the entropy filter kept 70%
    assert setup["n_train"] + setup["n_val"] + setup["n_test"] == 20 and min(setup["n_val"], setup["n_test"]) > 0
    curves = report["curves"]
    for runs in curves.values():
        assert len(runs[0]["loss"]) == len(runs[0]["val_loss"]) == 3  # before + 2 epochs
        assert np.all(np.isfinite(runs[0]["loss"] + runs[0]["val_loss"]))
    # fine-tuning from the pre-trained weights starts where pre-training ended, not at the random init
    assert curves["pre-trained (WEPSAM)"][0]["val_loss"][0] != curves["random init"][0]["val_loss"][0]
    text = (out / "wepsam_out" / "results.md").read_text()
    assert "| model | AUC-Judd | AUC-Borji | CC | SIM | KLD | NSS |" in text and "--quick" in text
    preset = out / "wepsam_preset"
    loaded = WEPSAM.from_preset(str(preset))
    metadata = json.loads((preset / "metadata.json").read_text())
    assert {m["name"]: m["value"] for m in metadata["metrics"]}["AUC-Judd"] == \
        report["table"]["WEPSAM pre-trained + fine-tuned"]["auc_judd"][0]
    assert loaded.hidden_units == 16 and loaded.conv_filters == [2, 4, 4]


def check_best_models(out: Path, stdout: str):
    fold = json.loads((out / "best_run" / "fold0.json").read_text())
    rows = fold["in_domain"]
    assert {"centre bias", "gold standard (LOSO)", "UNISAL (fine-tuned Lite0)", "UNISAL (fine-tuned Lite0) + flip",
            "DeepGaze all backbones + flip", "UNISAL MIT1003 + OSIE (fine-tuned Lite0) + flip"} <= set(rows)
    # rows of the joint UNISAL saw OSIE: scored on OSIE in domain only, every other row in both tables
    joint = {row for row in rows if "OSIE" in row}
    assert len(joint) == 13 and set(fold["out_of_domain"]) == set(rows) - joint  # 9 joint UNISAL, 4 pre-trained
    calibrated = {row for row in rows if row.endswith(", calibrated on validation")}
    assert len(calibrated) == 6 and set(fold["calibrations"]) == calibrated
    assert all(np.all(np.diff(c["values"]) >= 0) for c in fold["calibrations"].values())
    osie = fold["osie_in_domain"]  # the lever rows, each over the OSIE training images' centre bias
    assert joint | {"centre bias", "DeepGaze all backbones + flip"} <= set(osie) <= set(rows)
    assert osie["centre bias"]["information_gain"] == 0
    assert fold["unisal_osie_training"]["osie_images"] == 4  # --quick: OSIE images 4..7 (0..3 are held out)
    assert fold["osie_pretrained_training"]["standin #0"]["initialised_from"] == "standin_pretrained_OSIE.weights.h5"
    for domain in ("in_domain", "out_of_domain"):
        ig = {row: values["information_gain"] for row, values in fold[domain].items()}
        # the log of a mean density is at least the mean of the logs, fixation by fixation
        mixed = ig["UNISAL (fine-tuned Lite0) + DeepGaze all backbones, equal weights"]
        assert mixed >= (ig["UNISAL (fine-tuned Lite0)"] + ig["standin #0"]) / 2 - 1e-9
    for row, weights in fold["mixture_weights"].items():
        assert "validation weights" in row and abs(sum(weights.values()) - 1) < 1e-3
    assert fold["unisal_training"]["images"] == 6  # --quick: 12 images in 4 folds, minus test and validation
    assert fold["command"].startswith("python examples/best_models.py --quick")


def check_best_presets(out: Path, stdout: str):
    import h5py

    from keras_saliency import presets

    unisal = json.loads((out / "presets_run" / "unisal_lite0_mit1003_osie_full" / "metadata.json").read_text())
    assert unisal["training_data"] == "mit1003: all 8 images; osie: images 300..303 (its first 300 unseen)"
    assert all(m["command"].startswith("python examples/best_presets.py --quick") for m in unisal["metrics"])
    for name in ("unisal_deepgaze_flip_mit1003", "unisal_deepgaze_mit1003"):
        folder = out / "presets_run" / name
        members = json.loads((folder / "config.json").read_text())["config"]["members"]
        named = [m if isinstance(m, str) else m["config"]["member"] for m in members]
        assert named == ["unisal_lite0_mit1003_osie_full", "deepgaze_iie_lite0_lite1_lite2_mit1003"]
        with h5py.File(folder / "model.weights.h5") as handle:  # the members' weights stay in their presets
            arrays = []
            handle.visititems(lambda key, item: arrays.append(key) if isinstance(item, h5py.Dataset) else None)
        assert arrays == []
        metadata = json.loads((folder / "metadata.json").read_text())
        ig = [m for m in metadata["metrics"] if m["name"] == "information_gain" and m["dataset"].startswith("mit1003")]
        assert len(ig) == 1 and 0.9 < ig[0]["value"] < 1.1  # the recipe's cross-validated number, from the results
        model = presets.load(folder)
        assert abs(sum(model.member_weights) - 1) < 1e-9 and len(stdout.split(f"{name}: weights")) == 2
        log_density = model.predict_log_density(np.zeros((1, 48, 64, 3), np.uint8))
        assert log_density.shape == (1, 48, 64) and abs(logsumexp(log_density[0])) < 1e-6
    # the calibrated best model: the mean of the calibrations the committed folds fitted on their validation images
    row = ("UNISAL MIT1003 + OSIE (fine-tuned Lite0) + DeepGaze all backbones + flip, validation weights, "
           "calibrated on validation")
    results = Path(__file__).resolve().parents[2] / "docs" / "results" / "best_models"
    fitted = [run["calibrations"][row] for run in (json.loads(p.read_text()) for p in results.glob("fold*.json"))
              if row in run.get("calibrations", {})]
    folder = out / "presets_run" / "unisal_deepgaze_flip_mit1003_calibrated"
    config = json.loads((folder / "config.json").read_text())["config"]
    assert config["member"] == "unisal_deepgaze_flip_mit1003" and fitted
    assert config["knots"] == fitted[0]["knots"]
    np.testing.assert_allclose(config["values"], np.mean([f["values"] for f in fitted], axis=0), rtol=0, atol=1e-12)
    assert f"the mean calibration of {len(fitted)} folds" in stdout
    model = presets.load(folder)
    image = np.random.default_rng(0).integers(0, 256, (1, 48, 64, 3), dtype=np.uint8)
    calibrated, member = model.predict_log_density(image)[0], model.member.predict_log_density(image)[0]
    assert abs(logsumexp(calibrated)) < 1e-6 and not np.allclose(calibrated, member, atol=1e-3)
    order = np.argsort(member, axis=None, kind="stable")  # a monotone map: the member's ranking is kept
    assert np.all(np.diff(calibrated.ravel()[order]) >= -1e-9)


def check_train_unisal_video(out: Path, stdout: str):
    from keras_saliency import presets

    record = json.loads((out / "video.json").read_text())
    train, test = record["split"]["train"], record["split"]["test"]
    assert len(test) >= 4 and len(train) + len(test) == 17 and not set(train) & set(test)
    assert f"held out (split seed 0): {', '.join(test)}" in stdout
    rows = {"UNISAL video (ConvGRU)", "UNISAL video, same weights per frame (Bypass)",
            "unisal_lite0_mit1003_osie per frame", "motion (FrameDifference)", "centre bias (training clips)"}
    assert set(record["scores"]) == rows  # --quick skips DeepGaze
    for name, score in record["scores"].items():
        assert sorted(score["per_clip"]) == sorted(test)
        assert all(n == 2 for n in score["frames"].values())  # 8 frames, every 4th scored, all with gaze
        for values in [score["mean"], *score["per_clip"].values()]:
            assert set(values) == {"auc_judd", "sauc", "nss", "cc", "kld", "sim", "information_gain"}
            assert all(np.isfinite(v) for v in values.values()) and 0 <= values["auc_judd"] <= 1
        # the mean is over clips of the per-clip values
        assert np.isclose(score["mean"]["nss"], np.mean([score["per_clip"][c]["nss"] for c in test]))
    centre_bias = record["scores"]["centre bias (training clips)"]["per_clip"]
    assert all(values["information_gain"] == 0.0 for values in centre_bias.values())
    # ceil(1003 / 8) MIT1003 batches + 13 clips x 4 clips per video // 2 clip batches
    assert record["full_run_estimate"]["steps_per_epoch"] == 126 + 26
    # --summarize: one row per model, the mean of the runs (here the same run twice: no spread shown)
    summary = subprocess.run([sys.executable, str(ROOT / "examples" / "train_unisal_video.py"), "--summarize",
                              "video.json", "video.json", "--summary", "table.md"], cwd=out, check=True,
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    table = (out / "table.md").read_text()
    assert table.strip() in summary.stdout
    convgru = next(line for line in table.splitlines() if line.startswith("| UNISAL video (ConvGRU) |"))
    assert f"| {record['scores']['UNISAL video (ConvGRU)']['mean']['nss']:.3f} |" in convgru
    model = presets.load(str(out / "unisal_video_preset"))
    assert model.domains == ["eye_tracking_causality", "mit1003"] and model.static_domains == ["mit1003"]
    frames = np.full((2, 48, 64, 3), 128.0, np.float32)
    log_density = model.predict_video(frames)
    assert log_density.shape == (2, 48, 64) and np.allclose(logsumexp(log_density, axis=(1, 2)), 0, atol=1e-4)


def check_plot_unisal_video(out: Path, stdout: str):
    from PIL import Image

    figure = Image.open(out / "frames.png")
    assert figure.format == "PNG" and figure.width > 2 * figure.height  # 2 frames x (gaze + 4 models)
    assert "wrote frames.png" in stdout


CHECKS = {
    "analyze_representations": check_analyze_representations,
    "best_models": check_best_models,
    "best_presets": check_best_presets,
    "quickstart": check_quickstart,
    "n_reference": check_n_reference,
    "plot_unisal_video": check_plot_unisal_video,
    "train_deepgaze": check_train_deepgaze,
    "train_unisal": check_train_unisal,
    "train_unisal_video": check_train_unisal_video,
    "wepsam": check_wepsam,
}
