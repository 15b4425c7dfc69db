"""TFDS conformance test of the DHF1K builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.dhf1k import dhf1k_dataset_builder


class Dhf1kTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = dhf1k_dataset_builder.Builder
    SPLITS = {"train": 2, "validation": 1}


if __name__ == "__main__":
    tfds.testing.test_main()
