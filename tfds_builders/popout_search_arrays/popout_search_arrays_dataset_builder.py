"""Generated pop-out search arrays (colour, orientation, size, shape, density) with target masks.

Nothing is downloaded: examples come from ``generator.search_array`` with a fixed seed
per (split, index), so a build is reproducible. ``fixations`` is empty (the shared spec);
``target_mask`` (H, W, 1) is 1 on the target's pixels, ``category`` the pop-out kind.
"""

import dataclasses

import numpy as np
import tensorflow_datasets as tfds

from tfds_builders.core import features as features_lib
from tfds_builders.popout_search_arrays import generator

SPLIT_SEEDS = {"train": 0, "test": 1}


@dataclasses.dataclass
class PopoutConfig(tfds.core.BuilderConfig):
    per_kind: int = 100
    height: int = 240
    width: int = 320


class Builder(tfds.core.GeneratorBasedBuilder):
    """Pop-out visual search arrays."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [
        PopoutConfig(name="default", description="100 train + 100 test arrays per kind, 240x320."),
        PopoutConfig(
            name="tiny", description="2 arrays per kind and split, 48x64 (tests).", per_kind=2, height=48, width=64
        ),
    ]
    DEFAULT_CONFIG_NAME = "default"

    def _info(self):
        extra = {"target_mask": tfds.features.Image(shape=(None, None, 1))}
        return self.dataset_info_from_configs(
            features=features_lib.image_features(category_names=generator.KINDS, extra=extra)
        )

    def _split_generators(self, dl_manager):
        del dl_manager
        return {split: self._generate_examples(seed) for split, seed in SPLIT_SEEDS.items()}

    def _generate_examples(self, split_seed):
        cfg = self.builder_config
        empty = {name: np.zeros(0, np.float32) for name in ("x", "y", "time", "duration")}
        empty["subject"] = np.zeros(0, np.int32)
        for k, kind in enumerate(generator.KINDS):
            for i in range(cfg.per_kind):
                rng = np.random.default_rng([split_seed, k, i])
                image, mask = generator.search_array(kind, rng, size=(cfg.height, cfg.width))
                image_id = f"{kind}_{i:05d}"
                yield image_id, {
                    "image": image,
                    "image_id": image_id,
                    "fixations": empty,
                    "category": kind,
                    "target_mask": mask.astype(np.uint8)[..., None],
                }
