"""Progress bars (`keras_saliency.progress`): on a terminal by default, never when asked or when redirected."""

import numpy as np
import pytest

from keras_saliency import prediction, progress


@pytest.mark.parametrize("interactive, asked, shown", [
    (True, None, True), (False, None, False), (False, True, True), (True, False, False)])
def test_the_rule(monkeypatch, capsys, interactive, asked, shown):
    monkeypatch.setattr(progress, "_interactive", lambda: interactive)
    assert progress.show_progress(asked) is shown
    for _ in progress.progress_bar(range(3), progress=asked, desc="work"):
        pass
    assert ("work: 100%" in capsys.readouterr().err) is shown


def test_redirected_stderr_is_not_interactive(capsys):
    assert progress._interactive() is False  # pytest's capture is not a terminal


@pytest.mark.parametrize("interactive", [True, False])
def test_predict_follows_the_rule(monkeypatch, capsys, interactive):
    monkeypatch.setattr(progress, "_interactive", lambda: interactive)
    images = [np.full((12, 16, 3), 100, np.uint8)] * 5
    assert len(prediction.predict(images, model="center_bias")) == 5
    assert ("predict: 100%" in capsys.readouterr().err) is interactive
    prediction.predict(images, model="center_bias", progress=False)
    assert "predict:" not in capsys.readouterr().err
