"""Bootstrap replicate weights for the survey design, and statistics evaluated over them.

Method
------
Rao–Wu rescaling bootstrap (Rao & Wu 1988; Rao, Wu & Yue 1992), the variant R's
``survey::as.svrepdesign(type="subbootstrap")`` builds: in every stratum :math:`h` with
:math:`n_h` sampled PSUs, draw :math:`n_h - 1` PSUs with replacement; a row of PSU
:math:`i` gets the replicate weight

.. math::

   w^{(r)}_k = w_k \\, \\frac{n_h}{n_h - 1} \\, m^{(r)}_{hi}

with :math:`m^{(r)}_{hi}` the number of times PSU :math:`i` was drawn in replicate
:math:`r`. Weights are **sampling weights** (not frequency weights). The variance of a
statistic :math:`\\hat\\theta` is

.. math::

   \\hat V = \\frac{1}{R - 1} \\sum_r (\\hat\\theta^{(r)} - \\bar\\theta)^2

(R's ``scale = 1/(R-1)`` with ``mse=FALSE``), which for a linear statistic has the
expectation of the with-replacement ultimate-cluster variance: the finite-population
correction is not applied, as in R. PSUs are nested within strata. Strata with a single
PSU cannot be resampled: ``lonely_psu="fail"`` (default) refuses them,
``lonely_psu="certainty"`` keeps their rows at the full-sample weight in every replicate
(they add no variance).

Intervals: ``"percentile"`` takes the :math:`(1 \\mp \\text{level})/2` quantiles of the
replicate estimates; ``"normal"`` is :math:`\\hat\\theta \\pm z\\, \\widehat{SE}`.

Vectorisation: :class:`ReplicateWeights` holds the full-sample weights and all replicate
weights as one ``(n, R)`` matrix, so a weighted-moment statistic (weighted means,
cross-products, regression normal equations) is evaluated for every replicate by one
matrix product ``W.T @ values`` (see :func:`weighted_moments`); :func:`replicate_apply`
also accepts statistics that take one weight vector at a time.

Checked against the Taylor-linearised standard errors of
:func:`gotone_analysis.survey.estimate` on R's ``api`` data (``tests/test_replicates.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DataError, UsageError
from .policy import DEFAULT_LEVEL, quantile

__all__ = [
    "DEFAULT_REPLICATES",
    "INTERVALS",
    "ReplicateWeights",
    "bootstrap_weights",
    "replicate_apply",
    "summarise_replicates",
    "weighted_moments",
]

#: Number of bootstrap replicates unless told otherwise.
DEFAULT_REPLICATES = 500
#: Interval types :func:`summarise_replicates` knows.
INTERVALS: tuple[str, ...] = ("percentile", "normal")


@dataclass(frozen=True)
class ReplicateWeights:
    """Full-sample and bootstrap replicate weights of one sample.

    Attributes
    ----------
    full : ndarray, shape (n,)
        Full-sample sampling weights.
    weights : ndarray, shape (n, R)
        Replicate weights, one column per replicate.
    scale : float
        Variance multiplier, ``1 / (R - 1)``.
    seed : int or None
        Seed the replicates were drawn with.
    method : str
        ``"subbootstrap"`` (Rao–Wu rescaling bootstrap).
    index : pandas.Index
        Row labels of the data the weights belong to.
    """

    full: np.ndarray
    weights: np.ndarray
    scale: float
    seed: int | None
    method: str
    index: pd.Index

    @property
    def replicates(self) -> int:
        """Number of replicates R."""
        return int(self.weights.shape[1])

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.full.shape[0])

    def all(self) -> np.ndarray:
        """Weights as one ``(n, 1 + R)`` matrix: the full sample first, then the replicates."""
        return np.column_stack([self.full, self.weights])

    def subset(self, rows: np.ndarray | Sequence[bool]) -> ReplicateWeights:
        """The same replicates restricted to some rows (a boolean mask or positions).

        Returns
        -------
        ReplicateWeights
            Weights of the selected rows; a domain estimate from them still honours the
            whole design, because the replicates were drawn for the whole sample.
        """
        rows = np.asarray(rows)
        return ReplicateWeights(
            full=self.full[rows], weights=self.weights[rows], scale=self.scale,
            seed=self.seed, method=self.method, index=self.index[rows],
        )


def _codes(data: pd.DataFrame, column: str, role: str) -> np.ndarray:
    if column not in data.columns:
        raise UsageError(f"{role} column '{column}' not in the data; it has {list(data.columns)}")
    codes, _ = pd.factorize(data[column], sort=True)
    if (codes < 0).any():
        raise UsageError(f"{role} column '{column}' has {int((codes < 0).sum())} missing value(s)")
    return codes.astype("int64")


def _weight_vector(data: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(data))
    if weight not in data.columns:
        raise UsageError(f"weight column '{weight}' not in the data; it has {list(data.columns)}")
    s = data[weight]
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise UsageError(f"weight column '{weight}' must be numeric, it is {s.dtype}")
    w = s.to_numpy(dtype="float64", na_value=np.nan)
    if not (np.isfinite(w) & (w > 0)).all():
        raise UsageError(f"weight column '{weight}' has missing, infinite or non-positive values; "
                         "sampling weights must be > 0")
    return w


def bootstrap_weights(
    data: pd.DataFrame,
    *,
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = 0,
    lonely_psu: str = "fail",
) -> ReplicateWeights:
    """Rao–Wu rescaling bootstrap replicate weights (R ``as.svrepdesign(type="subbootstrap")``).

    Parameters
    ----------
    data : DataFrame
        The whole sample (one row per respondent).
    weight : str, optional
        Sampling-weight column; all rows weigh 1 without it.
    strata, psu : str, optional
        Stratum and PSU columns (PSUs nested within strata). Without ``psu`` every row
        is its own PSU; without ``strata`` the sample is one stratum.
    replicates : int
        Number of replicates R (at least 2).
    seed : int or None
        Seed of the random draws; the same seed gives the same weights.
    lonely_psu : {"fail", "certainty"}
        Strata with one PSU: refuse (default) or keep them at full weight.

    Returns
    -------
    ReplicateWeights
        Full-sample weights, the ``(n, R)`` replicate weights and ``scale = 1/(R-1)``.

    Raises
    ------
    UsageError
        Unknown columns, bad weights or a bad number of replicates.
    DataError
        A stratum with only one PSU and ``lonely_psu="fail"``.
    """
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if not (isinstance(replicates, int | np.integer) and replicates >= 2):
        raise UsageError(f"replicates must be an integer >= 2, got {replicates!r}")
    if lonely_psu not in ("fail", "certainty"):
        raise UsageError(f"lonely_psu must be 'fail' or 'certainty', got {lonely_psu!r}")
    n = len(data)
    if n == 0:
        raise UsageError("the data has no rows")
    w = _weight_vector(data, weight)
    s_codes = np.zeros(n, "int64") if strata is None else _codes(data, strata, "strata")
    p_codes = np.arange(n, dtype="int64") if psu is None else _codes(data, psu, "psu")
    key = s_codes * (int(p_codes.max()) + 1) + p_codes
    uniq, psu_id = np.unique(key, return_inverse=True)
    psu_stratum = uniq // (int(p_codes.max()) + 1)
    n_h = np.bincount(psu_stratum)
    single = n_h == 1
    if single.any() and lonely_psu == "fail":
        raise DataError(
            f"{int(single.sum())} stratum/strata with only one PSU: the bootstrap cannot "
            "resample there. Merge strata, or pass lonely_psu='certainty'."
        )
    rng = np.random.default_rng(seed)
    factors = np.ones((len(uniq), replicates))
    first = np.concatenate([[0], np.cumsum(n_h)[:-1]])
    for h in np.flatnonzero(~single):
        k = int(n_h[h])
        counts = rng.multinomial(k - 1, np.full(k, 1.0 / k), size=replicates)  # (R, k)
        factors[first[h]:first[h] + k] = counts.T * (k / (k - 1))
    reps = w[:, None] * factors[psu_id]
    return ReplicateWeights(full=w, weights=reps, scale=1.0 / (replicates - 1), seed=seed,
                            method="subbootstrap", index=data.index)


def summarise_replicates(
    estimate: np.ndarray,
    replicates: np.ndarray,
    *,
    scale: float,
    level: float = DEFAULT_LEVEL,
    interval: str = "percentile",
) -> dict[str, np.ndarray]:
    """Standard errors and intervals from replicate estimates.

    Parameters
    ----------
    estimate : array, shape (m,)
        Full-sample estimates.
    replicates : array, shape (R, m)
        The same statistics under each replicate's weights.
    scale : float
        Variance multiplier (``ReplicateWeights.scale``).
    level : float
        Confidence level.
    interval : {"percentile", "normal"}
        Percentile interval of the replicate estimates, or estimate +- z SE.

    Returns
    -------
    dict
        ``estimate, se, ci_low, ci_high`` arrays of shape (m,). A replicate whose
        statistic is undefined (NaN) is left out of that statistic's summary.
    """
    if interval not in INTERVALS:
        raise UsageError(f"interval must be one of {INTERVALS}, got {interval!r}")
    if not 0 < level < 1:
        raise UsageError(f"level must be strictly between 0 and 1, got {level!r}")
    est = np.atleast_1d(np.asarray(estimate, dtype="float64"))
    reps = np.asarray(replicates, dtype="float64").reshape(-1, est.size)
    ok = np.isfinite(reps)
    r_ok = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, reps, 0.0).sum(axis=0) / r_ok
        dev2 = np.where(ok, (reps - mean) ** 2, 0.0).sum(axis=0)
        # scale is 1/(R-1) for R replicates; rescale when some are undefined
        r_all = reps.shape[0]
        se = np.sqrt(dev2 * scale * (r_all - 1) / np.maximum(r_ok - 1, 1))
    se = np.where(r_ok >= 2, se, np.nan)
    if interval == "normal":
        q = quantile(level)
        lo, hi = est - q * se, est + q * se
    else:
        alpha = (1 - level) / 2
        with np.errstate(invalid="ignore"):
            lo = np.nanquantile(np.where(ok, reps, np.nan), alpha, axis=0) if reps.size else est
            hi = np.nanquantile(np.where(ok, reps, np.nan), 1 - alpha, axis=0) if reps.size else est
    return {"estimate": est, "se": se, "ci_low": np.asarray(lo), "ci_high": np.asarray(hi)}


def replicate_apply(
    statistic: Callable[[np.ndarray], np.ndarray],
    reps: ReplicateWeights,
    *,
    names: Sequence[str] | None = None,
    vectorised: bool = True,
    level: float = DEFAULT_LEVEL,
    interval: str = "percentile",
) -> pd.DataFrame:
    """Evaluate a statistic under the full-sample and every replicate's weights.

    Parameters
    ----------
    statistic : callable
        With ``vectorised=True``: takes a weight matrix of shape ``(n, K)`` (column 0 the
        full sample, then the replicates) and returns an array ``(K, m)`` or ``(K,)``,
        one row of statistics per weight column, as matrix products do. With
        ``vectorised=False``: takes one weight vector ``(n,)`` and returns ``(m,)`` or a
        scalar; it is then called R + 1 times.
    reps : ReplicateWeights
        From :func:`bootstrap_weights`.
    names : sequence of str, optional
        Labels of the m statistics (default ``0..m-1``).
    vectorised : bool
        See ``statistic``.
    level, interval
        As in :func:`summarise_replicates`.

    Returns
    -------
    DataFrame
        One row per statistic: ``term, estimate, se, ci_low, ci_high, replicates``; the
        standard error is the design-based bootstrap SE described in the module docstring.
    """
    if not isinstance(reps, ReplicateWeights):
        raise UsageError("reps must be a ReplicateWeights (from bootstrap_weights)")
    if vectorised:
        values = np.asarray(statistic(reps.all()), dtype="float64")
        if values.ndim == 1:
            values = values[:, None]
        if values.shape[0] != reps.replicates + 1:
            raise UsageError(
                f"a vectorised statistic must return one row per weight column "
                f"({reps.replicates + 1}), it returned shape {values.shape}"
            )
    else:
        cols = [np.atleast_1d(np.asarray(statistic(reps.full), dtype="float64"))]
        cols += [np.atleast_1d(np.asarray(statistic(reps.weights[:, r]), dtype="float64"))
                 for r in range(reps.replicates)]
        values = np.vstack(cols)
    summary = summarise_replicates(values[0], values[1:], scale=reps.scale, level=level,
                                   interval=interval)
    m = values.shape[1]
    labels = list(names) if names is not None else list(range(m))
    if len(labels) != m:
        raise UsageError(f"names has {len(labels)} labels for {m} statistics")
    out = pd.DataFrame({"term": labels, **summary})
    out["replicates"] = reps.replicates
    return out


def weighted_moments(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means and covariance matrices of the columns of ``values``, per weight column.

    Parameters
    ----------
    values : array, shape (n, p)
        Complete data (no NaN).
    weights : array, shape (n, K)
        Sampling weights, one column per replicate (or the full sample).

    Returns
    -------
    means : ndarray, shape (K, p)
    cov : ndarray, shape (K, p, p)
        Weighted covariance ``sum w (x - xbar)(x - xbar)' / sum w`` (population form;
        correlations and regression slopes do not depend on the divisor). Computed by
        one matrix product of the weights with the centred cross-products.
    """
    x = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    if w.ndim == 1:
        w = w[:, None]
    n, p = x.shape
    centre = x.mean(axis=0)  # numerical stability: moments about the sample mean
    xc = x - centre
    wsum = w.sum(axis=0)
    m1 = (w.T @ xc) / wsum[:, None]  # (K, p)
    cross = (xc[:, :, None] * xc[:, None, :]).reshape(n, p * p)
    m2 = (w.T @ cross).reshape(-1, p, p) / wsum[:, None, None]
    cov = m2 - m1[:, :, None] * m1[:, None, :]
    return m1 + centre, cov
