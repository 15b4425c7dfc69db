"""MIT300 TFDS builder."""
