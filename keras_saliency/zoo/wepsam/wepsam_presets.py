"""WEPSAM presets (see `keras_saliency.zoo.registry`). None yet: the committed experiment's
weights (about 150 MB at the default widths) exceed the repository's size limit."""

PRESETS = {}
