"""Design-based survey estimates: weighted means, totals, proportions and ratios.

Every estimate here treats the weights as **sampling weights** (inverse inclusion
probabilities, possibly adjusted), never as frequency weights: a weight of 250 means
"this respondent stands for 250 customers", not "this row occurred 250 times".
Frequency-weight formulas (for example statsmodels' ``DescrStatsW``) give wrong
standard errors for survey data.

Variance method
---------------
Taylor linearisation with the *ultimate cluster* (one-stage, with-replacement PSU)
variance estimator within strata, as in R's ``survey`` package (``svydesign``,
``svymean``, ``svytotal``, ``svyratio``, ``svyby``). For an estimator with weighted
linearised values :math:`z_k` (see :func:`influence`), the PSU totals
:math:`z_{hi}` in stratum :math:`h` give

.. math::

   \\hat V = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1} \\sum_i (z_{hi} - \\bar z_h)^2

with :math:`n_h` the number of sampled PSUs in stratum :math:`h` and
:math:`f_h = n_h / N_h` the sampling fraction when ``fpc`` is given (else 0).
``fpc`` names a column read as R's ``svydesign(fpc=)`` reads it: the stratum
population size :math:`N_h` in a stratified element sample (no ``psu``), or the
number of PSUs in the stratum population in a cluster design; values all
:math:`\\le 1` are read as sampling fractions. PSU identifiers are taken as nested
within strata (R's ``nest=TRUE``). Without ``psu`` every row is its own PSU; without
``strata`` the sample is one stratum.

Domains (``by``) are estimated from the full design: the linearised values are the
domain indicator times the variable's values over the whole sample, so PSUs without
domain members count as zeros, as R's ``svyby`` does. Rows with a missing value of the
variable are outside every domain (R's ``na.rm=TRUE``); rows with a missing ``by``
value are outside every domain but still part of the design.

Singleton strata (one sampled PSU): ``lonely_psu="fail"`` (default, R's
``survey.lonely.psu="fail"``) raises :class:`~gotone_analysis.errors.DataError`;
``lonely_psu="adjust"`` uses the PSU total's deviation from zero, the grand mean of
the linearised values of a mean or ratio (R's ``"adjust"``, conservative). A
singleton stratum sampled with certainty (``fpc`` equal to the sample) adds nothing.

Design effect ``deff`` follows R's ``deff=TRUE``: design variance over the variance
of the same estimator under simple random sampling *without* replacement from a
population of size :math:`N = \\sum w` (the domain's weight sum for a domain), with
the element variance estimated as ``svyvar`` does. ``n`` is the unweighted number of
rows in the domain with a non-missing value and ``n_eff = n / deff`` the effective
base: the SRS sample size that would give the same precision. ``deff`` is NaN when
the SRS variance is zero or undefined (e.g. all weights 1, so :math:`N = n`).
Confidence intervals use normal quantiles, as R's ``confint`` of a ``svystat``; a mean
of a bounded scale may instead get the reports' logit interval with Satterthwaite degrees
of freedom (``bounds=``, :func:`gotone_analysis.policy.bounded_interval`).

The survey design of a frame laid out as the data contract says (``weight``,
``stratum``, optional ``stratum_pop`` and ``psu``) is decided by one rule,
:func:`design_of`, which every estimator of the reports uses. Every estimate table
carries its confidence level in ``table.attrs["level"]`` (:func:`level_of`), so that
the views label the interval with the level it was computed at.

Checked against R ``survey`` on its ``api`` data (``tests/test_survey.py``).

Why not samplics: samplics 0.6.1 ``TaylorEstimator`` reproduces R's means, totals
and domain means with their standard errors (stratified with and without fpc,
one-stage cluster) to 1e-8 or better on the ``api`` data, but it returns no design
effects (its ``deff`` stays empty), exposes no linearised values for covariances
between domains, is archived by its authors (it warns so on import) and works per
call through dictionaries. The estimator is short, so it lives here, vectorised:
linearised values are summed by PSU with one sparse product and all domains of a
variable are done at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from .config import parse_quarter
from .errors import DataError, UsageError
from .policy import DEFAULT_LEVEL, bounded_interval, quantile

__all__ = [
    "STATS",
    "LONELY_PSU",
    "RESULT_COLUMNS",
    "WEIGHT",
    "STRATUM",
    "FPC",
    "PSU",
    "design_of",
    "level_of",
    "trend_quarters",
    "with_level",
    "estimate",
    "estimate_many",
    "ratio",
    "influence",
    "design_vcov",
]

#: Statistics :func:`estimate` knows.
STATS: tuple[str, ...] = ("mean", "total", "proportion")
#: Treatments of singleton strata.
LONELY_PSU: tuple[str, ...] = ("fail", "adjust")
#: Columns of every estimate table, after the ``by`` columns.
RESULT_COLUMNS: tuple[str, ...] = ("estimate", "se", "ci_low", "ci_high", "n", "n_eff", "deff")

#: Design columns of a survey frame under the data contract: sampling weight, stratum,
#: stratum population (finite-population correction) and primary sampling unit.
WEIGHT, STRATUM, FPC, PSU = "weight", "stratum", "stratum_pop", "psu"
#: Key of ``DataFrame.attrs`` holding the confidence level of a table's intervals.
LEVEL_ATTR = "level"

_CERTAINTY = 1e-7  # a stratum with 1 - f below this is sampled with certainty (as R)


# --- the design rule of survey frames and the level of a table ------------------------------


def design_of(frame: pd.DataFrame) -> dict[str, str]:
    """The design of a survey frame: keyword arguments for :func:`estimate`.

    The one rule of the reports: a stratified sample with sampling weights
    (``weight``, ``stratum``). ``psu`` and ``stratum_pop`` are used when filled on every
    row and ignored when empty on every row; partly filled is an error (a
    half-described design would understate the standard errors). ``stratum_pop``
    counts customers, so it is the finite-population correction of a one-stage
    stratified sample only: with clusters (``psu``) it is not used (R's ``fpc`` would
    then be the number of PSUs in the stratum), which is conservative.

    Parameters
    ----------
    frame : DataFrame
        Survey rows with the contract's design columns.

    Returns
    -------
    dict
        ``{"weight": "weight", "strata": "stratum"}`` plus ``"psu": "psu"`` or
        ``"fpc": "stratum_pop"`` (never both).

    Raises
    ------
    DataError
        When ``psu`` or ``stratum_pop`` is filled on some rows but not all.
    """
    kw: dict[str, str] = {"weight": WEIGHT, "strata": STRATUM}
    filled = {}
    for col in (PSU, FPC):
        if col in frame:
            present = frame[col].notna() & (frame[col].astype("string").str.strip() != "")
            if present.any() and not present.all():
                raise DataError(
                    f"survey column '{col}': filled on {int(present.sum())} of {len(frame)} "
                    "rows; the design needs it on every row or on none")
            filled[col] = bool(present.all()) and len(frame) > 0
    if filled.get(PSU):
        kw["psu"] = PSU
    elif filled.get(FPC):
        kw["fpc"] = FPC
    return kw


def with_level(table: pd.DataFrame, level: float) -> pd.DataFrame:
    """Record the confidence level of ``table``'s intervals in its attrs (in place).

    Returns
    -------
    DataFrame
        ``table`` itself.
    """
    table.attrs[LEVEL_ATTR] = float(level)
    return table


def level_of(table: pd.DataFrame, default: float | None = None) -> float | None:
    """The confidence level a table's intervals were computed at.

    Parameters
    ----------
    table : DataFrame
        An estimate or comparison table.
    default : float, optional
        Returned when the table does not say (a table built by hand).

    Returns
    -------
    float or None
        ``table.attrs["level"]``, else ``default``.
    """
    value = table.attrs.get(LEVEL_ATTR) if isinstance(table, pd.DataFrame) else None
    return float(value) if value is not None else default


def trend_quarters(data: pd.DataFrame, quarter: str, last: int = 8) -> list[str]:
    """The waves of a trend: those in ``data`` up to and including ``quarter``, the last ``last``.

    Parameters
    ----------
    data : DataFrame
        Survey rows (or respondent scores) with a ``quarter`` column ``YYYYQn``.
    quarter : str
        Latest wave to include, ``YYYYQn``.
    last : int
        How many waves at most.

    Returns
    -------
    list of str
        Waves in time order.
    """
    end = parse_quarter(quarter)
    waves = sorted({str(q) for q in pd.unique(data["quarter"].dropna())
                    if parse_quarter(str(q)) <= end})
    return waves[-last:] if last > 0 else []


# --- the design ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    """Weights and PSU structure of one sample, ready for variance computations."""

    weight: np.ndarray  # (n,) sampling weights
    to_psu: sparse.csr_matrix  # (P, n) PSU membership; PSUs contiguous by stratum
    starts: np.ndarray  # (H,) first PSU of each stratum
    n_h: np.ndarray  # (H,) sampled PSUs per stratum
    psu_stratum: np.ndarray  # (P,) stratum of each PSU
    scale: np.ndarray  # (P,) (1 - f_h) n_h / (n_h - 1), or (1 - f_h) for singletons
    centre: np.ndarray  # (P,) bool: deviations from the stratum mean (else from zero)

    def vcov(self, values: np.ndarray) -> np.ndarray:
        """Covariance matrix of the weighted totals of ``values`` (n, K): (K, K)."""
        dev = self._deviations(values)
        return (dev * self.scale[:, None]).T @ dev

    def var(self, values: np.ndarray) -> np.ndarray:
        """Variances of the weighted totals of ``values`` (n, K): (K,)."""
        dev = self._deviations(values)
        return np.einsum("pk,pk,p->k", dev, dev, self.scale)

    def df(self, values: np.ndarray) -> np.ndarray:
        """Satterthwaite degrees of freedom of :meth:`var` (K,): ``(sum_h v_h)² / sum_h
        v_h² / (n_h - 1)`` over the strata's parts ``v_h`` (Cochran 1977, eq. 5.16);
        infinite where the variance is zero."""
        dev = self._deviations(values)
        parts = np.add.reduceat(dev ** 2 * self.scale[:, None], self.starts, axis=0)
        den = (parts ** 2 / np.fmax(self.n_h - 1.0, 1.0)[:, None]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, parts.sum(axis=0) ** 2 / den, np.inf)

    def _deviations(self, values: np.ndarray) -> np.ndarray:
        z = np.asarray(self.to_psu @ values)  # PSU totals (P, K)
        means = np.add.reduceat(z, self.starts, axis=0) / self.n_h[:, None]
        return z - np.where(self.centre[:, None], means[self.psu_stratum], 0.0)


def _require_columns(data: pd.DataFrame, columns: Sequence[str | None], role: str = "") -> None:
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        what = f" ({role})" if role else ""
        raise UsageError(f"column(s) {missing}{what} not in the data; it has {list(data.columns)}")


def _first_rows(mask: np.ndarray, data: pd.DataFrame, k: int = 5) -> list:
    return list(data.index[np.flatnonzero(mask)[:k]])


def _weights(data: pd.DataFrame, weight: str) -> np.ndarray:
    s = data[weight]
    if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
        raise UsageError(f"weight column '{weight}' must be numeric, it is {s.dtype}")
    w = s.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~(np.isfinite(w) & (w > 0))
    if bad.any():
        raise UsageError(
            f"weight column '{weight}' has {int(bad.sum())} missing, infinite or non-positive "
            f"value(s) (first rows {_first_rows(bad, data)}); sampling weights must be > 0"
        )
    return w


def _codes(data: pd.DataFrame, column: str, role: str) -> np.ndarray:
    codes, _ = pd.factorize(data[column], sort=True)
    if (codes < 0).any():
        bad = codes < 0
        raise UsageError(
            f"{role} column '{column}' has {int(bad.sum())} missing value(s) "
            f"(first rows {_first_rows(bad, data)})"
        )
    return codes.astype("int64")


def _design(
    data: pd.DataFrame,
    weight: str,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    lonely_psu: str,
) -> _Design:
    _require_columns(data, [weight, strata, psu, fpc], "design")
    if len(data) == 0:
        raise UsageError("the data has no rows")
    if lonely_psu not in LONELY_PSU:
        raise UsageError(f"lonely_psu must be one of {LONELY_PSU}, got {lonely_psu!r}")
    w = _weights(data, weight)
    n = len(data)
    s_codes = np.zeros(n, "int64") if strata is None else _codes(data, strata, "strata")
    p_codes = np.arange(n, dtype="int64") if psu is None else _codes(data, psu, "psu")
    # PSU ids nested in strata, numbered so that each stratum's PSUs are contiguous.
    key = s_codes * (int(p_codes.max()) + 1) + p_codes
    uniq, psu_id = np.unique(key, return_inverse=True)
    psu_stratum = uniq // (int(p_codes.max()) + 1)
    n_strata = int(s_codes.max()) + 1
    n_h = np.bincount(psu_stratum, minlength=n_strata)
    starts = np.concatenate([[0], np.cumsum(n_h)[:-1]])

    one_minus_f = np.ones(n_strata)
    if fpc is not None:
        one_minus_f = _finite_population(data, fpc, s_codes, n_h, strata)
    certain = one_minus_f < _CERTAINTY
    single = (n_h == 1) & ~certain
    if single.any() and lonely_psu == "fail":
        labels = (
            sorted(pd.unique(data[strata][np.isin(s_codes, np.flatnonzero(single))]).tolist())
            if strata is not None
            else ["(whole sample)"]
        )
        raise DataError(
            f"{int(single.sum())} stratum/strata with only one PSU: {labels[:10]}; a variance "
            "cannot be estimated there. Merge strata, or pass lonely_psu='adjust'."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale_h = np.where(n_h > 1, one_minus_f * n_h / (n_h - 1), one_minus_f)
    scale_h = np.where(certain, 0.0, scale_h)
    to_psu = sparse.csr_matrix((np.ones(n), (psu_id, np.arange(n))), shape=(len(uniq), n))
    return _Design(
        weight=w,
        to_psu=to_psu,
        starts=starts,
        n_h=n_h.astype("float64"),
        psu_stratum=psu_stratum,
        scale=scale_h[psu_stratum],
        centre=(n_h > 1)[psu_stratum],
    )


def _finite_population(
    data: pd.DataFrame, fpc: str, s_codes: np.ndarray, n_h: np.ndarray, strata: str | None
) -> np.ndarray:
    """1 - f_h per stratum from an fpc column (population size or sampling fraction)."""
    s = data[fpc]
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise UsageError(f"fpc column '{fpc}' must be numeric, it is {s.dtype}")
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(v) | (v <= 0)
    if bad.any():
        raise UsageError(
            f"fpc column '{fpc}' has {int(bad.sum())} missing or non-positive value(s) "
            f"(first rows {_first_rows(bad, data)})"
        )
    per = pd.Series(v).groupby(s_codes)
    if (per.nunique() > 1).any():
        raise UsageError(f"fpc column '{fpc}' must be constant within each stratum ('{strata}')")
    vh = per.first().to_numpy()
    if (vh <= 1).all():  # sampling fractions, as R reads them
        return 1.0 - vh
    if (vh < 1).any():
        raise UsageError(
            f"fpc column '{fpc}' mixes sampling fractions (< 1) and population sizes (> 1)"
        )
    if (vh < n_h).any():
        raise UsageError(
            f"fpc column '{fpc}' is smaller than the number of sampled units (PSUs) in some "
            "stratum: it must hold the stratum population size (or PSU count)"
        )
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(vh), 1.0, (vh - n_h) / vh)


# --- domains and variables ------------------------------------------------------------------


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _domains(data: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code per row (-1 outside every domain) and the table of domain keys."""
    if not by:
        return np.zeros(len(data), "int64"), pd.DataFrame(index=range(1))
    _require_columns(data, by, "by")
    clash = [c for c in by if c in RESULT_COLUMNS or c == "variable"]
    if clash:
        raise UsageError(f"by column(s) {clash} clash with result column names; rename them")
    grouped = data.groupby(by, sort=True, observed=True, dropna=True)
    codes = grouped.ngroup().to_numpy(dtype="float64", na_value=np.nan)
    codes = np.where(np.isnan(codes), -1, codes).astype("int64")
    keys = grouped.size().index.to_frame(index=False)
    return codes, keys


def _values(data: pd.DataFrame, var: str, stat: str) -> np.ndarray:
    """The variable as float64 with NaN for missing; validated for ``stat``."""
    _require_columns(data, [var], "variable")
    s = data[var]
    if pd.api.types.is_bool_dtype(s):
        y = s.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    elif pd.api.types.is_numeric_dtype(s):
        y = s.to_numpy(dtype="float64", na_value=np.nan)
    else:
        raise UsageError(f"column '{var}' must be numeric or boolean to estimate a {stat}, "
                         f"it is {s.dtype}")
    if np.isinf(y).any():
        raise UsageError(f"column '{var}' has infinite values")
    if stat == "proportion":
        bad = ~np.isnan(y) & (y != 0) & (y != 1)
        if bad.any():
            raise UsageError(
                f"a proportion needs a 0/1 or boolean column; '{var}' has {int(bad.sum())} "
                f"other value(s), e.g. {sorted(set(y[bad].tolist()))[:5]} "
                f"(first rows {_first_rows(bad, data)})"
            )
    return y


def _check_stat_level(stat: str, level: float, allowed: Sequence[str] = STATS) -> None:
    if stat not in allowed:
        raise UsageError(f"stat must be one of {tuple(allowed)}, got {stat!r}")
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise UsageError(f"level must be a number strictly between 0 and 1, got {level!r}")


# --- the computations -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Linear:
    """Point estimates, per-row weighted linearised values and SRS variances by domain."""

    estimate: np.ndarray  # (D,)
    values: np.ndarray  # (n, D)
    n: np.ndarray  # (D,)
    vsrs: np.ndarray  # (D,) SRS-without-replacement variance (for deff)


def _linearise(
    w: np.ndarray,
    y: np.ndarray,
    codes: np.ndarray,
    n_domains: int,
    stat: str,
    den: np.ndarray | None = None,
) -> _Linear:
    valid = ~np.isnan(y) & (codes >= 0)
    if den is not None:
        valid &= ~np.isnan(den)
    rows = np.flatnonzero(valid)
    g, wv, yv = codes[rows], w[rows], y[rows]
    cnt = np.bincount(g, minlength=n_domains)
    wsum = np.bincount(g, weights=wv, minlength=n_domains)
    ysum = np.bincount(g, weights=wv * yv, minlength=n_domains)
    values = np.zeros((len(y), n_domains))
    with np.errstate(divide="ignore", invalid="ignore"):
        if den is not None:  # ratio: z = w (y - R x) / X
            xv = den[rows]
            xsum = np.bincount(g, weights=wv * xv, minlength=n_domains)
            est = ysum / xsum
            z = wv * (yv - est[g] * xv) / xsum[g]
            # svyratio's deff: svytotal(r, deff=TRUE) with r = (y - R x) / X, mean(r) = 0
            s2 = cnt / (cnt - 1) * np.bincount(g, weights=wv * (z / wv) ** 2, minlength=n_domains)
            s2 = s2 / wsum
            vsrs = s2 * wsum**2 * (wsum - cnt) / (wsum * cnt)
        else:
            mean = ysum / wsum
            resid = yv - mean[g]
            s2 = cnt / (cnt - 1) * np.bincount(g, weights=wv * resid**2, minlength=n_domains)
            s2 = s2 / wsum  # svyvar: n/(n-1) times the weighted variance
            if stat == "total":
                est = ysum
                z = wv * yv
                vsrs = s2 * wsum**2 * (wsum - cnt) / (wsum * cnt)
            else:
                est = mean
                z = wv * resid / wsum[g]
                vsrs = s2 * (wsum - cnt) / (wsum * cnt)
    values[rows, g] = z
    est = np.where(cnt > 0, est, np.nan)
    return _Linear(estimate=est, values=values, n=cnt, vsrs=vsrs)


def _table(keys: pd.DataFrame, lin: _Linear, var: np.ndarray, level: float) -> pd.DataFrame:
    se = np.sqrt(np.where(lin.n > 0, var, np.nan))
    q = quantile(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = np.where(np.isfinite(lin.vsrs) & (lin.vsrs > 0), var / lin.vsrs, np.nan)
        n_eff = lin.n / deff
    out = keys.copy()
    out["estimate"] = lin.estimate
    out["se"] = se
    out["ci_low"] = lin.estimate - q * se
    out["ci_high"] = lin.estimate + q * se
    out["n"] = lin.n.astype("int64")
    out["n_eff"] = n_eff
    out["deff"] = deff
    return out


def _domain_labels(keys: pd.DataFrame) -> list[Hashable]:
    if keys.shape[1] == 0:
        return ["all"]
    if keys.shape[1] == 1:
        return keys.iloc[:, 0].tolist()
    return list(keys.itertuples(index=False, name=None))


# --- public API -----------------------------------------------------------------------------


def estimate(
    data: pd.DataFrame,
    var: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | Sequence[str] | None = None,
    stat: str = "mean",
    level: float = DEFAULT_LEVEL,
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """Design-based estimate of a mean, total or proportion, overall or by domain.

    Weights are sampling weights (not frequency weights); the variance is the Taylor
    linearisation (ultimate-cluster, with-replacement PSU variance within strata,
    times 1 - f_h when ``fpc`` is given) described in the module docstring, equal to
    R ``survey``'s ``svymean``/``svytotal``/``svyby``.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    var : str
        Column to estimate (numeric or boolean). Missing values are outside the domain.
    weight : str
        Column of sampling weights, all finite and > 0.
    strata, psu : str, optional
        Stratum and primary-sampling-unit columns (PSUs nested within strata).
    fpc : str, optional
        Finite population correction as R's ``svydesign`` reads it: stratum population
        size (element sample) or number of population PSUs in the stratum (cluster
        sample), or sampling fractions when every value is <= 1.
    by : str or list of str, optional
        Domain column(s); one result row per observed combination, sorted.
    stat : {"mean", "total", "proportion"}
        ``proportion`` is the mean of a 0/1 or boolean column (validated), on 0-1.
    level : float
        Confidence level of the normal-quantile interval.
    lonely_psu : {"fail", "adjust"}
        Treatment of strata with a single PSU (see the module docstring).

    Returns
    -------
    DataFrame
        One row per domain: the ``by`` columns, then ``estimate, se, ci_low, ci_high,
        n, n_eff, deff``. ``n`` is the unweighted count of non-missing rows in the
        domain, ``deff`` the design effect against SRS without replacement (R's
        ``deff=TRUE``) and ``n_eff = n / deff``.

    Raises
    ------
    UsageError
        Unknown column or statistic, bad weights, non-binary column for a proportion.
    DataError
        A stratum with only one PSU and ``lonely_psu="fail"``.
    """
    return estimate_many(
        data, [var], weight=weight, strata=strata, psu=psu, fpc=fpc, by=by, stat=stat,
        level=level, lonely_psu=lonely_psu,
    ).drop(columns="variable").pipe(with_level, level)


def estimate_many(
    data: pd.DataFrame,
    vars: Sequence[str],
    *,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | Sequence[str] | None = None,
    stat: str = "mean",
    level: float = DEFAULT_LEVEL,
    lonely_psu: str = "fail",
    bounds: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """:func:`estimate` for several variables, sharing one design set-up.

    Parameters
    ----------
    data, weight, strata, psu, fpc, by, stat, level, lonely_psu
        As in :func:`estimate`.
    vars : sequence of str
        Columns to estimate, each with its own missing values.
    bounds : (lower, upper) or mapping, optional
        The bounds of the variables' scale (one pair for all, or variable -> pair): their
        intervals are then :func:`gotone_analysis.policy.bounded_interval` (logit, t at
        the Satterthwaite degrees of freedom of each domain's variance) instead of the
        normal ones; estimates and standard errors are the same either way.

    Returns
    -------
    DataFrame
        Long table: ``variable``, the ``by`` columns, then ``estimate, se, ci_low,
        ci_high, n, n_eff, deff``; variables in the order given, domains sorted.
    """
    if isinstance(vars, str):
        vars = [vars]
    vars = list(vars)
    if not vars:
        raise UsageError("vars is empty: name at least one column to estimate")
    _check_stat_level(stat, level)
    by_cols = _by_list(by)
    _require_columns(data, vars, "variable")
    design = _design(data, weight, strata, psu, fpc, lonely_psu)
    codes, keys = _domains(data, by_cols)
    tables = []
    for v in vars:
        y = _values(data, v, stat)
        lin = _linearise(design.weight, y, codes, len(keys), stat)
        tab = _table(keys, lin, design.var(lin.values), level)
        pair = bounds.get(v) if isinstance(bounds, Mapping) else bounds
        if pair is not None:
            tab["ci_low"], tab["ci_high"] = bounded_interval(
                tab["estimate"].to_numpy(), tab["se"].to_numpy(), design.df(lin.values),
                pair[0], pair[1], level)
        tab.insert(0, "variable", v)
        tables.append(tab)
    return with_level(pd.concat(tables, ignore_index=True), level)


def ratio(
    data: pd.DataFrame,
    num: str,
    den: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | Sequence[str] | None = None,
    level: float = DEFAULT_LEVEL,
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """Design-based ratio of two weighted totals, sum(w num) / sum(w den), by domain.

    A funnel conversion rate is ``ratio(data, "a_and_b", "a", ...)``: the share of the
    ``a`` respondents who also do ``b``. Variance by Taylor linearisation of the ratio
    (values ``w (num - R den) / sum(w den)``), as R's ``svyratio``; weights are
    sampling weights.

    Parameters
    ----------
    data, weight, strata, psu, fpc, by, level, lonely_psu
        As in :func:`estimate`.
    num, den : str
        Numerator and denominator columns; a row missing either is outside the domain.

    Returns
    -------
    DataFrame
        Same columns as :func:`estimate`; ``deff`` as R's ``svyratio(deff=TRUE)`` and
        ``n`` the rows with both values present.
    """
    _check_stat_level("mean", level)
    by_cols = _by_list(by)
    _require_columns(data, [num, den], "variable")
    design = _design(data, weight, strata, psu, fpc, lonely_psu)
    codes, keys = _domains(data, by_cols)
    y = _values(data, num, "mean")
    x = _values(data, den, "mean")
    lin = _linearise(design.weight, y, codes, len(keys), "ratio", den=x)
    return _table(keys, lin, design.var(lin.values), level)


def influence(
    data: pd.DataFrame,
    var: str,
    *,
    weight: str,
    by: str | Sequence[str] | None = None,
    stat: str = "mean",
    den: str | None = None,
) -> pd.DataFrame:
    """Weighted linearised (influence) values of a mean, total, proportion or ratio.

    For an estimator :math:`\\hat\\theta_d` of domain :math:`d` the values
    :math:`z_{kd}` satisfy :math:`\\hat\\theta_d - \\theta_d \\approx \\sum_k z_{kd}`,
    so the design covariance of any linear combination of estimators is the design
    covariance of the totals of the same combination of these columns, given by
    :func:`design_vcov`. Weights are already included: mean ``w (y - ybar_d) / W_d``,
    total ``w y``, ratio ``w (y - R_d x) / X_d``; zero outside the domain.

    Parameters
    ----------
    data, var, weight, by
        As in :func:`estimate`.
    stat : {"mean", "total", "proportion"}
        Ignored when ``den`` is given.
    den : str, optional
        Denominator column: the values are those of the ratio ``var / den``.

    Returns
    -------
    DataFrame
        Index of ``data``, one float column per domain labelled by the domain key
        (a tuple for several ``by`` columns; ``"all"`` without ``by``).
    """
    _check_stat_level(stat, DEFAULT_LEVEL)
    _require_columns(data, [weight, var, den], "")
    w = _weights(data, weight)
    codes, keys = _domains(data, _by_list(by))
    y = _values(data, var, stat)
    x = None if den is None else _values(data, den, "mean")
    lin = _linearise(w, y, codes, len(keys), "ratio" if den is not None else stat, den=x)
    labels = _domain_labels(keys)
    cols = pd.MultiIndex.from_tuples(labels) if keys.shape[1] > 1 else pd.Index(labels)
    return pd.DataFrame(lin.values, index=data.index, columns=cols)


def design_vcov(
    data: pd.DataFrame,
    values: pd.DataFrame | np.ndarray,
    *,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """Design covariance matrix of the totals of per-row values (e.g. from :func:`influence`).

    Ultimate-cluster estimator within strata with the fpc, as in the module docstring
    (R's ``svyrecvar``). The values must already include the sampling weights.

    Parameters
    ----------
    data : DataFrame
        The sample, for its design columns (same rows, same order as ``values``).
    values : DataFrame or ndarray
        Shape (rows, K): one column per linearised estimator.
    strata, psu, fpc, lonely_psu
        As in :func:`estimate`.

    Returns
    -------
    DataFrame
        (K, K) covariance matrix labelled with the columns of ``values``.
    """
    _require_columns(data, [strata, psu, fpc], "design")
    arr = np.asarray(values, dtype="float64")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[0] != len(data):
        raise UsageError(f"values has {arr.shape[0]} rows but the data has {len(data)}")
    if np.isnan(arr).any():
        raise UsageError("values contain NaN; linearised values are 0 outside a domain")
    unit = data.assign(_unit_weight=1.0)  # weights are already inside the values
    design = _design(unit, "_unit_weight", strata, psu, fpc, lonely_psu)
    labels = values.columns if isinstance(values, pd.DataFrame) else pd.RangeIndex(arr.shape[1])
    return pd.DataFrame(design.vcov(arr), index=labels, columns=labels)


# --- replicate weights (Rao–Wu bootstrap), re-exported from their own module ----------------

from .replicates import (  # noqa: E402, F401 (public names of survey)
    ReplicateWeights,
    bootstrap_weights,
    replicate_apply,
    summarise_replicates,
)
