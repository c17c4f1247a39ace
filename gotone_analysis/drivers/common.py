"""Shared pieces of the driver statistics: complete cases, replicate weights, weighted fits.

Weights are sampling weights throughout. Every statistic here is computed for the
full sample and all bootstrap replicates at once (weight matrices ``(n, 1 + R)``,
column 0 the full sample), by matrix products of the weights with per-row moments
(:func:`gotone_analysis.replicates.weighted_moments`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..replicates import ReplicateWeights, bootstrap_weights, weighted_moments

__all__ = [
    "numeric_matrix",
    "complete_rows",
    "resolve_replicates",
    "weight_matrix",
    "correlations",
    "regressions",
]


def numeric_matrix(data: pd.DataFrame, columns: Sequence[str], role: str = "") -> np.ndarray:
    """Columns as a float64 matrix with NaN for missing values.

    Returns
    -------
    ndarray, shape (n, len(columns))
    """
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        what = f" ({role})" if role else ""
        raise UsageError(f"column(s) {missing}{what} not in the data")
    out = np.empty((len(data), len(columns)))
    for j, c in enumerate(columns):
        s = data[c]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype("Float64")
        elif not pd.api.types.is_numeric_dtype(s):
            raise UsageError(f"column '{c}' must be numeric, it is {s.dtype}")
        out[:, j] = s.to_numpy(dtype="float64", na_value=np.nan)
    return out


def complete_rows(values: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows with every value present (listwise deletion).

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    return np.isfinite(values).all(axis=1)


def resolve_replicates(
    data: pd.DataFrame,
    replicates: int | ReplicateWeights | None,
    *,
    weight: str | None,
    strata: str | None,
    psu: str | None,
    seed: int | None,
) -> ReplicateWeights | None:
    """Replicate weights for ``data``: given, drawn (an int: that many), or none.

    Returns
    -------
    ReplicateWeights or None
    """
    if replicates is None or replicates is False:
        return None
    if isinstance(replicates, ReplicateWeights):
        if replicates.n != len(data):
            raise UsageError(f"the replicate weights have {replicates.n} rows but the data has "
                             f"{len(data)}: draw them for this data")
        return replicates
    return bootstrap_weights(data, weight=weight, strata=strata, psu=psu,
                             replicates=int(replicates), seed=seed)


def weight_matrix(data: pd.DataFrame, weight: str | None,
                  reps: ReplicateWeights | None) -> np.ndarray:
    """Weights ``(n, 1 + R)``: the full sample, then every replicate (R = 0 without any).

    Returns
    -------
    ndarray
    """
    if reps is not None:
        return reps.all()
    if weight is None:
        return np.ones((len(data), 1))
    w = numeric_matrix(data, [weight], "weight")[:, 0]
    if not (np.isfinite(w) & (w > 0)).all():
        raise UsageError(f"weight column '{weight}' has missing or non-positive values")
    return w[:, None]


def correlations(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted correlation matrices, one per weight column.

    Returns
    -------
    ndarray, shape (K, p, p)
    """
    _, cov = weighted_moments(values, weights)
    sd = np.sqrt(np.einsum("kii->ki", cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / sd[:, :, None] / sd[:, None, :]


def regressions(x: np.ndarray, y: np.ndarray, weights: np.ndarray):
    """Weighted least squares of ``y`` on an intercept and ``x``, for every weight column.

    Slopes come from the weighted covariance matrix and the intercept is
    ``ybar - xbar' b``, so that ``xbar' beta = ybar`` holds to rounding in every fit.

    Returns
    -------
    beta : ndarray, shape (K, 1 + p)
        Intercept first, then one slope per column of ``x``.
    xbar : ndarray, shape (K, 1 + p)
        Weighted means of the regressors, with 1 for the intercept.
    ybar : ndarray, shape (K,)
        Weighted means of ``y``.
    """
    z = np.column_stack([x, y])
    means, cov = weighted_moments(z, weights)
    p = x.shape[1]
    sxx, sxy = cov[:, :p, :p], cov[:, :p, p]
    try:
        slopes = np.linalg.solve(sxx, sxy[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # a regressor constant in some replicate
        slopes = np.einsum("kij,kj->ki", np.linalg.pinv(sxx), sxy)
    xbar, ybar = means[:, :p], means[:, p]
    intercept = ybar - np.einsum("kp,kp->k", xbar, slopes)
    k = len(ybar)
    return (np.column_stack([intercept, slopes]), np.column_stack([np.ones(k), xbar]), ybar)
