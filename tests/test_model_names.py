"""Model names: classical names ignore case, unknown names get close matches across every kind of model."""

import numpy as np
import pytest

import keras_saliency
from keras_saliency import classical, prediction
from keras_saliency.presets import PresetNotFoundError, registry

IMAGE = np.full((16, 16, 3), 120, np.uint8)


@pytest.mark.parametrize("name, model_class", [
    ("GBVS", classical.GBVS), ("Center_Bias", classical.GaussianCenterBias), ("ITTI", classical.IttiKoch),
])
def test_classical_names_ignore_case(name, model_class):
    assert type(prediction.resolve_model(name)) is model_class


@pytest.mark.parametrize("name, close", [
    ("gbsv", "['gbvs']"),
    ("center-bias", "['center_bias']"),
    ("DeepGaze_IIE_lite0_lite1_lite2_mit1003", "'deepgaze_iie_lite0_lite1_lite2_mit1003'"),  # presets: suggested
    ("unisal_lite0_mit1003", "'unisal_lite0_mit1003_osie'"),
])
def test_unknown_names_suggest_close_matches_of_every_kind(name, close):
    with pytest.raises(PresetNotFoundError, match="did you mean") as error:
        prediction.resolve_model(name)
    message = str(error.value)
    assert message.startswith(f"{name!r} is not a classical model (gbvs, itti, center_bias), a registered preset")
    assert close in message and "\n" not in message


def test_predict_with_a_misspelt_classical_name_says_which_was_meant():
    with pytest.raises(PresetNotFoundError, match=r"did you mean \['gbvs'\]"):
        keras_saliency.predict(IMAGE, model="gbsv")


def test_no_close_match_lists_every_known_name():
    with pytest.raises(PresetNotFoundError, match=r"\(registered: \[.*'center_bias', 'gbvs', 'itti'\]\)"):
        prediction.resolve_model("zzzzzz")


def test_close_matches_hint_ignores_case_and_takes_other_names():
    assert registry.close_matches_hint("GBSV", also=("gbvs",)) == " (did you mean ['gbvs']?)"
    assert "gbvs" not in registry.close_matches_hint("GBSV")
