"""DHF1K TFDS builder."""
