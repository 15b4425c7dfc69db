"""Motion baseline for video: the smoothed absolute difference of consecutive frames.

Frame t's map is ``m_t = decay * m_{t-1} + (1 - decay) * blur(|g_t - g_{t-1}|)`` with ``g`` the
grey levels (0..1) and a Gaussian blur of ``sigma`` x the longer side; its density mixes
``m_t / sum(m_t)`` with a uniform density of weight ``uniform_weight``. Causal: frame 0 (no previous
frame) and frames without any change are uniform. A still image has no motion, so only the video
methods predict.
"""

from __future__ import annotations

from typing import Iterator, Optional

import numpy as np
from scipy import ndimage

from keras_saliency.classical._base import ClassicalModel

GREY = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 luma weights


class FrameDifference(ClassicalModel):
    """Smoothed absolute frame difference (see the module docstring); ``predict_video(frames)`` (T, H, W, 3)
    RGB 0..255 -> (T, H, W) float64 log-densities, ``predict_video_stream`` the same with the state carried."""

    name = "frame_difference"

    def __init__(self, sigma: float = 0.03, decay: float = 0.5, uniform_weight: float = 0.05):
        if not 0 < sigma < 1:
            raise ValueError(f"`sigma` must be in (0, 1) (fraction of the longer side); got {sigma!r}.")
        if not 0 <= decay < 1:
            raise ValueError(f"`decay` must be in [0, 1); got {decay!r}.")
        if not 0 < uniform_weight <= 1:
            raise ValueError(f"`uniform_weight` must be in (0, 1] (keeps every pixel possible); "
                             f"got {uniform_weight!r}.")
        self.sigma, self.decay, self.uniform_weight = float(sigma), float(decay), float(uniform_weight)

    def get_config(self) -> dict:
        return {"sigma": self.sigma, "decay": self.decay, "uniform_weight": self.uniform_weight}

    def saliency_map(self, rgb) -> np.ndarray:
        raise ValueError("FrameDifference is a motion baseline: a still image has no motion. Use "
                         "predict_video(frames) or predict_video_stream(frames) on consecutive frames.")

    def _log_densities(self, frames) -> Iterator[np.ndarray]:
        from keras_saliency.models.contract import frame_windows

        previous: Optional[np.ndarray] = None
        motion: Optional[np.ndarray] = None
        for window in frame_windows(frames, 1):
            grey = window[0].astype(np.float64) @ (GREY / 255.0)
            height, width = grey.shape
            if previous is None:
                motion = np.zeros_like(grey)
            else:
                if previous.shape != grey.shape:
                    raise ValueError(f"Frames change size from {previous.shape} to {grey.shape}.")
                change = ndimage.gaussian_filter(np.abs(grey - previous), self.sigma * max(height, width),
                                                 mode="constant")
                motion = self.decay * motion + (1 - self.decay) * change
            previous = grey
            density = np.full(grey.shape, 1.0 / grey.size)
            total = float(motion.sum())
            if total > 0:
                density = (1 - self.uniform_weight) * motion / total + self.uniform_weight * density
            yield np.log(density.astype(np.float64))[None]

    def predict_video(self, frames, *, batch_size=None, progress: bool = False, **conditions) -> np.ndarray:
        self._check_conditions((1, 1, 1), conditions)
        out = list(self._log_densities(frames))
        if not out:
            raise ValueError("`frames` is empty: the video has no frames.")
        return np.concatenate(out)

    def predict_video_stream(self, frames, *, batch_size=None, **conditions):
        self._check_conditions((1, 1, 1), conditions)
        yield from self._log_densities(frames)
