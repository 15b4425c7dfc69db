"""The model families: `keras_saliency.zoo.unisal`, `.deepgaze`, `.wepsam` and `.dinet`.

Each family lives in ``keras_saliency/zoo/<family>/`` and may register named presets
in ``<family>_presets.py``; list and load them with `keras_saliency.presets`.
Importing this package does not import Keras.
"""
