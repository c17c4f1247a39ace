"""Staggered difference-in-differences: group-time effects and their aggregates.

Callaway & Sant'Anna (2021), computed as R ``did`` (``att_gt`` with ``bstrap=FALSE``,
then ``aggte``) on a balanced panel:

* ATT(g,t) for every treated cohort ``g`` (first treated period) and period ``t``,
  with never-treated (``control="never_treated"``) or not-yet-treated
  (``control="not_yet_treated"``) comparison units, a ``"varying"`` or ``"universal"``
  base period, and the doubly robust panel estimator of Sant'Anna & Zhao (2020)
  (R ``DRDID::drdid_panel``, ``did``'s default ``est_method="dr"``) when covariates
  are given (``est_method="reg"`` gives the outcome-regression estimator
  ``DRDID::reg_did_panel``). Without covariates every estimator reduces to the
  difference of the mean changes of treated and comparison units.
* Aggregates ``"simple"``, ``"dynamic"`` (event study), ``"group"`` and ``"calendar"``
  with the weights of ``did::aggte``.

Variance method
---------------
Analytic influence functions, as ``did`` with ``bstrap=FALSE``: each ATT(g,t) has a
per-unit influence function (scaled by ``n / n_cell`` because a cell uses only its
treated and comparison units); ``se = sqrt(sum_i psi_i**2) / n`` over the ``n``
balanced units. Aggregates combine the cells' influence functions with the
aggregation weights *plus* the influence of estimating those weights (the cohort
shares), exactly as ``did``'s ``wif``/``get_agg_inf_func``. Intervals are pointwise
normal intervals (``did``'s ``cband=FALSE``); units are the independent sampling
units (no clustering above the unit). Units carry equal weight.

How it is computed
------------------
Without covariates each ATT(g,t) is a difference of means of the long differences
``Y_t - Y_b``, and each unit's influence function is linear in that unit's outcomes
with coefficients that depend only on the unit's cohort. So every estimate, every
influence-function covariance and every aggregate follows from per-cohort moments:
counts, sums of ``Y_t`` and sums of ``Y_s * Y_t`` (the contract of
``gotone_analysis.panel.cohort_moments``). A panel-layer table is reduced to those
moments in its engine and no unit row reaches pandas; a pandas frame is reduced in
numpy. ``computation="units"`` runs the unit-level influence-function computation
instead (the one used with covariates, a literal transcription of ``did`` and
``DRDID``); both agree to rounding (tested to 1e-9 on R's ``mpdta``).

Sample rules (as ``did``'s pre-processing): rows with a missing outcome are dropped,
then units not observed in every period (the panel is balanced); cohorts later than
the last period count as never treated; units treated in or before the first period
are dropped; a cell with no treated or no comparison unit, or whose treated share is
0.999 or more, is missing (``did``'s overlap guard) and left out of the aggregates
(``aggte(na.rm=TRUE)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit

from ..policy import DEFAULT_LEVEL, quantile
from .design import covariate_columns

__all__ = [
    "CONTROLS",
    "BASE_PERIODS",
    "AGGREGATES",
    "DidResult",
    "staggered_did",
    "moments_from_frame",
]

CONTROLS = ("never_treated", "not_yet_treated")
BASE_PERIODS = ("varying", "universal")
AGGREGATES = ("simple", "dynamic", "group", "calendar")
EST_METHODS = ("dr", "reg")
ATT_GT_COLUMNS = ["cohort", "time", "estimate", "se", "ci_low", "ci_high", "n"]
_AGG_KEYS = {"simple": "effect", "dynamic": "event_time", "group": "cohort",
             "calendar": "time"}
_ZERO_SE = np.sqrt(np.finfo(float).eps) * 10


# --- cells ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """One group-time cell: treated cohort, current and base period indices, controls."""

    g: float
    t: int  # index into periods of the current period
    b: int  # index into periods of the base period
    post: bool
    controls: tuple[float, ...]  # control cohorts (values), may be empty
    normalised: bool = False  # universal base, t == g-1: ATT set to 0, no variance


def _cells(periods: np.ndarray, cohorts: np.ndarray, control: str, base_period: str
           ) -> list[_Cell]:
    """The cells ``did::att_gt`` computes, in its order (cohort, then period)."""
    treated = [g for g in cohorts if g != 0]
    out: list[_Cell] = []
    nt = len(periods)
    tfac = 1 if base_period == "varying" else 0
    for g in treated:
        before = np.flatnonzero(periods < g)
        if len(before) == 0:
            continue
        pret_g = int(before[-1])
        for t0 in range(nt - tfac):
            cur = t0 + tfac
            pret = t0 if base_period == "varying" else pret_g
            post = bool(g <= periods[cur])
            if post:
                pret = pret_g
            if base_period == "universal" and pret == cur:
                out.append(_Cell(g, cur, pret, False, (), normalised=True))
                continue
            if control == "never_treated":
                ctrl = (0.0,) if 0 in cohorts else ()
            else:
                threshold = periods[max(cur, pret)]
                ctrl = tuple(c for c in cohorts if c == 0 or (c > threshold and c != g))
            out.append(_Cell(g, cur, pret, post, ctrl))
    return out


# --- moments -------------------------------------------------------------------------


@dataclass
class _Moments:
    """Per-cohort moments: counts ``n[c]``, sums ``s[c, t]``, cross sums ``p[c, s, t]``."""

    cohorts: np.ndarray
    periods: np.ndarray
    n: np.ndarray
    s: np.ndarray
    p: np.ndarray
    dropped_units: int = 0


def moments_from_frame(data: pd.DataFrame, *, unit: str, time: str, cohort: str,
                       outcome: str, periods: Sequence | None = None) -> pd.DataFrame:
    """Per-cohort moments of a balanced panel held in pandas (computed in numpy).

    Same contract as ``gotone_analysis.panel.cohort_moments`` for a pandas frame:
    units whose ``outcome`` is non-missing in every period of ``periods`` (default:
    every distinct ``time``) are kept.

    Returns
    -------
    pandas.DataFrame
        One row per ``(cohort, time_a, time_b)`` with ``time_a <= time_b``: ``cohort,
        time_a, time_b, n, sum_a, sum_b, sum_ab`` (sums over the cohort's balanced
        units of ``Y[time_a]``, ``Y[time_b]`` and ``Y[time_a] * Y[time_b]``), sorted;
        ``attrs["dropped_units"]`` counts the units dropped by balancing.
    """
    wide, cohort_of, dropped = _balanced_wide(data, unit, time, cohort, outcome, periods)
    per = np.asarray(wide.columns)
    y = wide.to_numpy(dtype=float)
    rows = []
    for c in np.sort(pd.unique(cohort_of)):
        yc = y[cohort_of == c]
        s = yc.sum(axis=0)
        p = yc.T @ yc
        ia, ib = np.triu_indices(len(per))
        rows.append(pd.DataFrame({
            "cohort": c, "time_a": per[ia], "time_b": per[ib], "n": len(yc),
            "sum_a": s[ia], "sum_b": s[ib], "sum_ab": p[ia, ib]}))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["cohort", "time_a", "time_b", "n", "sum_a", "sum_b", "sum_ab"])
    out.attrs["dropped_units"] = dropped
    return out


def _balanced_wide(data: pd.DataFrame, unit: str, time: str, cohort: str, outcome: str,
                   periods: Sequence | None = None, extra: Sequence[str] = ()
                   ) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Units x periods outcome matrix of the balanced units, their cohorts, dropped count."""
    missing = [c for c in (unit, time, cohort, outcome, *extra) if c not in data.columns]
    if missing:
        raise KeyError(f"columns not in the panel: {missing}")
    all_units = data[unit].nunique()
    d = data[data[outcome].notna()]
    if periods is None:
        periods = np.sort(data[time].dropna().unique())
    periods = list(periods)
    d = d[d[time].isin(periods)]
    if d.duplicated([unit, time]).any():
        raise ValueError(f"more than one row per {unit} and {time}")
    wide = d.pivot(index=unit, columns=time, values=outcome).reindex(columns=periods)
    wide = wide.dropna(axis=0, how="any").sort_index()
    g = d.drop_duplicates(unit).set_index(unit)[cohort].reindex(wide.index)
    if d.groupby(unit)[cohort].nunique().gt(1).any():
        raise ValueError(f"{cohort} must be constant within each {unit}")
    return wide, g.fillna(0).to_numpy(dtype=float), int(all_units - len(wide))


def _period_numbers(values: pd.Series) -> pd.Series:
    """Periods as numbers: numeric values as they are, ``'YYYY-MM'`` text as month numbers.

    Text months are numbered as :func:`gotone_analysis.panel.month_number` (months since
    2008-01), so a cohort ``'2010-03'`` and a time ``'2010-03'`` compare as they should;
    a text ``'0'`` (never treated) stays 0.
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    from gotone_analysis import panel as panel_layer

    text = values.astype("string")
    month = text.str.fullmatch(r"\d{4}-\d{2}").fillna(False).astype(bool)
    out = pd.to_numeric(text.where(~month), errors="raise").astype(float)
    if month.any():
        out[month] = panel_layer.month_number(text[month]).astype(float)
    return out


def _moments_arrays(frame: pd.DataFrame) -> _Moments:
    """Arrays from a tidy moments frame (the ``cohort_moments`` contract)."""
    dropped = int(frame.attrs.get("dropped_units", 0))
    frame = frame.assign(cohort=_period_numbers(frame["cohort"]),
                         time_a=_period_numbers(frame["time_a"]),
                         time_b=_period_numbers(frame["time_b"]))
    cohorts = np.sort(pd.unique(frame["cohort"].astype(float)))
    periods = np.sort(pd.unique(np.concatenate([frame["time_a"].to_numpy(),
                                                frame["time_b"].to_numpy()])))
    ci = {c: i for i, c in enumerate(cohorts)}
    ti = {t: i for i, t in enumerate(periods)}
    nc, nt = len(cohorts), len(periods)
    n = np.zeros(nc)
    s = np.zeros((nc, nt))
    p = np.zeros((nc, nt, nt))
    c_idx = frame["cohort"].astype(float).map(ci).to_numpy()
    a_idx = frame["time_a"].map(ti).to_numpy()
    b_idx = frame["time_b"].map(ti).to_numpy()
    n[c_idx] = frame["n"].to_numpy(dtype=float)
    s[c_idx, a_idx] = frame["sum_a"].to_numpy(dtype=float)
    s[c_idx, b_idx] = frame["sum_b"].to_numpy(dtype=float)
    p[c_idx, a_idx, b_idx] = frame["sum_ab"].to_numpy(dtype=float)
    p[c_idx, b_idx, a_idx] = frame["sum_ab"].to_numpy(dtype=float)
    return _Moments(cohorts, periods.astype(float), n, s, p,
                    dropped)


def _prepare_moments(m: _Moments) -> _Moments:
    """``did``'s sample rules on moments: late cohorts never treated, early ones dropped."""
    first, last = m.periods[0], m.periods[-1]
    cohorts = np.where(m.cohorts > last, 0.0, m.cohorts)
    keep = (cohorts == 0) | (cohorts > first)
    dropped = m.dropped_units + int(m.n[~keep].sum())
    cohorts, n, s, p = cohorts[keep], m.n[keep], m.s[keep], m.p[keep]
    uniq = np.unique(cohorts)
    idx = np.searchsorted(uniq, cohorts)
    n2 = np.zeros(len(uniq))
    s2 = np.zeros((len(uniq), s.shape[1]))
    p2 = np.zeros((len(uniq), *p.shape[1:]))
    np.add.at(n2, idx, n)
    np.add.at(s2, idx, s)
    np.add.at(p2, idx, p)
    return _Moments(uniq, m.periods, n2, s2, p2, dropped)


# --- influence-function backends -------------------------------------------------------


class _MomentBackend:
    """Influence functions held as per-cohort linear forms in the unit's outcomes.

    Unit ``i`` of cohort ``c`` has ``psi_i[k] = B[c, k] @ Y_i - h[c, k]`` for cell ``k``.
    """

    def __init__(self, m: _Moments, b: np.ndarray, h: np.ndarray):
        self.m, self.b, self.h = m, b, h
        self.n_units = float(m.n.sum())

    def gram(self, w: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Sum over units of products of combined influence functions.

        ``w`` (cells x m) combines the cells' influence functions; ``q`` (cohorts x m)
        adds a per-cohort constant. Returns the m x m matrix of sums of products.
        """
        m = self.m
        out = np.zeros((w.shape[1], w.shape[1]))
        for c in range(len(m.cohorts)):
            u = self.b[c].T @ w  # periods x m
            r = q[c] - self.h[c] @ w  # m
            us = u.T @ m.s[c]
            out += u.T @ m.p[c] @ u + np.outer(us, r) + np.outer(r, us) + m.n[c] * np.outer(r, r)
        return out


class _UnitBackend:
    """Influence functions held as a units x cells matrix (the reference path)."""

    def __init__(self, psi: np.ndarray, cohort_index: np.ndarray):
        self.psi, self.cohort_index = psi, cohort_index
        self.n_units = float(psi.shape[0])

    def gram(self, w: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Sum over units of products of combined influence functions (see above)."""
        f = self.psi @ w + q[self.cohort_index]
        return f.T @ f


def _did_moments(m: _Moments, cells: list[_Cell]) -> tuple[np.ndarray, np.ndarray,
                                                           _MomentBackend]:
    """ATT(g,t), cell sizes and influence functions from per-cohort moments."""
    ci = {c: i for i, c in enumerate(m.cohorts)}
    nc, nt, k = len(m.cohorts), len(m.periods), len(cells)
    n = m.n.sum()
    att = np.full(k, np.nan)
    size = np.zeros(k, dtype=int)
    b = np.zeros((nc, k, nt))
    h = np.zeros((nc, k))
    for j, cell in enumerate(cells):
        if cell.normalised:
            att[j] = 0.0
            continue
        d = np.zeros(nt)
        d[cell.t] += 1.0
        d[cell.b] -= 1.0
        gi = ci[cell.g]
        ctrl = [ci[c] for c in cell.controls]
        n_t = m.n[gi]
        n_c = m.n[ctrl].sum() if ctrl else 0.0
        size[j] = int(n_t + n_c)
        if n_t == 0 or n_c == 0 or n_t / (n_t + n_c) >= 0.999:
            continue
        mean_t = d @ m.s[gi] / n_t
        mean_c = sum(d @ m.s[c] for c in ctrl) / n_c
        att[j] = mean_t - mean_c
        # psi_i = n * [D (dY - mean_t) / n_t - (1 - D)(dY - mean_c) / n_c]
        b[gi, j] = n * d / n_t
        h[gi, j] = n * mean_t / n_t
        for c in ctrl:
            b[c, j] = -n * d / n_c
            h[c, j] = -n * mean_c / n_c
    return att, size, _MomentBackend(m, b, h)


# --- unit-level estimators (DRDID) ------------------------------------------------------


def _logit(x: np.ndarray, y: np.ndarray, w: np.ndarray, tol: float = 1e-12,
           max_iter: int = 100) -> np.ndarray:
    """Weighted logistic regression by Newton-Raphson (no intercept added)."""
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        p = expit(x @ beta)
        grad = x.T @ (w * (y - p))
        hess = x.T @ ((w * p * (1 - p))[:, None] * x)
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            break
    return beta


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least squares coefficients."""
    sw = np.sqrt(w)
    return np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]


def _panel_outcome_fit(y1: np.ndarray, y0: np.ndarray, d: np.ndarray, x: np.ndarray,
                       weights: np.ndarray | None
                       ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """The common start of the panel DiD estimators: the change, the weights and the
    comparison units' outcome regression of the change, predicted for every unit.

    Returns
    -------
    tuple
        ``(n, dy, w, out)``: units, ``y1 - y0``, weights normalised to mean 1 (ones
        without weights) and the fitted change ``x @ beta`` (WLS on comparison units).
    """
    n = len(d)
    dy = y1 - y0
    w = np.ones(n) if weights is None else weights / np.mean(weights)
    ctrl = d == 0
    out = x @ _wls(x[ctrl], dy[ctrl], w[ctrl])
    return n, dy, w, out


def _wols_influence(x: np.ndarray, d: np.ndarray, w: np.ndarray, dy: np.ndarray,
                    out: np.ndarray) -> np.ndarray:
    """Asymptotic linear representation of the comparison units' WLS coefficients.

    Returns
    -------
    ndarray, shape (n, k)
        Per-unit influence of the outcome-regression coefficients (``asy.lin.rep.ols``
        of ``DRDID``).
    """
    n = len(d)
    w_ols = w * (1 - d)
    xpx = (w_ols[:, None] * x).T @ x / n
    return ((w_ols * (dy - out))[:, None] * x) @ np.linalg.inv(xpx)


def drdid_panel(y1: np.ndarray, y0: np.ndarray, d: np.ndarray, x: np.ndarray,
                weights: np.ndarray | None = None, trim_level: float = 0.995
                ) -> tuple[float, np.ndarray]:
    """Doubly robust DiD for panel data (Sant'Anna & Zhao 2020), as ``DRDID::drdid_panel``.

    Parameters
    ----------
    y1, y0 : array
        Outcome in the later and the earlier period.
    d : array
        1 for treated units, 0 for comparison units.
    x : array
        Covariate matrix including the intercept column.
    weights : array, optional
        Unit weights (normalised to mean 1).
    trim_level : float
        Comparison units with propensity at or above this level get weight 0.

    Returns
    -------
    tuple
        ``(att, influence)``: the estimate and the per-unit influence function.
    """
    n, dy, w, out = _panel_outcome_fit(y1, y0, d, x, weights)
    ps = expit(x @ _logit(x, d, w))
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.ones(n, dtype=bool)
    trim[d == 0] = ps[d == 0] < trim_level
    wp = ps * (1 - ps) * w
    w_treat = trim * w * d
    w_cont = trim * w * ps * (1 - d) / (1 - ps)
    dr_treat = w_treat * (dy - out)
    dr_cont = w_cont * (dy - out)
    eta_t = dr_treat.mean() / w_treat.mean()
    eta_c = dr_cont.mean() / w_cont.mean()
    asy_wols = _wols_influence(x, d, w, dy, out)
    hess = np.linalg.inv(x.T @ (wp[:, None] * x)) * n
    asy_ps = ((w * (d - ps))[:, None] * x) @ hess
    inf_treat = (dr_treat - w_treat * eta_t - asy_wols @ (w_treat[:, None] * x).mean(0))
    inf_treat = inf_treat / w_treat.mean()
    m2 = ((w_cont * (dy - out - eta_c))[:, None] * x).mean(0)
    m3 = (w_cont[:, None] * x).mean(0)
    inf_cont = (dr_cont - w_cont * eta_c + asy_ps @ m2 - asy_wols @ m3) / w_cont.mean()
    return float(eta_t - eta_c), inf_treat - inf_cont


def reg_did_panel(y1: np.ndarray, y0: np.ndarray, d: np.ndarray, x: np.ndarray,
                  weights: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Outcome-regression DiD for panel data (Heckman et al. 1997), as ``DRDID::reg_did_panel``.

    Returns
    -------
    tuple
        ``(att, influence)``: the estimate and the per-unit influence function.
    """
    _, dy, w, out = _panel_outcome_fit(y1, y0, d, x, weights)
    w_treat = w * d
    w_cont = w * d
    att_treat = w_treat * dy
    att_cont = w_cont * out
    eta_t = att_treat.mean() / w_treat.mean()
    eta_c = att_cont.mean() / w_cont.mean()
    asy = _wols_influence(x, d, w, dy, out)
    inf_treat = (att_treat - w_treat * eta_t) / w_treat.mean()
    inf_cont_1 = att_cont - w_cont * eta_c
    inf_cont_2 = asy @ (w_cont[:, None] * x).mean(0)
    inf_cont = (inf_cont_1 + inf_cont_2) / w_cont.mean()
    return float(eta_t - eta_c), inf_treat - inf_cont


def _design(data: pd.DataFrame, covariates: str | Sequence[str] | None) -> np.ndarray:
    """Covariate matrix with intercept (formula right-hand side or column names)."""
    n = len(data)
    if covariates is None:
        return np.ones((n, 1))
    if isinstance(covariates, str):
        from formulaic import model_matrix

        mm = model_matrix(covariates, data, na_action="raise")
        x = np.asarray(mm, dtype=float)
        if "Intercept" not in mm.columns:
            x = np.column_stack([np.ones(n), x])
        return x
    cols = list(covariates)
    return np.column_stack([np.ones(n), data[cols].to_numpy(dtype=float)])


def _did_units(data: pd.DataFrame, *, unit: str, time: str, cohort: str, outcome: str,
               control: str, base_period: str,
               covariates: str | Sequence[str] | None, est_method: str
               ) -> tuple[list[_Cell], np.ndarray, np.ndarray, _UnitBackend, np.ndarray,
                          np.ndarray, int]:
    """Unit-level computation (R ``did::compute.att_gt`` with ``DRDID`` estimators)."""
    cov_cols = covariate_columns(data, covariates)
    wide, g_unit, dropped = _balanced_wide(data, unit, time, cohort, outcome, extra=cov_cols)
    periods = np.asarray(wide.columns, dtype=float)
    g_unit = np.where(g_unit > periods[-1], 0.0, g_unit)
    keep = (g_unit == 0) | (g_unit > periods[0])
    dropped += int((~keep).sum())
    wide, g_unit = wide[keep], g_unit[keep]
    y = wide.to_numpy(dtype=float)
    cohorts = np.unique(g_unit)
    cells = _cells(periods, cohorts, control, base_period)
    n = len(y)
    if covariates is not None:
        rows = data.drop_duplicates([unit, time]).set_index([unit, time])
        per_period = {}
        for j, label in enumerate(wide.columns):
            slice_t = rows.xs(label, level=time).reindex(wide.index)
            per_period[j] = _design(slice_t.reset_index(), covariates)
    att = np.full(len(cells), np.nan)
    size = np.zeros(len(cells), dtype=int)
    psi = np.zeros((n, len(cells)))
    for k, cell in enumerate(cells):
        if cell.normalised:
            att[k] = 0.0
            continue
        gmask = g_unit == cell.g
        cmask = np.isin(g_unit, cell.controls)
        sel = gmask | cmask
        n1 = int(sel.sum())
        size[k] = n1
        dsel = gmask[sel].astype(float)
        if dsel.sum() == 0 or dsel.sum() == n1 or dsel.mean() >= 0.999:
            continue
        x = np.ones((n1, 1)) if covariates is None else per_period[min(cell.t, cell.b)][sel]
        y1, y0 = y[sel, cell.t], y[sel, cell.b]
        if est_method == "reg":
            a, inf = reg_did_panel(y1, y0, dsel, x)
        else:
            a, inf = drdid_panel(y1, y0, dsel, x)
        att[k] = a
        psi[sel, k] = (n / n1) * inf
    cohort_index = np.searchsorted(cohorts, g_unit)
    return cells, att, size, _UnitBackend(psi, cohort_index), cohorts, \
        np.bincount(cohort_index, minlength=len(cohorts)).astype(float), dropped


# --- the result -----------------------------------------------------------------------------


@dataclass
class DidResult:
    """Group-time effects of a staggered roll-out and their aggregates.

    Attributes
    ----------
    att_gt : pandas.DataFrame
        Tidy ATT(g,t): ``cohort, time, estimate, se, ci_low, ci_high, n`` (``n`` units in
        the cell: treated plus comparison), plus ``base`` (the base period),
        ``event_time`` (``time - cohort``) and ``post``.
    n_units : int
        Balanced units used.
    dropped_units : int
        Units dropped (unbalanced, or treated in or before the first period).
    control, base_period : str
        The comparison group and base period used.
    level : float
        Confidence level of the intervals.
    """

    att_gt: pd.DataFrame
    n_units: int
    dropped_units: int
    control: str
    base_period: str
    level: float
    _backend: object = field(repr=False)
    _cohorts: np.ndarray = field(repr=False)
    _cohort_n: np.ndarray = field(repr=False)

    def vcov(self) -> pd.DataFrame:
        """Influence-function covariance of the ATT(g,t) (``did``'s ``V / n``).

        Returns
        -------
        pandas.DataFrame
            Square matrix indexed by ``(cohort, time)``.
        """
        k = len(self.att_gt)
        g = self._backend.gram(np.eye(k), np.zeros((len(self._cohorts), k)))
        idx = pd.MultiIndex.from_frame(self.att_gt[["cohort", "time"]])
        return pd.DataFrame(g / self.n_units**2, index=idx, columns=idx)

    def _se(self, w: np.ndarray, q: np.ndarray) -> np.ndarray:
        g = self._backend.gram(w, q)
        se = np.sqrt(np.clip(np.diag(g), 0, None)) / self.n_units
        return np.where(se <= _ZERO_SE, np.nan, se)

    def _wif(self, keep: np.ndarray, pg: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Per-cohort influence of the estimated weights (``did``'s ``wif``), cohorts x k."""
        centred = (self._cohorts[:, None] == group[keep][None, :]).astype(float) - pg[keep]
        spg = pg[keep].sum()
        return centred / spg - centred.sum(axis=1, keepdims=True) * (pg[keep] / spg**2)

    def aggregate(self, kind: str = "simple") -> pd.DataFrame:
        """Aggregate the group-time effects, as ``did::aggte(type=kind)``.

        Parameters
        ----------
        kind : {"simple", "dynamic", "group", "calendar"}
            ``simple``: post-treatment cells weighted by cohort size; ``dynamic``:
            by event time ``e = t - g`` (pre-periods included, ``overall`` = mean of
            ``e >= 0``); ``group``: by cohort (``overall`` weighted by cohort size);
            ``calendar``: by period (``overall`` = mean over periods).

        Returns
        -------
        pandas.DataFrame
            Tidy, first column the key (``effect`` for simple; ``event_time``,
            ``cohort`` or ``time``) with an ``overall`` row: ``estimate, se, ci_low,
            ci_high, n_cells``.
        """
        if kind not in AGGREGATES:
            raise ValueError(f"kind must be one of {AGGREGATES}, got {kind!r}")
        tab = self.att_gt
        ok = tab["estimate"].notna().to_numpy()
        att = np.where(ok, tab["estimate"].to_numpy(dtype=float), 0.0)
        group = tab["cohort"].to_numpy(dtype=float)
        t = tab["time"].to_numpy(dtype=float)
        k = len(tab)
        nc = len(self._cohorts)
        pg_c = self._cohort_n / self.n_units
        pg = np.array([pg_c[np.searchsorted(self._cohorts, g)] for g in group])
        keys, ws, qs, ests, ncells = [], [], [], [], []

        def combo(sel: np.ndarray, with_wif: bool):
            w = np.zeros(k)
            q = np.zeros(nc)
            if sel.sum() == 0:
                return None
            w[sel] = pg[sel] / pg[sel].sum()
            if with_wif:
                q = self._wif(sel, pg, group) @ att[sel]
            return w, q, float(w @ att), int(sel.sum())

        post = (group <= t) & ok
        if kind == "simple":
            w, q, e, c = combo(post, True)
            keys, ws, qs, ests, ncells = ["overall"], [w], [q], [e], [c]
        else:
            if kind == "dynamic":
                groups = np.unique(t[ok] - group[ok])
                sels = [(t - group == e) & ok for e in groups]
            elif kind == "group":
                groups = np.unique(group[post])
                sels = [post & (group == g) for g in groups]
            else:
                groups = np.unique(t[post])
                sels = [post & (t == tt) for tt in groups]
            for key, sel in zip(groups, sels, strict=True):
                w, q, e, c = combo(sel, kind != "group")
                keys.append(key)
                ws.append(w)
                qs.append(q)
                ests.append(e)
                ncells.append(c)
            if kind == "group":
                pgg = pg_c[np.searchsorted(self._cohorts, groups)]
                a = pgg / pgg.sum()
                wif = self._wif(np.arange(len(groups)), pgg, np.asarray(groups, dtype=float))
                q = wif @ np.array(ests)
                pos = np.ones(len(groups), dtype=bool)
            else:
                pos = np.ones(len(groups), dtype=bool) if kind == "calendar" else groups >= 0
                a = pos / pos.sum()
                q = np.array(qs).T @ a
            ncells.append(int(np.array(ncells)[pos].sum()))
            ws.append(np.array(ws).T @ a)
            qs.append(q)
            ests.append(float(a @ np.array(ests)))
            keys.append("overall")
        se = self._se(np.array(ws).T, np.array(qs).T)
        z = quantile(self.level)
        key = _AGG_KEYS[kind]
        col = pd.Series(keys, dtype=object)
        if kind != "simple":
            col = pd.Series([k if k == "overall" else _nice(k) for k in keys], dtype=object)
        est = np.array(ests)
        return pd.DataFrame({key: col, "estimate": est, "se": se, "ci_low": est - z * se,
                             "ci_high": est + z * se, "n_cells": ncells})

    def pre_trend_test(self) -> pd.DataFrame:
        """Wald test that every pre-treatment ATT(g,t) is zero (``did``'s pre-test).

        Returns
        -------
        pandas.DataFrame
            One row: ``statistic, df, p_value``.
        """
        from scipy.stats import chi2

        tab = self.att_gt
        pre = ((tab["cohort"] > tab["time"]) & tab["se"].notna()).to_numpy()
        if not pre.any():
            return pd.DataFrame({"statistic": [np.nan], "df": [0], "p_value": [np.nan]})
        v = self.vcov().to_numpy()[np.ix_(pre, pre)]
        b = tab["estimate"].to_numpy(dtype=float)[pre]
        stat = float(b @ np.linalg.pinv(v) @ b)
        df = int(pre.sum())
        return pd.DataFrame({"statistic": [stat], "df": [df], "p_value": [chi2.sf(stat, df)]})


def _nice(v: float):
    """Integral floats back to int for display keys."""
    return int(v) if float(v).is_integer() else v


def _att_table(cells: list[_Cell], periods: np.ndarray, att: np.ndarray, size: np.ndarray,
               backend, n_cohorts: int, level: float) -> pd.DataFrame:
    k = len(cells)
    g = backend.gram(np.eye(k), np.zeros((n_cohorts, k)))
    se = np.sqrt(np.clip(np.diag(g), 0, None)) / backend.n_units
    se = np.where((se <= _ZERO_SE) | np.isnan(att), np.nan, se)
    z = quantile(level)
    tab = pd.DataFrame({
        "cohort": [_nice(c.g) for c in cells],
        "time": [_nice(periods[c.t]) for c in cells],
        "estimate": att, "se": se, "ci_low": att - z * se, "ci_high": att + z * se,
        "n": size,
        "base": [_nice(periods[c.b]) for c in cells],
    })
    tab["event_time"] = tab["time"] - tab["cohort"]
    tab["post"] = [c.g <= periods[c.t] for c in cells]
    return tab


def staggered_did(panel, *, unit: str, time: str, cohort: str, outcome: str,
                  control: str = "never_treated",
                  covariates: str | Sequence[str] | None = None,
                  base_period: str = "varying", est_method: str = "dr",
                  computation: str = "auto", periods: Sequence | None = None,
                  level: float = DEFAULT_LEVEL) -> DidResult:
    """Group-time average treatment effects of a staggered roll-out (Callaway & Sant'Anna).

    Parameters
    ----------
    panel : pandas.DataFrame or panel-layer table
        Long panel, one row per unit and period. A table of
        ``gotone_analysis.panel`` (Ibis) is reduced in its engine to per-cohort
        moments when there are no covariates; with covariates the balanced unit rows
        of the needed columns are pulled.
    unit, time, cohort, outcome : str
        Column names. ``time`` numeric (e.g. year or a month index); ``cohort`` the
        first treated period on the same scale, 0 for never treated. Without
        covariates ``time`` (and ``cohort``) may also be ``'YYYY-MM'`` text, numbered
        as :func:`gotone_analysis.panel.month_number` (on a panel-layer table the
        files' own ``month`` column lets the engine read each month's files only).
    control : {"never_treated", "not_yet_treated"}
        Comparison units: never treated, or also those not yet treated by the later
        of the cell's two periods (R ``control_group``).
    covariates : str or list of str, optional
        Column names, or a formula right-hand side (``"x1 + C(x2)"``); values of the
        earlier period of each cell are used, as ``did`` does.
    base_period : {"varying", "universal"}
        Pre-treatment cells compare ``t`` with ``t-1`` (varying) or with ``g-1``
        (universal, where ATT(g, g-1) is 0 by construction).
    est_method : {"dr", "reg"}
        With covariates: doubly robust (default, R's) or outcome regression.
    computation : {"auto", "moments", "units"}
        ``auto`` uses per-cohort moments without covariates and unit rows with them;
        ``units`` forces the unit-level influence functions (the reference path).
    periods : sequence, optional
        Periods to use (default: every period in the panel); units must be observed
        in all of them (the panel is balanced over these periods only).
    level : float
        Confidence level of the pointwise normal intervals.

    Returns
    -------
    DidResult
        ``.att_gt`` tidy group-time effects; ``.aggregate(kind)`` for ``"simple"``,
        ``"dynamic"``, ``"group"`` and ``"calendar"``.
    """
    _check_design(control, base_period)
    if est_method not in EST_METHODS:
        raise ValueError(f"est_method must be one of {EST_METHODS}, got {est_method!r}")
    if computation not in ("auto", "moments", "units"):
        raise ValueError("computation must be 'auto', 'moments' or 'units'")
    if covariates is not None and computation == "moments":
        raise ValueError("covariates need the unit-level computation")
    is_frame = isinstance(panel, pd.DataFrame)
    use_units = computation == "units" or covariates is not None
    if use_units:
        data = panel if is_frame else _pull_units(panel, unit, time, cohort, outcome,
                                                  covariates)
        if periods is not None:
            data = data[data[time].isin(list(periods))]
        cells, att, size, backend, cohorts, cohort_n, dropped = _did_units(
            data, unit=unit, time=time, cohort=cohort, outcome=outcome, control=control,
            base_period=base_period, covariates=covariates, est_method=est_method)
        periods = np.sort(np.asarray(data[time].dropna().unique(), dtype=float))
    else:
        if is_frame:
            frame = moments_from_frame(panel, unit=unit, time=time, cohort=cohort,
                                       outcome=outcome, periods=periods)
        else:
            from gotone_analysis import panel as panel_layer

            frame = panel_layer.cohort_moments(panel, unit=unit, time=time, cohort=cohort,
                                               outcome=outcome, periods=periods)
        return did_from_moments(frame, control=control, base_period=base_period,
                                level=level)
    return _result(cells, periods, att, size, backend, cohorts, cohort_n, dropped, control,
                   base_period, level)


def _check_design(control: str, base_period: str) -> None:
    if control not in CONTROLS:
        raise ValueError(f"control must be one of {CONTROLS}, got {control!r}")
    if base_period not in BASE_PERIODS:
        raise ValueError(f"base_period must be one of {BASE_PERIODS}, got {base_period!r}")


def did_from_moments(moments: pd.DataFrame, *, control: str = "never_treated",
                     base_period: str = "varying", level: float = DEFAULT_LEVEL) -> DidResult:
    """Group-time effects from per-cohort moments already computed (no covariates).

    The same estimate as :func:`staggered_did` on the panel the moments came from:
    for results shared between reports (e.g. one ``cohort_moments(..., by="city")``
    query for every city of a batch, each city's rows passed here).

    Parameters
    ----------
    moments : pandas.DataFrame
        The ``gotone_analysis.panel.cohort_moments`` contract: ``cohort, time_a,
        time_b, n, sum_a, sum_b, sum_ab`` (periods numeric or ``'YYYY-MM'`` text),
        and the units dropped by balancing in a ``dropped_units`` column (one group's
        rows of ``cohort_moments(by=...)``) or else in ``attrs["dropped_units"]``.
    control, base_period, level
        As :func:`staggered_did`.

    Returns
    -------
    DidResult
    """
    _check_design(control, base_period)
    if "dropped_units" in moments.columns:  # one group's rows: its own count
        moments = moments.copy()
        moments.attrs["dropped_units"] = int(moments["dropped_units"].iloc[0]) \
            if len(moments) else 0
    m = _prepare_moments(_moments_arrays(moments))
    cells = _cells(m.periods, m.cohorts, control, base_period)
    att, size, backend = _did_moments(m, cells)
    return _result(cells, m.periods, att, size, backend, m.cohorts, m.n, m.dropped_units,
                   control, base_period, level)


def _result(cells, periods, att, size, backend, cohorts, cohort_n, dropped, control,
            base_period, level) -> DidResult:
    if not any(c.controls for c in cells):
        raise ValueError("no comparison units: the panel has no never-treated (or "
                         "not-yet-treated) units")
    tab = _att_table(cells, periods, att, size, backend, len(cohorts), level)
    return DidResult(tab, int(backend.n_units), int(dropped), control, base_period, level,
                     backend, np.asarray(cohorts, dtype=float), np.asarray(cohort_n, float))


def _pull_units(table, unit: str, time: str, cohort: str, outcome: str,
                covariates: str | Sequence[str] | None) -> pd.DataFrame:
    """The unit rows a covariate-adjusted estimate needs, from a panel-layer table."""
    cols = [unit, time, cohort, outcome]
    wanted = set(table.columns)
    if covariates is not None:
        if isinstance(covariates, str):
            import re

            names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", covariates))
            cols += [c for c in table.columns if c in names and c not in cols]
        else:
            cols += [c for c in covariates if c not in cols]
    missing = [c for c in cols if c not in wanted]
    if missing:
        raise KeyError(f"columns not in the panel table: {missing}")
    return table.select(cols).to_pandas()
