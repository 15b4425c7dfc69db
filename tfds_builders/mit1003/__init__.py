"""MIT1003 TFDS builder."""
