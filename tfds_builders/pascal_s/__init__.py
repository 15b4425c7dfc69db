"""PASCAL-S TFDS builder."""
