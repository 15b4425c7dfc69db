"""Reference side of the DeepGaze IIE parity check: run in a Python with torch + torchvision.

    <torch-python> benchmarks/deepgaze_iie/reference_side.py --reference ../ref/DeepGaze --output ../parity_out

Builds the reference ``DeepGazeIIE`` of a matthias-k/DeepGaze checkout (unchanged) with
random weights: before construction, this script replaces the calls that fetch weights
(``torch.hub.load`` of torchvision DenseNet-201 / ResNeXt-50, the ShapeNet download,
``EfficientNet.from_pretrained``) with the same architectures at ``weights=None`` (and puts an
empty ``clip`` and ``einops`` modules in place, which the package imports for DeepGaze MSDB only), and
constructs ``DeepGazeIIE(pretrained=False)`` (no readout download). ``torch.manual_seed(0)``
before construction, then a perturbation (generator seed 1234) so that every tensor
matters: BatchNorm weight ~ U(0.5, 1.5), bias / running mean ~ N(0, 0.1), running var ~
U(0.5, 2); LayerNorm weight ~ U(0.5, 1.5), bias ~ N(0, 0.1); readout biases ~ N(0, 0.1);
Gaussian sigma ~ U(3, 12); centre-bias weight ~ U(0.5, 1.5).

Writes to ``--output``: ``deepgaze2e_random.pth`` (the full state dict, as the published
file), ``backbone_<b>.pth`` (each backbone's own state dict, ``module.``-wrapped for
ShapeNet), ``manifest.json`` (every key and shape) and ``cases.npz``: per case the image
(uint8 H, W, 3), the centre bias (H, W log-density), the log-density and, for the first
case, every backbone's hooked feature maps (NCHW, at the half-resolution backbone input).
"""

import argparse
import collections
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

CASES = (("768x1024", 768, 1024, 0), ("601x803", 601, 803, 1))


def patch_downloads():
    import types

    import torch
    import torchvision

    # The package's __init__ imports DeepGaze MSDB, whose CLIP / DINOv2 backbones need `clip` and `einops` at
    # import time; DeepGaze IIE never calls them, so empty stand-ins let the package import.
    sys.modules.setdefault("clip", types.ModuleType("clip"))
    if "einops" not in sys.modules:
        einops = types.ModuleType("einops")
        einops.rearrange = None
        sys.modules["einops"] = einops
    from deepgaze_pytorch.features import efficientnet, shapenet
    from deepgaze_pytorch.features.efficientnet_pytorch import EfficientNet

    torch.hub.load = lambda repo, name, **kwargs: getattr(torchvision.models, name)(weights=None)
    shapenet.load_model = lambda name: torch.nn.Sequential(collections.OrderedDict(
        [("module", torchvision.models.resnet50(weights=None))]))
    efficientnet.EfficientNet.from_pretrained = classmethod(lambda cls, name, **kwargs: EfficientNet.from_name(name))


def perturb(model, generator):
    import torch

    def uniform(t, low, high):
        t.copy_(torch.rand(t.shape, generator=generator) * (high - low) + low)

    def normal(t, std):
        t.copy_(torch.randn(t.shape, generator=generator) * std)

    from deepgaze_pytorch.layers import Bias, GaussianFilterNd, LayerNorm
    from deepgaze_pytorch.modules import Finalizer

    with torch.no_grad():
        for _, module in model.named_modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                uniform(module.weight, 0.5, 1.5)
                normal(module.bias, 0.1)
                normal(module.running_mean, 0.1)
                uniform(module.running_var, 0.5, 2.0)
            elif isinstance(module, LayerNorm):
                uniform(module.weight, 0.5, 1.5)
                normal(module.bias, 0.1)
            elif isinstance(module, Bias):
                normal(module.bias, 0.1)
            elif isinstance(module, GaussianFilterNd):
                uniform(module.sigma, 3.0, 12.0)
            elif isinstance(module, Finalizer):
                uniform(module.center_bias_weight, 0.5, 1.5)


def make_case(height, width, seed):
    """A blocky colour image (uint8) and a random smooth centre-bias log-density (NumPy only)."""
    rng = np.random.default_rng(seed)
    blocks = rng.normal(size=(math.ceil(height / 32), math.ceil(width / 32), 3))
    image = np.repeat(np.repeat(blocks, 32, 0), 32, 1)[:height, :width]
    image = np.clip(np.round(128 + 70 * image + 25 * rng.normal(size=image.shape)), 0, 255).astype(np.uint8)
    ys, xs = np.mgrid[0:height, 0:width]
    cy, cx = height * rng.uniform(0.4, 0.6), width * rng.uniform(0.4, 0.6)
    bias = -((ys - cy) ** 2 / (2 * (0.25 * height) ** 2) + (xs - cx) ** 2 / (2 * (0.25 * width) ** 2))
    bias = bias - np.log(np.exp(bias - bias.max()).sum()) - bias.max()
    return image, bias.astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", required=True, help="a matthias-k/DeepGaze checkout")
    parser.add_argument("--output", required=True, help="folder for the state dicts and cases (about 0.5 GB)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import torch

    sys.path.insert(0, str(Path(args.reference).resolve()))
    torch.set_num_threads(args.threads)
    patch_downloads()
    from deepgaze_pytorch.deepgaze2e import DeepGazeIIE

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = DeepGazeIIE(pretrained=False)
    perturb(model, torch.Generator().manual_seed(1234))
    model.eval()
    state = model.state_dict()
    torch.save(state, out / "deepgaze2e_random.pth")
    manifest = {"source": "matthias-k/DeepGaze deepgaze_pytorch.deepgaze2e.DeepGazeIIE(pretrained=False).state_dict()",
                "keys": {k: list(v.shape) for k, v in state.items()}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=0) + "\n")
    for b, mixture in enumerate(model.models):
        torch.save(mixture.features.features[1].state_dict(), out / f"backbone_{b}.pth")
    arrays = {}
    for label, height, width, seed in CASES:
        image, bias = make_case(height, width, seed)
        x = torch.from_numpy(image.astype(np.float32).transpose(2, 0, 1)[None].copy())
        with torch.no_grad():
            start = time.perf_counter()
            log_density = model(x, torch.from_numpy(bias[None]))
            print(f"{label}: reference forward {time.perf_counter() - start:.1f} s", flush=True)
        arrays[f"{label}/image"], arrays[f"{label}/centerbias"] = image, bias
        arrays[f"{label}/log_density"] = log_density[0, 0].numpy()
        if label == CASES[0][0]:
            for b, mixture in enumerate(model.models):
                for target, value in mixture.features.outputs.items():
                    arrays[f"{label}/features/{b}/{target}"] = value[0].numpy()
    np.savez(out / "cases.npz", **arrays)
    print(f"wrote {len(state)} tensors and {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main()
