"""``DatasetBuilderTestCase`` for builders that fetch through :func:`downloads.download_checked`.

TFDS's own URL check (``SKIP_CHECKSUMS = False``) asks for a sha256 line in ``checksums.tsv``
for every URL the builder downloads; here a published MD5 in ``published_checksums.tsv``
also counts, since that is what :func:`downloads.download_checked` verifies. The dummy
files cannot have the real archives' hashes, so the MD5 comparison itself is replaced by
a recorder, and the test asserts that every URL with a published MD5 went through it
(the comparison is tested against a loopback server in ``downloads_test.py``).
"""

from unittest import mock

import tensorflow_datasets as tfds

from tfds_builders.core import downloads


class CheckedDownloadTestCase(tfds.testing.DatasetBuilderTestCase):
    """Set ``DL_DOWNLOAD_RESULT`` and ``DL_EXTRACT_ONLY_RESULT`` (paths in ``dummy_data/``)."""

    def setUp(self):
        super().setUp()
        self._md5_checked = set()
        patcher = mock.patch.object(downloads, "verify_md5", lambda path, expected: self._md5_checked.add(expected.url))
        patcher.start()
        self.addCleanup(patcher.stop)

    def _test_checksums(self):
        module_file = self.dataset_class.code_path  # the builder module
        sha256_path, md5_path = downloads.checksum_files(module_file)
        published = downloads.load_published(md5_path)
        recorded = downloads.registered_urls(sha256_path) | set(published)
        missing = self._download_urls - recorded
        self.assertEmpty(missing, f"downloaded URLs without a checksum in {sha256_path} or {md5_path}")
        self.assertEmpty(
            (self._download_urls & set(published)) - self._md5_checked,
            "downloaded URLs whose published MD5 was not checked",
        )
