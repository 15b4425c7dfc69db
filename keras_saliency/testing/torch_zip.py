"""PyTorch zip checkpoints written byte by byte, without torch (for testing checkpoint readers and converters).

The layout is the one ``torch.save`` writes since torch 1.6: ``archive/data.pkl``
(a protocol-2 pickle of an ``OrderedDict`` of ``torch._utils._rebuild_tensor_v2``
calls whose persistent ids name the storages) and ``archive/data/<key>`` holding
each storage's raw little-endian bytes.
"""

from __future__ import annotations

import struct
import zipfile
from typing import Dict

import numpy as np

_STORAGE_NAMES = {"float32": "FloatStorage", "float16": "HalfStorage", "int64": "LongStorage"}


def _global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _str(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def _int(value):
    if -2**31 <= value < 2**31:
        return b"J" + struct.pack("<i", value)
    data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(data)]) + data  # LONG1


def _ints(values):  # a tuple of ints
    return b"(" + b"".join(_int(v) for v in values) + b"t"


def write_torch_zip(path, tensors) -> None:
    """A checkpoint of ``{name: (storage, offset, size, stride)}``; ``storage`` is a 1-d float32/float16/int64
    NumPy array, offset/size/stride in elements; tensors may share a storage (the same array object)."""
    keys, blobs = {}, {}
    body = b"\x80\x02" + _global("collections", "OrderedDict") + b")R("
    for name, (storage, offset, size, stride) in tensors.items():
        key = keys.setdefault(id(storage), str(len(keys)))
        blobs[key] = storage.astype(storage.dtype.newbyteorder("<")).tobytes()
        pid = b"(" + _str("storage") + _global("torch", _STORAGE_NAMES[storage.dtype.name]) + _str(key) \
            + _str("cpu") + _int(storage.size) + b"tQ"
        body += _str(name) + _global("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + _int(offset) \
            + _ints(size) + _ints(stride) + b"\x89" + _global("collections", "OrderedDict") + b")RtR"
    body += b"u."
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", body)
        for key, blob in blobs.items():
            archive.writestr(f"archive/data/{key}", blob)


def write_state_dict(path, state: Dict[str, np.ndarray]) -> None:
    """A checkpoint of contiguous tensors ``{name: array}`` (float32, float16 or int64), one storage each."""
    tensors = {}
    for name, array in state.items():
        array = np.ascontiguousarray(array)
        strides = tuple(s // array.itemsize for s in array.strides)
        tensors[name] = (array.reshape(-1), 0, tuple(array.shape), strides)
    write_torch_zip(path, tensors)
