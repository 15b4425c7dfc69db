"""The saliency-model contract (keras_saliency.models) for every family, every bundled preset and a
cross-family mixture; `keras_saliency.predict` through the contract alone. Runs on the TensorFlow
backend and again on JAX (the README's test command sets KERAS_BACKEND=jax for a second run)."""

import keras
import numpy as np
import pytest

import keras_saliency
from keras_saliency import classical, losses
from keras_saliency.density_calibration import DensityCalibration
from keras_saliency.models import CalibratedModel, FlipAveragedModel, KerasSaliencyModel, MixtureModel
from keras_saliency.testing.contract import run_saliency_model_test
from keras_saliency.presets import list_presets
from keras_saliency.zoo.deepgaze import DeepGazeII, DeepGazeIIE
from keras_saliency.zoo.dinet import DINet
from keras_saliency.zoo.unisal import UNISAL
from keras_saliency.zoo.wepsam import WEPSAM

BACKEND = keras.backend.backend()


def tiny_extractor(seed, channels=(4, 6)):
    keras.utils.set_random_seed(seed)
    image = keras.Input((None, None, 3))
    a = keras.layers.Conv2D(channels[0], 3, strides=4, padding="same", activation="relu")(
        keras.layers.Rescaling(1 / 255.0)(image))
    return keras.Model(image, {"s4": a, "s8": keras.layers.Conv2D(channels[1], 3, strides=2, padding="same")(a)})


def _stride8_backbone():
    extractor = tiny_extractor(4)
    return keras.Model(extractor.input, extractor.output["s8"])


def tiny_network(activation):
    keras.utils.set_random_seed(3)
    image = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(keras.layers.Rescaling(1 / 255.0)(image))
    return keras.Model(image, keras.layers.Conv2D(1, 3, padding="same", activation=activation)(x))


def _deepgaze(n_backbones=1):
    if n_backbones == 1:
        # readout_factor 4: the 32x32 fit images give a 4x4 readout grid (the default 16 gives one cell, a map that
        # no weight changes, so the fit's loss only moved by float noise)
        model = DeepGazeII(tiny_extractor(0), n_components=2, centerbias_shape=(16, 16), readout_factor=4)
    else:
        model = DeepGazeIIE([tiny_extractor(1), tiny_extractor(2)], n_components=2, centerbias_shape=(16, 16))
    model.centerbias.assign(-((np.arange(16)[:, None] - 7.5) ** 2 + (np.arange(16)[None] - 7.5) ** 2) / 40.0)
    return model


def _fit_density(make_inputs, targets_size, learning_rate=0.05):
    """fit(model): three one-step epochs of SGD on the KL divergence to a random target density."""
    def fit(model):
        rng = np.random.default_rng(1)
        x = make_inputs(rng)
        y = rng.random((2,) + targets_size).astype("float32") + 0.1
        y /= y.sum(axis=(1, 2), keepdims=True)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss=losses.KLDivergence())
        history = model.fit(x, y, epochs=3, batch_size=2, verbose=0)  # one step per epoch
        assert isinstance(history, keras.callbacks.History)
        return history.history["loss"][0], history.history["loss"][-1]
    return fit


def _fit_map(make_inputs, targets_size):
    def fit(model):
        rng = np.random.default_rng(1)
        x = make_inputs(rng)
        y = rng.random((2,) + targets_size).astype("float32")
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        history = model.fit(x, y, epochs=3, batch_size=2, verbose=0)  # one step per epoch
        assert isinstance(history, keras.callbacks.History)
        return history.history["loss"][0], history.history["loss"][-1]
    return fit


# knots and values of a calibration that sharpens the density above average and flattens it below
SHARPEN = ([-4.0, -1.0, 0.0, 2.0], [-2.0, -0.5, 0.0, 3.0])


def _rgb(rng, size):
    return rng.uniform(0, 255, (2,) + size + (3,)).astype("float32")


FAMILIES = {
    "unisal": lambda: dict(
        model=UNISAL(domains=("DHF1K", "SALICON"), video_input_size=(64, 64)), sizes=((40, 56),),
        bad_conditions={"domain": "NOT_A_DOMAIN"},
        fit=_fit_density(lambda rng: {"image": _rgb(rng, (64, 64)), "domain": np.ones(2, np.int32)}, (64, 64),
                         learning_rate=1e-3)),
    "deepgaze_ii": lambda: dict(
        model=_deepgaze(1), bad_conditions={"centerbias": np.zeros((2, 3, 3))},
        fit=_fit_density(lambda rng: {"image": _rgb(rng, (32, 32)), "centerbias": np.zeros((2, 32, 32), "float32")},
                         (32, 32))),
    "deepgaze_iie": lambda: dict(model=_deepgaze(2), bad_conditions={"centerbias": np.full((2, 40, 56), np.nan)}),
    "wepsam": lambda: dict(
        model=WEPSAM(conv_filters=(4, 4, 4), hidden_units=8, input_size=32, map_size=8),
        fit=_fit_map(lambda rng: _rgb(rng, (32, 32)), (32, 32))),
    "dinet": lambda: dict(
        model=DINet(_stride8_backbone(), width=8, dilations=(1, 2, 3)),
        fit=_fit_map(lambda rng: _rgb(rng, (32, 32)), (4, 4))),
    "keras_network_log_density": lambda: dict(model=KerasSaliencyModel(tiny_network(None), "log_density")),
    "keras_network_saliency_map": lambda: dict(
        model=KerasSaliencyModel(tiny_network("sigmoid"), "saliency_map", input_size=(24, 32))),
    "gbvs": lambda: dict(model=classical.GBVS(map_size=8)),
    "itti": lambda: dict(model=classical.IttiKoch()),
    "center_bias": lambda: dict(model=classical.GaussianCenterBias()),
    "mixture": lambda: dict(model=MixtureModel([_deepgaze(1), KerasSaliencyModel(tiny_network("sigmoid"),
                                                                                 "saliency_map"),
                                                classical.GaussianCenterBias()], weights=[2, 1, 1]),
                            bad_conditions={"centerbias": np.zeros((2, 3, 3))}),
    "flip_averaged": lambda: dict(model=FlipAveragedModel(_deepgaze(1)),
                                  bad_conditions={"centerbias": np.zeros((2, 3, 3))}),
    "calibrated": lambda: dict(model=CalibratedModel(_deepgaze(1), *SHARPEN),
                               bad_conditions={"centerbias": np.zeros((2, 3, 3))}),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_honours_the_contract(family):
    run_saliency_model_test(**FAMILIES[family]())


def test_mixture_is_the_probability_space_average_of_its_members():
    members = [_deepgaze(1), KerasSaliencyModel(tiny_network("sigmoid"), "saliency_map"), classical.GBVS(map_size=8)]
    images = np.random.default_rng(5).uniform(0, 255, (2, 40, 56, 3))
    expected = np.log(sum(w * np.exp(m.predict_log_density(images)) for w, m in zip((0.5, 0.25, 0.25), members)))
    np.testing.assert_allclose(MixtureModel(members, weights=[2, 1, 1]).predict_log_density(images), expected,
                               atol=1e-9)
    with pytest.raises(TypeError, match="contract"):
        MixtureModel([tiny_network(None)])
    with pytest.raises(ValueError, match="weights"):
        MixtureModel(members, weights=[1, 0, 1])


def _images_and_bias(seed):
    """Two random 40x56 images and a random normalised centre-bias log-density for each."""
    rng = np.random.default_rng(seed)
    bias = rng.normal(size=(2, 40, 56))
    return rng.uniform(0, 255, (2, 40, 56, 3)), bias - np.log(np.exp(bias).sum(axis=(1, 2), keepdims=True))


def test_flip_average_mirrors_the_image_the_centre_bias_and_the_prediction_back():
    member = _deepgaze(1)
    images, bias = _images_and_bias(6)
    plain = member.predict_log_density(images, centerbias=bias)
    mirrored = member.predict_log_density(images[:, :, ::-1], centerbias=bias[:, :, ::-1])[:, :, ::-1]
    expected = np.log((np.exp(plain) + np.exp(mirrored)) / 2)
    model = FlipAveragedModel(member)
    np.testing.assert_allclose(model.predict_log_density(images, centerbias=bias), expected, atol=1e-9)
    assert not np.allclose(plain, mirrored, atol=1e-3)  # the member is not mirror-symmetric: the test can fail
    center = classical.GaussianCenterBias()  # a NumPy member whose prediction is mirror-symmetric
    np.testing.assert_allclose(FlipAveragedModel(center).predict_log_density(images),
                               center.predict_log_density(images), atol=1e-9)
    with pytest.raises(TypeError, match="contract"):
        FlipAveragedModel(tiny_network(None))


def test_calibrated_model_is_its_calibration_applied_to_each_member_prediction():
    member = _deepgaze(1)
    images, bias = _images_and_bias(7)
    plain = member.predict_log_density(images, centerbias=bias)
    calibration = DensityCalibration(*SHARPEN)
    model = CalibratedModel.from_calibration(member, calibration)
    out = model.predict_log_density(images, centerbias=bias)
    np.testing.assert_allclose(out, np.stack([calibration(p) for p in plain]), atol=1e-9)
    assert not np.allclose(out, plain, atol=1e-3)  # the calibration changes the density: the test can fail
    np.testing.assert_allclose(np.exp(out).sum(axis=(1, 2)), 1.0, atol=1e-9)
    assert (np.argsort(out[0], axis=None) == np.argsort(plain[0], axis=None)).mean() > 0.99  # ranking kept
    identity = CalibratedModel(member, *([SHARPEN[0]] * 2))
    np.testing.assert_allclose(identity.predict_log_density(images, centerbias=bias), plain, atol=1e-9)
    with pytest.raises(ValueError, match="nondecreasing"):
        CalibratedModel(member, [0.0, 1.0], [1.0, 0.0])
    with pytest.raises(TypeError, match="contract"):
        CalibratedModel(tiny_network(None), *SHARPEN)


def test_predict_refuses_a_plain_keras_model_and_converts_a_declared_one():
    image = np.random.default_rng(6).uniform(0, 255, (40, 56, 3)).astype("float32")
    network = tiny_network("sigmoid")
    with pytest.raises(TypeError, match="output kind is unknown"):
        keras_saliency.predict(image, model=network)
    result = keras_saliency.predict(image, model=KerasSaliencyModel(network, "saliency_map"))[0]
    raw = keras.ops.convert_to_numpy(network(image[None]))[0, ..., 0]
    from keras_saliency.density import log_density_from_saliency_map, resize_saliency_map
    np.testing.assert_allclose(result.log_density, log_density_from_saliency_map(resize_saliency_map(raw, (40, 56))),
                               atol=1e-6)
    # DINet declares its sigmoid map: predict reads it as a density, never as logits.
    dinet = DINet(_stride8_backbone(), width=8, dilations=(1, 2, 3))
    sigmoid = keras.ops.convert_to_numpy(dinet(image[None]))[0]
    np.testing.assert_allclose(keras_saliency.predict(image, model=dinet)[0].log_density,
                               log_density_from_saliency_map(resize_saliency_map(sigmoid, (40, 56))), atol=1e-6)


def test_predict_through_the_contract_for_a_cross_family_mixture():
    mixture = MixtureModel([_deepgaze(1), classical.GBVS(map_size=8)])
    image = np.random.default_rng(7).uniform(0, 255, (40, 56, 3))
    result = keras_saliency.predict(image, model=mixture)[0]
    np.testing.assert_allclose(result.log_density, mixture.predict_log_density(image[None])[0])
    video = keras_saliency.predict_video(np.stack([image] * 3).astype(np.uint8), model=mixture, progress=False)
    assert video.log_density.shape == (3, 40, 56)


def test_cross_family_mixture_saves_as_a_preset(tmp_path):
    mixture = MixtureModel([_deepgaze(1), KerasSaliencyModel(tiny_network("sigmoid"), "saliency_map"),
                            classical.GBVS(map_size=8)])
    images = np.random.default_rng(8).uniform(0, 255, (1, 40, 56, 3))
    expected = mixture.predict_log_density(images)
    restored = MixtureModel.from_preset(mixture.save_to_preset(tmp_path / "mixture"))
    assert isinstance(restored.members[2], classical.GBVS) and restored.members[2].map_size == 8
    np.testing.assert_array_equal(restored.predict_log_density(images), expected)


BUNDLED = [p.name for p in list_presets() if p.bundled]


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_preset_honours_the_contract(name):
    model = keras_saliency.presets.load(name)
    run_saliency_model_test(model, sizes=((48, 64),), roundtrip=False, atol=2e-5)


def test_a_missing_condition_without_a_default_is_a_clear_error():
    images = np.zeros((1, 32, 32, 3), np.float32)
    with pytest.raises(ValueError, match="stores no centre bias.*pass `centerbias`"):
        DeepGazeII(tiny_extractor(0)).predict_log_density(images)
    with pytest.raises(ValueError, match="`domain` must be a domain name"):
        FAMILIES["unisal"]()["model"].predict_log_density(images, domain=3)
