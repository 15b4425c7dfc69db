"""The demo web app: a standard-library HTTP server and one static page (``index.html``).

Routes:

* ``GET /``: the page (drop an image or a video, pick one or two models, see the heatmap overlays,
  the most likely fixation and the two models side by side);
* ``GET /api/models``: JSON ``{"models": [...], "default": name}``: the classical models and
  the registered presets;
* ``POST /api/predict?model=A[&model=B]``: the body is the raw bytes of one image or video file
  (at most ``max_upload_bytes``; `keras_saliency.demo.uploads` tells which and sets the limits). An image
  answers JSON ``{"kind": "image", "width", "height", "results": [{"model", "overlay" (PNG data URL: the
  square root of the density as a heatmap over the image), "fixation": {"x", "y"} (pixel of the density's
  argmax, 0-based), "seconds"}]}``; a video ``{"kind": "video", "width", "height", "frames", "fps",
  "results": [{"model", "overlay" (H.264 MP4 data URL, the same heatmap on every frame), "fixations": [{"x",
  "y"} per frame], "seconds"}]}`` (``model.predict_video_stream``: UNISAL carries its recurrent state across
  the frames, image models predict frame by frame). Errors: ``{"error": message}`` with status 400 (bad
  file, unknown model, too large) / 500 (a model failed).

A model is anything ``--model`` takes (classical name, preset name or folder, ``hf://``)
or an exported ``.tflite`` / ``.onnx`` file or SavedModel folder
(`keras_saliency.export.load_exported`); loaded models are kept, and predictions run one
at a time. The server binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import base64
import io
import json
import tempfile
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np

from keras_saliency.demo.uploads import DemoError, VideoUpload, decode_image, is_video

PAGE = Path(__file__).with_name("index.html")
DEFAULT_MAX_UPLOAD_MB = 20
MAX_MODELS = 2
OVERLAY_ALPHA = 0.6


class Models:
    """Loads model specs once and runs predictions one at a time (a lock: Keras models are not re-entrant)."""

    def __init__(self):
        self.loaded, self.lock = {}, threading.Lock()

    @staticmethod
    def names() -> list:
        from keras_saliency.prediction import CLASSICAL_MODELS
        from keras_saliency.presets import registry

        return [*(p.name for p in registry.list_presets()), *CLASSICAL_MODELS]

    def get(self, spec: str):
        if spec not in self.loaded:
            self.loaded[spec] = _load(spec)
        return self.loaded[spec]

    def predict(self, spec: str, image: np.ndarray) -> dict:
        with self.lock:
            model = self.get(spec)
            start = time.perf_counter()
            log_density = model.predict_log_density(image[None].astype(np.float32))[0]
            seconds = time.perf_counter() - start
        return {"model": spec, "overlay": _png_data_url(_overlay(image, log_density)),
                "fixation": _fixation(log_density), "seconds": round(seconds, 3)}

    def predict_video(self, spec: str, reader) -> dict:
        from keras_saliency.video_prediction import predict_video_file

        with self.lock, tempfile.TemporaryDirectory(prefix="keras_saliency_demo_") as folder:
            model = self.get(spec)
            start = time.perf_counter()
            result = predict_video_file(reader, model, overlay_path=Path(folder) / "overlay.mp4", alpha=OVERLAY_ALPHA,
                                        overlay_map=_shown, progress=False)  # one decode: maps and overlay
            seconds = time.perf_counter() - start
            overlay = "data:video/mp4;base64," + base64.b64encode(result.overlay_path.read_bytes()).decode("ascii")
            fixations = [_fixation(d) for d in result.log_density]
        return {"model": spec, "overlay": overlay, "fixations": fixations, "seconds": round(seconds, 3)}


def _shown(log_density: np.ndarray) -> np.ndarray:
    """The square root of the density (a density is peaked: its root shows where else it is high)."""
    return np.exp(0.5 * log_density)


def _overlay(image: np.ndarray, log_density: np.ndarray) -> np.ndarray:
    from keras_saliency.visualize import overlay_heatmap

    return overlay_heatmap(image, _shown(log_density), alpha=OVERLAY_ALPHA)


def _fixation(log_density: np.ndarray) -> dict:
    row, col = np.unravel_index(int(np.argmax(log_density)), log_density.shape)
    return {"x": int(col), "y": int(row)}


def _load(spec: str):
    from keras_saliency.prediction import resolve_model

    path = Path(spec)
    try:
        if path.suffix in (".tflite", ".onnx") or (path.is_dir() and (path / "saved_model.pb").exists()):
            from keras_saliency.export import load_exported

            return load_exported(path)
        return resolve_model(spec)
    except Exception as error:  # unknown names, bad folders: the user's to fix
        raise DemoError(f"cannot load model {spec!r}: {error}") from None


def _png_data_url(image: np.ndarray) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class Handler(BaseHTTPRequestHandler):
    server: "DemoServer"

    def log_message(self, format, *args):  # one quiet line per request only with --verbose
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        route = urlparse(self.path).path
        if route in ("/", "/index.html"):
            self._send(HTTPStatus.OK, PAGE.read_bytes(), "text/html; charset=utf-8")
        elif route == "/api/models":
            self._json(HTTPStatus.OK, {"models": self.server.models.names(), "default": self.server.default_model})
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {route}"})

    def do_POST(self):
        url = urlparse(self.path)
        if url.path != "/api/predict":
            return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: {url.path}"})
        try:
            specs = [s for s in parse_qs(url.query).get("model", []) if s.strip()] or [self.server.default_model]
            if len(specs) > MAX_MODELS:
                raise DemoError(f"at most {MAX_MODELS} models at once; got {len(specs)}.")
            body = self._body()
            if is_video(body):
                with VideoUpload(body) as reader:
                    results = [self.server.models.predict_video(spec, reader) for spec in specs]
                    answer = {"kind": "video", "width": reader.width, "height": reader.height,
                              "frames": len(reader), "fps": reader.fps}
            else:
                image = decode_image(body)
                results = [self.server.models.predict(spec, image) for spec in specs]
                answer = {"kind": "image", "width": int(image.shape[1]), "height": int(image.shape[0])}
        except DemoError as error:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
        except Exception as error:  # a model's failure: one line for the page
            return self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{type(error).__name__}: {error}"})
        self._json(HTTPStatus.OK, {**answer, "results": results})

    def _body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise DemoError("the upload has no Content-Length.") from None
        limit = self.server.max_upload_bytes
        if length > limit:
            self.close_connection = True  # the body is not read
            raise DemoError(f"the upload is {length / 1e6:.1f} MB; this demo takes at most {limit / 1e6:.1f} MB "
                            "(--max-upload-mb).")
        return self.rfile.read(length)

    def _json(self, status, payload):
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status, body: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class DemoServer(ThreadingHTTPServer):
    """``DemoServer((host, port), default_model=..., max_upload_mb=...)``; ``serve_forever()`` runs it.

    Port 0 picks a free port (``server_address[1]`` tells which).
    """

    daemon_threads = True

    def __init__(self, address=("127.0.0.1", 0), default_model=None, max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
                 verbose: bool = False):
        from keras_saliency.prediction import DEFAULT_MODEL

        if not max_upload_mb > 0:
            raise ValueError(f"`max_upload_mb` must be positive; got {max_upload_mb!r}.")
        super().__init__(address, Handler)
        self.models, self.verbose = Models(), verbose
        self.default_model = default_model or DEFAULT_MODEL
        self.max_upload_bytes = int(max_upload_mb * 1e6)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8765, **kwargs) -> None:
    """Runs the demo until Ctrl-C."""
    server = DemoServer((host, port), **kwargs)
    print(f"keras-saliency demo on {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
