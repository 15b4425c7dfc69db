"""``keras-saliency push PRESET_DIR REPO_ID``: publish a preset folder on the Hugging Face Hub."""

import json
from pathlib import Path

from keras_saliency.cli import add_progress_argument, progress_of


def register(subparsers):
    parser = subparsers.add_parser(
        "push",
        help="upload a preset folder to the Hugging Face Hub",
        description="Verify a preset folder (checksums, licence) and upload it to a Hub model "
        "repository (created if needed). Prints the pinned hf://ORG/NAME@<commit> to load it with "
        "and a registry entry for <family>_presets.py. Needs `hf auth login` or HF_TOKEN.",
    )
    parser.add_argument("preset_dir", metavar="PRESET_DIR", help="folder written by keras_saliency.presets.save")
    parser.add_argument("repo_id", metavar="REPO_ID", help="Hub repository, ORG/NAME")
    parser.add_argument("--revision", help="branch to commit to (created from main if missing; default main)")
    parser.add_argument("--message", help="commit message")
    parser.add_argument("--private", action="store_true", help="create the repository as private")
    add_progress_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from keras_saliency.cli import UserError
    from keras_saliency.presets import PresetError, push_to_hub
    from keras_saliency.presets.files import read_metadata

    progress_of(args)  # --no-progress hides the Hub client's upload bars
    if not Path(args.preset_dir).is_dir():
        raise UserError(f"PRESET_DIR {args.preset_dir} is not a folder")
    try:
        pinned = push_to_hub(
            args.preset_dir, args.repo_id, revision=args.revision, commit_message=args.message, private=args.private
        )
    except (PresetError, ValueError) as error:
        raise UserError(str(error)) from None
    print(f"Pushed {args.preset_dir} -> {pinned}")
    print("Registry entry for <family>_presets.py:")
    metadata = read_metadata(args.preset_dir)
    entry = {"description": metadata.get("description") or "", "location": str(pinned)}
    print(json.dumps({metadata.get("name") or Path(args.preset_dir).name: entry}, indent=4))
    return 0
