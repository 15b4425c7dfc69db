"""Checkpoint conversion without torch: safe ``.pth`` reading and the converted-weights cache."""

from keras_saliency.convert.torch_checkpoint import (
    CheckpointFormatError,
    UnsafeCheckpointError,
    load_state_dict,
)
from keras_saliency.checksums import sha256_file
from keras_saliency.convert.weights_cache import cache_dir, cached_weights

__all__ = ["CheckpointFormatError", "UnsafeCheckpointError", "cache_dir", "cached_weights", "load_state_dict",
           "sha256_file"]
