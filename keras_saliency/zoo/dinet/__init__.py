"""DINet and the dilated ResNet-50 baseline (n-reference transfer, Luo et al. 2020)."""

from keras_saliency.zoo.dinet.dinet_model import DINet, build_dinet, build_resnet_baseline, dinet_head, resnet_baseline_head
from keras_saliency.zoo.dinet.dinet_transfer import TransferModel, encoder_features, standin_encoder

__all__ = ["DINet", "TransferModel", "build_dinet", "build_resnet_baseline", "dinet_head", "encoder_features",
           "resnet_baseline_head", "standin_encoder"]
