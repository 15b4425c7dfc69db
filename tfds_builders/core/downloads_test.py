"""Checked downloads against a real HTTP server on 127.0.0.1 (TFDS's real DownloadManager, no mocks)."""

import functools
import hashlib
import http.server
import threading

import pytest
import tensorflow_datasets as tfds
from tensorflow_datasets.core.download import download_manager

from tfds_builders.core import downloads

PAYLOAD = b"saliency archive stand-in\n" * 100


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, list of requested paths) of a server over a folder holding ``archive.zip``."""
    root = tmp_path_factory.mktemp("served")
    (root / "archive.zip").write_bytes(PAYLOAD)
    requested = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            requested.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requested
    httpd.shutdown()
    thread.join()


def _builder_file(folder, published=(), sha256_lines=()):
    """A stand-in builder module path whose folder holds the given checksum files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "published_checksums.tsv").write_text("# url md5 source\n" + "".join(f"{line}\n" for line in published))
    (folder / "checksums.tsv").write_text("".join(f"{line}\n" for line in sha256_lines))
    return str(folder / "builder.py")


def _manager(tmp_path, builder_file=None):
    url_infos = None
    if builder_file is not None:
        url_infos = tfds.core.download.checksums.load_url_infos(downloads.checksum_files(builder_file)[0])
    return tfds.download.DownloadManager(download_dir=str(tmp_path / "downloads"), url_infos=url_infos)


def test_right_md5_downloads(server, tmp_path):
    base, _ = server
    url = f"{base}/archive.zip"
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    builder_file = _builder_file(tmp_path / "b", published=[f"{url}\t{md5}\ttest"])
    path = downloads.download_checked(_manager(tmp_path), {"a": url}, builder_file)["a"]
    assert path.read_bytes() == PAYLOAD


def test_wrong_md5_names_file_expected_and_got(server, tmp_path):
    base, _ = server
    url = f"{base}/archive.zip"
    wrong = "0" * 32
    builder_file = _builder_file(tmp_path / "b", published=[f"{url}\t{wrong}\tsomeone's list"])
    with pytest.raises(downloads.ChecksumMismatchError) as error:
        downloads.download_checked(_manager(tmp_path), url, builder_file)
    message = str(error.value)
    assert url in message and wrong in message and hashlib.md5(PAYLOAD).hexdigest() in message
    assert "someone's list" in message and error.value.path.name  # the downloaded file is named


def test_unrecorded_url_is_refused_before_any_request(server, tmp_path):
    base, requested = server
    before = len(requested)
    with pytest.raises(downloads.UncheckedDownloadError, match="archive.zip"):
        downloads.download_checked(_manager(tmp_path), f"{base}/archive.zip", _builder_file(tmp_path / "b"))
    assert len(requested) == before


def test_tfds_sha256_line_is_enforced_by_tfds(server, tmp_path):
    base, _ = server
    url = f"{base}/archive.zip"
    right = f"{url}\t{len(PAYLOAD)}\t{hashlib.sha256(PAYLOAD).hexdigest()}\tarchive.zip"
    good = _builder_file(tmp_path / "good", sha256_lines=[right])
    assert downloads.download_checked(_manager(tmp_path / "g", good), url, good).read_bytes() == PAYLOAD
    bad = _builder_file(tmp_path / "bad", sha256_lines=[f"{url}\t{len(PAYLOAD)}\t{'f' * 64}\tarchive.zip"])
    with pytest.raises(download_manager.NonMatchingChecksumError, match="wrong checksum"):
        downloads.download_checked(_manager(tmp_path / "x", bad), url, bad)


def test_malformed_published_line_names_the_file(tmp_path):
    path = tmp_path / "published_checksums.tsv"
    path.write_text("http://x/a.zip\tnot-a-hash\tsrc\n")
    with pytest.raises(downloads.DatasetFileError, match="line 1"):
        downloads.load_published(path)
