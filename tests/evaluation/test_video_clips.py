"""The held-out-clip protocol on synthetic clips: split, centre bias, frames-then-clips averages, predictors."""

import numpy as np
import pytest

from keras_saliency import metrics
from keras_saliency.classical import FrameDifference
from keras_saliency.evaluation import video_clips as vc


def _examples(n=5, frames=6, size=(24, 32), seed=0):
    """NumPy video examples: a square moving right; each frame's 3 fixations on it (frame 2 has none)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        video = np.full((frames, *size, 3), 90, np.uint8)
        x, y, frame = [], [], []
        for t in range(frames):
            column = 2 + 4 * t
            video[t, 10:14, column:column + 4] = 240
            if t != 2:
                x += list(column + 2 + rng.normal(0, 0.5, 3))
                y += list(12 + rng.normal(0, 0.5, 3))
                frame += [t] * 3
        out.append({"video_id": f"clip_{i}".encode(), "frames": video,
                    "fixations": {"x": np.float32(x), "y": np.float32(y), "frame": np.int32(frame)}})
    return out


def test_split_is_seeded_disjoint_and_checked():
    ids = [f"clip_{k}" for k in range(17)]
    split = vc.clip_split(ids, n_test=4, seed=3)
    assert len(split["test"]) == 4 and not set(split["test"]) & set(split["train"])
    assert sorted(split["train"] + split["test"]) == sorted(ids) and split == vc.clip_split(ids[::-1], 4, seed=3)
    assert vc.clip_split(ids, 4, seed=4) != split
    with pytest.raises(ValueError, match="n_test"):
        vc.clip_split(ids[:4], n_test=4)


def test_scores_average_frames_then_clips_and_centre_bias_gains_nothing():
    clips = vc.read_clips(_examples())
    assert [len(f) for f in clips[0].fixations] == [3, 3, 0, 3, 3, 3]
    train, test = clips[:3], clips[3:]
    bias = vc.clip_center_bias(train)
    result = vc.evaluate_clips(vc.center_bias_predictor(bias), test, bias)
    assert result["frames"] == {"clip_3": 5, "clip_4": 5}  # the frame without fixations is not scored
    assert all(values["information_gain"] == 0.0 for values in result["per_clip"].values())
    # the same numbers by hand: keras_saliency.metrics per frame, mean over frames, then over clips
    by_hand = []
    for clip in test:
        samples = [{"fixations": f, "image_size": clip.size} for f in clip.fixations if len(f)]
        maps = [bias.log_density(clip.size)] * len(samples)
        by_hand.append(metrics.evaluate(maps, samples, vc.METRICS, baseline=bias).summary()["nss"]["by_image"])
    assert result["mean"]["nss"] == pytest.approx(np.mean(by_hand))
    motion = vc.evaluate_clips(vc.video_predictor(FrameDifference(sigma=0.05)), test, bias)
    assert motion["mean"]["nss"] > 1.0 and motion["mean"]["auc_judd"] > 0.8  # the gaze is on the moving square
    assert set(motion["mean"]) == set(vc.METRICS) and all(np.isfinite(v) for v in motion["mean"].values())


def test_resizing_scales_fixations_and_bad_inputs_are_clear():
    small = vc.read_clips(_examples(n=1), size=(12, 16))[0]
    full = vc.read_clips(_examples(n=1))[0]
    assert small.frames.shape == (6, 12, 16, 3)
    np.testing.assert_allclose(small.fixations[0].x, full.fixations[0].x / 2)
    with pytest.raises(ValueError, match=r"No clips \['clip_9'\]"):
        vc.read_clips(_examples(n=1), video_ids=["clip_9"])
    bias = vc.clip_center_bias(vc.read_clips(_examples(n=2)))
    with pytest.raises(ValueError, match="predictor gave"):
        vc.evaluate_clips(lambda frames, indices: np.zeros((1, 3, 3)), [full], bias)
    with pytest.raises(ValueError, match="frame_step"):
        vc.evaluate_clips(vc.center_bias_predictor(bias), [full], bias, frame_step=0)


def test_gaze_only_clips_read_encoded_frames():
    import io

    from PIL import Image

    def png(frame):
        buffer = io.BytesIO()
        Image.fromarray(frame).save(buffer, format="PNG")
        return buffer.getvalue()

    examples = _examples(n=2)
    encoded = [{**e, "frames": np.array([png(f) for f in e["frames"]], dtype=object)} for e in examples]
    gaze = vc.read_clips(encoded, size=(12, 16), with_frames=False)
    full = vc.read_clips(examples, size=(12, 16))
    assert [c.frames for c in gaze] == [None, None] and gaze[1].size == (12, 16)
    np.testing.assert_allclose(gaze[1].fixations[3].x, full[1].fixations[3].x)
    assert vc.clip_center_bias(gaze).bandwidth == vc.clip_center_bias(full).bandwidth
    with pytest.raises(ValueError, match="encoded frames"):
        vc.read_clips(encoded)
    with pytest.raises(ValueError, match="without frames"):
        vc.evaluate_clips(vc.center_bias_predictor(vc.clip_center_bias(gaze)), gaze, vc.clip_center_bias(gaze))
