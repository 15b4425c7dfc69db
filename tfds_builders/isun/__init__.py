"""iSUN TFDS builder."""
