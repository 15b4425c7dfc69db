"""A torch-free, safe reader for PyTorch checkpoints (``.pth``/``.pt``) and ``.npz`` state dicts.

Both PyTorch formats are parsed here without importing torch:

* the zip format (torch >= 1.6): ``<root>/data.pkl`` plus one file per storage
  under ``<root>/data/`` and an optional ``<root>/byteorder``;
* the legacy format: a magic-number pickle, protocol and system-info pickles,
  the main pickle, a pickle of storage keys, then each storage as an int64
  element count followed by raw little-endian bytes.

Unpickling is **restricted** and done by an own opcode reader
(`keras_saliency.convert.pickle_reader`, the protocol-2 subset torch writes): only the globals a
state dict needs are resolved (``collections.OrderedDict``, ``torch._utils._rebuild_tensor_v2`` /
``_rebuild_parameter`` and the typed ``torch.*Storage`` classes), each mapped
to a local stand-in; any other global raises :class:`UnsafeCheckpointError`,
so a malicious file cannot run code.

Parsing is **defensive**: every storage and tensor record is validated before
memory is touched (known dtype and byte order, storage sizes equal to the bytes
in the file, non-negative integer offsets, sizes and strides, every view inside
its storage), so a crafted or corrupt file raises a :class:`ValueError` naming
the file instead of reading outside a buffer.
"""

from __future__ import annotations

import collections
import io
import math
import pickle
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Dict

import numpy as np

from keras_saliency.convert.pickle_reader import PickleReader

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001

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
_NESTED_STATE_KEYS = ("state_dict", "model_state_dict", "model")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError,
               UnicodeDecodeError, OverflowError, struct.error)  # what zipfile raises on a corrupt archive


class CheckpointFormatError(ValueError):
    """The file is not a readable PyTorch checkpoint (truncated, corrupt, unknown layout)."""


class UnsafeCheckpointError(pickle.UnpicklingError, ValueError):
    """The checkpoint references a Python global outside the state-dict whitelist."""


class _StorageType:
    def __init__(self, name):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]
        self.itemsize = 2 if self.dtype == "bfloat16" else np.dtype(self.dtype).itemsize


class _Storage:
    def __init__(self, key, storage_type: _StorageType, numel):
        self.key, self.storage_type, self.numel = key, storage_type, numel
        self.nbytes = numel * storage_type.itemsize
        self.data = None  # np.ndarray of storage_type.dtype, set by the reader from exactly nbytes bytes

    def fill(self, raw: bytes) -> None:
        if len(raw) != self.nbytes:
            raise CheckpointFormatError(
                f"truncated or corrupt: storage {self.key!r} holds {len(raw)} bytes, expected {self.nbytes}")
        if self.storage_type.dtype == "bfloat16":  # upper half of a float32
            self.data = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            self.data = np.frombuffer(raw, dtype=np.dtype(self.storage_type.dtype).newbyteorder("<"))


def _is_index(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class _TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def materialize(self) -> np.ndarray:
        """The tensor's values, copied out of its storage after checking the view lies inside it."""
        storage, offset, size, stride = self.storage, self.offset, self.size, self.stride
        if not isinstance(storage, _Storage):
            raise CheckpointFormatError(f"a tensor's storage is a {type(storage).__name__}")
        name = f"tensor on storage {storage.key!r}"
        if not _is_index(offset):
            raise CheckpointFormatError(f"{name}: storage offset {offset!r} is not a non-negative integer")
        if not (isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride) <= 64
                and all(_is_index(v) for v in size + stride)):
            raise CheckpointFormatError(
                f"{name}: sizes {size!r} and strides {stride!r} are not equal-length tuples (at most 64) of "
                "non-negative integers")
        data = storage.data
        if 0 in size:
            if offset > data.size:
                raise CheckpointFormatError(f"{name}: offset {offset} is past the storage end ({data.size})")
            try:
                return np.empty(size, data.dtype)
            except ValueError as error:
                raise CheckpointFormatError(f"{name}: empty tensor of impossible shape {size} ({error})") from None
        extent = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
        if extent > data.size:
            raise CheckpointFormatError(f"{name} exceeds its storage ({extent} > {data.size} elements)")
        if math.prod(size) > data.size:
            raise CheckpointFormatError(
                f"{name}: {math.prod(size)} elements from a storage of {data.size} (overlapping views are not "
                "supported)")
        strides = [s * data.itemsize if n > 1 else 0 for n, s in zip(size, stride)]  # bounded by the extent
        return np.lib.stride_tricks.as_strided(data[offset:], shape=size, strides=strides, writeable=False).copy()


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, *args):
    return _TensorRef(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, *args):
    return data


_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}


def _find_class(module, name):
    if (module, name) in _ALLOWED:
        return _ALLOWED[(module, name)]
    if module == "torch" and name in _STORAGE_DTYPES:
        return _StorageType(name)
    if module == "torch" and name.endswith("Storage"):
        raise CheckpointFormatError(f"storage type torch.{name} is not supported")
    raise UnsafeCheckpointError(
        f"checkpoint references {module}.{name}, which a state dict never needs; refusing to load it")


def _persistent_load(storages: Dict[str, _Storage], pid):
    # zip: ("storage", type, key, location, numel); legacy adds view metadata (None for whole storages)
    if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == "storage"):
        raise CheckpointFormatError(f"unsupported persistent id {pid!r}"[:200])
    storage_type, key, _location, numel = pid[1:5]
    if not isinstance(storage_type, _StorageType):
        raise CheckpointFormatError(f"unknown storage type {storage_type!r}"[:200])
    if not isinstance(key, str) or not _is_index(numel):
        raise CheckpointFormatError(f"storage record with key {key!r} and size {numel!r}"[:200])
    if len(pid) == 6 and pid[5] is not None:
        raise CheckpointFormatError(f"storage {key!r}: legacy storage views are not supported")
    storage = storages.setdefault(key, _Storage(key, storage_type, numel))
    if storage.storage_type.name != storage_type.name or storage.numel != numel:
        raise CheckpointFormatError(f"storage {key!r} is declared twice with different types or sizes")
    return storage


def _unpickle(file, size: int, storages: Dict[str, _Storage]):
    """One restricted pickle; any failure on these bytes means a corrupt file."""
    reader = PickleReader(file, size, _find_class, lambda pid: _persistent_load(storages, pid),
                          callables=_ALLOWED.values())
    try:
        return reader.load()
    except (CheckpointFormatError, UnsafeCheckpointError):
        raise
    except Exception as error:  # noqa: BLE001 - a PickleFormatError, or a stand-in given arguments it rejects
        raise CheckpointFormatError(f"truncated or not a valid checkpoint (pickle: {error})"[:300]) from None


def _read_zip(archive: zipfile.ZipFile, file_size: int):
    for info in archive.infolist():
        if info.header_offset + info.compress_size > file_size:
            raise CheckpointFormatError(f"truncated: zip entry {info.filename!r} runs past the end of the file")
    names = set(archive.namelist())
    pickles = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
    if len(pickles) != 1:
        raise CheckpointFormatError(f"not a valid checkpoint: expected one data.pkl in the zip, found {len(pickles)}")
    root = pickles[0][: -len("data.pkl")]
    if f"{root}byteorder" in names:
        order = archive.read(f"{root}byteorder")
        if order != b"little":
            raise CheckpointFormatError(f"byte order {order[:20]!r} is not supported (only 'little')")
    storages: Dict[str, _Storage] = {}
    data = archive.read(pickles[0])
    obj = _unpickle(io.BytesIO(data), len(data), storages)
    for key, storage in storages.items():
        name = f"{root}data/{key}"
        if name not in names:
            raise CheckpointFormatError(f"storage data/{key} is missing from the archive")
        if archive.getinfo(name).file_size != storage.nbytes:
            raise CheckpointFormatError(f"storage data/{key} is not {storage.nbytes} bytes long")
        storage.fill(archive.read(name))
    return obj


def _read_legacy(file, file_size: int):
    if _unpickle(file, file_size, {}) != LEGACY_MAGIC:
        raise CheckpointFormatError("not a PyTorch checkpoint (bad magic number)")
    if _unpickle(file, file_size, {}) != LEGACY_PROTOCOL:
        raise CheckpointFormatError("not a valid checkpoint (unknown legacy protocol version)")
    info = _unpickle(file, file_size, {})
    if not (isinstance(info, dict) and info.get("little_endian") is True):
        raise CheckpointFormatError("byte order is not supported (only little-endian checkpoints)")
    storages: Dict[str, _Storage] = {}
    obj = _unpickle(file, file_size, storages)
    keys = _unpickle(file, file_size, {})
    if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys) and sorted(keys) == sorted(storages)):
        raise CheckpointFormatError("not a valid checkpoint: the storage list does not match the storages used")
    for key in keys:
        header = file.read(8)
        if len(header) != 8:
            raise CheckpointFormatError(f"truncated (storage {key!r} has no size header)")
        storage = storages[key]
        if struct.unpack("<q", header)[0] != storage.numel:
            raise CheckpointFormatError(f"not a valid checkpoint: storage {key!r} has a wrong size header")
        if storage.nbytes > file_size - file.tell():
            raise CheckpointFormatError(f"truncated inside storage {key!r}")
        storage.fill(file.read(storage.nbytes))
    return obj


def _state_dict_of(obj) -> Dict[str, np.ndarray]:
    seen = set()
    while isinstance(obj, dict) and id(obj) not in seen:
        seen.add(id(obj))
        if all(isinstance(k, str) and isinstance(v, _TensorRef) for k, v in obj.items()):
            return {k: v.materialize() for k, v in obj.items()}
        obj = next((obj[k] for k in _NESTED_STATE_KEYS if isinstance(obj.get(k), dict)), None)
        if obj is None:
            raise CheckpointFormatError("not a state dict (no dict of name -> tensor)")
    raise CheckpointFormatError(f"not a state dict (found {type(obj).__name__})")


def _read_state_dict(path: Path) -> Dict[str, np.ndarray]:
    if path.suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as archive:
                return {name: archive[name] for name in archive.files}
        except (ValueError, zipfile.BadZipFile, OSError) as error:
            raise CheckpointFormatError(f"{path}: unreadable .npz ({error})") from None
    file_size = path.stat().st_size
    with open(path, "rb") as file:
        if file.read(4) == b"PK\x03\x04":
            try:
                with zipfile.ZipFile(file) as archive:
                    return _state_dict_of(_read_zip(archive, file_size))
            except _ZIP_ERRORS as error:
                raise CheckpointFormatError(f"truncated or not a valid checkpoint (zip: {error})") from None
        file.seek(0)
        return _state_dict_of(_read_legacy(file, file_size))


def load_state_dict(path, skip_num_batches_tracked: bool = False) -> Dict[str, np.ndarray]:
    """Name -> NumPy array of a PyTorch checkpoint or ``.npz`` state dict, without torch.

    Args:
        path: ``.pth``/``.pt`` (zip or legacy format) or ``.npz``.
        skip_num_batches_tracked: drop BatchNorm ``num_batches_tracked`` counters.
    Raises:
        FileNotFoundError; CheckpointFormatError (a ValueError: truncated, corrupt, crafted or unknown
        layout, naming the file); UnsafeCheckpointError (also a ValueError: a global outside the whitelist).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}")
    try:
        state = _read_state_dict(path)
    except (CheckpointFormatError, UnsafeCheckpointError) as error:
        if str(path) in str(error):
            raise
        raise type(error)(f"{path}: {error}") from None
    if skip_num_batches_tracked:
        state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    return state
