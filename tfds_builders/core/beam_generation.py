"""Apache Beam generation for the large builders, used only when the build asks for Beam.

A builder mixing in :class:`BeamWhenAsked` builds as usual (one Python process, no
apache-beam needed) unless its ``DownloadConfig`` names a Beam runner or Beam options,
as ``tfds build --beam_pipeline_options=...`` and
``keras-saliency``/TFDS ``download_and_prepare(download_config=DownloadConfig(beam_options=...))``
do. Then the driver lists the records (paths plus the fixations read from the
annotation files) and the Beam workers do the heavy part: reading, checking and encoding
the images, maps and frames. ``builder.report`` is not filled under Beam (the counts stay
in the workers); the out-of-image policy still applies.
"""

from __future__ import annotations

import functools

import tensorflow_datasets as tfds
from absl import logging

from tfds_builders.core import image_builder, video_builder


def beam_requested(download_config) -> bool:
    """Whether a DownloadConfig asks for Beam (a runner or pipeline options)."""
    return download_config is not None and (
        download_config.beam_runner is not None or download_config.beam_options is not None
    )


class BeamWhenAsked:
    """Mixin (first base) for a builder with ``_split_records``; subclasses give ``_beam_encoder()``."""

    _use_beam = False

    def _download_and_prepare(self, dl_manager, download_config=None):
        self._use_beam = beam_requested(download_config)
        return super()._download_and_prepare(dl_manager, download_config)

    def _split_generators(self, dl_manager):
        if not self._use_beam:
            return super()._split_generators(dl_manager)
        beam = tfds.core.lazy_imports.apache_beam
        logging.warning("%s: building with Apache Beam (the pipeline options decide the runner).", self.name)
        encode = self._beam_encoder()
        return {
            split: beam.Create(list(records)) | f"Encode{split}" >> beam.Map(encode)
            for split, records in self._split_records(dl_manager).items()
        }

    def _beam_encoder(self):
        """A picklable function record -> (key, example)."""
        raise NotImplementedError


def keyed_image_example(record, settings):
    return record.image_id, image_builder.encode_record(record, settings)[0]


def keyed_video_example(record):
    return record.video_id, video_builder.encode_video(record)


class BeamImagesWhenAsked(BeamWhenAsked):
    """For :class:`image_builder.FixationImageBuilder` subclasses."""

    def _beam_encoder(self):
        return functools.partial(keyed_image_example, settings=self.encode_settings())


class BeamVideosWhenAsked(BeamWhenAsked):
    """For :class:`video_builder.FrameFolderVideoBuilder` subclasses."""

    def _beam_encoder(self):
        return keyed_video_example
