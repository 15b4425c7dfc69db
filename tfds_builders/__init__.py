"""TFDS builders for saliency datasets: ``import tfds_builders`` registers all of them.

After the import, ``tfds.builder("mit1003/fixatons", data_dir=D)`` etc. work; see each
folder's README.md for the source layout and ``MANUAL_DOWNLOAD_INSTRUCTIONS.md``.
"""

import importlib

NAMES = (
    "mit1003", "mit300", "salicon", "cat2000", "osie", "fiwi", "isun", "pascal_s", "toronto", "eye_crowd",
    "dhf1k", "hollywood2", "ucf_sports", "eye_tracking_causality", "popout_search_arrays", "unlabeled_images",
)

for _name in NAMES:
    importlib.import_module(f"tfds_builders.{_name}.{_name}_dataset_builder")
