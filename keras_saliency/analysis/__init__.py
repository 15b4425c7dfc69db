"""Inner-representation analysis of saliency models (He et al., CVPR 2019, "Understanding and
Visualizing Deep Visual Saliency Models").

One concept per module: ``activations`` (memory-bounded extraction), ``region_nss`` (NSS of maps
against the fixations inside a region), ``association`` (per-layer, per-category Tables 2-3
statistics), ``regions`` (regions from annotated label masks), ``clusters`` (fixation-cluster regions when
no annotation exists), ``nmm`` (normalised mean under the mask, Tables 4-6), ``inner_nmm`` (NMM of
every unit and top-unit summaries, Table 5), ``inner_vs_output`` (OS_c / OD_c Spearman), ``plots``
(matplotlib figures). The probe experiment, imported as submodules (they load Keras and matplotlib):
``probe`` (frozen encoder + 1x1 readout trained with -NSS, setup II's ``unfreeze_layers``),
``probe_analysis`` (the Tables 2-3 run on fixation-cluster regions) and ``popout`` (Tables 4-5 on
the pop-out search arrays).
"""

from keras_saliency.analysis.activations import iter_activation_maps, normalize_maps
from keras_saliency.analysis.association import LayerCategoryStats, associate_units, layer_table
from keras_saliency.analysis.clusters import cluster_regions, mean_shift
from keras_saliency.analysis.inner_nmm import top_units, unit_nmm
from keras_saliency.analysis.inner_vs_output import inner_vs_output
from keras_saliency.analysis.nmm import nmm, nmm_maps
from keras_saliency.analysis.region_nss import region_nss, top_k_statistics
from keras_saliency.analysis.regions import regions_from_label_mask

__all__ = [
    "iter_activation_maps", "normalize_maps", "LayerCategoryStats", "associate_units", "layer_table",
    "cluster_regions", "mean_shift", "inner_vs_output", "nmm", "nmm_maps", "region_nss",
    "regions_from_label_mask", "top_k_statistics", "top_units", "unit_nmm",
]
