"""Brand equity: the four components (认知 联想 偏好 忠诚) and the influence index (影响力).

Respondent-level scores on 0-100 follow :data:`gotone_analysis.config.BRAND_INDEX_SPEC`;
design-based estimates of their means come from :mod:`gotone_analysis.survey`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import BRAND_COMPONENTS, BRAND_INDEX_SPEC


def _rescale(x: pd.Series, lo: float, hi: float) -> pd.Series:
    return (x.astype("float64") - lo) / (hi - lo) * 100.0


def respondent_scores(df: pd.DataFrame, spec: dict | None = None) -> pd.DataFrame:
    """Score each respondent on the four components and the influence index, 0-100.

    Parameters
    ----------
    df : DataFrame
        Survey rows with the items named in ``spec`` (98/99 already read as missing).
    spec : dict, optional
        Scoring specification; defaults to :data:`~gotone_analysis.config.BRAND_INDEX_SPEC`.

    Returns
    -------
    DataFrame
        Same index as ``df``, columns ``awareness, association, preference, loyalty,
        influence`` (float, NaN where the rules in the spec make a score missing).
    """
    spec = spec or BRAND_INDEX_SPEC
    out = pd.DataFrame(index=df.index)
    for comp in BRAND_COMPONENTS:
        rule = spec[comp]
        if "mean_of" in rule:
            lo, hi = rule["scale"]
            items = df[list(rule["mean_of"])].astype("float64")
            answered = items.notna().sum(axis=1)
            score = _rescale(items.mean(axis=1), lo, hi)
            out[comp] = score.where(answered >= rule.get("min_answered", 1))
        else:
            scale = rule["scale"]
            total = pd.Series(0.0, index=df.index)
            for item, w in rule["items"].items():
                lo, hi = scale[item] if isinstance(scale, dict) else scale
                total = total + w * _rescale(df[item], lo, hi)
            out[comp] = total / sum(rule["items"].values())
    weights = spec["influence_weights"]
    wsum = sum(weights.values())
    infl = sum(w * out[c] for c, w in weights.items()) / wsum
    out["influence"] = infl.astype("float64")
    return out.replace([np.inf, -np.inf], np.nan)
