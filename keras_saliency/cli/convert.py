"""``keras-saliency convert FAMILY CHECKPOINT -o PRESET``: reference checkpoints -> keras-saliency presets.

Checkpoints are read without torch and without running pickled code
(`keras_saliency.convert.load_state_dict`); the preset records the checkpoint's
sha256, the reference repository and its licence, and is written to a temporary
folder that is renamed into place only when complete.
"""

from __future__ import annotations

from pathlib import Path

from keras_saliency.cli import UserError, add_progress_argument, progress_of

FAMILIES = {
    "deepgaze_iie": "DeepGaze IIE (Linardos et al. 2021): deepgaze2e.pth of matthias-k/DeepGaze v1.0.0, with "
                    "--centerbias centerbias_mit1003.npy",
    "unisal": "UNISAL (Droste et al. 2020): weights_best.pth or weights_ft_mit1003.pth of rdroste/unisal, or a "
              "state-dict .npz",
}


def register(subparsers):
    parser = subparsers.add_parser(
        "convert",
        help="convert a reference checkpoint to a preset folder",
        description="Convert a checkpoint of a reference implementation into a preset folder that "
        "keras_saliency.presets.load / --model load, e.g. `keras-saliency convert unisal "
        "weights_best.pth -o presets/unisal_reference`. " + __doc__.split("\n\n", 1)[1].replace("`", "")
        + " Families: " + "; ".join(f"{k} = {v}" for k, v in FAMILIES.items()) + ".",
    )
    parser.add_argument("family", choices=sorted(FAMILIES), help="model family of the checkpoint")
    parser.add_argument("checkpoint", type=Path, help="the reference checkpoint (.pth/.pt or .npz)")
    parser.add_argument("--output", "-o", type=Path, required=True, help="preset folder to write")
    parser.add_argument("--domains", default=None,
                        help="unisal: comma-separated UNISAL domains in the checkpoint (default: DHF1K,Hollywood,"
                             "UCFSports,SALICON, the reference's sources; SALICON for weights_ft_mit1003.pth)")
    parser.add_argument("--centerbias", type=Path, default=None,
                        help="deepgaze_iie: the centre-bias template .npy (centerbias_mit1003.npy) stored in the "
                             "preset as the default condition (without it: uniform)")
    parser.add_argument("--name", default=None, help="preset name in its metadata (default: the folder name)")
    parser.add_argument("--training-data", default=None,
                        help="what the weights were trained on (default: known for the authors' files)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing preset folder")
    add_progress_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    if not args.checkpoint.is_file():
        raise UserError(f"checkpoint {args.checkpoint} does not exist (or is not a file).")
    output = args.output
    if output.exists() and not (output.is_dir() and not any(output.iterdir())) and not args.overwrite:
        raise UserError(f"--output {output} already exists; pass --overwrite to replace it.")
    if args.family != "unisal" and args.domains is not None:
        raise UserError(f"--domains applies to unisal checkpoints, not {args.family}.")
    if args.family != "deepgaze_iie" and args.centerbias is not None:
        raise UserError(f"--centerbias applies to deepgaze_iie checkpoints, not {args.family}.")
    if args.centerbias is not None and not args.centerbias.is_file():
        raise UserError(f"--centerbias {args.centerbias} does not exist (or is not a file).")
    if args.family == "deepgaze_iie":
        from keras_saliency.zoo.deepgaze.deepgaze_convert import convert_deepgaze_iie_checkpoint

        try:
            path = convert_deepgaze_iie_checkpoint(args.checkpoint, output, centerbias=args.centerbias,
                                                   name=args.name, training_data=args.training_data,
                                                   overwrite=args.overwrite)
        except (FileExistsError, ValueError) as error:
            raise UserError(str(error)) from None
        print(f"converted {args.checkpoint} -> preset {path}")
        return 0
    domains = None
    if args.domains is not None:
        domains = [d.strip() for d in args.domains.split(",") if d.strip()]
        if not domains:
            raise UserError("--domains: give at least one domain name, e.g. DHF1K,SALICON.")
    from keras_saliency.zoo.unisal.unisal_convert import convert_unisal_checkpoint

    try:
        path = convert_unisal_checkpoint(args.checkpoint, output, domains=domains, name=args.name,
                                         training_data=args.training_data, overwrite=args.overwrite,
                                         progress=progress_of(args))
    except (FileExistsError, ValueError) as error:  # ValueError: format, unsafe pickle, fit, metadata
        raise UserError(str(error)) from None
    print(f"converted {args.checkpoint} -> preset {path}")
    return 0
