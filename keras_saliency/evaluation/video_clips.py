"""Held-out-clip evaluation of video saliency: split by clip, training-clip centre bias, per-frame metrics.

The DHF1K protocol: every metric is computed on each frame that has fixations (the gaze samples of
every viewing at that frame; ``keras_saliency.metrics.DatasetEvaluation`` with one sample per frame),
averaged over the frames of a clip, then over clips. Information gain is over a centre bias fitted
(``EmpiricalCenterBias.fit``, folds by clip) on the training clips' fixations; sAUC's negatives are the
fixations of the clip's other frames. Models run through ``predict_video`` (a whole clip at once, so
recurrent models such as UNISAL's ConvGRU see the sequence: :func:`video_predictor`) or frame by frame
through ``predict_log_density`` (:func:`frame_predictor`).

```python
examples = builder.as_dataset(split="train", decoders={"frames": tfds.decode.SkipDecoding()})
gaze = read_clips(tfds.as_numpy(examples), with_frames=False)
split = clip_split([c.video_id for c in gaze], n_test=4, seed=0)
bias = clip_center_bias([c for c in gaze if c.video_id in split["train"]])
test = read_clips(tfds.as_numpy(builder.as_dataset(split="train")), split["test"])
scores = evaluate_clips(video_predictor(model), test, bias)   # {"per_clip": ..., "mean": ...}
```
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from keras_saliency.fixations import Fixations
from keras_saliency.maps import EmpiricalCenterBias
from keras_saliency.metrics import DatasetEvaluation
from keras_saliency.metrics.dataset import DEFAULT_METRICS

METRICS = DEFAULT_METRICS  # AUC-Judd, sAUC, NSS, CC, KLD, SIM, information gain
Predictor = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclasses.dataclass
class GazeClip:
    """One clip: ``fixations``, one :class:`Fixations` per frame (continuous 0-based pixels of a ``size``
    (H, W) frame), and ``frames`` uint8 (T, H, W, 3) RGB, or None for gaze only (e.g. a centre bias's clips)."""

    video_id: str
    size: Tuple[int, int]
    fixations: List[Fixations]
    frames: Optional[np.ndarray] = None

    def __post_init__(self):
        self.size = tuple(int(n) for n in self.size)
        if self.frames is None:
            return
        if self.frames.ndim != 4 or self.frames.shape[-1] != 3 or self.frames.shape[1:3] != self.size:
            raise ValueError(f"Clip {self.video_id!r}: `frames` must be (T, {self.size[0]}, {self.size[1]}, 3); "
                             f"got {self.frames.shape}.")
        if len(self.fixations) != len(self.frames):
            raise ValueError(f"Clip {self.video_id!r}: {len(self.fixations)} fixation sets for "
                             f"{len(self.frames)} frames.")


def read_clips(examples, video_ids: Optional[Sequence[str]] = None, size: Optional[Tuple[int, int]] = None,
               max_frames: Optional[int] = None, with_frames: bool = True) -> List[GazeClip]:
    """:class:`GazeClip` s of NumPy video examples (``tfds.as_numpy`` of a video builder: ``frames``, ``video_id``,
    ``fixations`` with ``x``, ``y``, ``frame``), in order; only ``video_ids`` if given (all must exist).

    ``size``: (H, W) to resize the frames to (fixations scaled with them); ``max_frames``: keep the first ones;
    ``with_frames=False``: gaze only, which also takes encoded frames (TFDS ``SkipDecoding``: only the first
    is decoded, for the size), so training clips need not sit decoded in memory.
    """
    import io

    from PIL import Image

    wanted = None if video_ids is None else {str(v) for v in video_ids}
    clips = []
    for example in examples:
        video_id = example["video_id"]
        video_id = video_id.decode() if isinstance(video_id, bytes) else str(video_id)
        if wanted is not None and video_id not in wanted:
            continue
        frames = np.asarray(example["frames"])[:max_frames]
        if frames.ndim == 1:  # encoded frames
            if with_frames:
                raise ValueError(f"Clip {video_id!r} has encoded frames; decode them, or pass with_frames=False.")
            width, height = Image.open(io.BytesIO(frames[0])).size
            original = (height, width)
        else:
            original = frames.shape[1:3]
        fix = example["fixations"]
        x, y = np.asarray(fix["x"], np.float64), np.asarray(fix["y"], np.float64)
        frame = np.asarray(fix["frame"], np.int64)
        target = tuple(size) if size is not None else tuple(original)
        if target != tuple(original):
            x, y = x * target[1] / original[1], y * target[0] / original[0]
            if with_frames:
                frames = np.stack([np.asarray(Image.fromarray(f).resize(target[::-1], Image.BILINEAR))
                                   for f in frames])
        per_frame = [Fixations(x[frame == t], y[frame == t]) for t in range(len(frames))]
        clips.append(GazeClip(video_id, target, per_frame, frames if with_frames else None))
    missing = sorted(wanted - {c.video_id for c in clips}) if wanted is not None else []
    if missing:
        raise ValueError(f"No clips {missing} in the examples.")
    return clips


def clip_split(video_ids: Sequence[str], n_test: int = 4, seed: int = 0) -> Dict[str, List[str]]:
    """``{"train": [...], "test": [...]}``: ``n_test`` clips drawn at random (``seed``), sorted; disjoint."""
    ids = sorted(str(v) for v in video_ids)
    if len(set(ids)) != len(ids):
        raise ValueError(f"`video_ids` has duplicates: {sorted({v for v in ids if ids.count(v) > 1})}.")
    if not 1 <= n_test < len(ids):
        raise ValueError(f"`n_test` must be in 1..{len(ids) - 1} (clips: {len(ids)}); got {n_test}.")
    test = set(np.random.default_rng(seed).choice(ids, n_test, replace=False).tolist())
    return {"train": [v for v in ids if v not in test], "test": sorted(test)}


def clip_center_bias(clips: Sequence[GazeClip]) -> EmpiricalCenterBias:
    """``EmpiricalCenterBias.fit`` on the clips' fixations, one fixation set per clip (its folds are by clip)."""
    pooled = [Fixations(np.concatenate([f.x for f in c.fixations]), np.concatenate([f.y for f in c.fixations]))
              for c in clips]
    return EmpiricalCenterBias.fit(pooled, [c.size for c in clips])


def video_predictor(model, **conditions) -> Predictor:
    """``(frames, indices) -> log-densities`` of ``model.predict_video`` on the whole clip, at ``indices``."""
    return lambda frames, indices: model.predict_video(frames, **conditions)[indices]


def frame_predictor(model, batch_size: Optional[int] = None, **conditions) -> Predictor:
    """``(frames, indices) -> log-densities`` of ``model.predict_log_density`` on each frame at ``indices`` alone."""
    return lambda frames, indices: model.predict_log_density(frames[indices], batch_size=batch_size, **conditions)


def center_bias_predictor(center_bias) -> Predictor:
    """``(frames, indices) -> log-densities``: the centre bias on every frame."""
    def predict(frames, indices):
        return np.broadcast_to(center_bias.log_density(frames.shape[1:3]), (len(indices),) + frames.shape[1:3])
    return predict


def evaluate_clips(predict: Predictor, clips: Sequence[GazeClip], center_bias, metrics: Sequence[str] = METRICS,
                   frame_step: int = 1) -> dict:
    """``{"per_clip": {video_id: {metric: mean over frames}}, "mean": {metric: mean over clips},
    "frames": {video_id: frames scored}}``.

    ``predict(frames, indices)``: log-densities (len(indices), H, W) of the clip's frames at ``indices``
    (:func:`video_predictor`, :func:`frame_predictor`); scored are the frames ``0, frame_step, ...`` that have
    fixations. ``center_bias``: the information-gain baseline (``.log_density(size)``).
    """
    if not clips:
        raise ValueError("`clips` is empty: nothing to evaluate.")
    if int(frame_step) != frame_step or frame_step < 1:
        raise ValueError(f"`frame_step` must be an integer >= 1; got {frame_step!r}.")
    per_clip, frames_scored = {}, {}
    for clip in clips:
        if clip.frames is None:
            raise ValueError(f"Clip {clip.video_id!r} was read without frames (with_frames=False): nothing to predict.")
        chosen = np.arange(0, len(clip.frames), frame_step)
        chosen = chosen[[len(clip.fixations[t]) > 0 for t in chosen]]
        if not len(chosen):
            raise ValueError(f"Clip {clip.video_id!r} has no fixations on the frames to score.")
        samples = [{"fixations": clip.fixations[t], "image_size": clip.size} for t in chosen]
        evaluation = DatasetEvaluation(samples, metrics, baseline=center_bias)
        predictions = np.asarray(predict(clip.frames, chosen))
        if predictions.shape != (len(chosen),) + clip.size:
            raise ValueError(f"Clip {clip.video_id!r}: the predictor gave {predictions.shape}; expected "
                             f"{(len(chosen),) + clip.size}.")
        result = evaluation.result([evaluation.image(i, predictions[i]) for i in evaluation.indices])
        per_clip[clip.video_id] = {m: float(np.mean(result.per_image[m])) for m in result.per_image}
        frames_scored[clip.video_id] = len(evaluation.indices)
    names = list(next(iter(per_clip.values())))
    mean = {m: float(np.mean([values[m] for values in per_clip.values()])) for m in names}
    return {"per_clip": per_clip, "mean": mean, "frames": frames_scored}
