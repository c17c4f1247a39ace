"""Why satisfaction moved: satisfaction index, driver importance and change decompositions.

Public names: :func:`pls_path_model` (PLS path model, ACSI/ECSI index),
:func:`importance` (Shapley/LMG, Johnson's relative weights),
:func:`importance_performance` (quadrants), :func:`decompose_change` (Oaxaca–Blinder)
and :func:`segment_mix` (Kitagawa). Everything returns tidy tables; nothing here
draws (no matplotlib). Intervals come from the Rao–Wu bootstrap replicate weights of
:mod:`gotone_analysis.replicates`.
"""

from __future__ import annotations

from .decompose import CONTROLS, INTERCEPT, PARTS, TWOFOLD, decompose_change, segment_mix
from .importance import METHODS, QUADRANTS, importance, importance_performance
from .pls import SCHEMES, PLSResult, pls_path_model

__all__ = [
    "CONTROLS",
    "INTERCEPT",
    "METHODS",
    "PARTS",
    "PLSResult",
    "QUADRANTS",
    "SCHEMES",
    "TWOFOLD",
    "decompose_change",
    "importance",
    "importance_performance",
    "pls_path_model",
    "segment_mix",
]
