"""`examples/n_reference.py` argument checks: bad values fail before any data is loaded."""

import pytest


@pytest.fixture(scope="module")
def nref(load_example):
    return load_example("n_reference")


@pytest.mark.parametrize("argv, message", [
    (["--target-count", "8", "--n", "10"], "--target-count must be >= 3 + max(--n)"),
    (["--head-width", "0"], "--head-width must be >= 1"),
    (["--dilations", "2", "0"], "--dilations must be >= 1"),
])
def test_bad_arguments_fail_before_loading_data(nref, argv, message):
    with pytest.raises(SystemExit, match=message.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        nref.main(argv)
