import numpy as np
import pytest
import tensorflow as tf

from keras_saliency import data


def _video_dataset(n_frames=(30, 8, 25), size=(12, 16)):
    """Videos whose frame t is filled with the value t, one fixation per frame at column t."""
    def gen():
        for i, t in enumerate(n_frames):
            frames = np.broadcast_to(np.arange(t, dtype=np.uint8)[:, None, None, None], (t, *size, 3)).copy()
            yield {
                "frames": frames,
                "video_id": f"v{i}",
                "fps": np.float32(30),
                "fixations": {"x": np.arange(t, dtype=np.float32) % size[1] + 0.5,
                              "y": np.full(t, 2.5, np.float32), "frame": np.arange(t, dtype=np.int32)},
                "saliency_maps": np.ones((t, *size, 1), np.uint8),
            }
    spec = {
        "frames": tf.TensorSpec((None, None, None, 3), tf.uint8), "video_id": tf.TensorSpec((), tf.string),
        "fps": tf.TensorSpec((), tf.float32),
        "fixations": {"x": tf.TensorSpec((None,), tf.float32), "y": tf.TensorSpec((None,), tf.float32),
                      "frame": tf.TensorSpec((None,), tf.int32)},
        "saliency_maps": tf.TensorSpec((None, None, None, 1), tf.uint8),
    }
    return tf.data.Dataset.from_generator(gen, output_signature=spec)


def test_clips_take_every_kth_frame_with_their_fixations():
    ds = data.video_clip_dataset(_video_dataset(), (12, 16), clip_length=4, frame_modulo=5, target="unisal", seed=7)
    clips, targets = next(ds.as_numpy_iterator())
    assert clips.shape == (2, 4, 12, 16, 3) and targets.shape == (2, 4, 12, 16, 2)  # the 8-frame video is skipped
    for clip, target in zip(clips, targets):
        frame_ids = clip[:, 0, 0, 0].astype(int)
        np.testing.assert_array_equal(np.diff(frame_ids), 5)
        for k, t in enumerate(frame_ids):
            rows, cols = np.nonzero(target[k, ..., 1])
            assert list(rows) == [2] and list(cols) == [t % 16]
        np.testing.assert_allclose(target[..., 0].sum(axis=(1, 2)), 1.0, rtol=1e-5)
    again, _ = next(data.video_clip_dataset(_video_dataset(), (12, 16), 4, 5, seed=7).as_numpy_iterator())
    np.testing.assert_array_equal(clips, again)


def test_clip_arguments():
    with pytest.raises(ValueError, match="target"):
        data.video_clip_dataset(_video_dataset(), (12, 16), target="fixations")
    with pytest.raises(ValueError, match="frame_modulo"):
        data.video_clip_dataset(_video_dataset(), (12, 16), frame_modulo=0)


IDS = [f"im{i:04d}" for i in range(1003)]


def test_kfold_is_a_reproducible_partition():
    splits = [data.kfold_split(IDS, fold, k=10, seed=0) for fold in range(10)]
    tests = [set(s["test"]) for s in splits]
    assert set().union(*tests) == set(IDS) and sum(map(len, tests)) == 1003
    assert {len(t) for t in tests} == {100, 101}
    for fold, s in enumerate(splits):
        assert set(s["validation"]) == tests[(fold + 1) % 10]
        assert set(s["train"]) | set(s["validation"]) | set(s["test"]) == set(IDS)
        assert not set(s["train"]) & (set(s["validation"]) | set(s["test"]))
    assert data.kfold_split(list(reversed(IDS)), 3, seed=0) == splits[3]
    assert data.kfold_split(IDS, 3, seed=1) != splits[3]


def test_few_shot_split():
    split = data.few_shot_split(IDS[:100], n_references=5, n_validation=10, seed=2)
    assert [len(split[k]) for k in ("references", "validation", "test")] == [5, 10, 85]
    assert set().union(*map(set, split.values())) == set(IDS[:100])
    assert data.few_shot_split(IDS[:100], 5, 10, seed=2) == split
    assert data.few_shot_split(IDS[:100], 5, 10, seed=3)["references"] != split["references"]
    with pytest.raises(ValueError, match="n_references"):
        data.few_shot_split(IDS[:10], 5, 5)
    with pytest.raises(ValueError, match="duplicates"):
        data.kfold_split(IDS[:20] + IDS[:1], 0)


def test_encoded_frames_give_the_same_clips_and_weights_follow():
    decoded = _video_dataset()
    encoded = decoded.map(lambda e: {**e, "frames": tf.map_fn(tf.io.encode_png, e["frames"],
                                                              fn_output_signature=tf.string)})
    kwargs = dict(clip_length=4, frame_modulo=5, seed=7, domain=1)
    want = next(data.video_clip_dataset(decoded, (12, 16), **kwargs).as_numpy_iterator())
    got = next(data.video_clip_dataset(encoded, (12, 16), sample_weight=0.5, **kwargs).as_numpy_iterator())
    assert len(want) == 2 and len(got) == 3
    np.testing.assert_array_equal(got[0]["image"], want[0]["image"])
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[0]["domain"], [1, 1])
    np.testing.assert_array_equal(got[2], [0.5, 0.5])
