import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from keras_saliency.data import sizes
from keras_saliency.data import transforms as T
from keras_saliency.maps import fixation_map


@pytest.mark.parametrize("hw", [(768, 1024), (1024, 768), (600, 800), (405, 1024), (1080, 1920), (500, 500)])
def test_graph_size_rule_matches_python_rule(hw):
    for train, grids in ((False, sizes.EVAL_GRIDS), (True, sizes.TRAIN_GRIDS)):
        index = sizes.grid_index(tf.constant(hw[0]), tf.constant(hw[1]), grids)
        assert tuple(sizes.grid_size(index, grids).numpy()) == sizes.optimal_size(*hw, train=train)


def test_size_rule_values():
    assert sizes.optimal_size(768, 1024) == (288, 384)  # 9 x 12 grid: same 3:4 aspect
    assert sizes.optimal_size(1024, 768) == (384, 288)
    assert sizes.optimal_size(768, 1024, train=True) == (288, 384)
    assert all(100 <= a * b <= 120 for a, b in sizes.EVAL_GRIDS)
    with pytest.raises(ValueError, match="positive"):
        sizes.optimal_size(0, 10)


def test_count_map_matches_numpy_reference():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 40, 50), rng.uniform(0, 30, 50)
    got = T.fixation_count_map(tf.constant(x, tf.float32), tf.constant(y, tf.float32), (30, 40)).numpy()
    np.testing.assert_array_equal(got, fixation_map(np.stack([x, y], 1), (30, 40)))


def test_count_map_per_frame():
    got = T.fixation_count_map(tf.constant([0.5, 3.2]), tf.constant([1.5, 0.1]), (4, 5),
                               frame=tf.constant([2, 0]), n_frames=3).numpy()
    assert got.shape == (3, 4, 5) and got.sum() == 2 and got[2, 1, 0] == 1 and got[0, 0, 3] == 1


@pytest.mark.parametrize("sigma", [1.0, 2.5, 12.0])  # 12: kernel radius larger than the map
def test_gaussian_blur_matches_scipy(sigma):
    counts = np.random.default_rng(1).poisson(0.2, (30, 40)).astype(np.float32)
    got = T.gaussian_blur(counts, sigma).numpy()
    want = ndimage.gaussian_filter(counts.astype(np.float64), sigma, mode="reflect", truncate=4.0)
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_scaling_keeps_fixations_on_content():
    # A bright 2x2 block at rows 4-5, cols 6-7 of a 10x20 image; its centre (7, 5) is fixated.
    image = np.zeros((10, 20, 1), np.float32)
    image[4:6, 6:8] = 1.0
    x, y = T.scale_fixations(tf.constant([7.0]), tf.constant([5.0]), (10, 20), (30, 40))
    resized = tf.image.resize(image, (30, 40), method="nearest").numpy()
    assert resized[int(y.numpy()[0]), int(x.numpy()[0]), 0] == 1.0
    assert (x.numpy()[0], y.numpy()[0]) == (14.0, 15.0)


def test_padded_fixations():
    got = T.padded_fixations(tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0]), 4).numpy()
    np.testing.assert_array_equal(got, [[1, 3], [2, 4], [-1, -1], [-1, -1]])
    assert T.padded_fixations(tf.range(10.0), tf.range(10.0), 3).shape == (3, 2)


def test_scale_image_modes():
    image = tf.constant(np.full((1, 1, 3), 255, np.uint8))
    assert T.scale_image(image, "unit").numpy().max() == 1.0
    np.testing.assert_allclose(T.scale_image(image, "imagenet").numpy()[0, 0],
                               (1 - np.array(T.IMAGENET_MEAN)) / np.array(T.IMAGENET_STD), rtol=1e-6)
    with pytest.raises(ValueError, match="image_scaling"):
        T.scale_image(image, "caffe")
