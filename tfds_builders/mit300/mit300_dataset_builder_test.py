"""TFDS conformance test of the MIT300 builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.mit300 import mit300_dataset_builder


class Mit300Test(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = mit300_dataset_builder.Builder
    SPLITS = {"test": 3}
    DL_EXTRACT_RESULT = "."
    SKIP_CHECKSUMS = True


if __name__ == "__main__":
    tfds.testing.test_main()
