"""Exports of every family to LiteRT / ONNX / SavedModel, run in their runtimes and compared with Keras.

Small random models at small sizes; the real presets at their working sizes are measured in
benchmarks/export.py (results in benchmarks/results/export.md).
"""

import os
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_saliency.export import (
    ExportParityError,
    NotExportableError,
    export_graph,
    export_model,
    load_exported,
)
from keras_saliency.image_files import collect_image_paths
from keras_saliency.testing.perturbed import perturbed_unisal
from keras_saliency.zoo.deepgaze import DeepGazeIIE
from keras_saliency.zoo.dinet import build_dinet
from keras_saliency.zoo.wepsam import WEPSAM

pytest.importorskip("ai_edge_litert", reason="needs the export extra (ai-edge-litert, onnxruntime, tf2onnx)")
pytest.importorskip("onnxruntime", reason="needs the export extra (ai-edge-litert, onnxruntime, tf2onnx)")

ROOT = Path(__file__).resolve().parents[2]
MIT1003 = ROOT.parent / "shared" / "data" / "mit1003" / "STIMULI"
FORMATS = ("tflite", "onnx", "saved_model")
SUFFIX = {"tflite": ".tflite", "onnx": ".onnx", "saved_model": ""}


def real_images():
    """examples/images, plus one MIT1003 stimulus when ../shared is beside the checkout."""
    paths = collect_image_paths([ROOT / "examples" / "images"])
    return paths + (collect_image_paths([MIT1003])[:1] if MIT1003.is_dir() else [])


def tiny_extractor(seed=0):
    keras.utils.set_random_seed(seed)
    image = keras.Input((None, None, 3))
    a = keras.layers.Conv2D(4, 3, strides=4, padding="same", activation="relu")(keras.layers.Rescaling(1 / 255)(image))
    return keras.Model(image, {"s4": a, "s8": keras.layers.Conv2D(6, 3, strides=2, padding="same")(a)})


def tiny_backbone():
    keras.utils.set_random_seed(1)
    image = keras.Input((None, None, 3))
    return keras.Model(image, keras.layers.Conv2D(8, 3, strides=8, padding="same")(keras.layers.Rescaling(1 / 255)(image)))


def deepgaze():
    # two backbones x two components: the export's mixtures (ONNX has no Log1p, which logaddexp becomes)
    model = DeepGazeIIE([tiny_extractor(0), tiny_extractor(1)], n_components=2, centerbias_shape=(8, 8),
                        image_long_side=64)
    yy, xx = np.mgrid[0:8, 0:8]
    model.centerbias.assign(-((yy - 3.5) ** 2 + (xx - 3.5) ** 2) / 8.0)
    return model


def keras_saliency_model():
    from keras_saliency.models import KerasSaliencyModel

    keras.utils.set_random_seed(2)
    network = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Rescaling(1 / 255),
                                keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                                keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid")])
    return KerasSaliencyModel(network, "saliency_map")


MODELS = {
    "keras_saliency_model": keras_saliency_model,
    "wepsam": lambda: WEPSAM(conv_filters=(4, 8, 8), hidden_units=32, input_size=32, map_size=8),
    "dinet": lambda: build_dinet(tiny_backbone()),
    "deepgaze": deepgaze,
    "unisal": perturbed_unisal,
}
SIZES = {"keras_saliency_model": (24, 36), "wepsam": None, "dinet": (40, 56), "deepgaze": None, "unisal": (64, 96)}


class _Built(dict):
    """Each model built on first use (a -k selection builds only what it runs)."""

    def __missing__(self, name):
        self[name] = MODELS[name]()
        return self[name]


@pytest.fixture(scope="module")
def models():
    return _Built()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_export_graph_is_the_model(models, name):
    """At the export size, the graph's log-density is the model's own predict_log_density."""
    model = models[name]
    graph = export_graph(model, None if name == "unisal" else SIZES[name])  # UNISAL predicts at its grid size
    x = np.random.default_rng(0).integers(0, 256, (1,) + graph.input_size + (3,)).astype(np.float32)
    expected = model.predict_log_density(x)
    got = np.asarray(graph(x), np.float64)
    assert expected.std() > 0.01  # a real map, not a flat one
    np.testing.assert_allclose(got, expected, atol=2e-4)


# Every format for at least two families and every family in two formats, within the CI budget (UNISAL's
# LiteRT conversion alone takes about a minute; WEPSAM's LiteRT export is test_export_cli's); every family
# in every format at the presets' real sizes: benchmarks/export.py.
CASES = [("wepsam", "saved_model"), ("dinet", "tflite"), ("dinet", "onnx"), ("deepgaze", "onnx"),
         ("deepgaze", "tflite"), ("unisal", "tflite"), ("unisal", "saved_model")]


@pytest.mark.parametrize("name,fmt", CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_export_matches_keras_on_real_images(models, tmp_path, name, fmt):
    model = models[name]
    path = tmp_path / f"{name}{SUFFIX[fmt]}"
    result = export_model(model, path, fmt, input_size=SIZES[name], check_images=real_images())
    assert result.path == path and path.exists() and result.checked == len(real_images())
    assert result.max_abs_diff < 1e-3
    assert sorted(os.listdir(tmp_path)) == [path.name]  # no temporary folder left
    exported = load_exported(path)
    assert exported.format == fmt and exported.input_size == result.input_size
    # Behind the contract: any image size in, a normalised log-density of that size out.
    image = np.random.default_rng(2).integers(0, 256, (1, 30, 44, 3)).astype(np.uint8)
    log_density = exported.predict_log_density(image)
    assert log_density.shape == (1, 30, 44)
    np.testing.assert_allclose(np.exp(log_density).sum(), 1.0, rtol=1e-6)


def test_unisal_domain_is_baked_in(models):
    model = models["unisal"]
    x = np.random.default_rng(3).uniform(0, 255, (1, 64, 96, 3)).astype(np.float32)
    expected = model({"image": x, "domain": np.array([0], np.int32)}, static=True)  # DHF1K, not the default
    np.testing.assert_allclose(np.asarray(export_graph(model, (64, 96), "DHF1K")(x)), np.asarray(expected), atol=1e-5)
    with pytest.raises(ValueError, match="Unknown domain 'OSIE'"):
        export_graph(model, (64, 96), "OSIE")
    with pytest.raises(ValueError, match="multiples of 32"):
        export_graph(model, (60, 96))
    with pytest.raises(ValueError, match="UNISAL condition"):
        export_graph(WEPSAM(conv_filters=(4, 8, 8), hidden_units=32, input_size=32), domain="SALICON")


def test_bad_requests_are_refused_before_any_work(models, tmp_path):
    from keras_saliency.classical import get
    from keras_saliency.models import KerasSaliencyModel, MixtureModel

    with pytest.raises(ValueError, match="`format` must be one of"):
        export_model(models["wepsam"], tmp_path / "m.tf", "tensorflowjs")
    with pytest.raises(NotExportableError, match="classical models run in NumPy"):
        export_model("gbvs", tmp_path / "g.onnx", "onnx")
    with pytest.raises(NotExportableError, match="classical models run in NumPy"):
        export_graph(get("center_bias"))
    network = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(1, 1, activation="sigmoid")])
    with pytest.raises(NotExportableError, match="MixtureModel"):
        export_graph(MixtureModel([KerasSaliencyModel(network, "saliency_map"), get("center_bias")]))
    with pytest.raises(NotExportableError, match="stores no centre bias"):
        export_graph(DeepGazeIIE([tiny_extractor()]))
    (tmp_path / "taken.onnx").write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_model(models["wepsam"], tmp_path / "taken.onnx", "onnx")
    assert (tmp_path / "taken.onnx").read_bytes() == b"old"


def test_a_failed_check_writes_nothing_and_keeps_the_old_artifact(models, tmp_path):
    old = tmp_path / "model"
    old.mkdir()
    (old / "saved_model.pb").write_bytes(b"old")
    with pytest.raises(ExportParityError, match="nothing was written"):
        export_model(models["wepsam"], old, "saved_model", overwrite=True, tolerance=-1.0)
    assert sorted(os.listdir(tmp_path)) == ["model"] and (old / "saved_model.pb").read_bytes() == b"old"


def test_parity_ignores_only_pixels_negligible_in_both():
    from keras_saliency.export import log_density_difference

    expected = np.log(np.array([[0.5, 0.3, 0.2 - 2e-12, 1e-12, 1e-12]]))
    noisy = expected.copy()
    noisy[0, 3] = np.log(3e-12)  # 1.1 nats apart, but below 1e-6 of the peak in both: no probability mass
    assert log_density_difference(expected, noisy) == 0.0
    noisy[0, 4] = np.log(0.01)  # negligible in one, not in the other: counts in full
    assert log_density_difference(expected, noisy) > 9  # from the floor up to log(0.01)
    shifted = expected + 1e-3  # a difference above the floor is reported as it is
    np.testing.assert_allclose(log_density_difference(expected, shifted), 1e-3, rtol=1e-9)
