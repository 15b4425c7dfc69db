"""The uavdvsm worked example (one OSIE image, fixation map, 5 region masks) from ../shared.

The repository's trained VGG weights are not available, so the unit rankings of the demo cannot be
reproduced; what the example allows: the region NSS pipeline on real masks and fixations (units
that are known functions of the regions must be associated with their own region), and fixation
clusters that land on the annotated salient regions.
"""

from pathlib import Path

import keras
import numpy as np
import pytest

from keras_saliency.analysis import associate_units, cluster_regions, regions_from_label_mask

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "uavdvsm"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"uavdvsm example data not found at {SHARED}")


@pytest.fixture(scope="module")
def example():
    from PIL import Image

    mask = np.load(SHARED / "exa_data" / "1023.npy")
    fix = (np.array(Image.open(SHARED / "exa_data" / "1023.png")) > 0).astype(np.float64)
    return mask, fix


def test_every_region_is_fixated(example):
    mask, fix = example
    assert mask.shape == fix.shape == (600, 800)
    assert sorted(np.unique(mask)) == [0, 1, 2, 3, 4, 5]
    assert all(fix[mask == k].sum() > 0 for k in range(1, 6))


def test_region_units_are_associated_with_their_regions(example):
    mask, fix = example
    # Input channels = the 5 region indicators at 1/4 resolution; an identity 1x1 conv exposes
    # them as 5 units. Unit k-1 must be the top unit of region k after resize back to 600x800.
    small = np.stack([(mask[2::4, 2::4] == k) for k in range(1, 6)], axis=-1).astype("float32")
    inp = keras.Input((150, 200, 5))
    conv = keras.layers.Conv2D(5, 1, use_bias=False, name="units")
    model = keras.Model(inp, conv(inp))
    conv.set_weights([np.eye(5, dtype="float32")[None, None]])
    regions = [regions_from_label_mask(mask)]
    stats = associate_units(model, small[None], [fix], regions, ["units"], channel_chunk=2)
    rows = stats.unit_nss["units"]
    assert [r[1] for r in rows] == [f"region{k}" for k in range(1, 6)]
    for k, (_, _, values) in enumerate(rows):
        assert int(np.argmax(values)) == k
        assert values[k] > 1.0


def test_fixation_clusters_fall_on_annotated_regions(example):
    mask, fix = example
    rows, cols = np.nonzero(fix)
    regions = cluster_regions(np.stack([cols + 0.5, rows + 0.5], axis=1), fix.shape, bandwidth=60,
                              min_fixations=5)
    assert regions
    union = np.any([m for m, _ in regions], axis=0)
    annotated = mask > 0
    precision = (union & annotated).sum() / union.sum()
    assert precision > 3 * annotated.mean()  # far above chance
