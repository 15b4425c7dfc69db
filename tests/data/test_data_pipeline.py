import numpy as np
import pytest

from keras_saliency import data
from keras_saliency.data import sizes

from saliency_data_examples import SIZES, as_dataset, image_examples


@pytest.fixture
def examples():
    return image_examples()


def _all(ds):
    return list(ds.as_numpy_iterator())


def test_fixed_size_fixation_maps_keep_every_fixation(examples):
    batches = _all(data.saliency_dataset(as_dataset(examples), (16, 24), "fixation_map", batch_size=2))
    assert [b[0].shape for b in batches] == [(2, 16, 24, 3), (2, 16, 24, 3), (1, 16, 24, 3)]
    counts = np.concatenate([b[1].sum(axis=(1, 2, 3)) for b in batches])
    np.testing.assert_array_equal(counts, [len(e["fixations"]["x"]) for e in examples])


def test_fixation_map_puts_scaled_points_in_the_right_pixels(examples):
    (inputs, targets), = _all(data.saliency_dataset(as_dataset(examples[:1]), (60, 20), "fixation_map", batch_size=1))
    fix, (h, w) = examples[0]["fixations"], examples[0]["image"].shape[:2]
    want = np.zeros((60, 20))
    np.add.at(want, (np.floor(fix["y"] * 60 / h).astype(int), np.floor(fix["x"] * 20 / w).astype(int)), 1)
    np.testing.assert_array_equal(targets[0, ..., 0], want)


def test_dense_and_unisal_targets(examples):
    (_, dense), *_ = _all(data.saliency_dataset(as_dataset(examples), (16, 24), "dense_map", 5, sigma=2.0))
    np.testing.assert_allclose(dense.sum(axis=(1, 2, 3)), 1.0, rtol=1e-5)
    (_, both), *_ = _all(data.saliency_dataset(as_dataset(examples), (16, 24), "unisal", 5, sigma=2.0))
    np.testing.assert_allclose(both[..., 0], dense[..., 0], rtol=1e-5)
    assert both[..., 1].sum() == sum(len(e["fixations"]["x"]) for e in examples)


def test_published_saliency_map_target_and_target_size():
    examples = image_examples(with_map=True)
    (_, maps), *_ = _all(data.saliency_dataset(as_dataset(examples), (16, 24), "saliency_map", 5, target_size=(8, 12)))
    assert maps.shape == (5, 8, 12, 1)
    np.testing.assert_allclose(maps.sum(axis=(1, 2, 3)), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="saliency_map"):
        data.saliency_dataset(as_dataset(image_examples()), (16, 24), "saliency_map")


def test_fixation_list_target(examples):
    (_, fixations), *_ = _all(data.saliency_dataset(as_dataset(examples), (30, 40), "fixations", 5, max_fixations=6))
    assert fixations.shape == (5, 6, 2)
    n = len(examples[0]["fixations"]["x"])
    h, w = examples[0]["image"].shape[:2]
    np.testing.assert_allclose(fixations[0, :n, 0], examples[0]["fixations"]["x"] * 40 / w, rtol=1e-6)
    assert np.all(fixations[0, n:] == -1)


def test_aspect_aware_sizes_batch_only_equal_sizes(examples):
    batches = _all(data.saliency_dataset(as_dataset(examples), "unisal_train", "fixation_map", batch_size=2))
    seen = sorted(tuple(b[0].shape[1:3]) for b in batches for _ in range(len(b[0])))
    want = sorted(sizes.optimal_size(h, w, train=True) for h, w in SIZES)
    assert seen == want
    for images, targets in batches:
        assert images.shape[1:3] == targets.shape[1:3]


def test_center_bias_domain_and_sample_weight(examples):
    centre = np.log(np.full((10, 10), 0.01))
    inputs, targets, weights = next(data.saliency_dataset(
        as_dataset(examples), (16, 24), batch_size=5, center_bias=centre, domain=3, sample_weight=0.5,
        image_scaling="unit").as_numpy_iterator())
    assert set(inputs) == {"image", "centerbias", "domain"}
    np.testing.assert_allclose(np.log(np.exp(inputs["centerbias"]).sum(axis=(1, 2))), 0.0, atol=1e-5)
    assert inputs["image"].max() <= 1.0 and list(inputs["domain"]) == [3] * 5 and list(weights) == [0.5] * 5


def test_domain_batches_are_single_domain(examples):
    parts = [data.saliency_dataset(as_dataset(examples), (8, 8), batch_size=2, domain=d) for d in range(3)]
    batches = _all(data.domain_batches(parts, seed=1))
    assert len(batches) == 9
    assert all(len(set(b[0]["domain"])) == 1 for b in batches)
    assert sorted(int(b[0]["domain"][0]) for b in batches) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_filter_ids_and_bad_arguments(examples):
    kept = [e["image_id"] for e in data.filter_ids(as_dataset(examples), ["img1", "img3"]).as_numpy_iterator()]
    assert kept == [b"img1", b"img3"]
    with pytest.raises(ValueError, match="target"):
        data.saliency_dataset(as_dataset(examples), (8, 8), "heatmap")
    with pytest.raises(ValueError, match="sigma"):
        data.saliency_dataset(as_dataset(examples), (8, 8), "dense_map")
    with pytest.raises(ValueError, match="image_size"):
        data.saliency_dataset(as_dataset(examples), "deepgaze")
