import numpy as np
import pytest

from keras_saliency.fixations import Fixations, as_fixations


def test_one_based_integer_maps_to_pixel_centre():
    fix = Fixations.from_one_based([1, 10], [1, 5])
    np.testing.assert_allclose(fix.x, [0.5, 9.5])
    rows, cols = fix.pixel_indices()
    np.testing.assert_array_equal(cols, [0, 9])
    np.testing.assert_array_equal(rows, [0, 4])


def test_one_based_subpixel_matches_matlab_round():
    x1 = np.array([1.2, 1.5, 1.7, 799.2, 3.49])
    fix = Fixations.from_one_based(x1, x1)
    _, cols = fix.pixel_indices()
    np.testing.assert_array_equal(cols, np.floor(x1 + 0.5).astype(int) - 1)


def test_out_of_image_policies():
    fix = Fixations(x=[-1.0, 5.5, 12.0], y=[2.0, 3.0, 4.0], subject=[0, 1, 2])
    with pytest.raises(ValueError, match="2 of 3 fixations lie outside the 8x10 image"):
        fix.fit_to_image((8, 10))
    dropped, n = fix.fit_to_image((8, 10), policy="drop")
    assert n == 2 and len(dropped) == 1 and dropped.subject.tolist() == [1]
    clipped, n = fix.fit_to_image((8, 10), policy="clip")
    assert n == 2
    np.testing.assert_allclose(clipped.x, [0.5, 5.5, 9.5])
    assert clipped.inside((8, 10)).all()
    with pytest.raises(ValueError, match="policy"):
        fix.fit_to_image((8, 10), policy="wrap")


def test_validation_errors_name_the_argument():
    with pytest.raises(ValueError, match="`x` and `y`"):
        Fixations(x=[1, 2], y=[1])
    with pytest.raises(ValueError, match="`x` must be finite"):
        Fixations(x=[np.nan], y=[1])
    with pytest.raises(ValueError, match="`subject` must have one value per fixation"):
        Fixations(x=[1, 2], y=[1, 2], subject=[0])
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        as_fixations(np.zeros((3, 3)))


def test_subject_selection_and_scaling():
    fix = Fixations(x=[1.0, 2.0, 3.0], y=[1.0, 2.0, 3.0], subject=[0, 1, 0])
    assert len(fix.for_subjects([0])) == 2
    assert len(fix.for_subjects([0], exclude=True)) == 1
    scaled = fix.scaled((10, 20), (20, 10))
    np.testing.assert_allclose(scaled.x, [0.5, 1.0, 1.5])
    np.testing.assert_allclose(scaled.y, [2.0, 4.0, 6.0])
    assert len(as_fixations(np.zeros((0, 2)))) == 0
