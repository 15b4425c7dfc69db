"""UNISAL (Droste et al., ECCV 2020): unified image and video saliency."""

from keras_saliency.zoo.unisal.unisal_convert import load_unisal_weights
from keras_saliency.backbones.mobilenetv2_unisal import build_unisal_mobilenetv2
from keras_saliency.zoo.unisal.unisal_model import DEFAULT_DOMAINS, UNISAL
from keras_saliency.zoo.unisal.unisal_video import recurrent_inference, recurrent_inference_stream

__all__ = ["DEFAULT_DOMAINS", "UNISAL", "build_unisal_mobilenetv2", "load_unisal_weights",
           "recurrent_inference", "recurrent_inference_stream"]
