"""Compile a function only for the input shapes that recur: eager first, a ``tf.function`` later.

Tracing a backbone's forward pass costs as much as 5-20 eager calls on 2 CPU cores, and models
see one or a few image sizes again and again (a folder of photos, a dataset, an evaluation), but
tests and one-off calls see a shape once or twice. :class:`RecurringShapes` runs the first ``after``
calls of each combination of argument shapes eagerly and the later ones through a ``tf.function``
of their own, traced once for exactly those shapes (no shape relaxation: models such as UNISAL need
static image sizes in their graph, and one function per shape never retraces). Other backends
always run eagerly.
"""

from __future__ import annotations

from typing import Callable, Dict

import keras
import numpy as np


class RecurringShapes:
    """``function(*arrays)``, compiled on TensorFlow for argument shapes seen more than ``after`` times."""

    def __init__(self, function: Callable, after: int = 16):
        if after < 0:
            raise ValueError(f"`after` must be >= 0; got {after}.")
        self.function, self.after = function, int(after)
        self.calls: Dict[tuple, int] = {}
        self.compiled: Dict[tuple, Callable] = {}  # argument shapes -> their tf.function

    def __call__(self, *arrays):
        shapes = tuple(tuple(np.shape(a)) for a in arrays)
        self.calls[shapes] = self.calls.get(shapes, 0) + 1
        if keras.backend.backend() != "tensorflow" or self.calls[shapes] <= self.after:
            return self.function(*arrays)
        if shapes not in self.compiled:
            import tensorflow as tf

            self.compiled[shapes] = tf.function(self.function)
        return self.compiled[shapes](*arrays)
