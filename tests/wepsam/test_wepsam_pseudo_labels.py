"""GBVS pseudo-labels: entropy definition and filter, sources, the atomic, settings-keyed cache."""

import json

import numpy as np
import pytest
from PIL import Image

from keras_saliency.zoo.wepsam import wepsam_pseudo_labels as P

SETTINGS = P.PseudoLabelSettings(image_size=16, gbvs_max_side=32, gbvs_map_size=8, shard_size=3)


def _images(n, seed=0):
    rng = np.random.default_rng(seed)
    images = []
    for i in range(n):
        image = np.full((40, 48, 3), 60, np.uint8)
        image[5 + 3 * i: 15 + 3 * i, 10 + 4 * i: 20 + 4 * i] = rng.integers(150, 256, 3)  # a salient patch
        images.append(image)
    return images


def test_map_entropy_matches_hand_computation():
    # levels 0, 0, 0, 255 -> p = (3/4, 1/4): H = -(0.75 log2 0.75 + 0.25 log2 0.25) = 0.811278... bits
    assert P.map_entropy(np.array([[2.0, 2.0], [2.0, 6.0]])) == pytest.approx(0.8112781244591328, abs=1e-12)
    # four equally spaced values -> levels 0, 85, 170, 255, each p = 1/4: H = 2 bits
    assert P.map_entropy(np.array([[0.0, 1.0], [2.0, 3.0]])) == pytest.approx(2.0, abs=1e-12)
    # 4 bins, levels round(x * 3): (0, 0.4, 0.6, 1) -> (0, 1, 2, 3): H = 2 bits;
    # (0, 0.4, 0.45, 1) -> (0, 1, 1, 3): p = (1/4, 1/2, 1/4): H = 1.5 bits
    assert P.map_entropy(np.array([[0.0, 0.4], [0.6, 1.0]]), bins=4) == pytest.approx(2.0)
    assert P.map_entropy(np.array([[0.0, 0.4], [0.45, 1.0]]), bins=4) == pytest.approx(1.5)
    assert P.map_entropy(np.full((3, 3), 0.7)) == np.inf  # constant: no normalisation


def test_entropy_filter_keeps_the_lowest_and_never_constant_maps():
    entropies = [2.0, 0.5, np.inf, 1.0, 0.5]
    np.testing.assert_array_equal(P.entropy_filter(entropies, 0.6), [1, 3, 4])  # ceil(0.6 * 5) = 3
    np.testing.assert_array_equal(P.entropy_filter(entropies, 1.0), [0, 1, 3, 4])
    np.testing.assert_array_equal(P.entropy_filter(entropies, 0.1), [1])  # tie broken by lower index
    with pytest.raises(ValueError, match="keep_fraction"):
        P.entropy_filter(entropies, 0.0)
    with pytest.raises(ValueError, match="NaN"):
        P.entropy_filter([1.0, np.nan], 0.5)


def test_pseudo_label_is_gbvs_of_the_reduced_image_normalised():
    image = _images(1)[0]
    small, target = P.pseudo_label(image, SETTINGS)
    assert small.shape == (16, 16, 3) and small.dtype == np.uint8
    assert target.shape == (16, 16) and target.dtype == np.float32
    assert target.min() == 0.0 and target.max() == pytest.approx(1.0)
    reduced = np.asarray(Image.fromarray(image).resize((32, 27), Image.BILINEAR))  # 40x48 -> longer side 32
    direct = SETTINGS.gbvs().predict_saliency_map(reduced[None])[0].astype(np.float32)
    direct = np.asarray(Image.fromarray(direct).resize((16, 16), Image.BILINEAR))
    np.testing.assert_allclose(target, (direct - direct.min()) / (direct.max() - direct.min()), atol=1e-6)
    # the salient patch (rows 5-15, cols 10-20 of 40x48) is where the map peaks
    row, col = np.unravel_index(np.argmax(target), target.shape)
    assert 1 <= row <= 7 and 2 <= col <= 8


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_cache_is_reused_and_invalidated_by_settings_and_source(tmp_path, monkeypatch):
    source = P.array_source(_images(5), [f"im{i}" for i in range(5)])
    first = P.build_pseudo_labels(source, tmp_path, SETTINGS, progress=False)
    assert first.ids == [f"im{i}" for i in range(5)]
    assert first.images.shape == (5, 16, 16, 3) and first.maps.shape == (5, 16, 16)
    assert _files(first.cache_dir) == ["manifest.json", "shard-00000.npz", "shard-00001.npz"]
    assert json.loads((first.cache_dir / "manifest.json").read_text())["shards"] == 2

    calls = []
    real = P.pseudo_label
    monkeypatch.setattr(P, "pseudo_label", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = P.build_pseudo_labels(source, tmp_path, SETTINGS, progress=False)
    assert calls == [] and again.cache_dir == first.cache_dir
    np.testing.assert_array_equal(again.maps, first.maps)
    np.testing.assert_array_equal(again.images, first.images)

    changed = P.PseudoLabelSettings(**{**SETTINGS.__dict__, "gbvs_blur": 0.0})
    other = P.build_pseudo_labels(source, tmp_path, changed, progress=False)
    assert len(calls) == 5 and other.cache_dir != first.cache_dir
    assert not np.allclose(other.maps, first.maps)

    new_pixels = P.array_source(_images(5, seed=1), [f"im{i}" for i in range(5)])
    assert P.cache_key(SETTINGS, new_pixels) != P.cache_key(SETTINGS, source)
    P.build_pseudo_labels(new_pixels, tmp_path, SETTINGS, progress=False)
    assert len(calls) == 10
    assert len(list(tmp_path.iterdir())) == 3


def test_interrupted_run_leaves_no_partial_file_and_resumes(tmp_path, monkeypatch):
    source = P.array_source(_images(5))
    real = P.pseudo_label
    calls = []

    def failing(image, settings, model=None):
        calls.append(1)
        if len(calls) == 5:  # the second image of the second shard
            raise KeyboardInterrupt
        return real(image, settings, model)

    monkeypatch.setattr(P, "pseudo_label", failing)
    with pytest.raises(KeyboardInterrupt):
        P.build_pseudo_labels(source, tmp_path, SETTINGS, progress=False)
    (folder,) = tmp_path.iterdir()
    assert _files(folder) == ["shard-00000.npz"]  # no manifest, no half shard, no temp file

    def failing_save(file, **arrays):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(P, "pseudo_label", real)
    monkeypatch.setattr(P.np, "savez", failing_save)
    with pytest.raises(OSError, match="disk full"):
        P.build_pseudo_labels(source, tmp_path, SETTINGS, progress=False)
    assert _files(folder) == ["shard-00000.npz"]
    monkeypatch.undo()

    calls.clear()
    monkeypatch.setattr(P, "pseudo_label", lambda *a, **k: calls.append(1) or real(*a, **k))
    labels = P.build_pseudo_labels(source, tmp_path, SETTINGS, progress=False)
    assert len(calls) == 2  # only the missing shard was computed
    fresh = P.build_pseudo_labels(source, tmp_path / "fresh", SETTINGS, progress=False)
    np.testing.assert_allclose(labels.maps, fresh.maps)


def test_filtered_keeps_the_lowest_entropy_maps(tmp_path):
    labels = P.build_pseudo_labels(P.array_source(_images(5)), tmp_path, SETTINGS, progress=False)
    entropies = labels.entropies()
    kept = labels.filtered(0.4)
    assert len(kept.ids) == 2
    assert set(kept.ids) == {labels.ids[i] for i in np.argsort(entropies)[:2]}
    assert kept.entropies().max() <= np.sort(entropies)[1]


def test_folder_source_reads_images_recursively_and_fingerprints_files(tmp_path):
    (tmp_path / "sub").mkdir()
    images = _images(3)
    Image.fromarray(images[0]).save(tmp_path / "a.png")
    Image.fromarray(images[1]).save(tmp_path / "sub" / "b.png")
    (tmp_path / "notes.txt").write_text("not an image")
    source = P.folder_source(tmp_path)
    assert source.count == 2
    items = list(source.iterate())
    assert [i for i, _ in items] == ["a", "sub/b"]
    np.testing.assert_array_equal(items[1][1], images[1])
    before = source.fingerprint
    Image.fromarray(images[2]).save(tmp_path / "c.png")
    assert P.folder_source(tmp_path).fingerprint != before


def test_bad_sources_fail_clearly(tmp_path):
    with pytest.raises(ValueError, match="no image files .* found under"):
        P.folder_source(tmp_path)
    with pytest.raises(ValueError, match="existing directory"):
        P.folder_source(tmp_path / "missing")
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="Cannot read image .*broken.jpg"):
        list(P.folder_source(tmp_path).iterate())
    with pytest.raises(ValueError, match="empty"):
        P.array_source([])
    with pytest.raises(ValueError, match=r"images\[0\]: expected an \(H, W, 3\) RGB image; got shape \(4, 4, 4\)"):
        P.array_source([np.zeros((4, 4, 4), np.uint8)])
    with pytest.raises(ValueError, match="within 0..255"):
        P.array_source([np.full((4, 4, 3), 300.0)])
    with pytest.raises(TypeError, match="ImageSource"):
        P.build_pseudo_labels(str(tmp_path), tmp_path, SETTINGS)
    with pytest.raises(ValueError, match="gbvs_max_side"):
        P.PseudoLabelSettings(gbvs_max_side=8)
