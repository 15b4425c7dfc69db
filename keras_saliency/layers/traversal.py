"""Finding the layers nested in a Keras layer or model through public attributes only."""

from __future__ import annotations

from collections.abc import Mapping

import keras


def nested_layers(root) -> list:
    """Every layer nested in ``root`` (``root`` excluded), each once, parents before children.

    Children are ``keras.Model.layers`` and the layers held by public attributes
    (directly or in lists, tuples and dicts), which is how Keras layers track
    their sublayers; attributes starting with ``_`` are not followed.
    """
    seen, found, stack = {id(root)}, [], [root]
    while stack:
        layer = stack.pop()
        children = list(layer.layers) if isinstance(layer, keras.Model) else []
        for name, value in vars(layer).items():
            if name.startswith("_"):
                continue
            if isinstance(value, Mapping):
                value = list(value.values())
            children += [v for v in (value if isinstance(value, (list, tuple)) else [value])
                         if isinstance(v, keras.layers.Layer)]
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                found.append(child)
                stack.append(child)
    return found
