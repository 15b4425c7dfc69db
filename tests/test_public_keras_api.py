"""No module of the package reaches into Keras internals (``keras.src``, private trainer and layer members)."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "keras_saliency"
PRIVATE = re.compile(r"keras\.src\b|from keras import src\b|\._flatten_layers\b|\._compute_loss\b|\._loss_tracker\b")


def test_the_pattern_catches_each_kind_of_use():
    for line in ("from keras.src.losses import loss", "import keras.src.trainers", "from keras import src",
                 "model._flatten_layers(recursive=True)", "self._compute_loss(x=x)", "model._loss_tracker.update_state"):
        assert PRIVATE.search(line), line
    assert not PRIVATE.search("self.compute_loss(x=x, y=y)  # keras.saving, model.layers")


def test_no_package_module_uses_keras_internals():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50  # the package's sources are where this test expects them
    hits = [f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}" for path in modules
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if PRIVATE.search(line)]
    assert not hits, "Keras internals used (see tests/test_public_keras_api.py):\n" + "\n".join(hits)
