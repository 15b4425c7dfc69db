"""Cross-family ensembles of the zoo's presets: `keras_saliency.models.MixtureModel` presets whose members are
other presets, named (see ``ensembles_presets.py``; built by ``examples/best_presets.py``)."""
