"""Unlabeled images TFDS builder."""
