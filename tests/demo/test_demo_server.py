"""The demo's HTTP API without a browser: models list, a prediction, and the errors for bad requests."""

import io
import json
import threading
import urllib.request

import numpy as np
import pytest
from PIL import Image

from demo_support import post
from keras_saliency.demo import DemoServer


@pytest.fixture(scope="module")
def url():
    server = DemoServer(("127.0.0.1", 0), default_model="center_bias", max_upload_mb=0.05)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    assert server.server_address[0] == "127.0.0.1"
    yield server.url
    server.shutdown()
    server.server_close()


def _png(height=30, width=40):
    image = np.zeros((height, width, 3), np.uint8)
    image[5:10, 30:35] = 255  # one bright spot
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_page_models_and_a_prediction(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        assert b'id="drop"' in response.read()
    with urllib.request.urlopen(f"{url}api/models", timeout=30) as response:
        answer = json.load(response)
    assert {"center_bias", "gbvs", "itti"} <= set(answer["models"]) and answer["default"] == "center_bias"
    status, answer = post(url, _png(), "model=center_bias&model=itti")
    assert status == 200 and (answer["width"], answer["height"]) == (40, 30)
    assert [r["model"] for r in answer["results"]] == ["center_bias", "itti"]
    centre = answer["results"][0]["fixation"]
    assert abs(centre["x"] - 19.5) <= 1 and abs(centre["y"] - 14.5) <= 1  # the centre bias peaks in the middle
    assert answer["results"][0]["overlay"].startswith("data:image/png;base64,")


@pytest.mark.parametrize("body,query,status,message", [
    (b"", "model=center_bias", 400, "the upload is empty"),
    (b"GIF89a broken", "model=center_bias", 400, "not an image this demo can read"),
    (b"x" * 60_000, "model=center_bias", 400, "at most 0.1 MB"),
    (None, "model=no_such_model", 400, "cannot load model 'no_such_model'"),
    (None, "model=gbvs&model=itti&model=center_bias", 400, "at most 2 models"),
])
def test_bad_requests_get_a_clear_error(url, body, query, status, message):
    got, answer = post(url, _png() if body is None else body, query)
    assert got == status and message in answer["error"]
