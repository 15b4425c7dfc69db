"""The demo's video uploads through its HTTP API: per-frame fixations, the overlay video, and bad videos."""

import base64
import threading

import numpy as np
import pytest

pytest.importorskip("av", reason="video uploads need PyAV (the video extra)")

from demo_support import post  # noqa: E402
from keras_saliency.demo import DemoServer  # noqa: E402
from keras_saliency.video_io import VideoReader, write_video  # noqa: E402

HEIGHT, WIDTH, FRAMES = 48, 64, 6


@pytest.fixture(scope="module")
def url():
    server = DemoServer(("127.0.0.1", 0), default_model="center_bias", max_upload_mb=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.url
    server.shutdown()
    server.server_close()


def _spot_columns():
    return [8 + 9 * t for t in range(FRAMES)]  # a bright square moving right, one step per frame


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    frames = []
    for column in _spot_columns():
        frame = np.full((HEIGHT, WIDTH, 3), 20, np.uint8)
        frame[20:28, column - 4:column + 4] = 250
        frames.append(frame)
    path = tmp_path_factory.mktemp("clip") / "spot.mp4"
    write_video(path, frames, fps=10)
    return path.read_bytes()


def test_a_video_gets_a_fixation_per_frame_and_an_overlay_video(url, clip, tmp_path):
    status, answer = post(url, clip, "model=center_bias&model=itti")
    assert status == 200, answer
    assert (answer["kind"], answer["width"], answer["height"], answer["frames"]) == ("video", WIDTH, HEIGHT, FRAMES)
    assert answer["fps"] == pytest.approx(10)
    centre, itti = answer["results"]
    assert {(f["x"], f["y"]) for f in centre["fixations"]} <= {(31, 23), (32, 23), (31, 24), (32, 24)}
    columns = [f["x"] for f in itti["fixations"]]  # the bright square is the most salient thing in each frame
    assert len(columns) == FRAMES and np.all(np.abs(np.array(columns) - _spot_columns()) <= 6), columns
    prefix = "data:video/mp4;base64,"
    assert itti["overlay"].startswith(prefix)
    (tmp_path / "overlay.mp4").write_bytes(base64.b64decode(itti["overlay"][len(prefix):]))
    overlay = VideoReader(tmp_path / "overlay.mp4")
    assert overlay.shape == (FRAMES, HEIGHT, WIDTH, 3) and overlay.fps == pytest.approx(10)
    assert overlay.read_all().std() > 10  # a heatmap over the frames, not a blank video


def test_bad_videos_get_a_clear_error(url, clip, monkeypatch):
    status, answer = post(url, clip[: len(clip) // 2], "model=center_bias")
    assert status == 400 and "not a video this demo can read" in answer["error"], answer
    assert "keras_saliency_demo_" not in answer["error"]  # the server's temporary path is not shown
    monkeypatch.setattr("keras_saliency.demo.uploads.MAX_VIDEO_FRAMES", FRAMES - 1)
    status, answer = post(url, clip, "model=center_bias")
    assert status == 400 and f"at most {FRAMES - 1} frames" in answer["error"], answer
