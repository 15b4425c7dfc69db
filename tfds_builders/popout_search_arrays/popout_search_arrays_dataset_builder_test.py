"""TFDS conformance test of the generated pop-out search arrays, and generator checks."""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from tfds_builders.popout_search_arrays import generator, popout_search_arrays_dataset_builder


class PopoutSearchArraysTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = popout_search_arrays_dataset_builder.Builder
    SPLITS = {"train": 10, "test": 10}
    BUILDER_CONFIG_NAMES_TO_TEST = ["tiny"]


@pytest.mark.parametrize("kind", generator.KINDS)
def test_target_is_one_small_region_that_differs(kind):
    image, mask = generator.search_array(kind, np.random.default_rng(3), size=(120, 160), grid=(4, 5))
    assert image.shape == (120, 160, 3) and mask.shape == (120, 160)
    assert 0 < mask.mean() < 0.1
    rows, cols = np.nonzero(mask)
    assert np.ptp(rows) < 120 / 4 * 1.3 and np.ptp(cols) < 160 / 5 * 1.3  # inside about one grid cell
    again, _ = generator.search_array(kind, np.random.default_rng(3), size=(120, 160), grid=(4, 5))
    np.testing.assert_array_equal(image, again)


def test_colour_target_has_a_colour_no_distractor_has():
    image, mask = generator.search_array("colour", np.random.default_rng(0))
    target_colours = {tuple(p) for p in image[mask]}
    other_colours = {tuple(p) for p in image[~mask]}
    assert len(target_colours) == 1 and target_colours.isdisjoint(other_colours)


def test_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        generator.search_array("motion", np.random.default_rng(0))
