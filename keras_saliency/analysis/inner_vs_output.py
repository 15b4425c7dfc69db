"""Inner saliency vs output saliency per category, with Spearman's rank correlation.

Definitions used here (per category c, over the regions of c):
- ``OS_c`` (output saliency): mean NSS of the model's prediction map against the fixations inside
  the regions of c (region NSS, as for the units).
- ``OD_c`` (inner detectors): mean number of units of the analysed layer with region NSS > T.
The Spearman correlation across categories (``scipy.stats.spearmanr``) measures whether the
categories the output favours are those with many strongly associated inner units.
"""

from typing import Dict, Tuple

import numpy as np
from scipy import stats


def inner_vs_output(output_saliency: Dict[str, float], inner_detectors: Dict[str, float]) -> Tuple[float, float]:
    """Spearman (rho, p-value) of OS_c vs OD_c over the categories present in both dicts."""
    categories = sorted(set(output_saliency) & set(inner_detectors))
    if len(categories) < 3:
        raise ValueError(f"Need >= 3 shared categories for a rank correlation; got {categories}.")
    os_c = np.array([output_saliency[c] for c in categories], dtype=np.float64)
    od_c = np.array([inner_detectors[c] for c in categories], dtype=np.float64)
    result = stats.spearmanr(os_c, od_c)
    return float(result.statistic), float(result.pvalue)
