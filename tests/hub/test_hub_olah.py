"""Downloads against olah (a maintained Hub mirror, PyPI ``olah``) serving local git repos offline.

So that the server side is not only our own FakeHub. olah needs FastAPI & co., so it
lives in its own virtual environment: set ``KERAS_SALIENCY_OLAH`` to its ``olah-cli``,
put ``olah-cli`` on PATH, or create ``../venv-olah`` beside the checkout
(``python -m venv ../venv-olah && ../venv-olah/bin/pip install olah``). Skipped otherwise.
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from hub_test_utils import REPO_ROOT, files_under, point_client_at

from keras_saliency import presets
from keras_saliency.presets import ChecksumMismatchError, PresetNotFoundError


def _olah_cli():
    candidates = [os.environ.get("KERAS_SALIENCY_OLAH"), shutil.which("olah-cli")]
    candidates.append(str(REPO_ROOT.parent / "venv-olah" / "bin" / "olah-cli"))
    return next((c for c in candidates if c and Path(c).is_file()), None)


OLAH_CLI = _olah_cli()
pytestmark = [
    pytest.mark.skipif(OLAH_CLI is None, reason="olah-cli not found (KERAS_SALIENCY_OLAH, PATH, ../venv-olah)"),
    pytest.mark.skipif(shutil.which("git") is None, reason="olah mirrors git repositories; git is not installed"),
]


def _git(folder, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    return subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True, text=True).stdout


class Olah:
    def __init__(self, url, mirrors):
        self.url, self.mirrors = url, mirrors

    def add_repo(self, repo_id, files: dict) -> str:
        """Create ``<mirrors>/models/<org>/<name>`` as a git repo with ``files``; returns the commit sha."""
        folder = self.mirrors / "models" / repo_id
        folder.mkdir(parents=True)
        _git(folder, "init", "-q", "-b", "main")
        return self.commit(repo_id, files)

    def commit(self, repo_id, files: dict) -> str:
        folder = self.mirrors / "models" / repo_id
        for name, data in files.items():
            (folder / name).write_bytes(data)
        _git(folder, "add", "-A")
        _git(folder, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "update")
        return _git(folder, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def olah(tmp_path_factory):
    root = tmp_path_factory.mktemp("olah")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (root / "mirrors").mkdir()
    (root / "config.toml").write_text(
        f'[basic]\nhost = "127.0.0.1"\nport = {port}\nrepos-path = "{root / "repos"}"\n'
        f'mirrors-path = ["{root / "mirrors"}"]\n[accessibility]\noffline = true\n'
    )
    log = open(root / "olah.log", "wb")
    process = subprocess.Popen([OLAH_CLI, "-c", str(root / "config.toml")], cwd=root, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/models/none/none/revision/main", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"olah did not start: {(root / 'olah.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield Olah(url, root / "mirrors")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def via_olah(olah, monkeypatch, hub_cache):
    point_client_at(monkeypatch, olah.url, hub_cache)
    return olah


def _preset_files(preset) -> dict:
    return {p.name: p.read_bytes() for p in preset.iterdir()}


def test_pinned_and_branch_downloads_through_olah(via_olah, tiny_preset, repo_id):
    _, preset, images, expected = tiny_preset
    sha = via_olah.add_repo(repo_id, _preset_files(preset))
    for spec in (f"hf://{repo_id}@{sha}", f"hf://{repo_id}"):
        np.testing.assert_array_equal(np.asarray(presets.load(spec)(images)), expected)
    with pytest.raises(PresetNotFoundError, match="repository not found"):
        presets.load(f"hf://{repo_id}-missing")


def test_tampered_commit_through_olah_is_refused_and_leaves_nothing(via_olah, tiny_preset, repo_id, hub_cache):
    _, preset, _, _ = tiny_preset
    via_olah.add_repo(repo_id, _preset_files(preset))
    weights = bytearray((preset / "model.weights.h5").read_bytes())
    weights[-1] ^= 0xFF
    sha = via_olah.commit(repo_id, {"model.weights.h5": bytes(weights)})  # metadata.json not updated
    with pytest.raises(ChecksumMismatchError, match="model.weights.h5"):
        presets.load(f"hf://{repo_id}@{sha}")
    assert files_under(hub_cache) == []
