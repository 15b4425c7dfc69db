"""TFDS conformance test of the FiWI webpage saliency builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.fiwi import fiwi_dataset_builder


class FiwiTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = fiwi_dataset_builder.Builder
    SPLITS = {"train": 3}


if __name__ == "__main__":
    tfds.testing.test_main()
