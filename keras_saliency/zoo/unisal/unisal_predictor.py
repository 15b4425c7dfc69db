"""UNISAL behind the `keras_saliency.predict` protocol: images through an image domain, videos by clip.

Images run one at a time in ``image_domain`` (default: the model's first static
domain, e.g. SALICON, else its first domain) at the UNISAL grid-rule size
(`keras_saliency.data.optimal_size`: about 110 cells of 32 px with the image's aspect
ratio, e.g. 288x384 for 4:3), Lanczos-resized as in
:func:`~keras_saliency.zoo.unisal.predict_video`; the output is resized back bilinearly
inside the model and renormalised. Videos go through
:func:`~keras_saliency.zoo.unisal.predict_video` in ``video_domain`` (default: the first
video domain, e.g. DHF1K) at ``video_input_size``.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from keras_saliency.zoo.unisal.unisal_video import predict_video


class UnisalPredictor:
    """``predict_log_density(image) -> (H, W)`` and ``predict_video(frames) -> (T, H, W)`` of a UNISAL."""

    def __init__(self, model, image_domain=None, video_domain=None, video_input_size=(224, 384)):
        static = [d for d in model.domains if model.is_static_domain(d)]
        video = [d for d in model.domains if not model.is_static_domain(d)]
        self.model = model
        self.image_domain = image_domain or (static or model.domains)[0]
        self.video_domain = video_domain or (video or model.domains)[0]
        self.video_input_size = tuple(video_input_size)
        for domain in (self.image_domain, self.video_domain):
            model.domain_index(domain)  # an unknown name raises here, naming the model's domains

    def predict_log_density(self, image: np.ndarray) -> np.ndarray:
        from keras_saliency.data.sizes import optimal_size

        image = np.asarray(image, np.uint8)
        height, width = image.shape[:2]
        size = optimal_size(height, width)
        x = np.asarray(Image.fromarray(image).resize(size[::-1], Image.LANCZOS), np.float32)[None]
        out = self.model({"images": x, "domain": self.image_domain}, target_size=(height, width))
        out = np.asarray(out, np.float64)[0]
        return out - np.logaddexp.reduce(out.ravel())  # renormalise float32 rounding

    def predict_video(self, frames: np.ndarray, progress: bool = False) -> np.ndarray:
        out = predict_video(self.model, frames, domain=self.video_domain, input_size=self.video_input_size,
                            progress=progress).astype(np.float64)
        return out - np.logaddexp.reduce(out.reshape(len(out), -1), axis=1)[:, None, None]
