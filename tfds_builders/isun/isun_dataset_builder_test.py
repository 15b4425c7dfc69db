"""TFDS conformance test of the iSUN builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.isun import isun_dataset_builder


class IsunTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = isun_dataset_builder.Builder
    SPLITS = {"train": 3, "validation": 2, "test": 2}


if __name__ == "__main__":
    tfds.testing.test_main()
