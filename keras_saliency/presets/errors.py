"""Errors raised while saving, finding, downloading or verifying presets."""


class PresetError(Exception):
    """A preset cannot be saved, found or loaded; the message says what to do."""


class PresetNotFoundError(PresetError):
    """No preset of that name, folder, Hub repository, revision or file."""


class PresetDownloadError(PresetError):
    """The Hub could not be reached or a download failed (nothing was kept)."""


class ChecksumMismatchError(PresetError):
    """A preset file's sha256 differs from the one recorded in its ``metadata.json``."""
