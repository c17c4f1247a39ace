"""Respondent scores on 0-100 that more than one report uses: one rule each.

* :func:`scaled`: an item on its answer scale (:data:`ITEM_RANGES`) rescaled to 0-100;
* :func:`satisfaction_score`: the satisfaction score of a respondent, the mean of the
  three satisfaction items (:data:`SAT_ITEMS`) on 0-100, when at least
  :data:`SAT_MIN_ANSWERED` of them are answered (98/99 are missing). The satisfaction
  report's index and trend and the program-effects comparisons read this score, so a
  page never shows two satisfaction scores of one respondent. (The ECSI model's
  satisfaction index is another quantity: a latent-variable score estimated from the
  same items, named as such where it is shown.)
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["ITEM_RANGES", "SAT_ITEMS", "SAT_MIN_ANSWERED", "SCORE_BOUNDS", "SHARE_BOUNDS",
           "satisfaction_score", "scaled"]

#: The satisfaction triad: overall, against expectations, against the ideal (1-10 each).
SAT_ITEMS: tuple[str, ...] = ("sat_overall", "sat_expect", "sat_ideal")
#: Answered satisfaction items a respondent needs for a satisfaction score.
SAT_MIN_ANSWERED: int = 2
#: Bounds of every respondent score (the scale its interval stays inside).
SCORE_BOUNDS: tuple[float, float] = (0.0, 100.0)
#: Bounds of a share (a proportion of respondents, on 0-1).
SHARE_BOUNDS: tuple[float, float] = (0.0, 1.0)
#: Answer scale (low, high) of the items scored on 0-100.
ITEM_RANGES: dict[str, tuple[float, float]] = {
    **{i: (1.0, 10.0) for i in (*SAT_ITEMS, "img_1", "img_2", "img_3", "img_4", "img_5",
                                "val_price", "val_quality", "pq_network", "pq_tariff",
                                "pq_hall", "pq_hotline", "exp_overall", "loy_stay")},
    "ltr": (0.0, 10.0), "complaint": (0.0, 1.0),
}


def scaled(df: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Items rescaled from their answer scale (:data:`ITEM_RANGES`) to 0-100.

    Returns
    -------
    DataFrame
        One float column per item, index of ``df``; missing stays missing.
    """
    return pd.DataFrame({i: (df[i].astype("float64") - ITEM_RANGES[i][0])
                         / (ITEM_RANGES[i][1] - ITEM_RANGES[i][0]) * 100 for i in items},
                        index=df.index)


def satisfaction_score(df: pd.DataFrame) -> pd.Series:
    """The satisfaction score of each respondent on 0-100 (see the module).

    Returns
    -------
    Series
        Mean of the answered items of :data:`SAT_ITEMS` on 0-100, missing where fewer than
        :data:`SAT_MIN_ANSWERED` are answered.
    """
    sat = scaled(df, SAT_ITEMS)
    return sat.mean(axis=1).where(sat.notna().sum(axis=1) >= SAT_MIN_ANSWERED)
