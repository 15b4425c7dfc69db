"""Compile a function only for the input shapes that recur: eager first, compiled later.

Tracing a backbone's forward pass costs as much as 5-20 eager calls on 2 CPU cores, and models
see one or a few image sizes again and again (a folder of photos, a dataset, an evaluation), but
tests and one-off calls see a shape once or twice. :class:`RecurringShapes` runs the first ``after``
calls of each combination of argument shapes eagerly and the later ones through a compiled function
of their own, traced once for exactly those shapes (no shape relaxation: models such as UNISAL need
static image sizes in their graph, and one function per shape never retraces): a ``tf.function`` on
TensorFlow; on JAX a ``jax.jit`` of the function with ``variables`` passed in as arguments (a
``keras.StatelessScope`` maps each variable to its current value, so later weight changes are seen),
given ``variables``. Other backends, and JAX without ``variables``, always run eagerly.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional, Sequence

import keras
import numpy as np


class RecurringShapes:
    """``function(*arrays)``, compiled for argument shapes seen more than ``after`` times (see the module)."""

    def __init__(self, function: Callable, after: int = 16, variables: Optional[Sequence] = None):
        if after < 0:
            raise ValueError(f"`after` must be >= 0; got {after}.")
        self.function, self.after = function, int(after)
        self.variables = None if variables is None else list(variables)
        self.calls: Dict[tuple, int] = {}
        self.compiled: Dict[tuple, Callable] = {}  # argument shapes -> their compiled function
        self._jitted = None  # JAX: one jax.jit for every shape (it keeps a trace per shape itself)

    def __call__(self, *arrays):
        shapes = tuple(tuple(np.shape(a)) for a in arrays)
        self.calls[shapes] = self.calls.get(shapes, 0) + 1
        if self.calls[shapes] <= self.after or not self._can_compile():
            return self.function(*arrays)
        if shapes not in self.compiled:
            self.compiled[shapes] = self._compile()
        return self.compiled[shapes](*arrays)

    def _can_compile(self) -> bool:
        backend = keras.backend.backend()
        return backend == "tensorflow" or (backend == "jax" and self.variables is not None)

    def _compile(self) -> Callable:
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            return tf.function(self.function)
        if self._jitted is None:
            import jax

            variables, function = self.variables, self.function

            def pure(values, *arrays):
                with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                    return function(*arrays)

            jitted = jax.jit(pure)
            self._jitted = lambda *arrays: jitted([v.value for v in variables], *arrays)
        return self._jitted
