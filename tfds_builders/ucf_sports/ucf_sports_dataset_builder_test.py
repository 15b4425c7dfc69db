"""TFDS conformance test of the UCF Sports builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.ucf_sports import ucf_sports_dataset_builder


class UcfSportsTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = ucf_sports_dataset_builder.Builder
    SPLITS = {"train": 2, "test": 1}


if __name__ == "__main__":
    tfds.testing.test_main()
