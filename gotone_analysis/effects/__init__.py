"""Program effects: staggered difference-in-differences and weighting estimators.

``staggered_did`` estimates the group-time effects of a staggered roll-out on a
customer panel (Callaway & Sant'Anna, as R ``did``); ``weighting_estimate`` the
covariate-adjusted effect of taking part in a lever on a survey outcome (inverse
probability and doubly robust weighting, as Stata ``teffects``).
"""

from .did import DidResult, did_from_moments, moments_from_frame, staggered_did
from .weighting import WeightingResult, weighting_estimate

__all__ = [
    "DidResult",
    "WeightingResult",
    "did_from_moments",
    "moments_from_frame",
    "staggered_did",
    "weighting_estimate",
]
