"""A Hub that refuses or drops the connection: `push` and downloads fail with one line naming the cause."""

import socket
import threading

import pytest
from hub_test_utils import files_under, point_client_at

from keras_saliency import cli, presets


def _refusing_port():
    with socket.socket() as sock:  # bound then closed: connecting to it is refused
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dropping_port():
    """A server on 127.0.0.1 that accepts each connection, reads a little and closes it without answering."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.recv(1024)
    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.mark.parametrize("kind", ["refused", "dropped"])
def test_push_and_download_connection_errors_are_one_line(kind, tiny_preset, hub_cache, monkeypatch, capsys,
                                                           request):
    port = _refusing_port() if kind == "refused" else request.getfixturevalue("dropping_port")
    point_client_at(monkeypatch, f"http://127.0.0.1:{port}", hub_cache)
    monkeypatch.setattr(cli, "SUBCOMMANDS", ("push",))
    assert cli.main(["push", str(tiny_preset[1]), "org/tiny"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("keras-saliency push: error: pushing ") and err.count("\n") == 1
    assert f"the connection to the Hub (http://127.0.0.1:{port}) failed" in err and "push again" in err
    with pytest.raises(presets.PresetDownloadError, match="check the network|cannot be reached"):
        presets.load("hf://org/tiny")
    assert files_under(hub_cache) == []
