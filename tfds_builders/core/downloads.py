"""Checked downloads: every URL a builder fetches has a recorded checksum, or nothing is fetched.

Two files in a builder's folder record them:

* ``checksums.tsv``: TFDS's own file (``url<TAB>size<TAB>sha256[<TAB>filename]``). TFDS
  verifies these itself inside ``dl_manager.download``. Lines are added with
  ``tfds build --register_checksums`` by someone holding the real files.
* ``published_checksums.tsv``: MD5 hashes published by a third party for the same
  archives (``url<TAB>md5<TAB>source``, ``#`` comments allowed). TFDS cannot check MD5,
  so :func:`download_checked` does after the download, and raises
  :class:`ChecksumMismatchError` naming the file, the expected and the computed hash.

A URL in neither file raises :class:`UncheckedDownloadError` before any download starts.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Dict, Mapping, Union

from etils import epath

from tfds_builders.core.readers import DatasetFileError

Urls = Union[str, Mapping[str, str]]


class ChecksumMismatchError(DatasetFileError):
    """A downloaded file's hash differs from the recorded one."""


class UncheckedDownloadError(ValueError):
    """A builder asked for a URL that has no recorded checksum."""


@dataclasses.dataclass(frozen=True)
class PublishedChecksum:
    """An MD5 hash (lowercase hex) of the file at ``url``, as published by ``source``."""

    url: str
    md5: str
    source: str


def load_published(path) -> Dict[str, PublishedChecksum]:
    """{url: PublishedChecksum} of a ``published_checksums.tsv`` ({} when the file is absent)."""
    path = epath.Path(path)
    if not path.exists():
        return {}
    table = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or len(fields[1]) != 32:
            expected = "'url<TAB>md5 (32 hex digits)<TAB>source'"
            raise DatasetFileError(path, f"line {number}: expected {expected}, got {line!r}.")
        url, md5, source = fields
        table[url] = PublishedChecksum(url=url, md5=md5.lower(), source=source)
    return table


def registered_urls(path) -> set:
    """URLs with a sha256 line in a TFDS ``checksums.tsv`` (empty when the file is absent)."""
    path = epath.Path(path)
    if not path.exists():
        return set()
    return {line.split("\t")[0] for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}


def md5_of(path) -> str:
    """Lowercase hex MD5 of a file, read in 1 MiB blocks."""
    digest = hashlib.md5()
    with epath.Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_md5(path, expected: PublishedChecksum) -> None:
    """Raise :class:`ChecksumMismatchError` unless ``path`` has the published MD5."""
    got = md5_of(path)
    if got != expected.md5:
        raise ChecksumMismatchError(
            path,
            f"downloaded from {expected.url} has MD5 {got}, expected {expected.md5} ({expected.source}). "
            "The download is corrupt or the server now serves a different file; delete it and retry.",
        )


def checksum_files(builder_file) -> tuple:
    """(checksums.tsv, published_checksums.tsv) beside a builder module (``__file__``)."""
    folder = epath.Path(builder_file).parent
    return folder / "checksums.tsv", folder / "published_checksums.tsv"


def download_checked(dl_manager, urls: Urls, builder_file):
    """``dl_manager.download(urls)`` (same structure back), each file checked against its recorded hash.

    ``builder_file`` is the builder module's ``__file__``; its folder holds the checksum files.
    Extract the result with ``dl_manager.extract``.
    """
    sha256_path, md5_path = checksum_files(builder_file)
    registered, published = registered_urls(sha256_path), load_published(md5_path)
    wanted = list(urls.values()) if isinstance(urls, Mapping) else [urls]
    unchecked = sorted(u for u in wanted if u not in registered and u not in published)
    if unchecked:
        raise UncheckedDownloadError(
            f"no checksum recorded for {unchecked} in {sha256_path} or {md5_path}; "
            "refusing to download unchecked files."
        )
    paths = dl_manager.download(urls)
    pairs = [(urls[k], paths[k]) for k in urls] if isinstance(urls, Mapping) else [(urls, paths)]
    for url, path in pairs:
        if url in published:
            verify_md5(path, published[url])
    return paths
