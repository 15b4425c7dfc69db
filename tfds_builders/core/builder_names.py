"""``"dataset[/config][:version]"`` -> a TFDS builder, with errors that list what exists.

TFDS's own message for an unknown config promises close matches and lists none; `get_builder`
checks the dataset and config names first and says which exist (close, case-insensitive matches first).
"""

from __future__ import annotations

import difflib


def _suggest(given: str, valid) -> str:
    """``"did you mean 'Art'? ..."``: close (case-insensitive) matches, then every valid name."""
    by_lower = {name.lower(): name for name in valid}
    if given.lower() in by_lower:  # only the case differs
        close = [by_lower[given.lower()]]
    else:
        close = [by_lower[m] for m in difflib.get_close_matches(given.lower(), list(by_lower), n=3, cutoff=0.5)]
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    return f"{hint}choose one of: {', '.join(valid)}"


def check_builder_name(name: str, names) -> None:
    """A ``ValueError`` naming the valid datasets / configs when ``name``'s dataset or config does not exist.

    ``names``: the registered dataset names (``tfds_builders.NAMES``)."""
    import tensorflow_datasets as tfds

    dataset, _, rest = str(name).partition("/")
    dataset = dataset.partition(":")[0]
    if dataset not in names:
        raise ValueError(f"unknown dataset {dataset!r}; {_suggest(dataset, list(names))}.")
    config = rest.partition("/")[0].partition(":")[0]
    if not rest:
        return
    configs = [c.name for c in tfds.builder_cls(dataset).BUILDER_CONFIGS]
    if not configs:
        raise ValueError(f"{dataset} has no configs: use {dataset!r}, not {name!r}.")
    if config not in configs:
        raise ValueError(f"{dataset} has no config {config!r}; {_suggest(config, configs)}.")


def get_builder(name: str, names, data_dir=None):
    """``tfds.builder(name, data_dir=...)`` after `check_builder_name`; TFDS's other errors as one line."""
    import tensorflow_datasets as tfds

    check_builder_name(name, names)
    try:
        return tfds.builder(name, data_dir=None if data_dir is None else str(data_dir))
    except tfds.core.registered.DatasetNotFoundError as error:
        raise ValueError(str(error).strip().splitlines()[0]) from None
    except ValueError as error:  # a bad version or name string
        raise ValueError(str(error).strip().splitlines()[0]) from None
