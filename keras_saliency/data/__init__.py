"""Input pipelines: TFDS saliency examples -> batched model inputs and targets."""

from keras_saliency.data.evaluation import EncodedImage, evaluation_samples
from keras_saliency.data.fixation_datasets import FixationImages, read_fixation_images
from keras_saliency.data.pipeline import TARGETS, domain_batches, filter_ids, make_target, saliency_dataset
from keras_saliency.data.sizes import UNISAL_INPUT_SIZES, optimal_size
from keras_saliency.data.splits import few_shot_split, fold_of, kfold_split
from keras_saliency.data.video import UNISAL_CLIP_LENGTH, UNISAL_FRAME_MODULO, unisal_frame_modulo, video_clip_dataset

__all__ = [
    "EncodedImage", "FixationImages", "TARGETS", "UNISAL_CLIP_LENGTH", "UNISAL_FRAME_MODULO", "UNISAL_INPUT_SIZES",
    "domain_batches", "evaluation_samples", "filter_ids", "few_shot_split", "fold_of", "kfold_split",
    "make_target", "optimal_size", "read_fixation_images", "saliency_dataset", "unisal_frame_modulo",
    "video_clip_dataset",
]
