"""Test utilities for keras-saliency and for projects that build on it (not imported by the library)."""
