import keras
import numpy as np

from keras_saliency.losses import TotalVariationDistance
from keras_saliency.testing.roundtrip import assert_keras_roundtrip
from keras_saliency.training import ReferenceGuidedModel
from keras_saliency.zoo.dinet import build_dinet, build_resnet_baseline


def test_dinet_on_dilated_resnet50_shapes_and_structure():
    model = build_dinet(input_shape=(64, 96, 3))
    out = model(np.random.default_rng(0).uniform(0, 255, (1, 64, 96, 3)).astype("float32"))
    assert tuple(out.shape) == (1, 8, 12)  # output stride 8
    out = keras.ops.convert_to_numpy(out)
    assert np.all((out > 0) & (out < 1))
    convs = [layer for layer in model.layers if layer.name.startswith("dinet_")
             and isinstance(layer, keras.layers.Conv2D)]
    assert [c.kernel.shape for c in convs] == [(1, 1, 2048, 256)] + [(3, 3, 256, 256)] * 5 + [(3, 3, 256, 1)]
    assert [c.dilation_rate for c in convs[1:4]] == [(4, 4), (8, 8), (16, 16)]
    assert not any(c.use_bias for c in convs)


def _small_backbone():
    inp = keras.Input((None, None, 3))
    return keras.Model(inp, keras.layers.Conv2D(8, 3, strides=8, padding="same")(inp))


def test_heads_on_any_backbone_round_trip_and_head_is_final_conv():
    for build in (build_dinet, build_resnet_baseline):
        model = build(_small_backbone())
        x = np.random.default_rng(1).random((2, 64, 96, 3)).astype("float32")
        y = keras.ops.convert_to_numpy(model(x))
        assert y.shape == (2, 8, 12)
        assert_keras_roundtrip(model, x)  # model.save(".keras") and load_model give the same outputs
        wrapped = ReferenceGuidedModel(model, x[:1], y[:1])
        head_vars = [v for v in model.trainable_weights if id(v) in wrapped._head_ids]
        assert len(head_vars) == 1 and head_vars[0].shape[-1] == 1 and "final_conv" in head_vars[0].path


def test_two_fit_steps_lower_the_loss_and_return_a_history():
    keras.utils.set_random_seed(0)
    model = build_dinet(_small_backbone())
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 255, (2, 64, 96, 3)).astype("float32")
    y = rng.random((2, 8, 12)).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=TotalVariationDistance())
    history = model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    assert isinstance(history, keras.callbacks.History)
    assert history.history["loss"][1] < history.history["loss"][0]
