"""A torch-free, safe reader for PyTorch checkpoints (``.pth``/``.pt``) and ``.npz`` state dicts.

Both PyTorch formats are parsed here without importing torch:

* the zip format (torch >= 1.6): ``<root>/data.pkl`` plus one file per storage
  under ``<root>/data/``;
* the legacy format: a magic-number pickle, protocol and system-info pickles,
  the main pickle, a pickle of storage keys, then each storage as an int64
  element count followed by raw little-endian bytes.

Unpickling is **restricted**: only the globals a state dict needs are
resolved (``collections.OrderedDict``, ``torch._utils._rebuild_tensor_v2`` /
``_rebuild_parameter`` and the typed ``torch.*Storage`` classes), each mapped
to a local stand-in; any other global raises :class:`UnsafeCheckpointError`,
so a malicious file cannot run code.
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
import zipfile
from pathlib import Path
from typing import Dict

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "BFloat16Storage": "bfloat16",
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class UnsafeCheckpointError(pickle.UnpicklingError):
    """The checkpoint references a Python global outside the state-dict whitelist."""


class CheckpointFormatError(ValueError):
    """The file is not a readable PyTorch checkpoint (truncated, corrupt, unknown layout)."""


class _StorageType:
    def __init__(self, name):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]


class _Storage:
    def __init__(self, key, storage_type: _StorageType, numel):
        self.key, self.storage_type, self.numel = key, storage_type, numel
        self.data = None  # np.ndarray of storage_type.dtype, filled after unpickling


class _TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def materialize(self) -> np.ndarray:
        data = self.storage.data
        if data is None:
            raise CheckpointFormatError(f"storage {self.storage.key!r} has no data")
        if not self.size:
            return np.array(data[self.offset])
        extent = self.offset + 1 + sum((n - 1) * s for n, s in zip(self.size, self.stride) if n > 0)
        if extent > data.size:
            raise CheckpointFormatError(f"tensor exceeds its storage {self.storage.key!r} ({extent} > {data.size})")
        view = np.lib.stride_tricks.as_strided(
            data[self.offset:], shape=self.size, strides=[s * data.itemsize for s in self.stride])
        return np.array(view)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, *args):
    return _TensorRef(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, *args):
    return data


_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, storages: Dict[str, _Storage]):
        super().__init__(file, encoding="utf-8")
        self.storages = storages

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise UnsafeCheckpointError(
            f"checkpoint references {module}.{name}, which a state dict never needs; refusing to load it")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise CheckpointFormatError(f"unsupported persistent id {pid!r}")
        storage_type, key, _location, numel = pid[1:5]
        if not isinstance(storage_type, _StorageType):
            raise UnsafeCheckpointError(f"storage of unsupported type {storage_type!r}")
        key = str(key)
        if key not in self.storages:
            self.storages[key] = _Storage(key, storage_type, int(numel))
        return self.storages[key]


def _bytes_to_array(raw: bytes, dtype) -> np.ndarray:
    if dtype == "bfloat16":  # upper half of a float32
        halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return halves.view(np.float32)
    return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))


def _read_zip(path: Path, archive: zipfile.ZipFile):
    pickles = [n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
    if len(pickles) != 1:
        raise CheckpointFormatError(f"{path}: expected one data.pkl in the zip, found {len(pickles)}")
    root = pickles[0][: -len("data.pkl")]
    storages: Dict[str, _Storage] = {}
    obj = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), storages).load()
    for key, storage in storages.items():
        try:
            raw = archive.read(f"{root}data/{key}")
        except KeyError:
            raise CheckpointFormatError(f"{path}: storage data/{key} is missing from the archive") from None
        storage.data = _bytes_to_array(raw, storage.storage_type.dtype)
    return obj


def _read_legacy(path: Path, file):
    try:
        magic = _RestrictedUnpickler(file, {}).load()
    except UnsafeCheckpointError:
        raise
    except Exception as error:
        raise CheckpointFormatError(f"{path}: not a PyTorch checkpoint ({error})") from None
    if magic != LEGACY_MAGIC:
        raise CheckpointFormatError(f"{path}: not a PyTorch checkpoint (bad magic number)")
    _RestrictedUnpickler(file, {}).load()  # protocol version
    _RestrictedUnpickler(file, {}).load()  # system info
    storages: Dict[str, _Storage] = {}
    obj = _RestrictedUnpickler(file, storages).load()
    keys = _RestrictedUnpickler(file, {}).load()
    for key in keys:
        storage = storages.get(str(key))
        if storage is None:
            raise CheckpointFormatError(f"{path}: storage {key!r} is listed but never referenced")
        header = file.read(8)
        if len(header) != 8:
            raise CheckpointFormatError(f"{path}: truncated (storage {key!r} has no size header)")
        (numel,) = struct.unpack("<q", header)
        itemsize = 2 if storage.storage_type.dtype == "bfloat16" else np.dtype(storage.storage_type.dtype).itemsize
        raw = file.read(numel * itemsize)
        if len(raw) != numel * itemsize:
            raise CheckpointFormatError(f"{path}: truncated inside storage {key!r}")
        storage.data = _bytes_to_array(raw, storage.storage_type.dtype)
    return obj


def _materialize(obj):
    if isinstance(obj, _TensorRef):
        return obj.materialize()
    if isinstance(obj, dict):
        return {k: _materialize(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_materialize(v) for v in obj)
    return obj


def _state_dict_of(path: Path, obj) -> Dict[str, np.ndarray]:
    if isinstance(obj, dict) and not all(isinstance(v, np.ndarray) for v in obj.values()):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(obj.get(key), dict):
                return _state_dict_of(path, obj[key])
        raise CheckpointFormatError(f"{path}: not a state dict (top-level keys {sorted(obj)[:8]})")
    if not isinstance(obj, dict):
        raise CheckpointFormatError(f"{path}: not a state dict (found {type(obj).__name__})")
    return dict(obj)


def _read_state_dict(path: Path) -> Dict[str, np.ndarray]:
    if path.suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as archive:
                state = {name: archive[name] for name in archive.files}
        except (ValueError, zipfile.BadZipFile, OSError) as error:
            raise CheckpointFormatError(f"{path}: unreadable .npz ({error})") from None
    elif zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                state = _state_dict_of(path, _materialize(_read_zip(path, archive)))
        except (zipfile.BadZipFile, EOFError, pickle.UnpicklingError) as error:
            if isinstance(error, UnsafeCheckpointError):
                raise
            raise CheckpointFormatError(f"{path}: corrupt checkpoint ({error})") from None
    else:
        with open(path, "rb") as file:
            try:
                state = _state_dict_of(path, _materialize(_read_legacy(path, file)))
            except (EOFError, pickle.UnpicklingError, struct.error) as error:
                if isinstance(error, UnsafeCheckpointError):
                    raise
                raise CheckpointFormatError(f"{path}: truncated or corrupt checkpoint ({error})") from None
    return state


def load_state_dict(path, skip_num_batches_tracked: bool = False) -> Dict[str, np.ndarray]:
    """Name -> NumPy array of a PyTorch checkpoint or ``.npz`` state dict, without torch.

    Args:
        path: ``.pth``/``.pt`` (zip or legacy format) or ``.npz``.
        skip_num_batches_tracked: drop BatchNorm ``num_batches_tracked`` counters.
    Raises:
        FileNotFoundError, CheckpointFormatError (truncated/corrupt/unknown,
        naming the file), UnsafeCheckpointError (a global outside the whitelist).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}")
    try:
        state = _read_state_dict(path)
    except CheckpointFormatError as error:
        if str(path) in str(error):
            raise
        raise CheckpointFormatError(f"{path}: {error}") from None
    if skip_num_batches_tracked:
        state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    return state
