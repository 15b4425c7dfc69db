"""The motion baseline: mass follows the moving square, causal, streamed = whole clip, clear errors."""

import numpy as np
import pytest
from scipy.special import logsumexp

from keras_saliency.classical import FrameDifference


def _moving_square(frames=6, size=(40, 60)):
    """A bright 6x6 square moving 4 px right per frame on a grey background; its (row, column) centres."""
    video = np.full((frames, *size, 3), 100, np.uint8)
    centres = []
    for t in range(frames):
        column = 5 + 4 * t
        video[t, 17:23, column:column + 6] = 250
        centres.append((20, column + 3))
    return video, centres


def test_mass_follows_the_motion_and_frame_zero_is_uniform():
    video, centres = _moving_square()
    out = FrameDifference(sigma=0.05).predict_video(video)
    assert out.shape == (6, 40, 60) and out.dtype == np.float64
    np.testing.assert_allclose(logsumexp(out, axis=(1, 2)), 0.0, atol=1e-9)
    np.testing.assert_allclose(out[0], -np.log(40 * 60))  # no previous frame: uniform
    for t in range(1, 6):
        row, column = np.unravel_index(np.argmax(out[t]), out[t].shape)
        assert abs(row - 20) <= 3 and centres[t - 1][1] - 3 <= column <= centres[t][1] + 3
        far = out[t][:, :5].max() if centres[t][1] > 20 else out[t][:, -5:].max()
        assert out[t].max() > far + 1.0  # at least e times more likely at the motion than far from it
    # causal: frame t does not depend on later frames
    np.testing.assert_allclose(FrameDifference(sigma=0.05).predict_video(video[:3]), out[:3])


def test_stream_equals_the_whole_clip_and_errors_are_clear():
    video, _ = _moving_square()
    model = FrameDifference()
    np.testing.assert_allclose(np.concatenate(list(model.predict_video_stream(iter(video)))),
                               model.predict_video(video))
    with pytest.raises(ValueError, match="still image has no motion"):
        model.predict_log_density(video[:1])
    with pytest.raises(ValueError, match="no frames"):
        model.predict_video(np.zeros((0, 8, 8, 3)))
    with pytest.raises(ValueError, match="decay"):
        FrameDifference(decay=1.0)
    assert FrameDifference(**model.get_config()).get_config() == model.get_config()
