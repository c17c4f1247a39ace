"""Driver importance (Shapley/LMG, Johnson's relative weights) and importance-performance.

Both methods split the R² of the linear regression of the target on the drivers among
the drivers, from the (sampling-)weighted correlation matrix of the complete cases
(listwise deletion):

* ``"shapley"`` — LMG (Lindeman, Merenda & Gold 1980; Grömping 2006, R ``relaimpo``):
  the Shapley value of R² over all orderings of the drivers. The R² of every one of the
  :math:`2^p` subsets is computed at once, a batch of small linear systems per subset
  size, for the full sample and all replicates together; no regression is refitted.
* ``"relative_weights"`` — Johnson (2000): with :math:`R_{xx} = Q \\Lambda Q'` and
  :math:`\\Lambda_* = R_{xx}^{1/2}`, the weights are
  :math:`\\epsilon_j = \\sum_k \\Lambda_{*,jk}^2 \\beta_k^2` with
  :math:`\\beta = R_{xx}^{-1/2} r_{xy}`; they sum to R².

Intervals (on request) are design-based: the same computation under each Rao–Wu
bootstrap replicate's weights (:mod:`gotone_analysis.replicates`), percentile or normal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..policy import DEFAULT_LEVEL
from ..replicates import ReplicateWeights, summarise_replicates, weighted_moments
from .common import complete_rows, correlations, numeric_matrix, resolve_replicates, weight_matrix

__all__ = [
    "METHODS",
    "QUADRANTS",
    "subset_r2",
    "shapley_from_corr",
    "relative_weights_from_corr",
    "importance",
    "importance_performance",
]

#: Importance methods.
METHODS: tuple[str, ...] = ("shapley", "relative_weights")
#: Importance-performance quadrants (Martilla & James 1977), by (important, performing).
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, True): "keep_up",
    (True, False): "concentrate_here",
    (False, False): "low_priority",
    (False, True): "possible_overkill",
}
MAX_DRIVERS = 20  # 2^20 subsets: beyond that the exact Shapley value is not attempted
_CHUNK_BYTES = 64e6


def subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the target on every subset of the drivers, from correlation matrices.

    Parameters
    ----------
    corr : array, shape (K, p + 1, p + 1)
        Correlation matrices with the target last.

    Returns
    -------
    ndarray, shape (K, 2 ** p)
        Column ``m`` is the R² of the subset whose members are the set bits of ``m``
        (driver j is bit j); column 0 (no driver) is 0.
    """
    corr = np.asarray(corr, dtype="float64")
    k_all, q, _ = corr.shape
    p = q - 1
    out = np.zeros((k_all, 2**p))
    for size in range(1, p + 1):
        idx = np.array(list(combinations(range(p), size)))  # (m, size)
        masks = (1 << idx).sum(axis=1)
        per = idx.shape[0] * size * size * 8 * 3
        step = max(1, int(_CHUNK_BYTES // per))
        for start in range(0, k_all, step):
            c = corr[start:start + step]
            rxx = c[:, idx[:, :, None], idx[:, None, :]]  # (b, m, s, s)
            rxy = c[:, idx, p]  # (b, m, s)
            try:
                sol = np.linalg.solve(rxx, rxy[..., None])[..., 0]
            except np.linalg.LinAlgError:
                sol = np.einsum("bmij,bmj->bmi", np.linalg.pinv(rxx), rxy)
            out[start:start + step, masks] = np.einsum("bms,bms->bm", rxy, sol)
    return out


def shapley_from_corr(corr: np.ndarray) -> np.ndarray:
    """LMG / Shapley shares of R² from correlation matrices (target last).

    Returns
    -------
    ndarray, shape (K, p)
        Raw shares; each row sums to the full model's R².
    """
    r2 = subset_r2(corr)
    p = corr.shape[-1] - 1
    masks = np.arange(2**p)
    size = np.array([bin(m).count("1") for m in masks])
    wts = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)])
    out = np.empty((r2.shape[0], p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[:, without | (1 << j)] - r2[:, without]
        out[:, j] = gain @ wts[size[without]]
    return out


def relative_weights_from_corr(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights from correlation matrices (target last).

    Returns
    -------
    ndarray, shape (K, p)
        Raw weights; each row sums to the full model's R².
    """
    p = corr.shape[-1] - 1
    rxx, rxy = corr[:, :p, :p], corr[:, :p, p]
    lam, vec = np.linalg.eigh(rxx)
    lam = np.clip(lam, 1e-300, None)
    half = np.einsum("kij,kj,klj->kil", vec, np.sqrt(lam), vec)  # R^{1/2}
    inv_half = np.einsum("kij,kj,klj->kil", vec, 1 / np.sqrt(lam), vec)
    beta = np.einsum("kij,kj->ki", inv_half, rxy)
    return np.einsum("kjm,km->kj", half**2, beta**2)


def _full_signs(corr: np.ndarray) -> np.ndarray:
    p = corr.shape[-1] - 1
    beta = np.linalg.lstsq(corr[0, :p, :p], corr[0, :p, p], rcond=None)[0]
    return np.sign(beta).astype("int64")


def importance(
    data: pd.DataFrame,
    target: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    method: str = "shapley",
    replicates: int | ReplicateWeights | None = None,
    strata: str | None = None,
    psu: str | None = None,
    seed: int | None = 0,
    level: float = DEFAULT_LEVEL,
    interval: str = "percentile",
) -> pd.DataFrame:
    """Importance of each driver: its share of the R² of the target's linear regression.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; rows missing the target or any driver are left out.
    target : str
        Outcome column.
    drivers : sequence of str
        Driver columns (at most 20 for ``"shapley"``).
    weight : str, optional
        Sampling-weight column (correlations are weighted; not frequency weights).
    method : {"shapley", "relative_weights"}
        See the module docstring.
    replicates : int or ReplicateWeights, optional
        Ask for intervals: a number of Rao–Wu bootstrap replicates to draw (with
        ``strata``, ``psu``, ``seed``) or replicate weights drawn for ``data``.
    strata, psu, seed
        Design and seed of the replicates when ``replicates`` is a number.
    level, interval
        Confidence level and interval type (``"percentile"`` or ``"normal"``).

    Returns
    -------
    DataFrame
        One row per driver, in the order given: ``driver, raw, share, sign`` (``raw`` sums
        to R², ``share`` to 1, ``sign`` is the sign of the driver's coefficient in the
        full model), and with replicates ``se, ci_low, ci_high`` (of ``raw``) and
        ``share_ci_low, share_ci_high``. ``attrs`` holds ``r2``, ``n``, ``method``.
    """
    drivers = list(drivers)
    if method not in METHODS:
        raise UsageError(f"method must be one of {METHODS}, got {method!r}")
    if not drivers:
        raise UsageError("name at least one driver")
    if method == "shapley" and len(drivers) > MAX_DRIVERS:
        raise UsageError(f"the exact Shapley value is limited to {MAX_DRIVERS} drivers; "
                         "use method='relative_weights'")
    if target in drivers:
        raise UsageError(f"the target '{target}' is also listed as a driver")
    values = numeric_matrix(data, [*drivers, target], "driver/target")
    reps = resolve_replicates(data, replicates, weight=weight, strata=strata, psu=psu, seed=seed)
    w = weight_matrix(data, weight, reps)
    keep = complete_rows(values)
    if keep.sum() <= len(drivers) + 1:
        raise UsageError(f"only {int(keep.sum())} complete rows for {len(drivers)} drivers")
    corr = correlations(values[keep], w[keep])
    raw = shapley_from_corr(corr) if method == "shapley" else relative_weights_from_corr(corr)
    r2 = raw.sum(axis=1)
    share = raw / r2[:, None]
    out = pd.DataFrame({"driver": drivers, "raw": raw[0], "share": share[0],
                        "sign": _full_signs(corr)})
    if reps is not None:
        s = summarise_replicates(raw[0], raw[1:], scale=reps.scale, level=level,
                                 interval=interval)
        sh = summarise_replicates(share[0], share[1:], scale=reps.scale, level=level,
                                  interval=interval)
        out["se"], out["ci_low"], out["ci_high"] = s["se"], s["ci_low"], s["ci_high"]
        out["share_ci_low"], out["share_ci_high"] = sh["ci_low"], sh["ci_high"]
    out.attrs.update({"r2": float(r2[0]), "n": int(keep.sum()), "method": method,
                      "replicates": 0 if reps is None else reps.replicates})
    return out


def importance_performance(
    current: pd.DataFrame,
    comparison: pd.DataFrame | None,
    target: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    method: str = "shapley",
    ranges: Mapping[str, tuple[float, float]] | tuple[float, float] = (1.0, 10.0),
    replicates: int | None = None,
    strata: str | None = None,
    psu: str | None = None,
    seed: int | None = 0,
    level: float = DEFAULT_LEVEL,
) -> pd.DataFrame:
    """Importance share against 0-100 performance, this quarter and the comparison quarter.

    Performance is the weighted mean of the driver among those who answered it, on
    0-100 (``100 (mean - lo) / (hi - lo)`` with the item's scale ``ranges``). The
    quadrant compares each driver with the cross-hairs of the **current** quarter: the
    mean importance share (``1/p``) and the mean performance of the drivers, so both
    quarters are placed on the same axes.

    Parameters
    ----------
    current, comparison : DataFrame
        The two quarters' respondents (``comparison`` may be None).
    target, drivers, weight, method
        As in :func:`importance`.
    ranges : (lo, hi) or mapping driver -> (lo, hi)
        Scale of each driver (default 1-10).
    replicates, strata, psu, seed, level
        Replicates for intervals of the importance shares and the performance.

    Returns
    -------
    DataFrame
        One row per driver and period (``"current"``, ``"comparison"``): ``driver,
        period, importance, performance, quadrant, raw, sign, n``, and with replicates
        ``importance_ci_low, importance_ci_high, performance_se, performance_ci_low,
        performance_ci_high``.
    """
    drivers = list(drivers)
    if isinstance(ranges, Mapping):
        missing = [d for d in drivers if d not in ranges]
        if missing:
            raise UsageError(f"ranges has no scale for {missing}")
        lo = np.array([ranges[d][0] for d in drivers], float)
        hi = np.array([ranges[d][1] for d in drivers], float)
    else:
        lo = np.full(len(drivers), float(ranges[0]))
        hi = np.full(len(drivers), float(ranges[1]))
    tables = []
    for period, frame, s in (("current", current, seed),
                             ("comparison", comparison, None if seed is None else seed + 1)):
        if frame is None:
            continue
        reps = resolve_replicates(frame, replicates, weight=weight, strata=strata, psu=psu,
                                  seed=s)
        imp = importance(frame, target, drivers, weight=weight, method=method,
                         replicates=reps, level=level)
        values = numeric_matrix(frame, drivers, "driver")
        w = weight_matrix(frame, weight, reps)
        perf = np.empty((w.shape[1], len(drivers)))
        for j in range(len(drivers)):
            ok = np.isfinite(values[:, j])
            perf[:, j] = weighted_moments(values[ok, j:j + 1], w[ok])[0][:, 0]
        perf = 100 * (perf - lo) / (hi - lo)
        t = pd.DataFrame({"driver": drivers, "period": period, "importance": imp["share"],
                          "performance": perf[0], "raw": imp["raw"], "sign": imp["sign"],
                          "n": imp.attrs["n"]})
        if reps is not None:
            ps = summarise_replicates(perf[0], perf[1:], scale=reps.scale, level=level)
            t["importance_ci_low"] = imp["share_ci_low"].to_numpy()
            t["importance_ci_high"] = imp["share_ci_high"].to_numpy()
            t["performance_se"] = ps["se"]
            t["performance_ci_low"], t["performance_ci_high"] = ps["ci_low"], ps["ci_high"]
        tables.append(t)
    out = pd.concat(tables, ignore_index=True)
    cur = out[out["period"] == "current"]
    imp_mid = 1.0 / len(drivers)
    perf_mid = float(cur["performance"].mean())
    out["quadrant"] = [QUADRANTS[(bool(i >= imp_mid), bool(p >= perf_mid))]
                       for i, p in zip(out["importance"], out["performance"], strict=True)]
    out.attrs.update({"importance_midpoint": imp_mid, "performance_midpoint": perf_mid,
                      "method": method})
    cols = ["driver", "period", "importance", "performance", "quadrant", "raw", "sign", "n"]
    return out[cols + [c for c in out.columns if c not in cols]]
