"""UNISAL parity with the reference PyTorch implementation (../shared/reference/unisal).

The reference state dict (PyTorch names) goes through the same converter users run
on a downloaded ``weights_best.pth``; every case must match the reference float32
log-densities within 5e-4 absolute (and the float64 run within 1e-4).
"""

import json

import numpy as np
import pytest

CASES = ("dhf1k_img", "dhf1k_img_rnn", "salicon_img", "dhf1k_clip", "dhf1k_img_target", "ucfsports_img",
         "hollywood_img")


@pytest.fixture(scope="module")
def reference(shared_file):
    from keras_saliency.zoo.unisal import UNISAL, load_unisal_weights

    io = np.load(shared_file("reference", "unisal", "parity_io.npz"))
    model = UNISAL()
    load_unisal_weights(model, str(shared_file("reference", "unisal", "parity_state_dict.npz")))
    return model, io, json.loads(str(io["meta_json"]))["cases"]


@pytest.mark.parametrize("case", CASES)
def test_log_density_matches_reference(reference, case):
    model, io, cases = reference
    kwargs = dict(cases[case]["kwargs"])
    domain = model.domain_index(kwargs.pop("source"))
    images = io[f"{case}/input_uint8_bthwc"].astype(np.float32)
    out = model({"image": images, "domain": np.full((images.shape[0],), domain, np.int32)},
                static=kwargs.get("static"), target_size=kwargs.get("target_size"),
                return_hidden=kwargs.get("return_hidden", False))
    if kwargs.get("return_hidden"):
        out, hidden = out
        np.testing.assert_allclose(np.asarray(hidden), io[f"{case}/hidden_f32"].transpose(0, 2, 3, 1), atol=1e-5)
    out = np.asarray(out)
    assert out.shape == io[f"{case}/logdensity_f32"][:, :, 0].shape
    np.testing.assert_allclose(out, io[f"{case}/logdensity_f32"][:, :, 0], atol=5e-4, rtol=0)
    np.testing.assert_allclose(out, io[f"{case}/logdensity_f64"][:, :, 0], atol=1e-4, rtol=0)


def test_hidden_state_carries_across_chunks(reference):
    """Feeding the clip frame by frame with the carried state gives the same last frame."""
    model, io, _ = reference
    clip = io["dhf1k_clip/input_uint8_bthwc"].astype(np.float32)
    domain = np.zeros((1,), np.int32)
    hidden = None
    for t in range(clip.shape[1]):
        inputs = {"image": clip[:, t:t + 1], "domain": domain}
        if hidden is not None:
            inputs["hidden"] = hidden
        out, hidden = model(inputs, static=False, return_hidden=True)
    np.testing.assert_allclose(np.asarray(out)[:, 0], io["dhf1k_clip/logdensity_f32"][:, -1, 0], atol=5e-4)


def test_fine_tuned_checkpoint_layout_loads_into_the_salicon_domain(shared_file):
    """``weights_ft_mit1003.pth`` has weights_best's four-domain layout; its model keeps SALICON only."""
    from keras_saliency.zoo.unisal import UNISAL, load_unisal_weights
    from keras_saliency.zoo.unisal.unisal_convert import DEFAULT_CHECKPOINT_DOMAINS

    state = dict(np.load(shared_file("reference", "unisal", "parity_state_dict.npz")))
    model = UNISAL(domains=DEFAULT_CHECKPOINT_DOMAINS["weights_ft_mit1003.pth"])
    load_unisal_weights(model, state, drop_domains=("DHF1K", "Hollywood", "UCFSports"))
    io = np.load(shared_file("reference", "unisal", "parity_io.npz"))
    images = io["salicon_img/input_uint8_bthwc"].astype(np.float32)
    out = np.asarray(model({"image": images, "domain": np.zeros((1,), np.int32)}, static=True))
    np.testing.assert_allclose(out, io["salicon_img/logdensity_f32"][:, :, 0], atol=5e-4, rtol=0)
    np.testing.assert_allclose(out, io["salicon_img/logdensity_f64"][:, :, 0], atol=1e-4, rtol=0)
    state["smoothing_salicon.extra"] = state["smoothing_salicon.weight"]  # only the dropped domains may be left
    with pytest.raises(ValueError, match="smoothing_salicon.extra"):
        load_unisal_weights(model, state, drop_domains=("DHF1K", "Hollywood", "UCFSports"))


def test_only_the_named_domains_tensors_are_dropped():
    from keras_saliency.zoo.unisal.unisal_convert import domain_of

    domains = ("DHF1K", "Hollywood", "UCFSports")
    assert domain_of("skip_2x.reduction.1.bn_DHF1K.running_var", domains) == "DHF1K"
    assert domain_of("adaptation_ucfsports.0.bias", domains) == "UCFSports"
    assert domain_of("coarse_gaussians_hollywood", domains) == "Hollywood"
    for key in ("smoothing_salicon.weight", "rnn.cell_list.0.w_r.sep_bn.bn_SALICON.weight", "cnn.features.0.0.weight",
                "adaptation_dhf1k_extra.0.bias"):
        assert domain_of(key, domains) is None, key
