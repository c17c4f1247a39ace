"""Covariate specifications of the effect estimators: which data columns they use.

A specification is column names or a formula right-hand side (read by formulaic, as
statsmodels does); :func:`covariate_columns` names the columns of the data it refers
to, so that the estimators can drop incomplete rows before building the design.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

__all__ = ["covariate_columns"]


def covariate_columns(data: pd.DataFrame, spec: str | Sequence[str] | None) -> list[str]:
    """Data columns a covariate specification refers to.

    Parameters
    ----------
    data : DataFrame
        The data the specification is read against.
    spec : str, sequence of str or None
        A formula right-hand side (every name in it that is a column of ``data``
        counts), column names (returned as given), or none.

    Returns
    -------
    list of str
        The columns, in the order of ``data`` for a formula; ``[]`` for ``None``.
    """
    if spec is None:
        return []
    if isinstance(spec, str):
        names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", spec))
        return [c for c in data.columns if c in names]
    return list(spec)
