"""TFDS conformance test of the PASCAL-S builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.pascal_s import pascal_s_dataset_builder


class PascalSTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = pascal_s_dataset_builder.Builder
    SPLITS = {"train": 3}


if __name__ == "__main__":
    tfds.testing.test_main()
