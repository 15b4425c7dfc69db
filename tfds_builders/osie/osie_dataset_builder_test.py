"""TFDS conformance test of the OSIE builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.osie import osie_dataset_builder


class OsieTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = osie_dataset_builder.Builder
    SPLITS = {"train": 3}


if __name__ == "__main__":
    tfds.testing.test_main()
