"""Models with perturbed random weights for tests: maps far from flat, so comparisons can fail."""

import numpy as np


def perturbed_unisal(domains=("DHF1K", "SALICON"), seed: int = 1):
    """A built UNISAL whose BatchNorm variances, adaptation kernels and other weights (but the smoothing) are perturbed."""
    from keras_saliency.zoo.unisal import UNISAL

    model = UNISAL(domains=domains)
    model.build()
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        value = np.array(weight)
        if "variance" in weight.path:
            weight.assign(rng.uniform(0.5, 1.5, value.shape).astype(np.float32))
        elif "adaptation" in weight.path and "kernel" in weight.path:
            weight.assign(rng.normal(0, 3.0, value.shape).astype(np.float32))
        elif "smoothing" not in weight.path:
            weight.assign((value + rng.normal(0, 0.1, value.shape)).astype(np.float32))
    return model
