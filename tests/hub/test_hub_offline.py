"""HF_HUB_OFFLINE=1 in a fresh process (the variables are read when huggingface_hub is imported)."""

import json

import numpy as np
from hub_test_utils import files_under, hub_environment, run_python

from keras_saliency import presets

_CHILD = """
import json, os
import numpy as np
from huggingface_hub import constants
from keras_saliency import presets
from keras_saliency.presets import PresetDownloadError

args = json.loads(os.environ["CHILD_ARGS"])
assert constants.HF_HUB_OFFLINE, "HF_HUB_OFFLINE did not reach huggingface_hub"
images = np.load(args["images"])
out = {}
for spec in args["cached"]:
    out[spec] = np.asarray(presets.load(spec)(images)).tolist()
errors = {}
for spec, cache in args["uncached"]:
    try:
        presets.load(spec, cache_dir=cache)
        errors[spec] = None
    except PresetDownloadError as error:
        errors[spec] = str(error)
print(json.dumps({"outputs": out, "errors": errors}))
"""


def test_offline_loads_from_a_populated_cache_and_fails_clearly_on_an_empty_one(
    fake_hub, tiny_preset, repo_id, hub_cache, tmp_path
):
    _, preset, images, expected = tiny_preset
    pinned = presets.push_to_hub(preset, repo_id)
    presets.load(f"hf://{repo_id}")  # populates hub_cache (refs/main and the snapshot)
    np.save(tmp_path / "images.npy", images)
    empty = tmp_path / "empty-cache"
    empty.mkdir()
    args = {
        "images": str(tmp_path / "images.npy"),
        "cached": [str(pinned), f"hf://{repo_id}"],
        "uncached": [[str(pinned), str(empty)], [f"hf://{repo_id}-other", None]],
    }
    env = {**hub_environment(fake_hub.url, hub_cache, offline=True), "CHILD_ARGS": json.dumps(args)}
    fake_hub.requests.clear()
    result = run_python(_CHILD, env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert fake_hub.requests == [], "offline mode still talked to the server"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for spec in args["cached"]:
        np.testing.assert_array_equal(np.asarray(report["outputs"][spec], dtype=np.float32), expected)
    for spec, _ in args["uncached"]:
        message = report["errors"][spec]
        assert message is not None and "not in the local cache and HF_HUB_OFFLINE is set" in message, message
    assert files_under(empty) == []
