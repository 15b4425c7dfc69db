"""Hub tests: the real `huggingface_hub` client against a `FakeHub` on 127.0.0.1.

Scoping: nothing here changes the process environment outside a hub test.
`huggingface_hub` reads ``HF_ENDPOINT`` & co. into `huggingface_hub.constants` when
it is first imported, which may already have happened (another test module of the
run imported keras). So the autouse `hub_env` fixture sets, for each hub test only
and undone after it, both the ``HF_*`` variables (read at call time and by
subprocesses) and the constants the client reads at call time. The autouse
`loopback_only` fixture refuses and records every connection to a host other than
127.0.0.1, and fails the test if there was one.
"""

import socket
import uuid

import numpy as np
import pytest
from hub_test_utils import point_client_at

from keras_saliency.testing.fake_hub import FakeHub

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="session")
def fake_hub():
    with FakeHub() as hub:
        yield hub


@pytest.fixture
def hub_cache(tmp_path_factory):
    """The test's empty Hugging Face cache folder (``HF_HUB_CACHE``), outside ``tmp_path``."""
    path = tmp_path_factory.mktemp("hf-home") / "hub"
    path.mkdir(parents=True)
    return path


@pytest.fixture(autouse=True)
def hub_env(monkeypatch, fake_hub, hub_cache):
    point_client_at(monkeypatch, fake_hub.url, hub_cache)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Refuse (and record) name resolution of any host but the loopback; fail the test if any."""
    refused = []
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in _LOOPBACK:
            refused.append(name)
            raise socket.gaierror(f"hub tests only reach 127.0.0.1; refused {name!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield refused
    assert not refused, f"a hub test tried to reach {refused}"


@pytest.fixture
def repo_id():
    """A fresh repository name for this test."""
    return f"test-org/tiny-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def tiny_preset(tmp_path):
    """(model, preset folder, inputs, expected log-densities) of a saved `TinySaliency` preset."""
    from keras_saliency import presets
    from keras_saliency.testing.tiny_model import tiny_model

    model = tiny_model()
    images = np.random.default_rng(0).random((2, 8, 12, 3)).astype("float32")
    metadata = {
        "name": "tiny",
        "description": "A 117-parameter test model.",
        "training_data": "none (random weights)",
        "license": "Apache-2.0",
        "metrics": [{"name": "NSS", "value": 0.5, "dataset": "toy", "command": "python -c 'print(0.5)'"}],
        "citations": ["@misc{tiny, title={Tiny}}"],
    }
    preset = presets.save(model, tmp_path / "presets" / "tiny", metadata)
    return model, preset, images, np.asarray(model(images))


@pytest.fixture
def empty_registry(monkeypatch, tmp_path):
    """(zoo, bundled): a registry with no presets, reading families and bundled presets from these empty folders."""
    from keras_saliency.presets import registry

    zoo, bundled = tmp_path / "zoo", tmp_path / "bundled"
    zoo.mkdir()
    bundled.mkdir()
    monkeypatch.setattr(registry, "_PRESETS", {})
    monkeypatch.setattr(registry, "_discovered", False)
    monkeypatch.setattr(registry, "ZOO_DIR", zoo)
    monkeypatch.setattr(registry, "BUNDLED_DIR", bundled)
    return zoo, bundled
