"""Pop-out search arrays TFDS builder."""
