"""``keras-saliency convert deepgaze_iie``: bad files give one clear error line and leave nothing behind."""

import pickle
import zipfile

import numpy as np
import pytest

from keras_saliency.cli import main
from keras_saliency.testing.torch_zip import write_state_dict


class _Evil:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned > /dev/null",))


@pytest.fixture
def files(tmp_path):
    """A small readout-only checkpoint, a centre bias, and the bad variants."""
    rng = np.random.default_rng(0)
    good = {"models.0.saliency_networks.0.layernorm0.weight": rng.normal(size=8).astype(np.float32),
            "models.0.finalizers.0.gauss.sigma": np.float32(8.0).reshape(())}
    write_state_dict(tmp_path / "deepgaze2e.pth", good)
    data = (tmp_path / "deepgaze2e.pth").read_bytes()
    (tmp_path / "truncated.pth").write_bytes(data[: len(data) // 2])
    write_state_dict(tmp_path / "weights_best.pth", {"cnn.features.0.0.weight": rng.normal(size=(32, 3, 3, 3)).astype(
        np.float32), "rnn.cell_list.0.w_r.conv_dw.weight": rng.normal(size=(256, 1, 3, 3)).astype(np.float32)})
    with zipfile.ZipFile(tmp_path / "evil.pth", "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"weight": _Evil()}, protocol=2))
    np.save(tmp_path / "centerbias_mit1003.npy", rng.normal(size=(64, 64)))
    np.save(tmp_path / "centerbias_3d.npy", rng.normal(size=(64, 64, 3)))
    np.save(tmp_path / "centerbias_int.npy", np.zeros((64, 64), np.int64))
    return tmp_path


@pytest.mark.parametrize("checkpoint, centerbias, message", [
    ("truncated.pth", "centerbias_mit1003.npy", "truncated.pth: truncated or not a valid checkpoint"),
    ("weights_best.pth", "centerbias_mit1003.npy", "weights_best.pth does not fit DeepGaze IIE: no DeepGaze readout "
                                                   "tensors (models.<b>.saliency_networks.<k>.*)"),
    ("deepgaze2e.pth", "centerbias_mit1003.npy", "deepgaze2e.pth does not fit DeepGaze IIE: no backbone tensors "
                                                 "(models.0.features.features.1.*) for resnet50"),
    ("evil.pth", "centerbias_mit1003.npy", "system, which a state dict never needs; refusing to load it"),
    ("deepgaze2e.pth", "centerbias_3d.npy", "centerbias_3d.npy: a centre bias must be a 2-D float log-density "
                                            "(e.g. 1024x1024); got shape (64, 64, 3)"),
    ("deepgaze2e.pth", "centerbias_int.npy", "got shape (64, 64), dtype int64"),
    ("deepgaze2e.pth", "absent.npy", "--centerbias"),
])
def test_bad_files_are_one_clear_error_and_leave_nothing(files, checkpoint, centerbias, message, capsys):
    out = files / "presets" / "deepgaze_iie"
    argv = ["convert", "deepgaze_iie", str(files / checkpoint), "--centerbias", str(files / centerbias), "-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("keras-saliency convert: error:") and err.count("\n") == 1, err
    assert message in err, err
    assert not out.exists() and not (files / "presets").exists()


def test_options_of_the_other_family_are_refused(files, capsys):
    argv = ["convert", "unisal", str(files / "weights_best.pth"), "--centerbias",
            str(files / "centerbias_mit1003.npy"), "-o", str(files / "p")]
    assert main(argv) == 2
    assert "--centerbias applies to deepgaze_iie checkpoints, not unisal" in capsys.readouterr().err
