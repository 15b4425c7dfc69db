"""A Hugging Face Hub-compatible HTTP server on 127.0.0.1, for offline tests.

`FakeHub` serves model repositories from memory with the endpoints and headers
that the real `huggingface_hub` client uses, so tests exercise the client, its
cache and its error mapping without any network:

* downloads: ``GET /api/models/{repo}[/revision/{rev}]``,
  ``GET /api/models/{repo}/tree/{rev}``, ``HEAD``/``GET /{repo}/resolve/{rev}/{path}``
  (``X-Repo-Commit``, ``ETag`` = sha256, ``Content-Length``, ``Range`` -> 206);
* uploads (any ``Authorization`` header accepted, none -> 401): ``POST /api/validate-yaml``, ``/api/repos/create``,
  ``/api/models/{repo}/preupload/{rev}``, ``/api/models/{repo}/branch/{branch}``
  and ``/api/models/{repo}/commit/{rev}`` (NDJSON, inline base64 files);
* errors through ``X-Error-Code`` (``RepoNotFound``, ``RevisionNotFound``,
  ``EntryNotFound``), which the client maps to its exception classes.

Point the client at it with ``HF_ENDPOINT=hub.url`` set *before*
`huggingface_hub` (or keras, which imports it) is imported, plus
``HF_HUB_DISABLE_TELEMETRY=1`` and a dummy ``HF_TOKEN`` for uploads.

Faults for failure tests: `tamper` (serve other bytes under the committed
headers), `break_file` with ``"missing"`` (404), ``"truncated"`` (a short body
that announces its short length) or ``"drop_once"`` (the first GET closes the
connection one byte short; later ones honour ``Range``, so the client resumes
from the last 10 MiB chunk it wrote: use a file above 10 MiB to see a ``Range``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_GITATTRIBUTES = b"*.h5 filter=lfs diff=lfs merge=lfs -text\n"
_FAULTS = ("missing", "truncated", "drop_once")
_SHA_RE = re.compile(r"[0-9a-f]{40}")


@dataclass
class _Repo:
    branches: dict = field(default_factory=dict)  # branch -> commit sha
    commits: dict = field(default_factory=dict)  # commit sha -> {path: bytes}


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    range: str | None
    authorized: bool


class _HubError(LookupError):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class FakeHub:
    """In-memory Hub on ``127.0.0.1:<free port>``; use as a context manager or `start`/`stop`."""

    def __init__(self):
        self._repos: dict[str, _Repo] = {}
        self._tampered: dict[tuple[str, str], bytes] = {}
        self._faults: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._counter = 0
        self.requests: list[Request] = []
        self._server = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeHub:
        handler = type("Handler", (_Handler,), {"hub": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (the value for ``HF_ENDPOINT``)."""
        if self._server is None:
            raise RuntimeError("FakeHub is not started: call start() or use it as a context manager")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- content ---------------------------------------------------------------------------
    def create_repo(self, repo_id: str) -> str:
        """Create ``repo_id`` with an initial ``.gitattributes`` commit on ``main``; returns its sha."""
        _check_repo_id(repo_id)
        with self._lock:
            if repo_id in self._repos:
                raise ValueError(f"repository {repo_id!r} already exists")
            self._repos[repo_id] = _Repo()
        return self.commit(repo_id, {".gitattributes": _GITATTRIBUTES})

    def commit(self, repo_id: str, files: dict, *, branch: str = "main", deleted=()) -> str:
        """Add/replace ``files`` ({path: bytes}) and delete ``deleted`` on ``branch``; returns the commit sha."""
        with self._lock:
            repo = self._repo(repo_id)
            parent = repo.branches.get(branch)
            tree = dict(repo.commits[parent]) if parent else {}
            for path in deleted:
                tree.pop(path, None)
            tree.update({path: bytes(data) for path, data in files.items()})
            self._counter += 1
            digest = hashlib.sha1(f"{repo_id}\0{parent}\0{self._counter}".encode())
            for path in sorted(tree):
                digest.update(path.encode() + b"\0" + hashlib.sha256(tree[path]).digest())
            sha = digest.hexdigest()
            repo.commits[sha] = tree
            repo.branches[branch] = sha
            return sha

    def add_folder(self, repo_id: str, folder, *, branch: str = "main") -> str:
        """Commit every file under ``folder`` (creating the repo if needed); returns the commit sha."""
        if repo_id not in self._repos:
            self.create_repo(repo_id)
        root = Path(folder)
        files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        return self.commit(repo_id, files, branch=branch)

    def files(self, repo_id: str, revision: str = "main") -> dict:
        """{path: bytes} of ``repo_id`` at ``revision`` (as committed, ignoring faults)."""
        with self._lock:
            repo = self._repo(repo_id)
            return dict(repo.commits[self._resolve(repo, revision)])

    def tamper(self, repo_id: str, path: str, data: bytes) -> None:
        """Serve ``data`` for ``path`` at every revision, keeping the committed size/ETag/tree entry."""
        self._tampered[(repo_id, path)] = bytes(data)

    def break_file(self, repo_id: str, path: str, fault: str) -> None:
        """Make downloads of ``path`` fail: ``"missing"``, ``"truncated"`` or ``"drop_once"``."""
        if fault not in _FAULTS:
            raise ValueError(f"fault must be one of {_FAULTS}, got {fault!r}")
        self._faults[(repo_id, path)] = fault

    # -- internals used by the handler -----------------------------------------------------
    def _repo(self, repo_id: str) -> _Repo:
        try:
            return self._repos[repo_id]
        except KeyError:
            raise _HubError(404, "RepoNotFound", f"Repository {repo_id} not found") from None

    @staticmethod
    def _resolve(repo: _Repo, revision: str) -> str:
        if revision in repo.branches:
            return repo.branches[revision]
        if _SHA_RE.fullmatch(revision) and revision in repo.commits:
            return revision
        raise _HubError(404, "RevisionNotFound", f"Invalid rev id: {revision}")


def _check_repo_id(repo_id: str) -> None:
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
        raise ValueError(f"repo_id must look like 'org/name', got {repo_id!r}")


def _git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    # -- plumbing --------------------------------------------------------------------------
    def _dispatch(self, method):
        url = urlsplit(self.path)
        self.hub.requests.append(
            Request(method, url.path, self.headers.get("Range"), self.headers.get("Authorization") is not None)
        )
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) if method == "POST" else b""
        parts = [unquote(p) for p in url.path.split("/")[1:]]
        try:
            if method == "POST" and not self.headers.get("Authorization"):
                raise _HubError(401, "Unauthorized", "Invalid username or password.")
            self._route(method, parts, body)
        except _HubError as error:
            self._send_json({"error": error.message}, status=error.status, headers={"X-Error-Code": error.code})

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def _send(self, status, data=b"", headers=None, length=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_json(self, obj, status=200, headers=None):
        self._send(status, json.dumps(obj).encode(), {"Content-Type": "application/json", **(headers or {})})

    # -- routes ----------------------------------------------------------------------------
    def _route(self, method, parts, body):
        if method == "POST" and parts[:2] == ["api", "validate-yaml"]:
            return self._send_json({"errors": [], "warnings": []})
        if method == "POST" and parts[:3] == ["api", "repos", "create"]:
            return self._create_repo(json.loads(body))
        if parts[:2] == ["api", "models"] and len(parts) >= 4:
            repo_id, rest = "/".join(parts[2:4]), parts[4:]
            return self._api(method, repo_id, rest, body)
        if method in ("GET", "HEAD") and len(parts) >= 5 and parts[2] == "resolve":
            return self._resolve_file("/".join(parts[:2]), parts[3], "/".join(parts[4:]))
        raise _HubError(404, "NotFound", f"FakeHub does not serve {method} {self.path}")

    def _api(self, method, repo_id, rest, body):
        """``/api/models/{repo_id}/{action}/{revision or branch}[/path]`` (trees are always recursive)."""
        hub = self.hub
        action = rest[0] if rest else ""
        if action and len(rest) < 2:
            raise _HubError(400, "BadRequest", f"{self.path}: missing the revision after {action!r}")
        with hub._lock:
            repo = hub._repo(repo_id)
            read = method in ("GET", "HEAD")
            if read and action in ("", "revision"):
                sha = hub._resolve(repo, rest[1] if rest else "main")
                siblings = [{"rfilename": path} for path in sorted(repo.commits[sha])]
                return self._send_json({"id": repo_id, "modelId": repo_id, "sha": sha, "siblings": siblings})
            if read and action == "tree":
                tree = repo.commits[hub._resolve(repo, rest[1])]
                prefix = "/".join(rest[2:])
                return self._send_json(
                    [_tree_entry(p, d) for p, d in sorted(tree.items()) if not prefix or p.startswith(prefix + "/")]
                )
        if method == "POST" and action == "preupload":
            files = json.loads(body)["files"]
            return self._send_json(
                {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]}
            )
        if method == "POST" and action == "branch":
            with hub._lock:
                if rest[1] in repo.branches:
                    raise _HubError(409, "BranchExists", f"Branch {rest[1]} already exists")
                start = (json.loads(body or b"{}") or {}).get("startingPoint") or "main"
                repo.branches[rest[1]] = hub._resolve(repo, start)
            return self._send_json({})
        if method == "POST" and action == "commit":
            return self._commit(repo_id, rest[1], body)
        raise _HubError(404, "NotFound", f"FakeHub does not serve {method} {self.path}")

    def _create_repo(self, payload):
        repo_id = f"{payload['organization']}/{payload['name']}" if payload.get("organization") else payload["name"]
        url = f"{self.hub.url}/{repo_id}"
        if payload.get("type", "model") not in (None, "model"):
            raise _HubError(400, "BadRequest", "FakeHub serves model repositories only")
        try:
            self.hub.create_repo(repo_id)
        except ValueError as error:
            status = 409 if repo_id in self.hub._repos else 400
            return self._send_json({"error": str(error), "url": url}, status=status)
        return self._send_json({"url": url, "name": repo_id, "id": repo_id})

    def _commit(self, repo_id, branch, body):
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise _HubError(400, "BadRequest", "commit payload must start with a header line")
        files, deleted = {}, []
        for line in lines[1:]:
            key, value = line["key"], line["value"]
            if key == "file" and value.get("encoding") == "base64":
                files[value["path"]] = base64.b64decode(value["content"])
            elif key == "deletedFile":
                deleted.append(value["path"])
            else:
                raise _HubError(400, "BadRequest", f"FakeHub cannot apply commit operation {key!r}")
        with self.hub._lock:
            if branch not in self.hub._repo(repo_id).branches:
                raise _HubError(404, "RevisionNotFound", f"Invalid rev id: {branch}")
        sha = self.hub.commit(repo_id, files, branch=branch, deleted=deleted)
        return self._send_json(
            {"commitUrl": f"{self.hub.url}/{repo_id}/commit/{sha}", "commitOid": sha, "pullRequestUrl": None}
        )

    def _resolve_file(self, repo_id, revision, path):
        hub = self.hub
        with hub._lock:
            repo = hub._repo(repo_id)
            sha = hub._resolve(repo, revision)
            committed = repo.commits[sha].get(path)
        fault = hub._faults.get((repo_id, path))
        if committed is None or fault == "missing":
            raise _HubError(404, "EntryNotFound", f"{path} does not exist at {revision}")
        data = hub._tampered.get((repo_id, path), committed)
        headers = {
            "X-Repo-Commit": sha,
            "ETag": f'"{hashlib.sha256(committed).hexdigest()}"',
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
        }
        if self.command == "HEAD":
            return self._send(200, headers=headers, length=len(committed))
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        if match:
            start = int(match.group(1))
            end = int(match.group(2)) + 1 if match.group(2) else len(data)
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(data)}"
            return self._send(206, data[start:end], headers)
        if fault == "truncated":
            return self._send(200, data[: len(data) // 2], headers)
        if fault == "drop_once":
            del hub._faults[(repo_id, path)]
            self._send(200, data[:-1], headers, length=len(data))
            self.close_connection = True
            return None
        return self._send(200, data, headers)


def _tree_entry(path: str, data: bytes) -> dict:
    entry = {"type": "file", "path": path, "size": len(data), "oid": _git_blob_sha(data)}
    if path.endswith(".h5"):
        entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
    return entry
