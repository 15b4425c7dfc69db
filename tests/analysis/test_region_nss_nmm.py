import numpy as np
import pytest
from scipy import stats

from keras_saliency.analysis import inner_vs_output, nmm, region_nss, top_k_statistics
from keras_saliency.metrics import nss


def test_region_nss_hand_computed():
    # map [[0, 1], [2, 3]]: mean 1.5, population std sqrt(1.25)
    m = np.array([[0.0, 1.0], [2.0, 3.0]])
    fix = np.array([[1.0, 0.0], [0.0, 2.0]])  # one fixation at (0,0), two at (1,1)
    region = np.array([[False, False], [False, True]])
    expected = (3.0 - 1.5) / np.sqrt(1.25)
    assert region_nss(m, fix, region)[0] == pytest.approx(expected)
    everything = ((0 - 1.5) + 2 * (3 - 1.5)) / 3 / np.sqrt(1.25)
    assert region_nss(m, fix)[0] == pytest.approx(everything)


def test_region_nss_matches_metrics_nss_for_many_maps():
    rng = np.random.default_rng(0)
    maps = rng.random((5, 12, 16))
    xy = np.array([[3.5, 2.5], [10.2, 7.1], [10.2, 7.1], [15.9, 11.0]])
    fix = np.zeros((12, 16))
    np.add.at(fix, (xy[:, 1].astype(int), xy[:, 0].astype(int)), 1)
    got = region_nss(maps, fix)
    for c in range(5):
        assert got[c] == pytest.approx(nss(maps[c], xy))


def test_region_nss_errors_and_constant():
    with pytest.raises(ValueError, match="No fixation"):
        region_nss(np.ones((2, 2)), np.zeros((2, 2)), None)
    assert region_nss(np.ones((1, 2, 2)), np.ones((2, 2)))[0] == 0.0


def test_top_k_statistics():
    mean, count = top_k_statistics(np.arange(20.0), k=3, threshold=15.5)
    assert mean == pytest.approx(18.0) and count == 4


def test_nmm_hand_computed():
    m = np.array([[0.0, 1.0], [2.0, 3.0]])
    mask = np.array([[False, True], [False, True]])
    assert nmm(m, mask) == pytest.approx(((1 - 1.5) + (3 - 1.5)) / 2 / np.sqrt(1.25))
    with pytest.raises(ValueError, match="empty"):
        nmm(m, np.zeros((2, 2), bool))


def test_spearman_on_known_ranks():
    os_c = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}
    rho, _ = inner_vs_output(os_c, {"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0})
    assert rho == pytest.approx(1.0)
    rho, _ = inner_vs_output(os_c, {"a": 4.0, "b": 3.0, "c": 1.0, "d": 2.0})
    # d^2 = 9 + 1 + 4 + 4 = 18; rho = 1 - 6*18 / (4*15) = -0.8
    assert rho == pytest.approx(-0.8)
    assert rho == pytest.approx(stats.spearmanr([1, 2, 3, 4], [4, 3, 1, 2]).statistic)
