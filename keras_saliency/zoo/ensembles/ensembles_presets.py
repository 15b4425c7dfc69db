"""Mixture presets built by ``examples/best_presets.py`` from ``examples/best_models.py``'s results
(docs/results/best_models/).

Plain data, read without importing Keras (see `keras_saliency.presets.registry`). Bundled: their members are
other bundled presets, named in their ``config.json``, so these folders hold no weights of their own.
"""

PRESETS = {
    "unisal_deepgaze_flip_mit1003": {
        "description": "UNISAL (MIT1003 + OSIE) and DeepGaze IIE (Lite0/1/2), both test-time flipped, mixed in "
                       "probability space (the best model)",
        "location": "bundled",
    },
    "unisal_deepgaze_mit1003": {
        "description": "UNISAL (MIT1003 + OSIE) and DeepGaze IIE (Lite0/1/2) mixed in probability space (the default "
                       "model)",
        "location": "bundled",
    },
}
