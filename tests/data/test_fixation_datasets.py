"""`read_fixation_images`: MIT1003 / OSIE / SALICON (train) through the tfds_builders readers (their dummy data; ../shared when present)."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from keras_saliency.data import FixationImages, read_fixation_images
from keras_saliency.fixations import Fixations
from tfds_builders.mit1003.mit1003_dataset_builder import fixatons_records
from tfds_builders.osie.osie_dataset_builder import osie_records
from tfds_builders.salicon.salicon_dataset_builder import train_records as salicon_train_records

BUILDERS = Path(__file__).resolve().parents[2] / "tfds_builders"
MIT1003_DUMMY, OSIE_DUMMY = BUILDERS / "mit1003" / "dummy_data", BUILDERS / "osie" / "dummy_data"


@pytest.mark.parametrize("name, root, reader", [("mit1003", MIT1003_DUMMY, fixatons_records),
                                                ("osie", OSIE_DUMMY, osie_records),
                                                ("salicon", BUILDERS / "salicon" / "dummy_data", salicon_train_records)])
def test_the_images_and_fixations_are_the_readers(name, root, reader):
    data = read_fixation_images(name, root)
    records = list(reader(root))
    assert data.name == name and data.title == {"mit1003": "MIT1003", "osie": "OSIE", "salicon": "SALICON"}[name]
    assert data.ids == [r.image_id for r in records] == sorted(data.ids)
    for path, size, fixations, record in zip(data.paths, data.sizes, data.fixations, records):
        with Image.open(record.image) as image:
            assert size == (image.height, image.width) and path == Path(record.image)
        np.testing.assert_array_equal(fixations.xy, record.fixations.xy)
        np.testing.assert_array_equal(fixations.subject, record.fixations.subject)
    assert len(read_fixation_images(name, root, count=2)) == 2


def test_fixations_at_scales_and_clips():
    data = FixationImages("toy", ["a", "b"], [Path("a.png"), Path("b.png")], [(10, 20), (20, 20)],
                          [Fixations([1.0, 25.0], [1.0, 5.0]), Fixations([10.0], [10.0])])
    (a, b), clipped = data.fixations_at((5, 10))
    assert clipped == 1  # a's x = 25 lies outside its 20-pixel width: clipped to the border pixel's centre
    np.testing.assert_allclose(a.xy, [[0.5, 0.5], [9.5, 2.5]])
    np.testing.assert_allclose(b.xy, [[5.0, 2.5]])
    (a, b), clipped = data.fixations_at([(10, 20), (40, 40)], policy=None)
    assert clipped == 0 and a is data.fixations[0]  # its own size: unchanged, the outside point kept
    np.testing.assert_allclose(b.xy, [[20.0, 20.0]])
    with pytest.raises(ValueError, match="got 1 sizes for 2 images"):
        data.fixations_at([(10, 20)])


def test_images_are_resized_rgb_in_the_asked_dtype():
    data = read_fixation_images("mit1003", MIT1003_DUMMY)
    own = data.image(0, dtype=np.uint8)
    assert own.dtype == np.uint8 and own.shape == (*data.sizes[0], 3)
    stack = data.images((8, 12), indices=[1, 2])
    assert stack.shape == (2, 8, 12, 3) and stack.dtype == np.float32
    assert np.array_equal(data.image(0, data.sizes[0]), own.astype(np.float32))  # own size: not resampled


def test_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="fixations.mat not found"):
        read_fixation_images("osie", tmp_path)
    with pytest.raises(ValueError, match="unknown dataset 'cat2000'"):
        read_fixation_images("cat2000", tmp_path)
    with pytest.raises(FileNotFoundError, match="fixations/train not found"):
        read_fixation_images("salicon", tmp_path)
    with pytest.raises(ValueError, match="`count` must be >= 1"):
        read_fixation_images("mit1003", MIT1003_DUMMY, count=0)


def test_real_mit1003_matches_a_direct_parse_of_the_scanpaths(shared_file):
    """The removed per-example parsers read the FixaTons files directly: the same points come out."""
    root = shared_file("data", "mit1003")
    data = read_fixation_images("mit1003", root, count=3)
    for image_id, fixations in zip(data.ids, data.fixations):
        rows = [np.loadtxt(p, ndmin=2)[1:, :2] for p in sorted((root / "SCANPATHS" / image_id).iterdir())]
        points = np.concatenate([r for r in rows if len(r)])
        np.testing.assert_array_equal(fixations.xy, Fixations.from_one_based(points[:, 0], points[:, 1]).xy)


def test_as_dataset_gives_the_builders_examples_that_the_pipeline_batches():
    from keras_saliency.data import saliency_dataset

    data = read_fixation_images("mit1003", MIT1003_DUMMY)
    examples = list(data.as_dataset([2, 0]).as_numpy_iterator())
    assert [e["image_id"].decode() for e in examples] == [data.ids[2], data.ids[0]]
    for example, i in zip(examples, (2, 0)):
        np.testing.assert_array_equal(example["image"], data.image(i, dtype=np.uint8))
        np.testing.assert_allclose(example["fixations"]["x"], data.fixations[i].x, rtol=1e-6)
        np.testing.assert_allclose(example["fixations"]["y"], data.fixations[i].y, rtol=1e-6)
    images, targets = next(iter(saliency_dataset(data.as_dataset(), (32, 48), "unisal", 2, sigma=2.0)))
    assert images.shape == (2, 32, 48, 3) and targets.shape == (2, 32, 48, 2)
    with pytest.raises(ValueError, match="`indices` is empty"):
        data.as_dataset([])
