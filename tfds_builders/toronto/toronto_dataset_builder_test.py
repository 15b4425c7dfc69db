"""TFDS conformance test of the Toronto builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.toronto import toronto_dataset_builder


class TorontoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = toronto_dataset_builder.Builder
    SPLITS = {"train": 3}


if __name__ == "__main__":
    tfds.testing.test_main()
