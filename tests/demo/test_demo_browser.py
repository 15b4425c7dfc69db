"""The demo page in a real headless Chromium (Debian's ``chromium``, driven by Playwright): upload, result, screenshot."""

import io
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def demo_url():
    from keras_saliency.demo import DemoServer

    server = DemoServer(("127.0.0.1", 0), default_model="center_bias", max_upload_mb=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


def _browser(playwright, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("needs the Debian package chromium (apt-get install chromium): no chromium on PATH")
    return playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": 1200, "height": 700})


def _upload(page, demo_url, path, model_b="itti"):
    """Opens the page, picks ``model_b`` beside the default model and uploads ``path``."""
    page.goto(demo_url)
    page.wait_for_function("document.querySelectorAll('#modelB option').length > 2")
    page.select_option("#modelB", model_b)
    page.set_input_files("#file", str(path))


def test_upload_an_image_and_see_two_models_side_by_side(demo_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the dev extra)")

    with sync_api.sync_playwright() as playwright:
        context = _browser(playwright, tmp_path)
        try:
            page = context.new_page()
            _upload(page, demo_url, ROOT / "examples" / "images" / "chelsea_cat.jpg")
            page.wait_for_function("document.body.dataset.state === 'done'", timeout=60_000)
            figures = page.locator("figure.result")
            assert figures.count() == 2
            assert "center_bias" in figures.nth(0).inner_text() and "itti" in figures.nth(1).inner_text()
            assert page.locator(".marker").count() == 2
            shot = tmp_path / "demo.png"
            page.screenshot(path=str(shot), full_page=True)
            heatmap = np.asarray(Image.open(io.BytesIO(figures.nth(1).locator("img").screenshot())).convert("RGB"))
            assert heatmap.shape[0] > 50 and heatmap.std() > 20  # a picture, not a blank area

            page.set_input_files("#file", files=[{"name": "notes.png", "mimeType": "image/png",
                                                  "buffer": b"not an image at all"}])
            page.wait_for_function("document.body.dataset.state === 'error'", timeout=30_000)
            assert "not an image" in page.locator("#error").inner_text()
            assert page.locator("figure.result").count() == 0
        finally:
            context.close()


def test_upload_a_video_and_see_the_overlay_play(demo_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the dev extra)")
    pytest.importorskip("av", reason="video uploads need PyAV (the video extra)")
    from keras_saliency.video_io import write_video

    frames = []
    for t in range(8):  # a bright square moving right over a textured background
        frame = np.tile(np.linspace(30, 90, 160, dtype=np.uint8)[None, :, None], (120, 1, 3))
        frame[50:70, 20 + 15 * t:40 + 15 * t] = 250
        frames.append(frame)
    clip = write_video(tmp_path / "clip.mp4", frames, fps=4)
    with sync_api.sync_playwright() as playwright:
        context = _browser(playwright, tmp_path)
        try:
            page = context.new_page()
            _upload(page, demo_url, clip)
            page.wait_for_function("document.body.dataset.state === 'done'", timeout=120_000)
            assert page.locator("figure.result video").count() == 2
            assert "8 frames" in page.locator("figure.result").nth(1).inner_text()
            page.wait_for_function("[...document.querySelectorAll('video')].every((v) => v.readyState >= 2)",
                                   timeout=30_000)  # Chromium decoded the H.264 overlay
            assert page.evaluate("[...document.querySelectorAll('video')].map((v) => v.videoWidth)") == [160, 160]
            video, marker = page.locator("figure.result video").nth(1), page.locator(".marker").nth(1)
            left = []
            for seconds in (0.1, 1.9):  # the first and the last frame: the ring follows the square
                video.evaluate(f"(v) => {{ v.pause(); v.currentTime = {seconds}; }}")
                page.wait_for_function(f"document.querySelectorAll('.marker')[1].dataset.frame === "
                                       f"'{int(seconds * 4)}'", timeout=10_000)
                left.append(float(marker.evaluate("(m) => parseFloat(m.style.left)")))
            assert left[1] - left[0] > 40, left  # percent of the width: the square moved 105 of 160 px
            shown = np.asarray(Image.open(io.BytesIO(video.screenshot())).convert("RGB"))
            assert shown.shape[0] > 50 and shown.std() > 20  # a picture, not a blank area
        finally:
            context.close()
