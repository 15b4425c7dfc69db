import numpy as np

from keras_saliency.analysis import cluster_regions, mean_shift


def test_mean_shift_recovers_known_clusters():
    rng = np.random.default_rng(1)
    centres = np.array([[20.0, 20.0], [80.0, 30.0], [50.0, 70.0]])
    pts = np.concatenate([c + rng.normal(0, 3, (15, 2)) for c in centres])
    modes, labels = mean_shift(pts, bandwidth=12)
    assert len(modes) == 3
    for c in centres:
        assert np.min(np.hypot(*(modes - c).T)) < 3
    for k in range(3):  # each true cluster maps to one label
        assert len(set(labels[15 * k:15 * (k + 1)])) == 1


def test_cluster_regions_masks_cover_their_cluster_only():
    rng = np.random.default_rng(2)
    pts = np.concatenate([np.array([20.0, 20.0]) + rng.normal(0, 2, (10, 2)),
                          np.array([80.0, 60.0]) + rng.normal(0, 2, (10, 2)),
                          np.array([[50.0, 5.0]])])  # lone fixation, dropped by min_fixations
    regions = cluster_regions(pts, (90, 100), bandwidth=12, min_fixations=3)
    assert len(regions) == 2
    masks = [m for m, _ in regions]
    assert not (masks[0] & masks[1]).any()
    hits = sorted((m[20, 20], m[60, 80]) for m in masks)
    assert hits == [(False, True), (True, False)]
    assert not any(m[5, 50] for m in masks)


def test_regions_from_label_mask():
    import pytest

    from keras_saliency.analysis import regions_from_label_mask

    mask = np.array([[0, 2], [5, 2]])
    regions = regions_from_label_mask(mask, {2: "text", 5: "face"})
    assert [c for _, c in regions] == ["text", "face"]
    np.testing.assert_array_equal(regions[0][0], [[False, True], [False, True]])
    assert [c for _, c in regions_from_label_mask(mask)] == ["region2", "region5"]
    with pytest.raises(ValueError, match="no entry for label"):
        regions_from_label_mask(mask, {2: "text"})
    with pytest.raises(ValueError, match="integer"):
        regions_from_label_mask(mask.astype(float))
