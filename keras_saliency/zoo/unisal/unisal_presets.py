"""UNISAL presets trained by ``examples/train_unisal.py`` (docs/results/unisal/),
``examples/train_unisal_video.py`` (docs/results/unisal_video/) and ``examples/best_presets.py``
(docs/results/best_models/).

Plain data, read without importing Keras (see `keras_saliency.presets.registry`); bundled (the whole
network: the EfficientNet-Lite0 encoder is fine-tuned, so its weights are in the preset).
"""

PRESETS = {
    "unisal_lite0_mit1003_osie": {
        "description": "UNISAL with a fine-tuned EfficientNet-Lite0 encoder, domains MIT1003 and OSIE",
        "location": "bundled",
    },
    "unisal_lite0_mit1003_osie_full": {
        "description": "UNISAL with a fine-tuned EfficientNet-Lite0 encoder, domains MIT1003 (all images) and OSIE "
                       "(images 300-699): the UNISAL member of the best and the default model",
        "location": "bundled",
    },
    "unisal_lite0_video": {
        "description": "UNISAL with a fine-tuned EfficientNet-Lite0 encoder, domains eye_tracking_causality (video), "
                       "MIT1003 and OSIE; the default model for videos",
        "location": "bundled",
    },
}
