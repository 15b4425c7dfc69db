"""DINet and the dilated ResNet-50 baseline (n-reference transfer, Luo et al. 2020)."""

from keras_saliency.zoo.dinet.dinet_model import DINet, build_dinet, build_resnet_baseline, dinet_head, resnet_baseline_head

__all__ = ["DINet", "build_dinet", "build_resnet_baseline", "dinet_head", "resnet_baseline_head"]
