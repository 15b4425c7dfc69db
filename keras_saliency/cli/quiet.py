"""Quiet console output for the CLI: no TensorFlow / absl / oneDNN banners or retracing warnings.

TensorFlow 2.21 writes its oneDNN and absl start-up lines to the process's stderr (file
descriptor 2) while it is imported, whatever ``TF_CPP_MIN_LOG_LEVEL`` says, so
:func:`quiet_backend_logs` imports it once with descriptor 2 pointed at a temporary file (shown
again if the import fails), sets ``TF_CPP_MIN_LOG_LEVEL=3`` unless the user set it, and raises the
``tensorflow`` Python logger to ERROR (retracing notices are warnings).
``keras-saliency --verbose`` skips all of this.
"""

import logging
import os
import sys
import tempfile


def quiet_backend_logs() -> None:
    """Import TensorFlow without its start-up lines and hide its later info/warning logs."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import tensorflow  # noqa: F401 - imported here only to silence its start-up output
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
