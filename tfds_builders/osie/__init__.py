"""OSIE TFDS builder."""
