"""Presets on the Hugging Face Hub: ``"hf://org/name[@revision]"``, `download_preset`, `push_to_hub`.

``revision`` is a branch, a tag or a 40-hex commit sha: pin the sha for
reproducible results. Hub presets are fetched with ``huggingface_hub.snapshot_download``
into its cache (``HF_HUB_CACHE``; resumable, each file moved in atomically), then
every file's sha256 is checked against ``metadata.json`` before Keras reads
anything. A failed or rejected download is rolled back, so no partial file stays
in the cache. This module does not import Keras (``huggingface_hub`` only on use).

The usual ``huggingface_hub`` variables apply (``HF_ENDPOINT``, ``HF_HOME``,
``HF_HUB_CACHE``, ``HF_HUB_OFFLINE``, ``HF_TOKEN``); set them before
``huggingface_hub`` is imported (importing keras imports it).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import keras_saliency
from keras_saliency.presets.cache_rollback import rollback_on_error
from keras_saliency.presets.errors import ChecksumMismatchError, PresetDownloadError, PresetError, PresetNotFoundError
from keras_saliency.presets.files import PRESET_FILES, verify_preset_dir

HF_PREFIX = "hf://"
_REPO_RE = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
_REVISION_RE = re.compile(r"[^\s@]+")
_SHA_RE = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class HubPreset:
    """A preset on the Hub: ``repo_id`` and an optional ``revision`` (branch, tag or commit sha)."""

    repo_id: str
    revision: str | None = None

    @property
    def pinned(self) -> bool:
        """Whether the revision is a commit sha (immutable)."""
        return self.revision is not None and bool(_SHA_RE.fullmatch(self.revision))

    def __str__(self) -> str:
        return f"{HF_PREFIX}{self.repo_id}" + (f"@{self.revision}" if self.revision else "")


def parse_hub_preset(spec: str) -> HubPreset:
    """Parse ``"hf://org/name[@revision]"``; `ValueError` naming the bad part otherwise."""
    if not isinstance(spec, str) or not spec.startswith(HF_PREFIX):
        raise ValueError(f"a Hub preset must look like 'hf://org/name[@revision]', got {spec!r}")
    repo_id, sep, revision = spec[len(HF_PREFIX) :].partition("@")
    if not _REPO_RE.fullmatch(repo_id):
        raise ValueError(f"{spec!r}: the repository must be 'org/name' (letters, digits, '_.-'), got {repo_id!r}")
    if sep and not _REVISION_RE.fullmatch(revision):
        raise ValueError(f"{spec!r}: the revision after '@' must be a branch, tag or commit sha, got {revision!r}")
    return HubPreset(repo_id, revision or None)


def download_preset(hub_preset: HubPreset, *, cache_dir=None) -> Path:
    """Fetch a Hub preset into the ``huggingface_hub`` cache and verify it; returns its snapshot folder."""
    import huggingface_hub
    from huggingface_hub import constants
    from huggingface_hub.errors import (
        HfHubHTTPError,
        IncompleteSnapshotError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )
    from huggingface_hub.file_download import repo_folder_name

    cache = Path(cache_dir or constants.HF_HUB_CACHE)
    folder_name = repo_folder_name(repo_id=hub_preset.repo_id, repo_type="model")
    where = f"{hub_preset} (endpoint {constants.ENDPOINT}, cache {cache})"
    try:
        with rollback_on_error(cache / folder_name, cache / ".locks" / folder_name):
            snapshot = huggingface_hub.snapshot_download(
                hub_preset.repo_id,
                revision=hub_preset.revision,
                cache_dir=cache,
                allow_patterns=list(PRESET_FILES),
                library_name="keras-saliency",
                library_version=keras_saliency.__version__,
            )
            verify_preset_dir(snapshot)
    except ChecksumMismatchError as error:
        if Path(snapshot).exists():  # not rolled back: it was cached before this call
            raise ChecksumMismatchError(
                f"{error}. This copy was already cached: delete {snapshot} to fetch it again"
            ) from None
        raise ChecksumMismatchError(
            f"{where}: files differ from its metadata.json, nothing was kept: {error}"
        ) from None
    except RevisionNotFoundError:
        raise PresetNotFoundError(f"{where}: revision {hub_preset.revision!r} does not exist") from None
    except RepositoryNotFoundError:
        raise PresetNotFoundError(
            f"{where}: repository not found (or private, and no valid HF_TOKEN was given)"
        ) from None
    except RemoteEntryNotFoundError as error:
        raise PresetDownloadError(
            f"{where}: a file listed by the Hub cannot be downloaded: {_http_error(error)}"
        ) from None
    except IncompleteSnapshotError as error:
        raise PresetDownloadError(
            f"{where}: the cached copy is incomplete and the Hub cannot be reached: {_first_line(error)}"
        ) from None
    except (LocalEntryNotFoundError, OfflineModeIsEnabled) as error:
        cause = error.__cause__
        if constants.HF_HUB_OFFLINE:
            reason = "HF_HUB_OFFLINE is set; download it once online (or use a local preset folder)"
        elif isinstance(cause, HfHubHTTPError):
            reason = f"the Hub answered {_http_error(cause)}"
        else:
            reason = f"the Hub cannot be reached ({_first_line(cause or error)})"
        raise PresetDownloadError(f"{where} is not in the local cache and {reason}") from None
    except HfHubHTTPError as error:
        raise PresetDownloadError(f"{where}: the Hub answered {_http_error(error)}") from None
    except _connection_errors() as error:  # refused, reset, dropped mid-answer, timed out
        raise PresetDownloadError(f"{where}: the connection to the Hub failed, nothing was kept: "
                                  f"{_first_line(error)}; check the network (or HF_ENDPOINT) and retry") from None
    except OSError as error:
        raise PresetDownloadError(f"{where}: download failed, nothing was kept: {_first_line(error)}") from None
    return Path(snapshot)


def push_to_hub(preset_dir, repo_id: str, *, revision=None, commit_message=None, private=False) -> HubPreset:
    """Upload a preset folder to ``repo_id`` (created if needed); returns the pinned `HubPreset`.

    ``revision``: target branch (created from ``main`` if missing; default ``main``).
    The preset is verified first and must state its ``license``. Needs a token
    (``hf auth login`` or ``HF_TOKEN``).
    """
    import huggingface_hub
    from huggingface_hub import constants
    from huggingface_hub.errors import HfHubHTTPError

    if not _REPO_RE.fullmatch(str(repo_id)):
        raise ValueError(f"repo_id must be 'org/name' (letters, digits, '_.-'), got {repo_id!r}")
    if revision is not None and not _REVISION_RE.fullmatch(str(revision)):
        raise ValueError(f"revision must be a branch name without spaces or '@', got {revision!r}")
    metadata = verify_preset_dir(preset_dir)
    if not metadata.get("license"):
        raise PresetError(
            f"{preset_dir}: refusing to publish a preset without a licence; save it again with "
            "metadata={'license': ...} (the licence must allow the training data's terms)"
        )
    if huggingface_hub.get_token() is None:
        raise PresetError("no Hugging Face token: run `hf auth login` or set HF_TOKEN (write access)")
    api = huggingface_hub.HfApi(library_name="keras-saliency", library_version=keras_saliency.__version__)
    message = commit_message or f"Upload {metadata.get('name') or metadata['model_class']} preset"
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        if revision not in (None, "main"):
            api.create_branch(repo_id, branch=revision, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            folder_path=str(preset_dir),
            revision=revision,
            commit_message=message,
            allow_patterns=list(PRESET_FILES),
        )
    except HfHubHTTPError as error:
        if getattr(error.response, "status_code", None) in (401, 403):
            raise PresetError(
                f"the Hub refused the token for {repo_id} ({_http_error(error)}): "
                "run `hf auth login` or set HF_TOKEN with write access"
            ) from None
        raise PresetDownloadError(f"pushing {preset_dir} to {repo_id} failed: {_http_error(error)}") from None
    except _connection_errors() as error:  # refused, reset, dropped mid-answer, timed out
        raise PresetDownloadError(
            f"pushing {preset_dir} to {repo_id} failed: the connection to the Hub ({constants.ENDPOINT}) failed: "
            f"{_first_line(error)}; check the network (or HF_ENDPOINT) and push again"
        ) from None
    return HubPreset(repo_id, commit.oid)


def _connection_errors() -> tuple:
    """The transport errors of the HTTP client huggingface_hub uses (httpx or its fork httpx2; requests'
    errors are OSErrors): a connection refused, reset or dropped, a timeout."""
    errors = [OSError]
    for name in ("httpx2", "httpx"):
        if importlib.util.find_spec(name) is not None:
            errors.append(importlib.import_module(name).TransportError)
    return tuple(errors)


def _http_error(error) -> str:
    status = getattr(error.response, "status_code", "?")
    return f"HTTP {status}: {error.server_message or _first_line(error)}"


def _first_line(error) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
