"""Fuzz worker for ``load_state_dict``, run in a subprocess so that a crash fails the calling test.

``python checkpoint_fuzz.py CHECKPOINT SCRATCH --mode raw|pickle --cases N --seed S`` mutates
CHECKPOINT (``raw``: bytes of the file; ``pickle``: bytes of a zip's ``data.pkl``, re-zipped so that
the CRC matches) with seeded single-byte changes, runs and truncations, loads every result and prints
a JSON summary. A load must give a dict of str -> arrays of known dtypes within the file's size, equal
to the unmutated one up to the mutated bytes when only tensor data changed, or raise a ValueError
naming the file; anything else is listed under ``failures``.
"""

import argparse
import json
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

from keras_saliency.convert import load_state_dict

DTYPES = {np.dtype(t) for t in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")}


def payload_ranges(data: bytes, reference) -> list:
    """(start, stop) of each reference tensor's bytes found once in the file (tensor data payloads)."""
    ranges = []
    for array in reference.values():
        blob = array.tobytes()
        start = data.find(blob) if len(blob) >= 64 else -1
        if start >= 0 and data.find(blob, start + 1) < 0:
            ranges.append((start, start + len(blob)))
    return ranges


def mutate(rng, data: bytes, hot: int):
    """(kind, start, stop, new bytes for data[start:stop]; empty for a truncation at start); positions
    favour the first ``hot`` bytes."""
    kind = str(rng.choice(["byte", "run", "truncate"], p=[0.5, 0.4, 0.1]))
    start = int(rng.integers(0, hot if rng.random() < 0.9 else len(data)))
    if kind == "truncate":
        return kind, start, len(data), b""
    stop = min(start + (1 if kind == "byte" else int(rng.integers(2, 17))), len(data))
    if kind == "byte":
        new = bytes([(data[start] + int(rng.integers(1, 256))) % 256])
    elif rng.random() < 0.3:
        new = bytes([int(rng.choice([0x00, 0xFF, 0x7F, 0x80]))] * (stop - start))
    else:
        new = rng.integers(0, 256, stop - start, dtype=np.uint8).tobytes()
    return kind, start, stop, new


def write_case(file, data: bytes, start: int, stop: int, new: bytes):
    """Apply a mutation to the copy of ``data`` open as ``file``; returns the function undoing it."""
    if new:
        file.seek(start)
        file.write(new)
    else:
        file.truncate(start)
    file.flush()

    def undo():
        file.seek(start)
        file.write(data[start:stop])
        file.flush()
    return undo


def check(path: Path, reference, span, in_payload: bool):
    """("loaded" or "rejected", None when the load of ``path`` behaves, else what went wrong)."""
    try:
        state = load_state_dict(path)
    except ValueError as error:
        return "rejected", None if str(path) in str(error) else f"ValueError without the file name: {error}"
    except Exception as error:  # noqa: BLE001 - any other exception is the failure this worker reports
        return "rejected", f"{type(error).__name__}: {error}"
    return "loaded", _problem(state, path, reference, span, in_payload)


def _problem(state, path: Path, reference, span, in_payload: bool):
    if not isinstance(state, dict):
        return f"returned a {type(state).__name__}"
    size = path.stat().st_size
    for name, value in state.items():
        if not (isinstance(name, str) and isinstance(value, np.ndarray) and value.dtype in DTYPES
                and value.nbytes <= size):
            return f"bad entry {name!r}: {type(value).__name__} {getattr(value, 'dtype', '')}"
    if in_payload:
        if list(state) != list(reference) or any(
                (state[k].shape, state[k].dtype) != (v.shape, v.dtype) for k, v in reference.items()):
            return "a data-only mutation changed names, shapes or dtypes"
        changed = sum(int(np.count_nonzero(np.frombuffer(state[k].tobytes(), np.uint8)
                                           != np.frombuffer(v.tobytes(), np.uint8))) for k, v in reference.items())
        if changed > span[1] - span[0]:
            return f"a mutation of {span[1] - span[0]} data bytes changed {changed} bytes"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("scratch", type=Path)
    parser.add_argument("--mode", choices=["raw", "pickle"], default="raw")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    reference = load_state_dict(args.checkpoint)
    data = args.checkpoint.read_bytes()
    if args.mode == "pickle":
        with zipfile.ZipFile(args.checkpoint) as archive:
            entries = {name: archive.read(name) for name in archive.namelist()}
        pkl = next(name for name in entries if name.endswith("data.pkl"))
        target, ranges = entries[pkl], []
    else:
        target, ranges = data, payload_ranges(data, reference)
    hot = min([start for start, _ in ranges] + [len(target)])  # the metadata before the first payload
    path = args.scratch / "case.pth"
    path.write_bytes(data)
    counts, failures, begin = {"loaded": 0, "rejected": 0}, [], time.perf_counter()
    with open(path, "r+b") as file:
        for case in range(args.cases):
            kind, start, stop, new = mutate(rng, target, hot)
            if args.mode == "pickle":
                with zipfile.ZipFile(path, "w") as archive:
                    for name, blob in entries.items():
                        archive.writestr(name, target[:start] + new + target[stop:] if name == pkl else blob)
                undo = None
            else:  # patched in place: a large checkpoint is not rewritten per case
                undo = write_case(file, data, start, stop, new)
            in_payload = bool(new) and any(a <= start and stop <= b for a, b in ranges)
            outcome, problem = check(path, reference, (start, stop), in_payload)
            counts[outcome] += 1
            if problem is not None:
                failures.append(f"case {case} ({kind} at {start}:{stop}): {problem}"[:400])
            if undo is not None:
                undo()
    json.dump({"cases": args.cases, **counts, "failures": failures, "seconds": time.perf_counter() - begin},
              sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
