"""The ``README.md`` model card of a preset, generated from its metadata."""

from __future__ import annotations

from keras_saliency.presets.files import CONFIG_FILE, WEIGHTS_FILE


def render_model_card(metadata: dict) -> str:
    """Markdown model card with Hub YAML front matter.

    ``metadata`` is the preset metadata without the card's own checksum: its
    ``files`` must hold ``config.json`` and ``model.weights.h5``.
    """
    title = metadata.get("name") or metadata["model_class"]
    front = ["---", "library_name: keras"]
    if metadata.get("license"):
        front.append(f"license: {metadata['license']}")
    front += ["tags:", "- keras-saliency", "- saliency-prediction", "---", ""]
    lines = front + [f"# {title}", ""]
    if metadata.get("description"):
        lines += [metadata["description"], ""]
    lines += [
        "## Usage",
        "",
        "```python",
        "from keras_saliency import presets",
        "",
        '# Pin the commit for reproducible results: "hf://ORG/NAME@<commit sha>".',
        'model = presets.load("hf://ORG/NAME@REVISION")  # or a local copy of this folder',
        "log_density = model.predict_log_density(images)  # (B, H, W, 3) RGB 0..255 -> (B, H, W), logsumexp 0",
        "```",
        "",
        "Every file is checked against the sha256 in `metadata.json` before it is loaded.",
        "",
        "## Model",
        "",
        "| | |",
        "|---|---|",
        f"| class | `{metadata['model_class']}` |",
        f"| parameters | {metadata['parameter_count']:,} |",
        f"| saved with | keras-saliency {metadata['keras_saliency_version']}, "
        f"Keras {metadata['keras_version']} ({metadata['backend']} backend) |",
        f"| date (UTC) | {metadata['date_saved']} |",
        "",
        "## Training data",
        "",
        metadata.get("training_data") or "Not stated.",
        "",
        "## Metrics",
        "",
    ]
    if metadata["metrics"]:
        lines += ["| metric | value | dataset | command |", "|---|---|---|---|"]
        lines += [
            f"| {m['name']} | {m['value']:.4g} | {m['dataset']} | `{_cell(m['command'])}` |"
            for m in metadata["metrics"]
        ]
    else:
        lines.append("None measured.")
    lines += ["", "## Licence", "", metadata.get("license") or "Not stated.", ""]
    source = metadata.get("source")
    if source:
        lines += ["## Source", "", f"Converted from `{source['file']}` (sha256 `{source['sha256']}`)"
                  + (f", {source['url']}" if source.get("url") else "") + "."]
        lines += ["", source["license_note"], ""] if source.get("license_note") else [""]
    if metadata["citations"]:
        lines += ["## Citation", "", "```bibtex", *metadata["citations"], "```", ""]
    lines += ["## Files", "", "| file | sha256 | bytes |", "|---|---|---|"]
    lines += [
        f"| {name} | `{metadata['files'][name]['sha256']}` | {metadata['files'][name]['size']} |"
        for name in (CONFIG_FILE, WEIGHTS_FILE)
    ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
