"""Toronto TFDS builder."""
