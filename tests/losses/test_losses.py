"""Keras losses and metrics against the NumPy reference metrics."""

import numpy as np
import pytest
import keras

from keras_saliency import keras_metrics as KM
from keras_saliency import losses as L
from keras_saliency import metrics as M
from keras_saliency.density import normalize_log_density

RNG = np.random.default_rng(0)
B, H, W = 3, 10, 14
LOGD = np.stack([normalize_log_density(RNG.normal(size=(H, W))) for _ in range(B)]).astype("float32")
DENSE = RNG.random((B, H, W)).astype("float32")
FIX_LISTS = [np.array([[1.5, 2.5], [7.2, 3.3], [7.2, 3.3], [13.9, 9.9]]),
             np.array([[0.1, 0.1], [5.5, 5.5]]),
             np.array([[3.3, 8.8], [12.0, 1.0], [6.0, 6.0]])]


def _count_maps():
    maps = np.zeros((B, H, W), "float32")
    for b, fix in enumerate(FIX_LISTS):
        np.add.at(maps[b], (np.floor(fix[:, 1]).astype(int), np.floor(fix[:, 0]).astype(int)), 1)
    return maps


def _padded():
    out = -np.ones((B, 4, 2), "float32")
    for b, fix in enumerate(FIX_LISTS):
        out[b, : len(fix)] = fix
    return out


def _np(x):
    return keras.ops.convert_to_numpy(x)


def test_kld_matches_numpy_definition():
    t = DENSE / DENSE.sum(axis=(1, 2), keepdims=True)
    expected = np.mean([(t[b] * (np.log(t[b]) - LOGD[b])).sum() for b in range(B)])
    assert _np(L.KLDivergence()(DENSE, LOGD)) == pytest.approx(expected, rel=1e-5)


def test_nss_cc_nll_match_numpy_metrics():
    counts = _count_maps()
    expected_nss = np.mean([M.nss(np.exp(LOGD[b]), FIX_LISTS[b]) for b in range(B)])
    expected_cc = np.mean([M.cc(np.exp(LOGD[b]), DENSE[b]) for b in range(B)])
    expected_ll = np.mean([M.log_likelihood(LOGD[b], FIX_LISTS[b]) for b in range(B)]) * np.log(2)
    assert _np(L.NSSLoss()(counts, LOGD)) == pytest.approx(-expected_nss, rel=1e-4)
    assert _np(L.NSSLoss(target="fixations")(_padded(), LOGD)) == pytest.approx(-expected_nss, rel=1e-4)
    assert _np(L.CCLoss()(DENSE, LOGD)) == pytest.approx(-expected_cc, rel=1e-4)
    assert _np(L.NegativeLogLikelihood()(counts, LOGD)) == pytest.approx(-expected_ll, rel=1e-5)
    assert _np(L.NegativeLogLikelihood(target="fixations")(_padded(), LOGD)) == pytest.approx(-expected_ll, rel=1e-5)


def test_unbiased_nss_uses_ddof_one_on_binary_maps():
    binary = (_count_maps() > 0).astype("float32")
    expected = np.mean([M.nss(np.exp(LOGD[b]), FIX_LISTS[b], convention="mit") for b in range(B)])
    assert _np(L.NSSLoss(unbiased=True)(binary, LOGD)) == pytest.approx(-expected, rel=1e-4)


def test_from_logits_applies_pixel_log_softmax():
    logits = LOGD + 3.0 + RNG.normal(size=(B, 1, 1)).astype("float32")
    assert _np(L.KLDivergence(from_logits=True)(DENSE, logits)) == pytest.approx(_np(L.KLDivergence()(DENSE, LOGD)),
                                                                                  rel=1e-5)


def test_unisal_loss_combines_terms_and_averages_time():
    y_true = np.stack([DENSE, (_count_maps() > 0).astype("float32")], axis=-1)
    expected = (_np(L.KLDivergence()(DENSE, LOGD)) - 0.1 * _np(L.NSSLoss(unbiased=True)(y_true[..., 1], LOGD)) * -1
                - 0.1 * _np(L.CCLoss()(DENSE, LOGD)) * -1)
    assert _np(L.UNISALLoss()(y_true, LOGD)) == pytest.approx(expected, rel=1e-5)
    clip_true = np.stack([y_true, y_true], axis=1)  # (B, T=2, H, W, 2)
    clip_pred = np.stack([LOGD, LOGD], axis=1)[..., None]
    assert _np(L.UNISALLoss()(clip_true, clip_pred)) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="y_true"):
        L.UNISALLoss()(DENSE[..., None], LOGD)


def test_total_variation_is_summed_over_the_batch():
    pred = RNG.random((B, H, W)).astype("float32")
    per = [0.5 * np.abs(DENSE[b] / (1e-7 + DENSE[b].sum()) - pred[b] / (1e-7 + pred[b].sum())).sum() for b in range(B)]
    assert _np(L.TotalVariationDistance()(DENSE, pred)) == pytest.approx(sum(per), rel=1e-5)
    assert 0 <= _np(L.NormalizedL1()(DENSE, pred)) <= 1


def test_padding_is_ignored_and_sample_weight_applies():
    padded = _padded()
    loss = L.NegativeLogLikelihood(target="fixations")
    weights = np.array([1.0, 0.0, 0.0], "float32")
    only_first = -M.log_likelihood(LOGD[0], FIX_LISTS[0]) * np.log(2) / B
    assert _np(loss(padded, LOGD, sample_weight=weights)) == pytest.approx(only_first, rel=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_stable_in_low_precision(dtype):
    low = keras.ops.cast(LOGD, dtype)
    for loss, target in [(L.KLDivergence(), DENSE), (L.NSSLoss(), _count_maps()), (L.CCLoss(), DENSE),
                         (L.NegativeLogLikelihood(), _count_maps())]:
        full, half = _np(loss(target, LOGD)), _np(loss(keras.ops.cast(target, dtype), low))
        assert np.isfinite(half)
        assert half == pytest.approx(full, rel=0.05, abs=0.02)


def test_keras_metrics_match_numpy():
    counts = _count_maps()
    for metric, expected in [
        (KM.NSS(), np.mean([M.nss(np.exp(LOGD[b]), FIX_LISTS[b]) for b in range(B)])),
        (KM.CC(), np.mean([M.cc(np.exp(LOGD[b]), DENSE[b]) for b in range(B)])),
        (KM.InformationGain(), np.mean([M.information_gain(LOGD[b], FIX_LISTS[b], np.full((H, W), -np.log(H * W)))
                                        for b in range(B)])),
    ]:
        target = DENSE if metric.name == "cc" else counts
        metric.update_state(target[:2], LOGD[:2])
        metric.update_state(target[2:], LOGD[2:])  # running mean over batches
        assert _np(metric.result()) == pytest.approx(expected, rel=1e-4)
    kld = KM.KLD()
    kld.update_state(DENSE, LOGD)
    assert _np(kld.result()) == pytest.approx(_np(L.KLDivergence()(DENSE, LOGD)), rel=1e-6)


def test_information_gain_with_a_center_bias_baseline():
    baseline = normalize_log_density(-((np.arange(H)[:, None] - 5) ** 2 + (np.arange(W) - 7) ** 2) / 20.0)
    metric = KM.InformationGain(baseline_log_density=baseline)
    metric.update_state(_count_maps(), LOGD)
    expected = np.mean([M.information_gain(LOGD[b], FIX_LISTS[b], baseline) for b in range(B)])
    assert _np(metric.result()) == pytest.approx(expected, rel=1e-4)


def test_serialization_round_trip():
    for obj in [L.UNISALLoss(kld_weight=2.0), L.NSSLoss(target="fixations", unbiased=True),
                L.TotalVariationDistance(), KM.InformationGain(baseline_log_density=np.zeros((2, 2)) - np.log(4))]:
        clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(obj))
        assert type(clone) is type(obj)
        assert clone.get_config() == obj.get_config()
    with pytest.raises(ValueError, match="`target` must be one of"):
        L.NSSLoss(target="points")


def test_fit_in_mixed_precision_gives_finite_loss():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        inputs = keras.Input((H, W, 1))
        logits = keras.layers.Conv2D(1, 3, padding="same")(inputs)
        outputs = keras.layers.Activation("linear", dtype="float32")(logits)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss=L.UNISALLoss(from_logits=True), metrics=[KM.NSS(target_channel=1)], run_eagerly=True)
        y_true = np.stack([DENSE, (_count_maps() > 0).astype("float32")], -1)
        history = model.fit(DENSE[..., None], y_true, epochs=2, batch_size=3, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))
    finally:
        keras.mixed_precision.set_global_policy("float32")
