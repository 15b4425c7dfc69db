"""Hollywood-2 TFDS builder."""
