"""UNISAL presets trained by ``examples/train_unisal.py`` (see docs/results/unisal/).

Plain data, read without importing Keras (see `keras_saliency.presets.registry`); bundled (the whole
network: the EfficientNet-Lite0 encoder is fine-tuned, so its weights are in the preset).
"""

PRESETS = {
    "unisal_lite0_mit1003_osie": {
        "description": "UNISAL with a fine-tuned EfficientNet-Lite0 encoder, domains MIT1003 and OSIE",
        "location": "bundled",
    },
}
