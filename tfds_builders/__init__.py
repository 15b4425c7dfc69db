"""TFDS builders for saliency datasets: ``import tfds_builders`` registers all of them.

After the import, ``tfds.builder("mit1003/fixatons", data_dir=D)`` etc. work; see each
folder's README.md for the source layout and ``MANUAL_DOWNLOAD_INSTRUCTIONS``.
"""

from tfds_builders.mit1003 import mit1003_dataset_builder  # noqa: F401
from tfds_builders.osie import osie_dataset_builder  # noqa: F401
from tfds_builders.fiwi import fiwi_dataset_builder  # noqa: F401
from tfds_builders.isun import isun_dataset_builder  # noqa: F401
from tfds_builders.pascal_s import pascal_s_dataset_builder  # noqa: F401
from tfds_builders.toronto import toronto_dataset_builder  # noqa: F401
from tfds_builders.eye_crowd import eye_crowd_dataset_builder  # noqa: F401
from tfds_builders.mit300 import mit300_dataset_builder  # noqa: F401
from tfds_builders.cat2000 import cat2000_dataset_builder  # noqa: F401
from tfds_builders.salicon import salicon_dataset_builder  # noqa: F401
from tfds_builders.dhf1k import dhf1k_dataset_builder  # noqa: F401
from tfds_builders.hollywood2 import hollywood2_dataset_builder  # noqa: F401
from tfds_builders.ucf_sports import ucf_sports_dataset_builder  # noqa: F401
from tfds_builders.popout_search_arrays import popout_search_arrays_dataset_builder  # noqa: F401
from tfds_builders.unlabeled_images import unlabeled_images_dataset_builder  # noqa: F401
