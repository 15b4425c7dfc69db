"""Synthetic examples in the tfds_builders feature layout (no TFDS build needed)."""

import numpy as np
import tensorflow as tf

SIZES = [(30, 40), (40, 30), (24, 32), (32, 24), (30, 40)]


def image_examples(sizes=SIZES, seed=0, with_map=False):
    rng = np.random.default_rng(seed)
    examples = []
    for i, (h, w) in enumerate(sizes):
        n = 3 + i
        example = {
            "image": rng.integers(0, 256, (h, w, 3), dtype=np.uint8),
            "image_id": f"img{i}",
            "fixations": {
                "x": rng.uniform(0, w, n).astype(np.float32),
                "y": rng.uniform(0, h, n).astype(np.float32),
                "subject": np.zeros(n, np.int32),
                "time": np.full(n, np.nan, np.float32),
                "duration": np.full(n, np.nan, np.float32),
            },
        }
        if with_map:
            example["saliency_map"] = rng.integers(0, 256, (h, w, 1), dtype=np.uint8)
        examples.append(example)
    return examples


def as_dataset(examples):
    first = examples[0]
    signature = {
        "image": tf.TensorSpec((None, None, 3), tf.uint8),
        "image_id": tf.TensorSpec((), tf.string),
        "fixations": {k: tf.TensorSpec((None,), tf.as_dtype(v.dtype)) for k, v in first["fixations"].items()},
    }
    if "saliency_map" in first:
        signature["saliency_map"] = tf.TensorSpec((None, None, 1), tf.uint8)
    return tf.data.Dataset.from_generator(lambda: iter(examples), output_signature=signature)
