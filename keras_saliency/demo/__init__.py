"""``keras-saliency demo``: a local web page to try models on your own images and videos (`keras_saliency.demo.server`)."""

from keras_saliency.demo.server import DemoServer, serve

__all__ = ["DemoServer", "serve"]
