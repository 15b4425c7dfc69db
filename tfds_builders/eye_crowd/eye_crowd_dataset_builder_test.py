"""TFDS conformance test of the EyeCrowd builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.eye_crowd import eye_crowd_dataset_builder


class EyeCrowdTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = eye_crowd_dataset_builder.Builder
    SPLITS = {"train": 3}


if __name__ == "__main__":
    tfds.testing.test_main()
