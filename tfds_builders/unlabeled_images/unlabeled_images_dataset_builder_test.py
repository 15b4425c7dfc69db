"""TFDS conformance test of the unlabeled-images builder on generated dummy data."""

import tensorflow_datasets as tfds

from tfds_builders.unlabeled_images import unlabeled_images_dataset_builder


class UnlabeledImagesTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = unlabeled_images_dataset_builder.Builder
    SPLITS = {"train": 3}


if __name__ == "__main__":
    tfds.testing.test_main()
