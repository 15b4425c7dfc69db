"""Which padding, BatchNorm epsilon and input normalisation the EfficientNet-Lite checkpoints expect.

A plain torch.nn.functional forward of each checkpoint is run under every combination
of padding (symmetric ``k // 2`` vs TF "same"), BN epsilon (1e-5 vs 1e-3) and input
normalisation (ImageNet mean/std vs the TF-Lite ``(x - 127) / 128``) on the bundled
photos. Two criteria: the mean log-probability of the correct class, and how well
the per-channel statistics of every BatchNorm input over the photos agree with the
checkpoint's running statistics (mean |z| of the batch mean, in running-std units:
the training-time convention reproduces the statistics the BN layers were fitted on),
and the median log ratio of observed to running variance, for the stem BN (which
sees the normalised input through one linear conv) and over all BN layers.

    PYTHONPATH=. python benchmarks/efficientnet_lite_conventions.py   # markdown table on stdout
"""

import itertools
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from keras_saliency.backbones.efficientnet_lite_spec import checkpoint_path
from keras_saliency.convert import load_state_dict

PHOTOS = {"chelsea_cat": {281, 282, 283, 284, 285}, "coffee": {967}, "rocket": {657, 744, 812}}
EXTRA = ("astronaut",)  # statistics only
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "images"
NORMALISATIONS = {"imagenet_mean_std": (np.array([0.485, 0.456, 0.406]) * 255, np.array([0.229, 0.224, 0.225]) * 255),
                  "tf_lite_127_128": (np.full(3, 127.0), np.full(3, 128.0))}


def pad(x, kernel, stride, mode):
    if mode == "symmetric":
        return F.pad(x, [kernel // 2] * 4)
    h, w = x.shape[-2:]
    ph = max((math.ceil(h / stride) - 1) * stride + kernel - h, 0)
    pw = max((math.ceil(w / stride) - 1) * stride + kernel - w, 0)
    return F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])


def forward(t, x, padding, eps, zs):
    def bn(x, p, act=True):
        mean, var = t[f"{p}.running_mean"], t[f"{p}.running_var"]
        live = var > 1e-6  # dead channels (running_var 0) carry no evidence
        z = (x.mean(dim=(0, 2, 3)) - mean) / (var + eps).sqrt()
        log_ratio = torch.log(x.var(dim=(0, 2, 3)) / var)
        zs.append((z[live].abs().median().item(), log_ratio[live].median().item()))
        x = F.batch_norm(x, mean, var, t[f"{p}.weight"], t[f"{p}.bias"], training=False, eps=eps)
        return F.relu6(x) if act else x

    x = bn(F.conv2d(pad(x, 3, 2, padding), t["_conv_stem.weight"], stride=2), "_bn0")
    strides, previous = iter([1, 2, 2, 2, 1, 2, 1]), None
    n_blocks = 1 + max(int(k.split(".")[1]) for k in t if k.startswith("_blocks."))
    for b in range(n_blocks):
        p = f"_blocks.{b}"
        out = t[f"{p}._project_conv.weight"].shape[0]
        stride = next(strides) if out != previous else 1
        previous, inputs = out, x
        if f"{p}._expand_conv.weight" in t:
            x = bn(F.conv2d(x, t[f"{p}._expand_conv.weight"]), f"{p}._bn0")
        dw = t[f"{p}._depthwise_conv.weight"]
        x = bn(F.conv2d(pad(x, dw.shape[-1], stride, padding), dw, stride=stride, groups=dw.shape[0]), f"{p}._bn1")
        x = bn(F.conv2d(x, t[f"{p}._project_conv.weight"]), f"{p}._bn2", act=False)
        if stride == 1 and inputs.shape[1] == x.shape[1]:
            x = x + inputs
    x = bn(F.conv2d(x, t["_conv_head.weight"]), "_bn1")
    return F.linear(x.mean(dim=(2, 3)), t["_fc.weight"], t["_fc.bias"])


def main():
    print("| variant | padding | BN eps | normalisation | mean log p(correct) | top-1 correct | BN median |z| "
          "| stem log var ratio | all-BN median abs log var ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for variant, size in (("efficientnet_lite0", 224), ("efficientnet_lite1", 240), ("efficientnet_lite2", 260)):
        state = load_state_dict(checkpoint_path(variant), skip_num_batches_tracked=True)
        t = {k: torch.from_numpy(np.ascontiguousarray(v)).float() for k, v in state.items()}
        photos = np.stack([np.asarray(Image.open(EXAMPLES / f"{n}.jpg").convert("RGB").resize((size, size),
                                                                                              Image.BILINEAR))
                           for n in (*PHOTOS, *EXTRA)]).astype(np.float32)
        photos = np.concatenate([photos, photos[:, :, ::-1]])  # + mirrored copies, for the statistics
        for padding, eps, norm in itertools.product(("symmetric", "tf_same"), (1e-5, 1e-3), NORMALISATIONS):
            mean, std = NORMALISATIONS[norm]
            x = torch.from_numpy(((photos - mean) / std).astype(np.float32).transpose(0, 3, 1, 2))
            zs = []
            with torch.no_grad():
                logp = F.log_softmax(forward(t, x, padding, eps, zs), dim=1).numpy()
            correct = [max(logp[i, c] for c in classes) for i, classes in enumerate(PHOTOS.values())]
            correct += [max(logp[len(PHOTOS) + 1 + i, c] for c in classes) for i, classes in enumerate(PHOTOS.values())]
            top1 = sum(int(np.argmax(logp[i])) in classes for i, classes in enumerate(PHOTOS.values()))
            print(f"| {variant} | {padding} | {eps:g} | {norm} | {np.mean(correct):.3f} | {top1}/3 | "
                  f"{np.mean([z for z, _ in zs]):.3f} | {zs[0][1]:+.2f} | {np.mean([abs(r) for _, r in zs]):.3f} |")


if __name__ == "__main__":
    main()
