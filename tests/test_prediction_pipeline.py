"""Batched, compile-once prediction: working sizes, batching by size, merged DeepGaze readouts, decoding near the
working size and the row-block upsampling (benchmarks/prediction_throughput.py, benchmarks/large_images.py)."""

import numpy as np
import pytest
from PIL import Image
from scipy.special import logsumexp

import keras
import keras_saliency
from keras_saliency.density import normalize_log_density, resize_log_density, upsample_log_density
from keras_saliency.image_files import load_image, load_image_near
from keras_saliency.models import KerasSaliencyModel
from keras_saliency.testing.tiny_model import tiny_model
from keras_saliency.zoo.deepgaze import DeepGazeII, DeepGazeIIE
from keras_saliency.zoo.deepgaze.deepgaze_protocol import standin_extractor


@pytest.fixture(scope="module")
def deepgaze():
    """A two-backbone DeepGaze IIE on stand-in extractors, 3 readouts each with distinct sigmas and centre-bias
    weights, working size long side 64."""
    model = DeepGazeIIE([standin_extractor(0), standin_extractor(1)], n_components=3, centerbias_shape=(16, 16),
                        image_long_side=64)
    rng = np.random.default_rng(0)
    model.centerbias.assign(rng.normal(size=(16, 16)))
    for member in model.members:
        for readout in member.readouts:
            readout.finalizer.sigma.assign(rng.uniform(2.0, 12.0))
            readout.finalizer.center_bias_weight.assign(rng.uniform(0.5, 1.5))
            for variable in readout.saliency.weights + readout.selection.weights:
                variable.assign(variable + rng.normal(0, 0.1, variable.shape).astype("float32"))
    return model


def _photo(path, height, width, seed=0, **save):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    image = np.stack([np.sin(7 * x), np.cos(5 * y), np.sin(3 * (x + y))], -1) * 100 + 128
    Image.fromarray(np.clip(image + rng.normal(0, 5, image.shape), 0, 255).astype(np.uint8)).save(path, **save)
    return path


def test_merged_readouts_equal_the_per_component_mixture(deepgaze):
    rng = np.random.default_rng(1)
    for size in ((48, 64), (47, 63)):  # even and odd: the nearest upsampling counts differ
        images = rng.uniform(0, 255, (2, *size, 3)).astype("float32")
        bias = np.broadcast_to(deepgaze.centerbias.log_density(size).astype("float32"), (2, *size))
        per_component = keras.ops.convert_to_numpy(deepgaze({"image": images, "centerbias": bias}))
        merged = keras.ops.convert_to_numpy(deepgaze.merged_log_density({"image": images, "centerbias": bias}))
        np.testing.assert_allclose(merged, per_component, rtol=0, atol=2e-4)
        assert np.abs(per_component - per_component.mean()).max() > 0.1  # not a flat map


def test_deepgaze_traces_once_for_many_image_sizes(monkeypatch):
    traces = []
    original = DeepGazeII.merged_log_density
    monkeypatch.setattr(DeepGazeII, "merged_log_density", lambda self, x: traces.append(1) or original(self, x))
    model = DeepGazeII(standin_extractor(0), n_components=2, centerbias_shape=(8, 8), image_long_side=48)
    rng = np.random.default_rng(2)
    images = [rng.integers(0, 256, size + (3,), dtype=np.uint8) for size in ((36, 48), (48, 36), (30, 48), (48, 40))]
    results = keras_saliency.predict(images, model=model, progress=False)
    assert [r.log_density.shape for r in results] == [i.shape[:2] for i in images]
    assert len(traces) == (1 if keras.backend.backend() == "tensorflow" else len(images))  # JAX: one per shape


def test_batched_prediction_equals_one_by_one_for_two_sizes(tmp_path):
    network = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(1, 3, padding="same")])
    model = KerasSaliencyModel(network, output_kind="log_density", input_size=(24, 32))
    files = [_photo(tmp_path / f"{i}.png", *size, seed=i) for i, size in enumerate([(60, 80), (90, 60)] * 2)]
    calls = []
    original = model._predict_batch
    model._predict_batch = lambda images, **c: calls.append(len(images)) or original(images, **c)
    batched = keras_saliency.predict(files, model=model, batch_size=4, progress=False)
    assert calls == [4]  # one working size (24, 32) for both image sizes: one batch
    singles = [keras_saliency.predict(f, model=model)[0] for f in files]
    for b, s, f in zip(batched, singles, files):
        assert b.log_density.shape == b.image.shape[:2] == load_image(f).shape[:2]
        np.testing.assert_allclose(b.log_density, s.log_density, rtol=0, atol=1e-5)
    arrays = [load_image(f) for f in files]  # arrays group by their own size: two consecutive runs of one size
    tiny = tiny_model()
    results = keras_saliency.predict(arrays[::2] + arrays[1::2], model=tiny, batch_size=2, progress=False)
    for result, array in zip(results, arrays[::2] + arrays[1::2]):
        np.testing.assert_allclose(result.log_density, tiny.predict_log_density(array[None])[0], atol=1e-6)


def test_files_are_decoded_near_the_working_size_and_agree_with_a_full_decode(tmp_path, deepgaze):
    path = _photo(tmp_path / "big.jpg", 600, 800, quality=95)
    working, original = load_image_near(path, deepgaze.working_size)
    assert working.shape == (48, 64, 3) and original == (600, 800)
    full = np.asarray(Image.fromarray(load_image(path)).resize((64, 48), Image.BILINEAR)).astype(float)
    assert np.abs(working - full).mean() < 3  # DCT scaling by 1/8 first, then the same filter
    result = keras_saliency.predict(path, model=deepgaze)[0]
    assert result.log_density.shape == result.image.shape[:2] == (600, 800)
    assert logsumexp(result.log_density) == pytest.approx(0.0, abs=1e-6)
    direct = deepgaze.predict_log_density(load_image(path)[None])[0]  # full decode, the model's own resize
    assert np.abs(np.exp(result.log_density) - np.exp(direct)).sum() < 0.05  # total variation of the densities
    small = keras_saliency.predict(path, model=deepgaze, size="working")[0]
    assert small.log_density.shape == small.image.shape[:2] == (48, 64)
    np.testing.assert_allclose(resize_log_density(small.log_density, (600, 800)), result.log_density, atol=1e-4)
    with pytest.raises(ValueError, match="`size` must be one of"):
        keras_saliency.predict(path, model=deepgaze, size="full")


def test_decoding_near_the_working_size_keeps_exif_rotation(tmp_path):
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    _photo(path, 300, 400, exif=exif)
    working, original = load_image_near(path, lambda size: (size[0] // 4, size[1] // 4))
    assert original == load_image(path).shape[:2] == (400, 300) and working.shape == (100, 75, 3)


@pytest.mark.parametrize("small, size", [((24, 32), (300, 401)), ((17, 23), (50, 41)), ((20, 20), (10, 15))])
def test_row_block_upsampling_equals_resize_log_density(small, size):
    log_density = normalize_log_density(np.random.default_rng(0).normal(size=small))
    expected = resize_log_density(log_density, size)
    np.testing.assert_allclose(upsample_log_density(log_density, size), expected, atol=1e-5)
    float32 = upsample_log_density(log_density, size, np.float32, block_rows=7)
    assert float32.dtype == np.float32 and logsumexp(float32) == pytest.approx(0.0, abs=1e-5)
    np.testing.assert_allclose(float32, expected, atol=1e-5)
