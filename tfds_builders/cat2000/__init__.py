"""CAT2000 TFDS builder."""
