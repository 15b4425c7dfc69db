"""SALICON TFDS builder."""
