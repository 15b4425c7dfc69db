"""Pipelines fed by real TFDS builders (built from their dummy data)."""

import pathlib

import numpy as np
import tensorflow_datasets as tfds

from keras_saliency import data
from tfds_builders.osie import osie_dataset_builder

OSIE_DUMMY = pathlib.Path(osie_dataset_builder.__file__).parent / "dummy_data"


def test_osie_to_unisal_batches_and_folds(tmp_path):
    builder = osie_dataset_builder.Builder(data_dir=str(tmp_path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(OSIE_DUMMY)))
    ds = builder.as_dataset(split="train")
    ids = [e["image_id"].decode() for e in tfds.as_numpy(ds)]
    n_fix = sum(len(e["fixations"]["x"]) for e in tfds.as_numpy(ds))
    split = data.kfold_split(ids, fold=0, k=3, seed=0, val_folds=0)
    batches = list(data.saliency_dataset(
        data.filter_ids(ds, split["train"]), "unisal", "unisal", batch_size=4, sigma=2.0).as_numpy_iterator())
    images, targets = batches[0]
    assert images.shape == (2, 288, 384, 3) and targets.shape == (2, 288, 384, 2)  # 30x40 dummy images: 3:4
    all_batches = list(data.saliency_dataset(ds, (30, 40), "fixation_map", 8).as_numpy_iterator())
    assert sum(b[1].sum() for b in all_batches) == n_fix
    np.testing.assert_allclose(targets[..., 0].sum(axis=(1, 2)), 1.0, rtol=1e-5)
