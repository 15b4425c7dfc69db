"""UNISAL (Droste et al., ECCV 2020): unified image and video saliency."""

from keras_saliency.zoo.unisal.unisal_convert import load_unisal_weights
from keras_saliency.backbones.mobilenetv2_unisal import build_unisal_mobilenetv2
from keras_saliency.zoo.unisal.unisal_model import DEFAULT_DOMAINS, UNISAL
from keras_saliency.zoo.unisal.unisal_video import FRAME_MODULO, recurrent_inference

__all__ = ["DEFAULT_DOMAINS", "FRAME_MODULO", "UNISAL", "build_unisal_mobilenetv2", "load_unisal_weights",
           "recurrent_inference"]
