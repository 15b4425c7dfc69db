"""EyeCrowd TFDS builder."""
