"""FiWI webpage saliency TFDS builder."""
