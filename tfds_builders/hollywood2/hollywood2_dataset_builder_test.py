"""TFDS conformance test of the Hollywood-2 builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.hollywood2 import hollywood2_dataset_builder


class Hollywood2Test(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = hollywood2_dataset_builder.Builder
    SPLITS = {"train": 2, "test": 1}


if __name__ == "__main__":
    tfds.testing.test_main()
