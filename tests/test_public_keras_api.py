"""No module of the package reaches into Keras internals (its private source package, private trainer and
layer members). The example lines are assembled from parts so that this file does not name them itself."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "keras_saliency"
SRC = "src"  # Keras' private implementation package
PRIVATE_MEMBERS = ("flatten_layers", "compute_loss", "loss_tracker")
PRIVATE = re.compile(rf"keras\.{SRC}\b|from keras import {SRC}\b|"
                     + "|".join(rf"\._{member}\b" for member in PRIVATE_MEMBERS))


def test_the_pattern_catches_each_kind_of_use():
    uses = (f"from keras.{SRC}.losses import loss", f"import keras.{SRC}.trainers", f"from keras import {SRC}",
            *(f"model._{member}(x)" for member in PRIVATE_MEMBERS))
    for line in uses:
        assert PRIVATE.search(line), line
    assert not PRIVATE.search("self.compute_loss(x=x, y=y)  # keras.saving, model.layers")


def test_no_package_module_uses_keras_internals():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50  # the package's sources are where this test expects them
    hits = [f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}" for path in modules
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if PRIVATE.search(line)]
    assert not hits, "Keras internals used (see tests/test_public_keras_api.py):\n" + "\n".join(hits)
