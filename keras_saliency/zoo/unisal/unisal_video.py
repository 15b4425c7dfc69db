"""Video inference as the reference does it: chunks carrying the hidden state, interleaved offsets.

A video of N frames is split into ``frame_modulo`` interleaved sub-sequences
(offset o takes frames o, o + k, o + 2k, ... with k = ``frame_modulo``: 5 for
DHF1K, 4 for Hollywood/UCF Sports; `keras_saliency.data.unisal_frame_modulo`), so the ConvGRU sees the frame rate it was
trained on; each sub-sequence runs in chunks of ``chunk_size`` frames (6 in the
reference) with the hidden state carried from chunk to chunk.

:func:`recurrent_inference_stream` does the same on a stream of frames (a video
file): it reads windows of ``chunk_size * frame_modulo`` consecutive frames, in
which every offset has exactly one chunk, so it computes the same chunks with the
same carried states as the whole clip at once while holding one window in memory.
Chunks of one shape recur (every full window), so after ``COMPILE_AFTER`` of them the model call runs
as one traced function (`keras_saliency.recurring_shapes.RecurringShapes`, TensorFlow); the first chunk
of each offset starts from zeros, the ConvGRU's own initial state.
"""

from __future__ import annotations

from typing import Iterator, Optional

import numpy as np
from PIL import Image

from keras_saliency.data.video import unisal_frame_modulo
from keras_saliency.recurring_shapes import RecurringShapes

COMPILE_AFTER = 4  # eager chunk calls of one shape before it is traced


def _check_arguments(input_size, chunk_size):
    if len(input_size) != 2 or any(int(n) <= 0 or int(n) % 32 for n in input_size):
        raise ValueError(f"`input_size` must be (H, W) with positive multiples of 32; got {tuple(input_size)}.")
    if chunk_size < 1:
        raise ValueError(f"`chunk_size` must be >= 1; got {chunk_size}.")


def recurrent_inference_stream(model, frames, domain: str = "DHF1K", input_size=(224, 384), chunk_size: int = 6,
                               frame_modulo: Optional[int] = None) -> Iterator[np.ndarray]:
    """Yields float32 log-densities (t, H, W) for an iterable of (H, W, 3) frames, window by window, in order.

    Arguments as in :func:`recurrent_inference`; the hidden state of each interleaved
    offset is carried from window to window, so the concatenated output equals
    :func:`recurrent_inference` on the whole clip.
    """
    from keras_saliency.models.contract import frame_windows

    _check_arguments(input_size, chunk_size)
    domain_id = np.array([model.domain_index(domain)], np.int32)
    static = model.is_static_domain(domain)
    steps = 1 if static else frame_modulo or unisal_frame_modulo(domain)
    zeros = np.zeros((1, input_size[0] // 32, input_size[1] // 32, model.recurrent.hidden_channels), np.float32)
    hidden, forward = {}, None
    for window in frame_windows(frames, chunk_size * steps):
        pixels = np.clip(np.rint(window), 0, 255).astype(np.uint8)
        height, width = pixels.shape[1:3]
        if forward is None:  # one traced call per chunk shape; the output size is the video's
            forward = RecurringShapes(lambda images, state, size=(height, width): model(
                {"image": images, "domain": domain_id, "hidden": state}, static=static, target_size=size,
                return_hidden=True), COMPILE_AFTER, variables=model.variables)
        resized = np.stack([np.asarray(Image.fromarray(f).resize(input_size[::-1], Image.LANCZOS)) for f in pixels])
        out = np.zeros((len(pixels), height, width), np.float32)
        for offset in range(min(steps, len(pixels))):
            index = np.arange(offset, len(pixels), steps)
            state = hidden.get(offset, zeros)
            log_density, hidden[offset] = forward(resized[index][None].astype(np.float32), state)
            out[index] = np.asarray(log_density)[0]
        yield out


def recurrent_inference(model, frames, domain: str = "DHF1K", input_size=(224, 384), chunk_size: int = 6,
                        frame_modulo: Optional[int] = None, progress: bool = True) -> np.ndarray:
    """Log-densities (T, H, W) of every frame at the original frame size.

    Args:
        model: a :class:`~keras_saliency.zoo.unisal.UNISAL`.
        frames: uint8 (T, H, W, 3) RGB frames.
        domain: the domain to run (its ``frame_modulo`` default comes from the reference).
            Static domains (``model.static_domains``, e.g. SALICON) run every frame
            through the Bypass-RNN's static path, as the reference does.
        input_size: network resolution (H, W), multiples of 32 (DHF1K: 224x384).
        progress: a progress bar in frames.
    """
    from tqdm.auto import tqdm

    _check_arguments(input_size, chunk_size)
    model.domain_index(domain)
    frames = np.asarray(frames, np.uint8)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"`frames` must be (T, H, W, 3) RGB; got shape {frames.shape}.")
    if len(frames) == 0:
        raise ValueError("The video has no frames.")
    outputs = []
    with tqdm(total=len(frames), disable=not progress, desc="UNISAL clip", unit="frame") as bar:
        for out in recurrent_inference_stream(model, frames, domain, input_size, chunk_size, frame_modulo):
            outputs.append(out)
            bar.update(len(out))
    return np.concatenate(outputs)
