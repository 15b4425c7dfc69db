"""Writes a tiny eye_tracking_causality-like upstream layout to ``dummy_data/`` (random, never real data).

Run: python -m tfds_builders.eye_tracking_causality.make_dummy_data

Two H.264 ``.mov`` clips (clip_1: 6 frames, clip_2: 5 frames, 40x30 at 30 fps) and three participants'
``.mat`` files (one per condition), each with both clips viewed twice; gaze rows are screen pixels of the
1024x768 display (the clip drawn centred: clip x = screen x - 492, y = screen y - 369 at 40x30), with
NaN rows (blinks), off-screen rows and one row past the last frame, as upstream has.
"""

import pathlib

import numpy as np
import scipy.io

from tfds_builders.core import dummy

CLIPS = {1: 6, 2: 5}  # clip number: frames
PARTICIPANTS = (("causality", 1), ("counterfactuals", 2), ("observations", 3))
WIDTH, HEIGHT = 40, 30


def _write_clip(path: pathlib.Path, frames: np.ndarray) -> None:
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mov") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _viewing(rng: np.random.Generator, frames: int) -> np.ndarray:
    """(frames + 1, 5): x, y screen px, time ms, fixation flag, saccade code; some rows NaN or off screen."""
    x = 492 + rng.uniform(0, WIDTH, frames + 1)
    y = 369 + rng.uniform(0, HEIGHT, frames + 1)
    rows = np.stack([x, y, np.arange(frames + 1) * 1000 / 30, rng.integers(0, 2, frames + 1),
                     rng.choice([-1, 0, 1, 2], frames + 1)], axis=1)
    rows[1, :2] = np.nan  # a blink
    rows[2, 0] = 1895.0  # off screen
    rows[3, 1] = 350.0  # on screen, above the clip
    return rows


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    out = dummy.fresh_dir(out)
    rng = np.random.default_rng(0)
    for clip, frames in CLIPS.items():
        _write_clip(out / "videos" / "clips" / "actual" / f"clip_{clip}.mov",
                    rng.integers(0, 256, (frames, HEIGHT, WIDTH, 3), dtype=np.uint8))
    (out / "data" / "raw" / "mat").mkdir(parents=True)
    for condition, participant in PARTICIPANTS:
        movies = list(CLIPS)[::-1] if participant % 2 else list(CLIPS)
        cells = np.empty((len(movies), 2), dtype=object)
        for row, clip in enumerate(movies):
            for repetition in range(2):
                cells[row, repetition] = _viewing(rng, CLIPS[clip])
        data = {"participant": str(participant), "trial": np.arange(1, len(movies) + 1, dtype=np.float64)[None],
                "movie": np.array(movies, np.float64)[None], "outcome": np.ones((1, len(movies))),
                "rating": rng.uniform(0, 1000, (1, len(movies)))}
        scipy.io.savemat(out / "data" / "raw" / "mat" / f"{condition}_{participant}.mat", {"a": cells, "data": data})


if __name__ == "__main__":
    main()
