"""`load_image` reads every kind of image file as what it is (generated with PIL), and refuses bombs in one line."""

import numpy as np
import pytest
from PIL import Image

from keras_saliency.image_files import load_image

GRADIENT_8 = np.arange(256, dtype=np.uint8).reshape(16, 16)
GRADIENT_16 = GRADIENT_8.astype(np.uint16) * 257  # the full 16-bit range; high byte = the 8-bit gradient


def _gray(values):
    return np.repeat(np.asarray(values, np.uint8)[..., None], 3, axis=-1)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_grayscale_maps_to_the_8_bit_gradient(tmp_path, suffix):
    path = tmp_path / f"gray16{suffix}"
    Image.fromarray(GRADIENT_16).save(path)
    assert Image.open(path).mode == "I;16"
    image = load_image(path)
    assert image.dtype == np.uint8 and image.shape == (16, 16, 3)
    np.testing.assert_array_equal(image, _gray(GRADIENT_8))


def test_big_endian_16_bit_and_32_bit_integer_tiffs(tmp_path):
    big = tmp_path / "gray16b.tif"
    Image.frombytes("I;16B", (16, 16), GRADIENT_16.astype(">u2").tobytes()).save(big)
    assert Image.open(big).mode == "I;16B"
    np.testing.assert_array_equal(load_image(big), _gray(GRADIENT_8))
    wide = tmp_path / "gray32.tif"
    values = GRADIENT_16.astype(np.int32)
    values[0, :2] = [-5, 70000]  # outside 0..65535: clipped
    Image.fromarray(values).save(wide)
    assert Image.open(wide).mode == "I"
    expected = GRADIENT_8.copy()
    expected[0, :2] = [0, 255]
    np.testing.assert_array_equal(load_image(wide), _gray(expected))


def test_48_bit_rgb_png(tmp_path, write_png):
    rgb16 = np.stack([GRADIENT_16, GRADIENT_16[::-1], np.full_like(GRADIENT_16, 65535)], -1).astype(">u2")
    path = write_png(tmp_path / "rgb16.png", 16, 16, 16, 2, rgb16)
    expected = np.stack([GRADIENT_8, GRADIENT_8[::-1], np.full_like(GRADIENT_8, 255)], -1)
    np.testing.assert_array_equal(load_image(path), expected)


def test_float_tiffs_in_0_1_are_scaled_and_others_clipped(tmp_path):
    unit = tmp_path / "unit.tif"
    Image.fromarray((GRADIENT_8 / 255).astype(np.float32)).save(unit)
    assert Image.open(unit).mode == "F"
    np.testing.assert_array_equal(load_image(unit), _gray(GRADIENT_8))
    wide = tmp_path / "wide.tif"
    Image.fromarray(np.array([[-3.0, 0.6, 100.4, 300.0]], np.float32)).save(wide)
    np.testing.assert_array_equal(load_image(wide), _gray([[0, 1, 100, 255]]))
    bad = tmp_path / "nan.tif"
    Image.fromarray(np.array([[0.5, np.nan]], np.float32)).save(bad)
    with pytest.raises(ValueError, match=r"Cannot read image .*nan\.tif: float image with NaN"):
        load_image(bad)


def test_transparency_is_composited_on_white(tmp_path):
    rgba = tmp_path / "rgba.png"
    Image.fromarray(np.array([[[255, 0, 0, 255], [255, 0, 0, 0], [0, 0, 255, 128]]], np.uint8)).save(rgba)
    np.testing.assert_array_equal(load_image(rgba), [[[255, 0, 0], [255, 255, 255], [127, 127, 255]]])
    la = tmp_path / "la.png"
    Image.fromarray(np.array([[[0, 255], [0, 0]]], np.uint8), "LA").save(la)
    assert Image.open(la).mode == "LA"
    np.testing.assert_array_equal(load_image(la), [[[0, 0, 0], [255, 255, 255]]])
    palette = Image.new("P", (3, 1))
    palette.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255])
    palette.putdata([0, 1, 2])
    for suffix in (".png", ".gif"):
        path = tmp_path / f"palette{suffix}"
        palette.save(path, transparency=0)
        assert Image.open(path).mode == "P"
        np.testing.assert_array_equal(load_image(path), [[[255, 255, 255], [255, 0, 0], [0, 0, 255]]])


@pytest.mark.parametrize("suffix", [".jpg", ".tif"])
def test_cmyk(tmp_path, suffix):
    path = tmp_path / f"cmyk{suffix}"
    Image.new("CMYK", (4, 4), (0, 255, 255, 0)).save(path)
    assert Image.open(path).mode == "CMYK"
    np.testing.assert_allclose(load_image(path).astype(int), np.full((4, 4, 3), [255, 0, 0]), atol=2)


def test_exif_rotated_jpeg_is_transposed(tmp_path):
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :20] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    path = tmp_path / "phone.jpg"
    Image.fromarray(pixels).save(path, exif=exif, quality=95)
    image = load_image(path)
    assert image.shape == (40, 20, 3)
    assert image[:20].mean() > 240 and image[20:].mean() < 15  # the left half is now the top half


def test_decompression_bomb_is_a_one_line_error(tmp_path, write_png):
    path = write_png(tmp_path / "bomb.png", 20000, 20000, 8, 0)
    with pytest.raises(ValueError) as caught:
        load_image(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    assert f"{2 * Image.MAX_IMAGE_PIXELS} pixels" in message and "MAX_IMAGE_PIXELS" in message


@pytest.mark.parametrize("mode", ["RGB", "L", "P", "RGBA"])
def test_images_copied_in_row_blocks_equal_the_whole_conversion(tmp_path, monkeypatch, mode):
    """Row blocks (here 7 rows of 13 pixels, so the last block is short) give the whole image, writable."""
    from keras_saliency import image_files

    monkeypatch.setattr(image_files, "_BLOCK_PIXELS", 7 * 13)
    rng = np.random.default_rng(0)
    source = Image.fromarray(rng.integers(0, 256, (30, 13, 3), dtype=np.uint8)).convert(mode)
    path = tmp_path / f"blocks_{mode}.png"
    source.save(path)
    image = load_image(path)
    expected = source.convert("RGB") if mode != "RGBA" else Image.alpha_composite(
        Image.new("RGBA", source.size, (255, 255, 255, 255)), source).convert("RGB")
    assert image.flags.writeable and image.shape == (30, 13, 3)
    np.testing.assert_array_equal(image, np.asarray(expected))
