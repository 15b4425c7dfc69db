"""Shared pieces of the keras-saliency TFDS builders: feature spec, readers, base builders."""
