"""`keras_saliency.xla_flags`: the XLA:CPU option is set for JAX only, never over the user's own choice."""

import ast
import json
import os
import subprocess
import sys

import pytest

from keras_saliency import xla_flags


def _flags_after_import(env_changes, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "XLA_FLAGS", "KERAS_HOME")}
    env.update(KERAS_HOME=str(tmp_path), **env_changes)
    code = "import os, keras_saliency; print(repr(os.environ.get('XLA_FLAGS')))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return ast.literal_eval(done.stdout.strip())


needs_new_jaxlib = pytest.mark.skipif(xla_flags._jaxlib_version() < xla_flags.MIN_JAXLIB,
                                      reason="jaxlib >= 0.10 is not installed: the option is never set")


@needs_new_jaxlib
def test_jax_backend_gets_the_option_added_to_the_users_flags(tmp_path):
    assert _flags_after_import({"KERAS_BACKEND": "jax"}, tmp_path) == xla_flags.OPTION
    flags = _flags_after_import({"KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_cpu_enable_fast_math=false"}, tmp_path)
    assert flags == f"--xla_cpu_enable_fast_math=false {xla_flags.OPTION}"


@needs_new_jaxlib
def test_backend_read_from_keras_json_like_keras(tmp_path):
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax"}))
    assert _flags_after_import({}, tmp_path) == xla_flags.OPTION
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "tensorflow"}))
    assert _flags_after_import({}, tmp_path) is None
    assert _flags_after_import({"KERAS_BACKEND": "jax"}, tmp_path) == xla_flags.OPTION  # the variable wins


def test_other_backends_and_the_users_own_setting_are_left_alone(tmp_path):
    assert _flags_after_import({"KERAS_BACKEND": "tensorflow"}, tmp_path) is None
    own = f"{xla_flags.NAME}=+LIBRARY_FUSION_TYPE_REDUCE"
    assert _flags_after_import({"KERAS_BACKEND": "jax", "XLA_FLAGS": own}, tmp_path) == own
