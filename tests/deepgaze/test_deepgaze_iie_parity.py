"""DeepGaze IIE parity with the reference PyTorch code, where its random-weight outputs exist.

Set ``KERAS_SALIENCY_DEEPGAZE_PARITY`` to the folder ``benchmarks/deepgaze_iie/reference_side.py``
wrote (it needs torch, torchvision and a matthias-k/DeepGaze checkout; the state dicts are too
large to commit). The published layout is checked in CI by ``test_deepgaze_iie_convert.py``.
Slow (minutes: four full backbones, 120 readouts at 768x1024 and 601x803).
"""

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pytest

FOLDER = os.environ.get("KERAS_SALIENCY_DEEPGAZE_PARITY")
pytestmark = pytest.mark.skipif(
    not FOLDER or not (Path(FOLDER) / "deepgaze2e_random.pth").is_file(),
    reason="set KERAS_SALIENCY_DEEPGAZE_PARITY to the output of benchmarks/deepgaze_iie/reference_side.py "
           "(run with torch and a matthias-k/DeepGaze checkout)")


def test_backbones_alone_match_the_hooked_features():
    from keras_saliency import backbones
    from keras_saliency.zoo.deepgaze.deepgaze_convert import REFERENCE_BACKBONES

    cases = np.load(Path(FOLDER) / "cases.npz")
    image = cases["768x1024/image"].astype(np.float32)[None, ::2, ::2]
    for b, name in enumerate(REFERENCE_BACKBONES):
        out = backbones.get(name, weights=Path(FOLDER) / f"backbone_{b}.pth").predict_on_batch(image)
        keys = [k for k in cases.files if k.startswith(f"768x1024/features/{b}/")]
        assert len(keys) == len(out), name
        for key in keys:
            tap = key.split("/", 3)[3][2:].removeprefix("module.").removeprefix("features.")
            reference = cases[key]
            ours = np.transpose(np.asarray(out[tap])[0], (2, 0, 1))
            np.testing.assert_allclose(ours, reference, atol=5e-6 * np.abs(reference).max(), err_msg=f"{name} {tap}")


def test_full_model_log_densities_match_and_consume_the_manifest():
    from keras_saliency.convert import load_state_dict
    from keras_saliency.zoo.deepgaze.deepgaze_convert import deepgaze_iie_from_state_dict

    state = load_state_dict(Path(FOLDER) / "deepgaze2e_random.pth")
    with gzip.open(Path(__file__).parent / "data" / "deepgaze2e_manifest.json.gz", "rt") as handle:
        manifest = json.load(handle)["keys"]
    assert {k: list(v.shape) for k, v in state.items()} == manifest
    model = deepgaze_iie_from_state_dict(state, image_long_side=None)  # raises on any tensor left over
    cases = np.load(Path(FOLDER) / "cases.npz")
    for label in ("768x1024", "601x803"):
        ours = model.log_densities(cases[f"{label}/image"].astype(np.float32)[None], cases[f"{label}/centerbias"][None])
        np.testing.assert_allclose(ours[0], cases[f"{label}/log_density"], atol=5e-4, rtol=0, err_msg=label)
