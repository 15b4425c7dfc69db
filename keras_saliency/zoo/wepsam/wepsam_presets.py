"""WEPSAM presets (see `keras_saliency.presets.registry`). None registered: the model of the committed
experiment (``examples/wepsam.py --save-preset DIR``; 2.6 M parameters, about 10.6 MB of weights) is
too large to bundle, and it scores no better than the mean MIT1003 training map it converges to
(docs/results/wepsam/results.md)."""

PRESETS = {}
