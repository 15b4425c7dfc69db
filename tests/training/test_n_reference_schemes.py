"""The n-reference schemes on a tiny synthetic task: every scheme runs, scores are sane, errors are clear."""

import numpy as np
import pytest

from keras_saliency.fixations import Fixations
from keras_saliency.training import SchemeTraining, dense_targets, reference_batch_size, run_schemes
from keras_saliency.training.n_reference_schemes import summarise
from keras_saliency.zoo.dinet import TransferModel

GRID = (4, 6)


def _data(count, seed):
    """(count precomputed (4, 6, 8) feature maps, fixations on the 4 x 6 output grid)."""
    rng = np.random.default_rng(seed)
    features = rng.uniform(0, 1, (count, *GRID, 8)).astype("float32")
    fixations = [Fixations(rng.uniform(1, 5, 5), rng.uniform(1, 3, 5)) for _ in range(count)]
    return features, fixations


def test_reference_batch_sizes_and_dense_targets():
    assert [reference_batch_size(n) for n in (1, 5, 10, 4, 20)] == [1, 3, 5, 2, 10]
    targets = dense_targets([Fixations([0.5, 2.5], [0.5, 1.5]), Fixations([], [])], GRID)
    assert targets.shape == (2, *GRID) and targets.dtype == np.float32
    np.testing.assert_allclose(targets.sum(axis=(1, 2)), [1.0, 0.0], atol=1e-6)


def test_every_scheme_is_scored_for_every_n():
    spec = TransferModel(head_width=4, dilations=(1,), freeze_encoder=True)  # heads on precomputed features
    lines = []
    table = run_schemes(lambda seed: spec.model(seed, feature_shape=(*GRID, 8)), _data(4, 0), _data(6, 1), GRID,
                        [1, 2], [0], SchemeTraining(epochs=1, ft_epochs=1, batch=2, lr=1e-3, run_eagerly=True),
                        log=lines.append)
    assert list(table) == ["upper", "TR", "TR-Ref n=1", "FT n=1", "FT|Ref n=1", "FT w/o TR n=1",
                           "TR-Ref n=2", "FT n=2", "FT|Ref n=2", "FT w/o TR n=2"]
    assert all(len(rows) == 1 for rows in table.values())
    for row in summarise(table).values():
        assert set(row) == {"NSS", "AUC", "CC"} and 0 <= row["AUC"][0] <= 1 and row["NSS"][1] >= 0
    assert lines[0].startswith("seed 0: upper {") and lines[2].startswith('seed 0: n=1 {"TR-Ref": ')


def test_too_few_target_images_is_a_clear_error():
    with pytest.raises(ValueError, match=r"need at least 3 \+ max\(n\) = 8 target images; got 6"):
        run_schemes(lambda seed: None, _data(2, 0), _data(6, 1), GRID, [5], [0], SchemeTraining())
