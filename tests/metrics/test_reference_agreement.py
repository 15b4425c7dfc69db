"""Agreement with ../shared/reference/metrics_public.{npz,json} (pysaliency 0.2.22 and the MIT code).

Tolerances are the ones stated in the reference JSON: deterministic float64
metrics to 1e-9 relative, calibration counts exact, MIT AUC-Borji/sAUC exact
with the stored random indices and within 0.05 per image with fresh draws.
"""

import numpy as np
import pytest

from keras_saliency import metrics as M

N_IMAGES = 5


def _image(npz, index):
    n = f"{index:02d}"
    return {
        "saliency": npz[f"saliency_{n}"],
        "log_density": npz[f"log_density_{n}"],
        "center_bias": npz[f"centerbias_log_density_{n}"],
        "gt": npz[f"gt_map_{n}"],
        # The reference fed pixel centres (index + 0.5) to pysaliency: do the same.
        "fixations": np.stack([npz[f"fix_x_{n}"] + 0.5, npz[f"fix_y_{n}"] + 0.5], axis=1),
        "negatives": np.stack([npz[f"sauc_neg_x_{n}"] + 0.5, npz[f"sauc_neg_y_{n}"] + 0.5], axis=1),
        "borji_idx": npz[f"mit_borji_rand_idx_{n}"],
        "sauc_idx": npz[f"mit_sauc_rand_idx_{n}"],
    }


DETERMINISTIC = {
    "auc_judd": lambda d: M.auc_judd(d["saliency"], d["fixations"]),
    "auc_uniform": lambda d: M.auc_uniform(d["saliency"], d["fixations"]),
    "sauc": lambda d: M.sauc(d["saliency"], d["fixations"], d["negatives"]),
    "nss": lambda d: M.nss(d["saliency"], d["fixations"]),
    "cc": lambda d: M.cc(d["saliency"], d["gt"]),
    "kld": lambda d: M.kld(d["saliency"], d["gt"]),
    "kld_pysaliency_default": lambda d: M.kld(d["saliency"], d["gt"], convention="pysaliency_kldiv"),
    "sim": lambda d: M.sim(d["saliency"], d["gt"]),
    "log_likelihood_bits": lambda d: M.log_likelihood(d["log_density"], d["fixations"]),
    "ig_centerbias_bits": lambda d: M.information_gain(d["log_density"], d["fixations"], d["center_bias"]),
    "ig_uniform_bits": lambda d: M.information_gain(
        d["log_density"], d["fixations"], np.full(d["log_density"].shape, -np.log(d["log_density"].size))
    ),
    "mit_auc_judd": lambda d: M.auc_judd(d["saliency"], d["fixations"], convention="mit"),
    "mit_nss": lambda d: M.nss(d["saliency"], d["fixations"], convention="mit"),
    "mit_cc": lambda d: M.cc(d["saliency"], d["gt"]),
    "mit_kld": lambda d: M.kld(d["saliency"], d["gt"], convention="mit"),
    "mit_sim": lambda d: M.sim(d["saliency"], d["gt"], convention="mit"),
    "mit_auc_borji": lambda d: M.auc_borji(d["saliency"], d["fixations"], random_indices=d["borji_idx"]),
    "mit_sauc": lambda d: M.sauc(
        d["saliency"], d["fixations"], d["negatives"], convention="mit", random_indices=d["sauc_idx"]
    ),
    "mit_infogain_bits": lambda d: M.information_gain(
        d["saliency"], d["fixations"], np.exp(d["center_bias"]), convention="mit"
    ),
}


@pytest.mark.parametrize("index", range(N_IMAGES))
@pytest.mark.parametrize("metric", sorted(DETERMINISTIC))
def test_per_image_values(metrics_reference, metric, index):
    npz, ref = metrics_reference
    expected = ref["per_image"][index][metric]
    got = DETERMINISTIC[metric](_image(npz, index))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("index", range(N_IMAGES))
def test_calibration_counts_and_bins_exact(metrics_reference, index):
    npz, ref = metrics_reference
    d = _image(npz, index)
    np.testing.assert_array_equal(M.calibration_histogram(d["log_density"], d["fixations"]),
                                  ref["per_image"][index]["calibration_counts"])
    np.testing.assert_array_equal(M.calibration_bins(d["log_density"]), npz[f"calibration_bins_{index:02d}"])


@pytest.mark.parametrize("index", range(N_IMAGES))
def test_mit_random_auc_with_fresh_draws_within_stated_tolerance(metrics_reference, index):
    npz, ref = metrics_reference
    d = _image(npz, index)
    borji = M.auc_borji(d["saliency"], d["fixations"], seed=index)
    shuffled = M.sauc(d["saliency"], d["fixations"], d["negatives"], convention="mit", seed=index)
    assert borji == pytest.approx(ref["per_image"][index]["mit_auc_borji"], abs=0.05)
    assert shuffled == pytest.approx(ref["per_image"][index]["mit_sauc"], abs=0.05)


def test_dataset_level_evaluation_matches_reference(metrics_reference):
    npz, ref = metrics_reference
    images = [_image(npz, i) for i in range(N_IMAGES)]
    dataset = [{"fixations": d["fixations"], "image_size": d["saliency"].shape, "reference_map": d["gt"]}
               for d in images]
    names = ["auc_uniform", "sauc", "nss", "log_likelihood", "information_gain", "calibration"]
    # Probabilistic metrics use the model log-density; AUC/NSS use the saliency maps (as the reference).
    prob = M.evaluate([d["log_density"] for d in images], dataset, names[3:],
                      baseline=[d["center_bias"] for d in images])
    maps = M.evaluate([d["saliency"] for d in images], dataset, names[:3] + ["auc_judd", "cc", "kld", "sim"],
                      kind="saliency")
    expected = ref["dataset"]
    summary = {**maps.summary(), **prob.summary()}
    for name, key in [("auc_uniform", "auc_uniform"), ("sauc", "sauc"), ("nss", "nss"),
                      ("log_likelihood", "log_likelihood_bits"), ("information_gain", "ig_centerbias_bits")]:
        if f"{key}_by_fixation" in expected:
            assert summary[name]["by_fixation"] == pytest.approx(expected[f"{key}_by_fixation"], rel=1e-9)
        if f"{key}_by_image" in expected:
            assert summary[name]["by_image"] == pytest.approx(expected[f"{key}_by_image"], rel=1e-9)
    for name in ("auc_judd", "cc", "kld", "sim"):
        assert summary[name]["by_image"] == pytest.approx(expected[f"{name}_by_image"], rel=1e-9)
    np.testing.assert_array_equal(prob.calibration_counts, expected["calibration_counts"])
    # Per-fixation arrays in fixation order.
    offsets = np.cumsum([0] + [len(d["fixations"]) for d in images])
    for i in range(N_IMAGES):
        part = slice(offsets[i], offsets[i + 1])
        np.testing.assert_allclose(maps.per_fixation["nss"][part], npz[f"nss_per_fixation_{i:02d}"], rtol=1e-9)
        np.testing.assert_allclose(maps.per_fixation["auc_uniform"][part],
                                   npz[f"auc_uniform_per_fixation_{i:02d}"], rtol=1e-9)
        np.testing.assert_allclose(prob.per_fixation["log_likelihood"][part] * np.log(2),
                                   npz[f"log_likelihood_per_fixation_nats_{i:02d}"], rtol=1e-9)
        np.testing.assert_allclose(prob.per_fixation["information_gain"][part],
                                   npz[f"ig_centerbias_per_fixation_bits_{i:02d}"], rtol=1e-9)


def test_shuffled_nonfixations_reproduce_reference_negatives(metrics_reference):
    npz, _ = metrics_reference
    images = [_image(npz, i) for i in range(N_IMAGES)]
    sizes = [d["saliency"].shape for d in images]
    for i in range(N_IMAGES):
        got = M.shuffled_nonfixations([d["fixations"] for d in images], sizes, i)
        np.testing.assert_array_equal(np.sort(got, axis=0), np.sort(images[i]["negatives"], axis=0))
