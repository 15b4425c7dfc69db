"""Progress bars: one rule for every long loop of the package and every CLI command.

``progress=None`` (the default everywhere): a bar only when someone watches, i.e. stderr is a
terminal (or the code runs in a Jupyter notebook); ``True``: always; ``False``: never. Bars go to
stderr (tqdm), so redirected output and logs of batch jobs stay free of them. The CLI's
``--no-progress`` (alias ``--quiet``) passes ``False``; it also hides the Hugging Face Hub's and
TFDS's own bars.
"""

from __future__ import annotations

import sys
from typing import Optional


def _interactive() -> bool:
    """Whether a person is likely watching: stderr is a terminal, or the code runs in a Jupyter kernel."""
    if "ipykernel" in sys.modules:
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def show_progress(progress: Optional[bool]) -> bool:
    """The decision for ``progress`` (None: :func:`_interactive`)."""
    return _interactive() if progress is None else bool(progress)


def progress_bar(iterable=None, *, progress: Optional[bool] = None, **kwargs):
    """``tqdm.auto.tqdm(iterable, **kwargs)`` on stderr, disabled unless :func:`show_progress` says so."""
    from tqdm.auto import tqdm

    kwargs.setdefault("file", sys.stderr)
    return tqdm(iterable, disable=not show_progress(progress), **kwargs)


def hide_library_bars() -> None:
    """Hides the bars that huggingface_hub draws itself (downloads, uploads)."""
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()
