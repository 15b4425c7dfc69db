"""push_to_hub and hf:// downloads through the real huggingface_hub client and the FakeHub."""

import os
import socket

import keras
import numpy as np
import pytest
from hub_test_utils import files_under, point_client_at

from keras_saliency import presets
from keras_saliency.presets import ChecksumMismatchError, PresetDownloadError, PresetError, PresetNotFoundError
from keras_saliency.testing.tiny_model import TinySaliency, tiny_model


def _outputs(model, images):
    return np.asarray(model(images))


def test_push_then_pinned_download_gives_identical_outputs(fake_hub, tiny_preset, repo_id, hub_cache):
    _, preset, images, expected = tiny_preset
    fake_hub.requests.clear()
    pinned = presets.push_to_hub(preset, repo_id, commit_message="first preset")
    assert pinned.pinned and pinned.repo_id == repo_id
    posted = [r.path for r in fake_hub.requests if r.method == "POST"]
    assert posted == [
        "/api/repos/create",
        "/api/validate-yaml",
        f"/api/models/{repo_id}/preupload/main",
        f"/api/models/{repo_id}/commit/main",
    ]
    assert all(r.authorized for r in fake_hub.requests)
    committed = fake_hub.files(repo_id, pinned.revision)
    assert {name: committed[name] for name in os.listdir(preset)} == {
        name: (preset / name).read_bytes() for name in os.listdir(preset)
    }

    loaded = TinySaliency.from_preset(str(pinned))
    np.testing.assert_array_equal(_outputs(loaded, images), expected)
    snapshot = hub_cache / f"models--{repo_id.replace('/', '--')}" / "snapshots" / pinned.revision
    assert sorted(os.listdir(snapshot)) == sorted(os.listdir(preset))  # .gitattributes not fetched


def test_branches_and_pins_select_the_right_weights(fake_hub, tiny_preset, repo_id, tmp_path):
    _, preset, images, expected = tiny_preset
    first = presets.push_to_hub(preset, repo_id)
    other = tiny_model(seed=7)
    other_preset = presets.save(other, tmp_path / "other", {"license": "mit"})
    second = presets.push_to_hub(other_preset, repo_id, revision="v2", commit_message="second")
    assert second.revision != first.revision
    assert f"/api/models/{repo_id}/branch/v2" in [r.path for r in fake_hub.requests]
    third = presets.push_to_hub(other_preset, repo_id)  # main moves on
    np.testing.assert_array_equal(_outputs(presets.load(f"hf://{repo_id}@{first.revision}"), images), expected)
    for spec in (f"hf://{repo_id}@v2", f"hf://{repo_id}", str(third)):
        np.testing.assert_array_equal(_outputs(presets.load(spec), images), _outputs(other, images))


@pytest.mark.parametrize(
    "spec, message",
    [
        ("hf://justname", "must be 'org/name'"),
        ("hf://org/name@", "revision after '@'"),
        ("hf://org/a b", "must be 'org/name'"),
        ("hf:/org/name", "not a registered preset"),
    ],
)
def test_bad_hub_specs(spec, message):
    with pytest.raises((ValueError, PresetNotFoundError), match=message):
        presets.load(spec)


def test_unknown_repo_and_revision_leave_nothing(fake_hub, tiny_preset, repo_id, hub_cache):
    with pytest.raises(PresetNotFoundError, match="repository not found"):
        presets.load(f"hf://{repo_id}")
    presets.push_to_hub(tiny_preset[1], repo_id)
    with pytest.raises(PresetNotFoundError, match="revision 'nope' does not exist"):
        presets.load(f"hf://{repo_id}@nope")
    with pytest.raises(PresetNotFoundError, match="revision '0{40}' does not exist"):
        presets.load(f"hf://{repo_id}@{'0' * 40}")
    assert files_under(hub_cache) == []


def test_unreachable_hub(tiny_preset, hub_cache, monkeypatch):
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    point_client_at(monkeypatch, dead, hub_cache)
    with pytest.raises(PresetDownloadError, match="not in the local cache and the Hub cannot be reached"):
        presets.load("hf://org/anything")
    assert files_under(hub_cache) == []


def _fails_and_leaves_nothing(spec, error, match, hub_cache, monkeypatch):
    monkeypatch.setattr(keras.Model, "load_weights", lambda *a, **k: pytest.fail("weights were loaded"))
    with pytest.raises(error, match=match):
        presets.load(spec)
    assert files_under(hub_cache) == []


def test_file_missing_on_server(fake_hub, tiny_preset, repo_id, hub_cache, monkeypatch):
    pinned = presets.push_to_hub(tiny_preset[1], repo_id)
    fake_hub.break_file(repo_id, "model.weights.h5", "missing")
    _fails_and_leaves_nothing(str(pinned), PresetDownloadError, "cannot be downloaded", hub_cache, monkeypatch)


def test_file_absent_from_repo(fake_hub, tiny_preset, repo_id, hub_cache, monkeypatch):
    presets.push_to_hub(tiny_preset[1], repo_id)
    sha = fake_hub.commit(repo_id, {}, deleted=["model.weights.h5"])
    _fails_and_leaves_nothing(
        f"hf://{repo_id}@{sha}", PresetError, r"incomplete: missing \['model.weights.h5'\]", hub_cache, monkeypatch
    )


def test_truncated_download(fake_hub, tiny_preset, repo_id, hub_cache, monkeypatch):
    pinned = presets.push_to_hub(tiny_preset[1], repo_id)
    fake_hub.break_file(repo_id, "model.weights.h5", "truncated")
    _fails_and_leaves_nothing(str(pinned), PresetDownloadError, "Consistency check failed", hub_cache, monkeypatch)


def test_tampered_file_on_server(fake_hub, tiny_preset, repo_id, hub_cache, monkeypatch):
    pinned = presets.push_to_hub(tiny_preset[1], repo_id)
    weights = bytearray(fake_hub.files(repo_id)["model.weights.h5"])
    weights[-1] ^= 0xFF  # same size, other content
    fake_hub.tamper(repo_id, "model.weights.h5", bytes(weights))
    _fails_and_leaves_nothing(
        str(pinned), ChecksumMismatchError, r"model.weights.h5 \(expected sha256", hub_cache, monkeypatch
    )


def test_failed_update_keeps_the_earlier_snapshot(fake_hub, tiny_preset, repo_id, hub_cache, tmp_path):
    _, preset, images, expected = tiny_preset
    first = presets.push_to_hub(preset, repo_id)
    presets.load(f"hf://{repo_id}")  # caches `first`, refs/main -> first
    before = files_under(hub_cache)
    second = presets.push_to_hub(presets.save(tiny_model(seed=3), tmp_path / "b", {"license": "mit"}), repo_id)
    bad = bytearray(fake_hub.files(repo_id, second.revision)["config.json"])
    bad[-2:] = b" }"  # still valid JSON, other bytes
    fake_hub.tamper(repo_id, "config.json", bytes(bad))
    with pytest.raises(ChecksumMismatchError, match="config.json"):
        presets.load(f"hf://{repo_id}")
    assert files_under(hub_cache) == before
    ref = hub_cache / f"models--{repo_id.replace('/', '--')}" / "refs" / "main"
    assert ref.read_text() == first.revision
    np.testing.assert_array_equal(_outputs(presets.load(str(first)), images), expected)


def test_interrupted_download_resumes_with_range(fake_hub, repo_id, hub_cache):
    import huggingface_hub

    big = np.random.default_rng(0).bytes(11 * 1024 * 1024)  # past the client's 10 MiB write chunk
    fake_hub.create_repo(repo_id)
    fake_hub.commit(repo_id, {"big.bin": big})
    fake_hub.break_file(repo_id, "big.bin", "drop_once")
    fake_hub.requests.clear()
    path = huggingface_hub.hf_hub_download(repo_id, "big.bin")
    assert open(path, "rb").read() == big
    assert [r.range for r in fake_hub.requests if r.method == "GET"] == [None, f"bytes={10 * 1024 * 1024}-"]


def test_push_errors(fake_hub, tiny_preset, tmp_path, repo_id, monkeypatch):
    unlicensed = presets.save(tiny_model(), tmp_path / "unlicensed")
    with pytest.raises(PresetError, match="without a licence"):
        presets.push_to_hub(unlicensed, repo_id)
    with pytest.raises(ValueError, match="repo_id must be 'org/name'"):
        presets.push_to_hub(tiny_preset[1], "no-org")
    monkeypatch.delenv("HF_TOKEN")
    fake_hub.requests.clear()
    with pytest.raises(PresetError, match="no Hugging Face token"):
        presets.push_to_hub(tiny_preset[1], repo_id)
    assert fake_hub.requests == []


def test_network_guard_refuses_other_hosts(loopback_only):
    with pytest.raises(socket.gaierror, match="only reach 127.0.0.1"):
        socket.getaddrinfo("huggingface.co", 443)
    assert loopback_only == ["huggingface.co"]
    loopback_only.clear()


def test_client_constants_point_at_the_fake_hub(fake_hub, hub_cache):
    from huggingface_hub import constants

    assert constants.ENDPOINT == fake_hub.url and constants.HF_HUB_CACHE == str(hub_cache)
    assert constants.HF_HUB_DISABLE_TELEMETRY and not constants.HF_HUB_OFFLINE
    assert os.environ["HF_ENDPOINT"] == fake_hub.url


def test_corrupted_cache_entry_is_refused_with_a_hint(tiny_preset, repo_id, hub_cache):
    pinned = presets.push_to_hub(tiny_preset[1], repo_id)
    snapshot = presets.resolve_preset(str(pinned))
    blob = (snapshot / "model.weights.h5").resolve()
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0xFF  # bit rot in the cache
    blob.write_bytes(bytes(data))
    with pytest.raises(ChecksumMismatchError, match=f"already cached: delete {snapshot}"):
        presets.load(str(pinned))
