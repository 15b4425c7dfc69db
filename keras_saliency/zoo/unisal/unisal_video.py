"""Video inference as the reference does it: chunks carrying the hidden state, interleaved offsets.

A video of N frames is split into ``frame_modulo`` interleaved sub-sequences
(offset o takes frames o, o + k, o + 2k, ... with k = ``frame_modulo``: 5 for
DHF1K, 4 for Hollywood/UCF Sports), so the ConvGRU sees the frame rate it was
trained on; each sub-sequence runs in chunks of ``chunk_size`` frames (6 in the
reference) with the hidden state carried from chunk to chunk.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PIL import Image

FRAME_MODULO = {"DHF1K": 5, "Hollywood": 4, "UCFSports": 4}


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
    """
    from tqdm.auto import tqdm

    if len(input_size) != 2 or any(int(n) <= 0 or int(n) % 32 for n in input_size):
        raise ValueError(f"`input_size` must be (H, W) with positive multiples of 32; got {tuple(input_size)}.")
    if chunk_size < 1:
        raise ValueError(f"`chunk_size` must be >= 1; got {chunk_size}.")
    domain_id = np.array([model.domain_index(domain)], np.int32)
    static = model.is_static_domain(domain)
    frames = np.asarray(frames, np.uint8)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"`frames` must be (T, H, W, 3) RGB; got shape {frames.shape}.")
    if len(frames) == 0:
        raise ValueError("The video has no frames.")
    steps = 1 if static else frame_modulo or FRAME_MODULO.get(domain, 1)
    height, width = frames.shape[1:3]
    resized = np.stack([np.asarray(Image.fromarray(f).resize(input_size[::-1], Image.LANCZOS)) for f in frames])
    out = np.zeros((len(frames), height, width), np.float32)
    chunks = [(o, idx[i:i + chunk_size]) for o in range(steps) for idx in [np.arange(o, len(frames), steps)]
              for i in range(0, len(idx), chunk_size)]
    hidden = {}
    for offset, index in tqdm(chunks, disable=not progress, desc="UNISAL clip", unit="chunk"):
        inputs = {"image": resized[index][None].astype(np.float32), "domain": domain_id}
        if offset in hidden:
            inputs["hidden"] = hidden[offset]
        log_density, hidden[offset] = model(inputs, static=static, target_size=(height, width), return_hidden=True)
        out[index] = np.asarray(log_density)[0]
    return out
