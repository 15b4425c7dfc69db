"""A small reader for the protocol-2 pickle opcodes that PyTorch checkpoints use, and nothing else.

It never imports or calls anything by itself: ``GLOBAL`` asks ``find_class(module, name)`` (which
refuses what it does not know), ``REDUCE`` calls only callables that ``find_class`` returned and
that are listed in ``callables``, ``BINPERSID`` asks ``persistent_load(pid)``. Supported opcodes:
PROTO (0 to 2), STOP, MARK, POP, DUP, the empty dict/list/tuple, TUPLE/TUPLE1-3, BINPUT,
LONG_BINPUT, BINGET, LONG_BINGET, BINUNICODE, BININT, BININT1, BININT2, LONG1, BINFLOAT, NONE,
NEWTRUE, NEWFALSE, GLOBAL, REDUCE, BUILD (on a dict: its state, e.g. a state dict's ``_metadata``,
is dropped), BINPERSID, SETITEM(S), APPEND(S). Any other opcode, a protocol above 2, a length
past the end of the data, a stack underflow or a missing memo entry is a :class:`PickleFormatError`.
The memo is a dict (no allocation sized by a crafted index) and the reader has no recursion.
"""

from __future__ import annotations

import struct
from typing import Callable, Collection

MAX_PROTOCOL = 2
_MAX_LINE = 256  # GLOBAL module and name lines


class PickleFormatError(ValueError):
    """The bytes are not a pickle this reader accepts (unknown opcode, truncated, inconsistent)."""


class _Mark:
    """The MARK on the stack."""


_MARK = _Mark()


class PickleReader:
    """``PickleReader(file, size, find_class, persistent_load, callables).load()`` -> the pickled object.

    ``file``: a binary file positioned at the pickle; ``size``: the file's total size in bytes
    (lengths read from the data are checked against it before reading).
    """

    def __init__(self, file, size: int, find_class: Callable, persistent_load: Callable,
                 callables: Collection = ()):
        self.file, self.size = file, size
        self.find_class, self.persistent_load = find_class, persistent_load
        self.callables = {id(c) for c in callables}
        self.stack, self.marks, self.memo = [], [], {}

    # --- reading ---------------------------------------------------------------------------------
    def _read(self, n: int) -> bytes:
        if n > self.size - self.file.tell():
            raise PickleFormatError(f"truncated: {n} bytes announced, fewer left")
        data = self.file.read(n)
        if len(data) != n:
            raise PickleFormatError(f"truncated: {n} bytes announced, {len(data)} left")
        return data

    def _line(self) -> str:
        line = self.file.readline(_MAX_LINE)
        if not line.endswith(b"\n"):
            raise PickleFormatError("GLOBAL name is not a short line")
        try:
            return line[:-1].decode("ascii")
        except UnicodeDecodeError:
            raise PickleFormatError("GLOBAL name is not ASCII") from None

    def _pop(self):
        if not self.stack or self.stack[-1] is _MARK:
            raise PickleFormatError("stack underflow")
        return self.stack.pop()

    def _top(self):
        if not self.stack or self.stack[-1] is _MARK:
            raise PickleFormatError("stack underflow")
        return self.stack[-1]

    def _pop_mark(self) -> list:
        if not self.marks:
            raise PickleFormatError("no MARK to pop to")
        start = self.marks.pop()
        items = self.stack[start + 1:]
        del self.stack[start:]
        return items

    def _top_of(self, kind, opcode: str):
        target = self._top()
        if not isinstance(target, kind):
            raise PickleFormatError(f"{opcode} on a {type(target).__name__}")
        return target

    # --- opcodes ---------------------------------------------------------------------------------
    def load(self):
        """Runs the opcodes up to STOP; returns the object on the stack."""
        dispatch = self._dispatch()
        while True:
            code = self.file.read(1)
            if not code:
                raise PickleFormatError("truncated: no STOP opcode")
            if code == b".":
                if len(self.stack) != 1 or self.marks:
                    raise PickleFormatError("STOP with an unbalanced stack")
                return self.stack.pop()
            handler = dispatch.get(code)
            if handler is None:
                raise PickleFormatError(f"pickle opcode {code!r} is not supported (torch checkpoints do not use it)")
            handler()

    def _dispatch(self) -> dict:
        push = self.stack.append
        unpack = struct.unpack
        return {
            b"\x80": self._proto,
            b"(": lambda: (self.marks.append(len(self.stack)), push(_MARK)),
            b"0": self._pop,
            b"2": lambda: push(self._top()),
            b"}": lambda: push({}),
            b"]": lambda: push([]),
            b")": lambda: push(()),
            b"t": lambda: push(tuple(self._pop_mark())),
            b"\x85": lambda: push((self._pop(),)),
            b"\x86": lambda: self._tuple(2),
            b"\x87": lambda: self._tuple(3),
            b"q": lambda: self._put(self._read(1)[0]),
            b"r": lambda: self._put(unpack("<I", self._read(4))[0]),
            b"h": lambda: self._get(self._read(1)[0]),
            b"j": lambda: self._get(unpack("<I", self._read(4))[0]),
            b"X": self._unicode,
            b"J": lambda: push(unpack("<i", self._read(4))[0]),
            b"K": lambda: push(self._read(1)[0]),
            b"M": lambda: push(unpack("<H", self._read(2))[0]),
            b"\x8a": lambda: push(int.from_bytes(self._read(self._read(1)[0]), "little", signed=True)),
            b"G": lambda: push(unpack(">d", self._read(8))[0]),
            b"N": lambda: push(None),
            b"\x88": lambda: push(True),
            b"\x89": lambda: push(False),
            b"c": self._global,
            b"R": self._reduce,
            b"b": self._build,
            b"Q": lambda: push(self.persistent_load(self._pop())),
            b"s": self._setitem,
            b"u": self._setitems,
            b"a": self._append,
            b"e": self._appends,
        }

    def _proto(self):
        protocol = self._read(1)[0]
        if protocol > MAX_PROTOCOL:
            raise PickleFormatError(f"pickle protocol {protocol} is not supported (torch.save writes protocol 2)")

    def _tuple(self, n: int):
        items = [self._pop() for _ in range(n)][::-1]
        self.stack.append(tuple(items))

    def _put(self, index: int):
        self.memo[index] = self._top()

    def _get(self, index: int):
        if index not in self.memo:
            raise PickleFormatError(f"memo entry {index} is read before it is written")
        self.stack.append(self.memo[index])

    def _unicode(self):
        (length,) = struct.unpack("<I", self._read(4))
        try:
            self.stack.append(self._read(length).decode("utf-8"))
        except UnicodeDecodeError:
            raise PickleFormatError("a string is not UTF-8") from None

    def _global(self):
        module, name = self._line(), self._line()
        self.stack.append(self.find_class(module, name))

    def _reduce(self):
        args, func = self._pop(), self._pop()
        if id(func) not in self.callables:
            raise PickleFormatError(f"REDUCE on a {type(func).__name__}, which is not an allowed callable")
        if not isinstance(args, tuple):
            raise PickleFormatError(f"REDUCE arguments are a {type(args).__name__}, not a tuple")
        self.stack.append(func(*args))

    def _build(self):
        state = self._pop()
        target = self._top()
        if not isinstance(target, dict) or not isinstance(state, (dict, type(None))):
            raise PickleFormatError(f"BUILD sets state on a {type(target).__name__.lstrip('_')}")

    def _setitem(self):
        value, key = self._pop(), self._pop()
        self._top_of(dict, "SETITEM")[key] = value

    def _setitems(self):
        items = self._pop_mark()
        if len(items) % 2:
            raise PickleFormatError("SETITEMS with an odd number of items")
        target = self._top_of(dict, "SETITEMS")
        for key, value in zip(items[::2], items[1::2]):
            target[key] = value

    def _append(self):
        value = self._pop()
        self._top_of(list, "APPEND").append(value)

    def _appends(self):
        items = self._pop_mark()
        self._top_of(list, "APPENDS").extend(items)
