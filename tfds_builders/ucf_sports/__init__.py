"""UCF Sports TFDS builder."""
