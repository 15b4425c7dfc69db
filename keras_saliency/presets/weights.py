"""What a preset's ``model.weights.h5`` holds: all weights, or the part a model says cannot be rebuilt.

A model may define ``preset_weights() -> keras.Model`` (e.g. a :class:`WeightsView`
of its trained layers) when the rest is rebuilt from its config, such as a
frozen backbone whose ImageNet weights come from an installed package. The
preset then stores only that part; ``model.save(...)`` still saves everything.
"""

from __future__ import annotations

from typing import Sequence

import keras


class WeightsView(keras.Model):
    """A container of another model's layers, to save or load just their weights."""

    def __init__(self, layers: Sequence, **kwargs):
        super().__init__(**kwargs)
        self.parts = list(layers)
        self.built = True

    def call(self, inputs):  # pragma: no cover - never called
        raise NotImplementedError("WeightsView only saves and loads weights.")


def preset_weights(model) -> keras.Model:
    """The model whose ``save_weights`` / ``load_weights`` a preset uses for ``model``."""
    part = getattr(model, "preset_weights", None)
    return model if part is None else part()
