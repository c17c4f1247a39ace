"""The 139 scorecard: every 2010 target against its actual, projected to its deadline.

Tidy tables in, tidy tables out; nothing here draws.

* :func:`metric_series` -- a target metric's history (monthly from the BI counts, or one
  design-based estimate a survey wave);
* :func:`actuals` -- every target's actual as of the end of a quarter, for the province
  or a city;
* :func:`project` -- a projection of a series to a deadline with a prediction interval;
* :func:`scorecard` -- one row per target with its status (:data:`STATUS_RULES`);
* :func:`city_scorecards`, :func:`attainment`, :func:`contributions` -- the same by city,
  the city x lever attainment table and each city's share of a province gap;
* :func:`lever_summary`, :func:`status_changes`, :func:`headline` -- the report's views:
  one traffic light a lever, what changed since the comparison quarter, headline numbers;
* :func:`report_tables` -- every table of the ``scorecard_139`` report from one reading
  of the data (:class:`ScorecardReport`), and :func:`reader_table`, :func:`format_value`
  -- the reader copy of its tables (values in their units, statuses in words).

Statuses
--------
:data:`STATUS_RULES` is the one statement of the rules. A target at the end of its
scale (100 % coverage, a score of 100) cannot have a prediction interval wholly beyond
it, so before its deadline it is on track when the projection itself reaches the
target (rates are projected on the logit scale, or within the year on the log scale
capped at 100 %, so a projection can reach 100 % but not pass it); at risk when only
the interval reaches it; off track when not even the interval does. At the deadline
100 % means 100 %.

Actuals
-------
KPI metrics are computed from the monthly counts exactly as
:data:`gotone_analysis.targets.METRICS` defines them: a rate is the sum of its numerator
over the sum of its denominator over the cities in scope (the province rate is exact,
not a mean of city rates); year-to-date sums add the months from January. KPI counts
are a census, so their interval is the value itself. Survey metrics are design-based
estimates among GoTone customers of the wave (:func:`gotone_analysis.survey.estimate`
under :func:`gotone_analysis.survey.design_of`: sampling weights, strata, Taylor-linearised
variance; a city is a domain of the whole wave), with a normal-quantile interval at ``actual_level`` (95 %). A metric the data
cannot measure gives ``not_measurable`` with the reason in ``source``.

City targets
------------
The deck sets province targets only. A rate target applies to every city as it is. A
count target (customers, points) is split by the city's share of the province count in
December of the year before the deadline (for year-to-date sums: of last year's total),
so the city targets add up to the province target; this split is the suite's
assumption, shown in ``source``.

Projection model
----------------
:func:`project` fits a Gaussian state-space model by maximum likelihood
(:class:`statsmodels.tsa.statespace.structural.UnobservedComponents`) on a scale where
the model is sensible: rates on the logit scale (a projection never leaves 0-1), counts
and scores on the log scale.

* Metrics that trend through the year (coverage, share, customers): a *local linear
  trend* (level and slope both random walks). Its forecast variance grows with the
  horizon through the level and the slope disturbances.
* Metrics that restart every January (year-to-date counts and coverage): the log of
  this year's value over last year's value in the same month follows a *local level*:
  the projection repeats last year's within-year profile, scaled by this year's growth
  so far.

Model-based intervals assume the model is right; a plan with a launch in January and
campaigns by quarter changes slopes, which the fitted variances understate. The
interval at horizon ``h`` is therefore the wider of the model's interval and the
empirical one: the ``level`` quantile of the absolute ``h``-step errors the same model
(same parameters) made from earlier origins of the same series (rolling origin, at
least 3 errors; Williams & Goodman 1971). Half-widths never shrink with the horizon.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.statespace.structural import UnobservedComponents

from ... import survey
from ...config import CITY_CODES, PROVINCE, SCOPES, parse_quarter, quarter_str
from ...errors import DataError, UsageError
from ...policy import DEFAULT_LEVEL, PROJECTION_LEVEL, quantile
from ...targets import METRICS, Metric, deadline_month, load_targets

__all__ = [
    "STATUSES",
    "STATUS_RULES",
    "COLUMNS",
    "LEVEL",
    "ACTUAL_LEVEL",
    "status",
    "at_scale_end",
    "metric_series",
    "actuals",
    "project",
    "scorecard",
    "city_scorecards",
    "attainment",
    "contributions",
    "headline",
    "status_changes",
    "lever_summary",
    "DIRECTION_SIGNS",
    "STATUS_COLORS",
    "LIGHT_COLORS",
    "ScorecardReport",
    "report_tables",
    "format_value",
    "format_interval",
    "reader_table",
]

#: Statuses, best first.
STATUSES: tuple[str, ...] = ("met", "on_track", "at_risk", "off_track", "missed",
                             "not_measurable")
#: The status rules, in the order they are applied (the one place they are written).
STATUS_RULES: dict[str, str] = {
    "not_measurable": "the data cannot measure the metric (reason in source), or there is "
                      "no actual for the quarter",
    "met": "the deadline is reached (the quarter ends on or after it) and the actual at the "
           "deadline clears the target; or, before the deadline, a metric that cannot fall "
           "within the year (a year-to-date count) already clears it",
    "missed": "the deadline is reached and the actual at the deadline does not clear the "
              "target",
    "on_track": "before the deadline, the whole prediction interval at the deadline clears "
                "the target; for a target at the end of its scale (reach 100 % of a rate or "
                "100 on a score, or stay at 0), which no interval can lie beyond, the "
                "projection itself reaches the target (within 0.01 % of the scale, what the "
                "logit scale can represent) and so does its interval",
    "off_track": "before the deadline, no point of the prediction interval clears the target "
                 "(for a target at the end of its scale: not even the interval's end nearest "
                 "it reaches the target)",
    "at_risk": "before the deadline, the prediction interval straddles the target (for a "
               "target at the end of its scale: the interval reaches it, the projection does "
               "not), or no projection could be made",
}
#: Columns of :func:`scorecard`.
COLUMNS: tuple[str, ...] = ("target_id", "lever", "label", "direction", "target", "deadline",
                            "actual", "actual_low", "actual_high", "gap", "projected",
                            "projected_low", "projected_high", "status", "source")
#: Level of the projection's prediction interval (the policy's projection level).
LEVEL: float = PROJECTION_LEVEL
#: Level of the survey actuals' confidence interval (the policy's level).
ACTUAL_LEVEL: float = DEFAULT_LEVEL

_GOTONE = "gotone"
_MIN_OBS = 6          # fewest observations a projection is fitted on
_MIN_ORIGIN = 8       # first rolling origin of the empirical interval
_MIN_ERRORS = 3       # fewest rolling-origin errors an empirical interval needs
_EPS = 1e-4           # rates are kept inside [eps, 1 - eps] on the logit scale
_REACH = 1e-4         # a projection within this share of the scale reaches its end


# --- the status rules -----------------------------------------------------------------------


def _clears(value: float, direction: str, target: float) -> bool:
    if direction == ">=":
        return value >= target
    if direction == ">":
        return value > target
    if direction == "<=":
        return value <= target
    if direction == "<":
        return value < target
    raise UsageError(f"unknown direction {direction!r}")


def at_scale_end(*, direction: str, target: float, unit: str | None) -> bool:
    """Whether a target sits at the end of its metric's scale (no interval can clear it).

    Parameters
    ----------
    direction : {">=", ">", "<=", "<"}
    target : float
    unit : str or None
        The target's unit (:data:`gotone_analysis.targets.UNITS`).

    Returns
    -------
    bool
        ``True`` for reaching 100 % of a rate (or 100 on a 0-100 score) and for staying
        at 0 of either.
    """
    top = {"rate": 1.0, "score": 100.0}.get(unit or "")
    if top is None or not np.isfinite(target):
        return False
    if direction == ">=":
        return target >= top
    if direction == "<=":
        return target <= 0.0
    return False


def status(*, direction: str, target: float, actual: float, projected_low: float = np.nan,
           projected_high: float = np.nan, deadline_reached: bool,
           cumulative: bool = False, projected: float = np.nan,
           unit: str | None = None) -> str:
    """The status of one target under :data:`STATUS_RULES`.

    Parameters
    ----------
    direction : {">=", ">", "<=", "<"}
    target : float
    actual : float
        The actual (at the deadline when it is reached); NaN when not measurable.
    projected_low, projected_high : float
        The prediction interval at the deadline (ignored once the deadline is reached).
    deadline_reached : bool
        The quarter scored ends on or after the target's deadline.
    cumulative : bool
        The metric cannot fall within the year (year-to-date counts).
    projected : float
        The projection at the deadline; used only for a target at the end of its scale
        (:func:`at_scale_end`).
    unit : str, optional
        The target's unit; with ``direction`` and ``target`` it says whether the target
        sits at the end of its scale.

    Returns
    -------
    str
        One of :data:`STATUSES`.
    """
    if not np.isfinite(target) or actual is None or not np.isfinite(actual):
        return "not_measurable"
    if deadline_reached:
        return "met" if _clears(actual, direction, target) else "missed"
    if cumulative and direction in (">=", ">") and _clears(actual, direction, target):
        return "met"
    if not (np.isfinite(projected_low) and np.isfinite(projected_high)):
        return "at_risk"
    if at_scale_end(direction=direction, target=target, unit=unit):
        top = 100.0 if unit == "score" else 1.0
        tol = _REACH * top
        near = projected_high if direction == ">=" else projected_low
        reach = (lambda v: v >= target - tol) if direction == ">=" else \
            (lambda v: v <= target + tol)
        if not reach(near):
            return "off_track"
        return "on_track" if np.isfinite(projected) and reach(projected) else "at_risk"
    low_ok = _clears(projected_low, direction, target)
    high_ok = _clears(projected_high, direction, target)
    if low_ok and high_ok:
        return "on_track"
    if not low_ok and not high_ok:
        return "off_track"
    return "at_risk"


# --- series ---------------------------------------------------------------------------------


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise UsageError(f"scope must be one of {', '.join(SCOPES)}; got {scope!r}")


def _metric(metric: str | Metric) -> Metric:
    if isinstance(metric, Metric):
        return metric
    if metric not in METRICS:
        raise UsageError(f"unknown metric {metric!r} (known: {', '.join(sorted(METRICS))})")
    return METRICS[metric]


def _kpi_sums(kpi: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Monthly counts summed over the cities in scope, indexed by monthly Period."""
    rows = kpi if scope == PROVINCE else kpi.loc[kpi["city"] == scope]
    if rows.empty:
        raise DataError(f"no KPI counts for {scope}")
    sums = rows.drop(columns=["city"]).groupby("month", sort=True).sum(numeric_only=True)
    sums.index = pd.PeriodIndex(sums.index, freq="M")
    return sums


def _kpi_history(sums: pd.DataFrame, m: Metric) -> pd.DataFrame:
    num = sums[m.num].astype("float64")
    if m.agg == "ytd_sum":
        num = num.groupby(sums.index.year).cumsum()
    if m.den:
        den = sums[m.den].astype("float64")
        est = num / den.where(den > 0)
        base = den
    else:
        est = num
        base = pd.Series(np.nan, index=sums.index)
    out = pd.DataFrame({"period": sums.index, "estimate": est.to_numpy(),
                        "ci_low": est.to_numpy(), "ci_high": est.to_numpy(),
                        "n": base.to_numpy(), "weight": base.to_numpy()})
    return out.reset_index(drop=True)


def _survey_values(frame: pd.DataFrame, m: Metric) -> tuple[pd.Series, str]:
    """The respondent values of a survey metric (NaN where not answered) and the statistic."""
    x = pd.to_numeric(frame[m.num], errors="coerce")
    if m.agg == "score":
        return (x - 1.0) / 9.0 * 100.0, "mean"
    if m.threshold is not None:
        return (x >= m.threshold).astype("float64").where(x.notna()), "proportion"
    return x.astype("float64"), "proportion"


_SURVEY_COLUMNS = ("quarter", "brand", "city", "weight", "stratum")


def _survey_metrics() -> list[Metric]:
    return [m for m in METRICS.values() if m.source == "survey" and m.measurable]


def _survey_estimates(wave: pd.DataFrame, metrics: Sequence[Metric], level: float
                      ) -> pd.DataFrame:
    """Estimates of ``metrics`` among GoTone customers of one wave: province and every city.

    Design: the reports' one rule, :func:`gotone_analysis.survey.design_of` (sampling
    weights within the city x tier strata, clusters or finite-population correction
    when the file gives them; Taylor linearisation,
    :func:`gotone_analysis.survey.estimate_many`); each city is a domain of the whole
    wave. Returns ``metric, scope, estimate, ci_low, ci_high, n, weight``
    (``weight``: the weight sum of the GoTone respondents answering).
    """
    design = survey.design_of(wave)
    keep = dict.fromkeys([*_SURVEY_COLUMNS, *design.values()])
    data = wave[list(keep)].copy()
    names = []
    for m in metrics:
        y, _ = _survey_values(wave, m)
        data[m.name] = y
        names.append(m.name)
    kw = {**design, "stat": "mean", "level": level, "lonely_psu": "adjust"}
    prov = survey.estimate_many(data, names, by=["brand"], **kw)
    prov = prov.loc[prov["brand"] == _GOTONE].assign(scope=PROVINCE)
    city = survey.estimate_many(data, names, by=["brand", "city"], **kw)
    city = city.loc[city["brand"] == _GOTONE].rename(columns={"city": "scope"})
    out = pd.concat([prov, city], ignore_index=True).rename(columns={"variable": "metric"})
    gotone = data.loc[data["brand"] == _GOTONE]
    weights = []
    for name in names:
        answered = gotone.loc[gotone[name].notna()]
        w = answered.groupby("city")["weight"].sum()
        w[PROVINCE] = float(answered["weight"].sum())
        weights.append(out.loc[out["metric"] == name, "scope"].map(w))
    out["weight"] = pd.concat(weights).astype("float64")
    return out[["metric", "scope", "estimate", "ci_low", "ci_high", "n", "weight"]]


def _survey_history(dataset, metrics: Sequence[Metric], level: float,
                    quarters: Sequence[str] | None = None) -> pd.DataFrame:
    cols = ["period", "metric", "scope", "estimate", "ci_low", "ci_high", "n", "weight"]
    quarters = dataset.quarters() if quarters is None else list(quarters)
    if not quarters or not metrics:
        return pd.DataFrame(columns=cols)
    frame = dataset.survey(quarters)
    parts = []
    for q, wave in frame.groupby("quarter", sort=False):
        est = _survey_estimates(wave, metrics, level)
        est.insert(0, "period", parse_quarter(str(q)))
        parts.append(est)
    return pd.concat(parts, ignore_index=True)[cols]


def _scope_rows(hist: pd.DataFrame, m: Metric, scope: str) -> pd.DataFrame:
    rows = hist.loc[(hist["scope"] == scope) & (hist["metric"] == m.name)]
    return rows.drop(columns=["scope", "metric"]).reset_index(drop=True)


def metric_series(dataset, metric: str | Metric, *, scope: str = PROVINCE,
                  until: str | None = None, level: float = ACTUAL_LEVEL) -> pd.DataFrame:
    """The history of one metric: monthly (KPI) or by survey wave (survey).

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    metric : str or Metric
        A name in :data:`gotone_analysis.targets.METRICS`.
    scope : str
        ``province`` or a city code.
    until : str, optional
        Last period kept: a month ``YYYY-MM`` or a quarter ``YYYYQn`` (its last month,
        or its wave).
    level : float
        Confidence level of survey estimates.

    Returns
    -------
    DataFrame
        ``period`` (monthly or quarterly :class:`pandas.Period`), ``estimate, ci_low,
        ci_high`` (the interval equals the estimate for KPI counts), ``n`` (KPI: the
        denominator; survey: respondents) and ``weight`` (the base the value is a mean
        over: KPI denominator, or the survey's weight sum), oldest first. Empty for a
        metric the data cannot measure.
    """
    _check_scope(scope)
    m = _metric(metric)
    cols = ["period", "estimate", "ci_low", "ci_high", "n", "weight"]
    if not m.measurable:
        return pd.DataFrame(columns=cols)
    if m.source == "kpi":
        out = _kpi_history(_kpi_sums(dataset.kpi(), scope), m)
        if until is not None:
            end = (parse_quarter(until).asfreq("M", how="end") if "Q" in until
                   else pd.Period(until, freq="M"))
            out = out.loc[out["period"] <= end]
        return out.reset_index(drop=True)
    quarters = dataset.quarters()
    if until is not None:
        last = (parse_quarter(until) if "Q" in until else pd.Period(until, freq="M").asfreq("Q"))
        quarters = [q for q in quarters if parse_quarter(q) <= last]
    return _scope_rows(_survey_history(dataset, [m], level, quarters), m, scope)[cols]


# --- projection -----------------------------------------------------------------------------


def _as_period_series(series: pd.Series) -> pd.Series:
    s = series.dropna()
    idx = s.index
    if not isinstance(idx, pd.PeriodIndex):
        text = idx.astype(str)
        freq = "Q" if text.str.contains("Q").all() else "M"
        idx = pd.PeriodIndex(text, freq=freq)
    s = pd.Series(s.to_numpy(dtype="float64"), index=idx).sort_index()
    if s.index.has_duplicates:
        raise UsageError("the series has repeated periods")
    full = pd.period_range(s.index.min(), s.index.max(), freq=s.index.freq)
    if len(full) != len(s):
        raise UsageError("the series has gaps: projections need one value a period")
    return s


def _target_period(deadline: str | pd.Period, freq) -> pd.Period:
    if isinstance(deadline, pd.Period):
        p = deadline
    elif "Q" in str(deadline):
        p = parse_quarter(str(deadline))
    else:
        p = pd.Period(str(deadline), freq="M")
    return p.asfreq(freq, how="end")


def _forward(scale: str):
    if scale == "logit":
        return lambda v: np.log(np.clip(v, _EPS, 1 - _EPS) / (1 - np.clip(v, _EPS, 1 - _EPS)))
    if scale == "log":
        return lambda v: np.log(np.maximum(v, _EPS))
    return lambda v: np.asarray(v, dtype="float64")


def _inverse(scale: str):
    if scale == "logit":
        return lambda z: 1.0 / (1.0 + np.exp(-z))
    if scale == "log":
        return np.exp
    return lambda z: z


def _uc(endog: np.ndarray, spec: str) -> UnobservedComponents:
    return UnobservedComponents(endog, level=spec)


def _fit(endog: np.ndarray, spec: str):
    # Nelder-Mead: on these two- or three-variance likelihoods it reaches the optimum BFGS
    # finds (same log-likelihood to 1e-3 on the demo series) at a third of the cost, as it
    # needs no score. A short, smooth series may still end the optimiser early: the
    # interval then rests on the empirical errors as much as on the fitted variances.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return _uc(endog, spec).fit(disp=False, method="nm", maxiter=2000)


def _forecast(res, h: int) -> tuple[np.ndarray, np.ndarray]:
    f = res.get_forecast(h)
    return np.asarray(f.predicted_mean), np.sqrt(np.asarray(f.var_pred_mean))


def _rolling_errors(res, z: np.ndarray, h: int) -> list[np.ndarray]:
    """Absolute ``k``-step errors (k = 1..h) from every earlier origin, fitted parameters.

    The forecast from origin ``o`` is the filtered state after ``z[:o]`` carried ``k``
    steps by the transition matrix (level + k slope for a local linear trend), so one
    Kalman filter pass gives every origin's forecasts.
    """
    state = np.asarray(res.filtered_state)          # k_states x n, state after z[:t + 1]
    design = np.asarray(res.model.ssm["design"]).reshape(1, -1)
    k_states = state.shape[0]
    trans = np.asarray(res.model.ssm["transition"]).reshape(k_states, k_states)
    errs: list[np.ndarray] = []
    power = np.eye(trans.shape[0])
    for k in range(1, h + 1):
        power = trans @ power
        origins = np.arange(_MIN_ORIGIN, len(z) - k + 1)   # origin o has seen z[:o]
        if len(origins) == 0:
            errs.append(np.empty(0))
            continue
        mean = design @ power @ state[:, origins - 1]
        errs.append(np.abs(z[origins + k - 1] - np.ravel(mean)))
    return errs


def project(series: pd.Series, *, deadline: str | pd.Period, level: float = LEVEL,
            scale: str = "auto", within_year: bool = False) -> pd.DataFrame:
    """Project a monthly (or quarterly) metric to its deadline with a prediction interval.

    The model and the interval are described in the module docstring: a local linear
    trend (or, ``within_year=True``, a local level on the log ratio to the same period
    last year), fitted by maximum likelihood on the ``scale``, with the interval the wider
    of the model's and the empirical rolling-origin one.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by monthly or quarterly periods (``Period`` or ``"YYYY-MM"`` /
        ``"YYYYQn"`` strings), one per period without gaps; NaN are dropped first.
    deadline : str or pandas.Period
        Quarter ``YYYYQn`` (its last month for a monthly series) or month ``YYYY-MM``;
        must come after the last observation.
    level : float
        Coverage of the prediction interval.
    scale : {"auto", "logit", "log", "identity"}
        ``auto``: logit when every value is within 0-1, else log when all are positive,
        else identity. ``within_year`` always works on the log scale.
    within_year : bool
        The metric restarts every January (year-to-date).

    Returns
    -------
    DataFrame
        One row per period after the last observation up to the deadline: ``period,
        horizon, estimate, ci_low, ci_high, level, model``; the last row is the
        deadline. Rates stay within 0-1.

    Raises
    ------
    UsageError
        A deadline not after the last observation, too few observations (fewer than 6,
        or for ``within_year`` fewer than one season plus 6), a series with gaps, or a
        bad ``level`` or ``scale``.
    """
    if not 0 < level < 1:
        raise UsageError(f"level must be in (0, 1), got {level!r}")
    if scale not in ("auto", "logit", "log", "identity"):
        raise UsageError(f"scale must be auto, logit, log or identity; got {scale!r}")
    s = _as_period_series(series)
    freq = s.index.freq
    season = 4 if s.index.freqstr.startswith("Q") else 12
    end = _target_period(deadline, freq)
    last = s.index[-1]
    h = (end - last).n
    if h <= 0:
        raise UsageError(f"deadline {deadline} is not after the last observation {last}")
    values = s.to_numpy()
    is_rate = bool(np.all((values >= 0) & (values <= 1)))
    if scale == "auto":
        scale = "logit" if is_rate else ("log" if np.all(values > 0) else "identity")
    if within_year:
        scale = "log"
    fwd, inv = _forward(scale), _inverse(scale)
    y = fwd(values)
    if within_year:
        if len(y) < season + _MIN_OBS:
            raise UsageError(f"too few observations ({len(y)}) for a within-year projection")
        z = y[season:] - y[:-season]
        spec = "local level"
    else:
        if len(y) < _MIN_OBS:
            raise UsageError(f"too few observations ({len(y)}) for a projection")
        z = y
        spec = "local linear trend"
    res = _fit(z, spec)
    mean, sd = _forecast(res, h)
    half = quantile(level) * sd
    errs = _rolling_errors(res, z, h)
    for k in range(h):
        if len(errs[k]) >= _MIN_ERRORS:
            half[k] = max(half[k], float(np.quantile(errs[k], level)))
    half = np.maximum.accumulate(half)
    if within_year:
        # add back last year's value in the same period (observed, or itself projected)
        full = np.concatenate([y, np.full(h, np.nan)])
        for k in range(h):
            full[len(y) + k] = full[len(y) + k - season] + mean[k]
        mean = full[len(y):]
    est, lo, hi = inv(mean), inv(mean - half), inv(mean + half)
    if is_rate:
        est, lo, hi = (np.clip(v, 0.0, 1.0) for v in (est, lo, hi))
    periods = pd.period_range(last + 1, end, freq=freq)
    model = ("local level, log ratio to last year" if within_year
             else f"local linear trend, {scale} scale")
    return pd.DataFrame({"period": periods, "horizon": np.arange(1, h + 1), "estimate": est,
                         "ci_low": lo, "ci_high": hi, "level": level, "model": model})


# --- actuals --------------------------------------------------------------------------------


def _quarter_end(quarter: str) -> pd.Period:
    return parse_quarter(quarter).asfreq("M", how="end")


def _fmt_month(p: pd.Period) -> str:
    return str(p)


def _kpi_source(m: Metric, month: pd.Period) -> str:
    what = f"{m.num} / {m.den}" if m.den else m.num
    if m.agg == "ytd_sum":
        what = f"{m.num} summed {month.year}-01..{_fmt_month(month)}" + (
            f" / {m.den}" if m.den else "")
    return f"KPI {_fmt_month(month)}: {what}"


def _city_share(hc: pd.DataFrame, hp: pd.DataFrame, year: int) -> float:
    """The city's share of the province count in December of ``year`` (ytd_sum: the year).

    ``hc``, ``hp``: the metric's history (:func:`_kpi_history`) in the city and province.
    """
    month = pd.Period(f"{year}-12", freq="M")
    c = hc.loc[hc["period"] == month, "estimate"]
    p = hp.loc[hp["period"] == month, "estimate"]
    if c.empty or p.empty or not p.iloc[0] > 0:
        return np.nan
    return float(c.iloc[0] / p.iloc[0])


class _Context:
    """Tables read once per call: KPI sums by scope and survey waves."""

    def __init__(self, dataset) -> None:
        self.dataset = dataset
        self._sums: dict[str, pd.DataFrame] = {}
        self._kpi: pd.DataFrame | None = None
        self._series: dict[tuple, pd.DataFrame] = {}
        #: projections already fitted: (metric, scope, quarter, level) -> (end, fan)
        self.fans: dict[tuple, tuple[pd.Period, pd.DataFrame | None]] = {}
        #: actuals already read: (id of targets, quarter, scope, level) -> (targets, rows);
        #: the targets table is kept so that its id is not reused while cached
        self.actuals: dict[tuple, tuple[pd.DataFrame, list[dict]]] = {}

    def cities(self) -> list[str]:
        """The cities with KPI counts, in the order of :data:`CITY_CODES`."""
        if self._kpi is None:
            self._kpi = self.dataset.kpi()
        present = set(self._kpi["city"])
        return [c for c in CITY_CODES if c in present]

    def sums(self, scope: str) -> pd.DataFrame:
        if scope not in self._sums:
            if self._kpi is None:
                self._kpi = self.dataset.kpi()
            self._sums[scope] = _kpi_sums(self._kpi, scope)
        return self._sums[scope]

    def history(self, m: Metric, scope: str, level: float) -> pd.DataFrame:
        if m.source == "kpi":
            key = (m.name, scope)
            if key not in self._series:
                self._series[key] = _kpi_history(self.sums(scope), m)
            return self._series[key]
        key = ("survey", level)
        if key not in self._series:  # every metric and scope at once: one pass a wave
            self._series[key] = _survey_history(self.dataset, _survey_metrics(), level)
        rows = ("survey", level, m.name, scope)
        if rows not in self._series:
            self._series[rows] = _scope_rows(self._series[key], m, scope)
        return self._series[rows]


def _actual_rows(ctx: _Context, targets: pd.DataFrame, quarter: str, scope: str,
                 level: float) -> list[dict]:
    key = (id(targets), quarter, scope, level)
    if key not in ctx.actuals:
        ctx.actuals[key] = (targets, _read_actuals(ctx, targets, quarter, scope, level))
    return [dict(r) for r in ctx.actuals[key][1]]


def _read_actuals(ctx: _Context, targets: pd.DataFrame, quarter: str, scope: str,
                  level: float) -> list[dict]:
    qend = _quarter_end(quarter)
    rows = []
    for t in targets.itertuples(index=False):
        m = METRICS[t.metric]
        judge = pd.Period(deadline_month(t.deadline, t.as_of), freq="M")
        reached = judge <= qend
        as_of = judge if reached else qend
        rec = {"target_id": t.id, "metric": t.metric, "kind": m.source,
               "deadline_reached": reached, "as_of": "", "actual": np.nan,
               "actual_low": np.nan, "actual_high": np.nan, "n": np.nan, "weight": np.nan,
               "target": float(t.value), "source": ""}
        if not m.measurable:
            rec["source"] = f"not measurable: {m.reason}"
            rows.append(rec)
            continue
        hist = ctx.history(m, scope, level)
        if m.source == "kpi":
            period = as_of
            label = _fmt_month(period)
        else:
            period = as_of.asfreq("Q")
            label = quarter_str(period)
        rec["as_of"] = label
        hit = hist.loc[hist["period"] == period] if len(hist) else hist
        if hit.empty or not np.isfinite(hit["estimate"].iloc[0]):
            what = "KPI counts" if m.source == "kpi" else "survey estimate"
            rec["source"] = f"not measurable: no {what} for {label} ({scope})"
            rows.append(rec)
            continue
        h = hit.iloc[0]
        rec.update(actual=float(h["estimate"]), actual_low=float(h["ci_low"]),
                   actual_high=float(h["ci_high"]), n=h["n"], weight=h["weight"])
        if m.source == "kpi":
            rec["source"] = _kpi_source(m, period)
        else:
            rec["source"] = (f"survey {label}: {m.num}"
                             + (f" >= {m.threshold:g}" if m.threshold is not None else "")
                             + (" (0-100)" if m.agg == "score" else "")
                             + f", GoTone customers, n = {int(h['n'])}, "
                             f"{ACTUAL_LEVEL if level == ACTUAL_LEVEL else level:.0%} CI")
        if scope != PROVINCE and m.unit != "rate" and m.unit != "score" and m.source == "kpi":
            year = judge.year - 1
            share = _city_share(hist, ctx.history(m, PROVINCE, level), year)
            rec["target"] = float(t.value) * share
            rec["source"] += (f"; city target = province target x the city's share in "
                              f"{year}-12 ({share:.1%})" if np.isfinite(share) else
                              f"; no {year}-12 count to split the province target")
        rows.append(rec)
    return rows


def _targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    return load_targets() if targets is None else targets


def _check_quarter(quarter: str) -> None:
    try:
        parse_quarter(quarter)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def actuals(dataset, *, quarter: str, scope: str = PROVINCE, level: float = ACTUAL_LEVEL,
            targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every target's actual as of the end of ``quarter`` (or at its deadline, if earlier).

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    quarter : str
        ``YYYYQn``.
    scope : str
        ``province`` or a city code.
    level : float
        Confidence level of survey estimates.
    targets : DataFrame, optional
        Targets as :func:`gotone_analysis.targets.load_targets` returns (default: shipped).

    Returns
    -------
    DataFrame
        One row per target, in file order: ``target_id, metric, kind`` (kpi, survey,
        benchmark, none), ``deadline_reached, as_of`` (month or wave of the actual),
        ``actual, actual_low, actual_high, n, weight, target`` (the city's share of a
        count target for a city), ``source`` (where the actual comes from, or why it is
        not measurable).
    """
    _check_quarter(quarter)
    _check_scope(scope)
    rows = _actual_rows(_Context(dataset), _targets(targets), quarter, scope, level)
    return pd.DataFrame(rows)


# --- the scorecard --------------------------------------------------------------------------


def _projection(ctx: _Context, m: Metric, scope: str, quarter: str, judge: pd.Period,
                level: float, horizon_end: pd.Period | None = None) -> pd.DataFrame | None:
    """The projection of ``m`` from the end of ``quarter`` to ``judge``.

    The series is fitted once per context, metric, scope, quarter and level and projected
    to ``horizon_end`` (the latest deadline of the targets on the metric); a target with an
    earlier deadline takes the first rows of that fan (the fan up to a horizon does not
    depend on how far beyond it the projection runs).
    """
    end = judge if horizon_end is None or horizon_end < judge else horizon_end
    key = (m.name, scope, quarter, level)
    cached = ctx.fans.get(key)
    if cached is None or cached[0] < end:
        ctx.fans[key] = (end, _fit_projection(ctx, m, scope, quarter, end, level))
    fan = ctx.fans[key][1]
    if fan is None:
        return None
    cut = judge if m.source == "kpi" else judge.asfreq("Q")
    out = fan.loc[fan["period"] <= cut].reset_index(drop=True)
    return out if len(out) else None


def _fit_projection(ctx: _Context, m: Metric, scope: str, quarter: str, judge: pd.Period,
                    level: float) -> pd.DataFrame | None:
    hist = ctx.history(m, scope, ACTUAL_LEVEL)
    qend = _quarter_end(quarter)
    cut = qend if m.source == "kpi" else qend.asfreq("Q")
    past = hist.loc[hist["period"] <= cut].dropna(subset=["estimate"])
    if past.empty:
        return None
    series = pd.Series(past["estimate"].to_numpy(), index=pd.PeriodIndex(past["period"]))
    within = m.source == "kpi" and m.agg in ("ytd", "ytd_sum")
    scale = "logit" if m.unit == "rate" else "log"
    if m.unit == "score":
        series = series / 100.0
        scale = "logit"
    deadline = judge if m.source == "kpi" else judge.asfreq("Q")
    try:
        fan = project(series, deadline=deadline, level=level, scale=scale, within_year=within)
    except UsageError:
        return None
    if m.unit == "score":
        fan[["estimate", "ci_low", "ci_high"]] *= 100.0
    return fan


def _score(ctx: _Context, targets: pd.DataFrame, quarter: str, scope: str, lang: str,
           level: float, fans: dict | None = None) -> pd.DataFrame:
    acts = _actual_rows(ctx, targets, quarter, scope, ACTUAL_LEVEL)
    judges = [pd.Period(deadline_month(t.deadline, t.as_of), freq="M")
              for t in targets.itertuples(index=False)]
    latest: dict[str, pd.Period] = {}
    for metric, judge in zip(targets["metric"], judges, strict=True):
        latest[metric] = max(judge, latest.get(metric, judge))
    out = []
    for t, a, judge in zip(targets.itertuples(index=False), acts, judges, strict=True):
        m = METRICS[t.metric]
        proj = (np.nan, np.nan, np.nan)
        source = a["source"]
        if np.isfinite(a["actual"]) and not a["deadline_reached"]:
            fan = _projection(ctx, m, scope, quarter, judge, level, latest[t.metric])
            if fan is None:
                source += "; no projection (too few observations)"
            else:
                last = fan.iloc[-1]
                proj = (float(last["estimate"]), float(last["ci_low"]), float(last["ci_high"]))
                source += f"; projection: {last['model']}, {level:.0%} PI"
                if fans is not None:
                    fans[t.id] = fan
        st = status(direction=t.direction, target=a["target"], actual=a["actual"],
                    projected_low=proj[1], projected_high=proj[2],
                    deadline_reached=a["deadline_reached"], cumulative=m.cumulative,
                    projected=proj[0], unit=t.unit)
        if st == "not_measurable" and np.isfinite(a["actual"]) and not np.isfinite(a["target"]):
            source = "not measurable: " + source
        deadline = t.deadline if not t.as_of else f"{t.deadline} ({t.as_of})"
        out.append({
            "target_id": t.id, "lever": t.lever,
            "label": t.label_zh if lang == "zh" else t.label_en,
            "direction": t.direction, "target": a["target"], "deadline": deadline,
            "actual": a["actual"], "actual_low": a["actual_low"],
            "actual_high": a["actual_high"], "gap": a["actual"] - a["target"],
            "projected": proj[0], "projected_low": proj[1], "projected_high": proj[2],
            "status": st, "source": source,
        })
    return pd.DataFrame(out, columns=list(COLUMNS))


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise UsageError(f"lang must be zh or en; got {lang!r}")


def scorecard(dataset, *, quarter: str, scope: str = PROVINCE, lang: str = "zh",
              level: float = LEVEL, targets: pd.DataFrame | None = None,
              fans: dict | None = None) -> pd.DataFrame:
    """The 139 scorecard: one row per target with its actual, projection and status.

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    quarter : str
        ``YYYYQn``: actuals as of its end.
    scope : str
        ``province`` or a city code.
    lang : {"zh", "en"}
        Language of ``label``.
    level : float
        Coverage of the projection's prediction interval.
    targets : DataFrame, optional
        Targets as :func:`gotone_analysis.targets.load_targets` returns (default: shipped).
    fans : dict, optional
        When given, filled with ``target_id -> projection table`` (:func:`project`) for
        every target projected.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`: ``target_id, lever, label, direction, target, deadline,
        actual, actual_low, actual_high, gap, projected, projected_low, projected_high,
        status, source``. ``gap = actual - target`` in the target's unit (rates as
        fractions); ``projected*`` are NaN once the deadline is reached; ``status`` follows
        :data:`STATUS_RULES`; ``source`` says where the actual comes from, how it was
        projected, or why it is not measurable. Targets are in file order, none dropped.
    """
    _check_quarter(quarter)
    _check_scope(scope)
    _check_lang(lang)
    return _score(_Context(dataset), _targets(targets), quarter, scope, lang, level, fans)


def city_scorecards(dataset, *, quarter: str, cities: Sequence[str] = CITY_CODES,
                    lang: str = "zh", level: float = LEVEL,
                    targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scorecard of every city, stacked.

    Returns
    -------
    DataFrame
        ``scope`` (city code) followed by the columns of :func:`scorecard`, cities in
        the order given.
    """
    _check_quarter(quarter)
    _check_lang(lang)
    return _city_cards(_Context(dataset), _targets(targets), quarter, cities, lang, level)


def _city_cards(ctx: _Context, tg: pd.DataFrame, quarter: str, cities: Sequence[str],
                lang: str, level: float) -> pd.DataFrame:
    parts = []
    for city in cities:
        _check_scope(city)
        card = _score(ctx, tg, quarter, city, lang, level)
        card.insert(0, "scope", city)
        parts.append(card)
    return pd.concat(parts, ignore_index=True)


def attainment(cards: pd.DataFrame) -> pd.DataFrame:
    """The city x lever attainment table from :func:`city_scorecards`.

    Parameters
    ----------
    cards : DataFrame
        Stacked scorecards with a ``scope`` column.

    Returns
    -------
    DataFrame
        One row per scope and lever (``goal`` and the nine levers, in the order of the
        targets): ``scope, lever, targets, measurable``, one count column per status
        (:data:`STATUSES`), and ``attainment`` = (met + on_track) / measurable (NaN when
        no target of the lever is measurable).
    """
    order = list(dict.fromkeys(cards["lever"]))
    counts = (cards.groupby(["scope", "lever"], sort=False)["status"].value_counts()
              .unstack(fill_value=0).reindex(columns=list(STATUSES), fill_value=0))
    counts = counts.reset_index()
    counts.columns.name = None
    counts.insert(2, "targets", counts[list(STATUSES)].sum(axis=1))
    counts.insert(3, "measurable", counts["targets"] - counts["not_measurable"])
    good = counts["met"] + counts["on_track"]
    counts["attainment"] = (good / counts["measurable"].where(counts["measurable"] > 0))
    scope_order = {s: i for i, s in enumerate(dict.fromkeys(cards["scope"]))}
    counts["_s"] = counts["scope"].map(scope_order)
    counts["_l"] = counts["lever"].map({lv: i for i, lv in enumerate(order)})
    counts = counts.sort_values(["_s", "_l"]).drop(columns=["_s", "_l"])
    return counts.reset_index(drop=True)


def contributions(dataset, *, quarter: str, targets: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Where the province gap of each target comes from: every city's share of it.

    For a rate, the province gap ``R - T`` is ``sum_c w_c (R_c - T)`` with ``w_c`` the
    city's share of the denominator (KPI) or of the estimated GoTone population answering
    (survey, Hajek means: exact for the point estimates). For a count, it is
    ``sum_c (X_c - T_c)`` with the city targets of the module docstring. Contributions
    therefore add up to the province gap.

    Returns
    -------
    DataFrame
        One row per measurable target and city with KPI counts: ``target_id, lever, scope, actual,
        target, weight`` (the city's share of the base, 1 for counts), ``contribution``
        (adds up over the cities to the province ``gap``), ``gap`` (the province gap).
    """
    _check_quarter(quarter)
    return _contributions(_Context(dataset), _targets(targets), quarter)


def _contributions(ctx: _Context, tg: pd.DataFrame, quarter: str) -> pd.DataFrame:
    prov = pd.DataFrame(_actual_rows(ctx, tg, quarter, PROVINCE, ACTUAL_LEVEL))
    rows = []
    for city in ctx.cities():
        acts = pd.DataFrame(_actual_rows(ctx, tg, quarter, city, ACTUAL_LEVEL))
        acts["scope"] = city
        rows.append(acts)
    cities = pd.concat(rows, ignore_index=True)
    out = []
    for t, p in zip(tg.itertuples(index=False), prov.itertuples(index=False), strict=True):
        if not np.isfinite(p.actual):
            continue
        c = cities.loc[cities["target_id"] == t.id]
        m = METRICS[t.metric]
        if m.unit in ("rate", "score"):
            w = c["weight"].astype(float) / float(c["weight"].astype(float).sum())
            contrib = w * (c["actual"] - float(t.value))
        else:
            w = pd.Series(1.0, index=c.index)
            contrib = c["actual"] - c["target"]
        for (_, r), wi, ci in zip(c.iterrows(), w, contrib, strict=True):
            out.append({"target_id": t.id, "lever": t.lever, "scope": r["scope"],
                        "actual": r["actual"], "target": r["target"], "weight": wi,
                        "contribution": ci, "gap": p.actual - float(t.value)})
    return pd.DataFrame(out, columns=["target_id", "lever", "scope", "actual", "target",
                                      "weight", "contribution", "gap"])


# --- report views of the table ---------------------------------------------------------------


def _num(v: object) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def headline(card: pd.DataFrame, *, quarter: str | None = None,
             scope: str | None = None) -> dict[str, float | str | None]:
    """Flat headline numbers of a scorecard for :func:`gotone_analysis.report.publish`.

    Parameters
    ----------
    card : DataFrame
        From :func:`scorecard`.
    quarter, scope : str, optional
        Recorded as ``quarter`` and ``scope`` when given.

    Returns
    -------
    dict
        ``targets`` and ``status_<s>`` (count of each status in :data:`STATUSES`); for
        every target ``<id>_actual``, ``<id>_target``, ``<id>_projected`` (None once the
        deadline is reached or when not measurable) and ``<id>_status``, in file order.
    """
    out: dict[str, float | str | None] = {}
    if quarter is not None:
        out["quarter"] = quarter
    if scope is not None:
        out["scope"] = scope
    out["targets"] = len(card)
    counts = card["status"].value_counts()
    for s in STATUSES:
        out[f"status_{s}"] = int(counts.get(s, 0))
    for r in card.itertuples(index=False):
        out[f"{r.target_id}_actual"] = _num(r.actual)
        out[f"{r.target_id}_target"] = _num(r.target)
        out[f"{r.target_id}_projected"] = _num(r.projected)
        out[f"{r.target_id}_status"] = r.status
    return out


def status_changes(card: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """What changed in status between two scorecards of the same scope.

    Parameters
    ----------
    card, reference : DataFrame
        :func:`scorecard` of the quarter reported and of the comparison quarter.

    Returns
    -------
    DataFrame
        One row per target of ``card``: ``target_id, lever, label, status_ref, status,
        actual_ref, actual, change`` (``actual - actual_ref``), ``changed`` (the status
        differs), ``direction_of_change`` (``better``, ``worse`` or ``same`` by the order
        of :data:`STATUSES`; ``same`` when either is ``not_measurable``).
    """
    ref = reference.set_index("target_id")
    rank = {s: i for i, s in enumerate(STATUSES)}
    rows = []
    for r in card.itertuples(index=False):
        before = ref["status"].get(r.target_id, "not_measurable")
        actual_ref = _num(ref["actual"].get(r.target_id, np.nan))
        if "not_measurable" in (before, r.status) or before == r.status:
            way = "same"
        else:
            way = "better" if rank[r.status] < rank[before] else "worse"
        rows.append({"target_id": r.target_id, "lever": r.lever, "label": r.label,
                     "status_ref": before, "status": r.status,
                     "actual_ref": np.nan if actual_ref is None else actual_ref,
                     "actual": r.actual,
                     "change": (r.actual - actual_ref) if actual_ref is not None else np.nan,
                     "changed": before != r.status, "direction_of_change": way})
    return pd.DataFrame(rows, columns=["target_id", "lever", "label", "status_ref", "status",
                                       "actual_ref", "actual", "change", "changed",
                                       "direction_of_change"])


def lever_summary(card: pd.DataFrame) -> pd.DataFrame:
    """The nine levers (and the goal targets) at a glance: one traffic light each.

    A lever's light is its worst measurable status (``missed`` and ``off_track`` red,
    ``at_risk`` amber, ``met`` and ``on_track`` green); ``grey`` when none is measurable.

    Returns
    -------
    DataFrame
        One row per lever in the order of the targets: ``lever, targets, measurable,
        met, on_track, at_risk, off_track, missed, not_measurable, worst, light``.
    """
    cards = card.assign(scope="_")
    att = attainment(cards).drop(columns=["scope", "attainment"])
    order = [s for s in reversed(STATUSES[:-1])]   # missed first: worst
    worst = []
    for r in att.itertuples(index=False):
        w = next((s for s in order if getattr(r, s) > 0), "not_measurable")
        worst.append(w)
    att["worst"] = worst
    att["light"] = att["worst"].map({"missed": "red", "off_track": "red", "at_risk": "amber",
                                     "on_track": "green", "met": "green",
                                     "not_measurable": "grey"})
    return att


# --- the report: every table of the scorecard report from one reading of the data ----------


#: How a target's direction is written for readers.
DIRECTION_SIGNS: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


@dataclass
class ScorecardReport:
    """Every table of the ``scorecard_139`` report for one quarter and scope.

    Attributes
    ----------
    quarter, scope : str
        The quarter scored and the scope (``province`` or a city code).
    compare_to : str or None
        The comparison quarter (None: no comparison).
    card : DataFrame
        :func:`scorecard` of ``quarter`` (columns :data:`COLUMNS`).
    targets : DataFrame
        ``card`` with the target's ``metric``, ``unit`` and ``deadline_month`` (the month
        at whose end it is judged) added: what the views draw and format from.
    series : DataFrame
        ``target_id, period, estimate, ci_low, ci_high``: each measurable target's metric
        (monthly KPI values or survey waves) from January of the year before ``quarter``
        to its end (survey intervals at :data:`ACTUAL_LEVEL`; KPI values are exact).
    fans : DataFrame
        ``target_id, period, horizon, estimate, ci_low, ci_high, level, model``: the
        projection of every target scored before its deadline (:func:`project`).
    levers : DataFrame
        :func:`lever_summary` of ``card``: one traffic light a lever.
    reference : DataFrame or None
        :func:`scorecard` of ``compare_to``.
    changes : DataFrame or None
        :func:`status_changes` from ``reference`` to ``card``, with ``unit``.
    cities : DataFrame or None
        Province only: :func:`city_scorecards` of ``quarter``.
    attainment : DataFrame
        :func:`attainment` of ``cities`` (city x lever) for the province; for a city, of
        its own scorecard (one row a lever).
    contributions : DataFrame or None
        Province only: :func:`contributions` (each city's part of a province gap).
    """

    quarter: str
    scope: str
    compare_to: str | None
    card: pd.DataFrame
    targets: pd.DataFrame
    series: pd.DataFrame
    fans: pd.DataFrame
    levers: pd.DataFrame
    reference: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    cities: pd.DataFrame | None = None
    attainment: pd.DataFrame | None = None
    contributions: pd.DataFrame | None = None

    def headline(self) -> dict[str, float | str | None]:
        """The report's headline numbers.

        Returns
        -------
        dict
            :func:`headline` of :attr:`card` (counts by status; every target's actual,
            target, projection and status), plus ``compare_to`` and the counts of status
            changes ``changed_better``, ``changed_worse`` when there is a comparison, and
            each lever's light and worst status, ``lever_<lever>_light`` and
            ``lever_<lever>_status`` (:func:`lever_summary`).
        """
        out = headline(self.card, quarter=self.quarter, scope=self.scope)
        if self.levers is not None:
            for r in self.levers.itertuples(index=False):
                out[f"lever_{r.lever}_light"] = r.light
                out[f"lever_{r.lever}_status"] = r.worst
        if self.changes is not None:
            out["compare_to"] = self.compare_to
            way = self.changes.loc[self.changes["changed"], "direction_of_change"]
            out["changed_better"] = int((way == "better").sum())
            out["changed_worse"] = int((way == "worse").sum())
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table for the workbook, periods as text.

        Returns
        -------
        dict
            Sheet name -> table: ``scorecard``, ``levers``, ``series``, ``projections``,
            and when present ``reference``, ``status_changes``, ``cities``,
            ``city_lever``, ``contributions``.
        """
        named = {"scorecard": self.card, "levers": self.levers, "series": self.series,
                 "projections": self.fans, "reference": self.reference,
                 "status_changes": self.changes, "cities": self.cities,
                 "city_lever": self.attainment, "contributions": self.contributions}
        out = {}
        for name, table in named.items():
            if table is None:
                continue
            t = table.copy()
            if "period" in t:
                t["period"] = t["period"].astype(str)
            out[name] = t
        return out


def _series_rows(ctx: _Context, targets: pd.DataFrame, quarter: str, scope: str
                 ) -> pd.DataFrame:
    qend = _quarter_end(quarter)
    start = pd.Period(f"{qend.year - 1}-01", freq="M")
    parts = []
    for t in targets.itertuples(index=False):
        m = METRICS[t.metric]
        if not m.measurable:
            continue
        hist = ctx.history(m, scope, ACTUAL_LEVEL)
        if not len(hist):
            continue
        lo, hi = (start, qend) if m.source == "kpi" else (start.asfreq("Q"), qend.asfreq("Q"))
        rows = hist.loc[(hist["period"] >= lo) & (hist["period"] <= hi),
                        ["period", "estimate", "ci_low", "ci_high"]]
        parts.append(rows.assign(target_id=t.id))
    cols = ["target_id", "period", "estimate", "ci_low", "ci_high"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def report_tables(dataset, *, quarter: str, scope: str = PROVINCE,
                  compare_to: str | None = None, lang: str = "zh", level: float = LEVEL,
                  targets: pd.DataFrame | None = None) -> ScorecardReport:
    """Every table of the scorecard report, from one reading of the data.

    The KPI sums and survey estimates are computed once and every series is fitted once
    (:func:`scorecard` of ``quarter`` and of ``compare_to``, the city scorecards and the
    contributions share them); nothing is kept beyond the returned object.

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    quarter : str
        ``YYYYQn``.
    scope : str
        ``province`` or a city code. For a city, the city's own targets (rates as the
        province's, counts split by the city's share, see the module docstring).
    compare_to : str, optional
        A quarter before ``quarter`` whose statuses the report compares with.
    lang : {"zh", "en"}
        Language of the target labels.
    level : float
        Coverage of the projection intervals.
    targets : DataFrame, optional
        Targets as :func:`gotone_analysis.targets.load_targets` returns (default: shipped).

    Returns
    -------
    ScorecardReport
        The scorecard, its series and projections, the lever lights, the comparison, and
        for the province the city scorecards, the city x lever table and contributions.
    """
    _check_quarter(quarter)
    _check_scope(scope)
    _check_lang(lang)
    if compare_to is not None:
        _check_quarter(compare_to)
        if parse_quarter(compare_to) >= parse_quarter(quarter):
            raise UsageError(f"compare_to must be a quarter before {quarter}, got {compare_to}")
    ctx = _Context(dataset)
    tg = _targets(targets)
    fans: dict[str, pd.DataFrame] = {}
    card = _score(ctx, tg, quarter, scope, lang, level, fans)
    meta = tg.set_index("id")
    full = card.copy()
    full["metric"] = full["target_id"].map(meta["metric"])
    full["unit"] = full["target_id"].map(meta["unit"])
    full["deadline_month"] = [deadline_month(d, a) for d, a in
                              zip(meta.loc[card["target_id"], "deadline"],
                                  meta.loc[card["target_id"], "as_of"], strict=True)]
    fan_cols = ["target_id", "period", "horizon", "estimate", "ci_low", "ci_high", "level",
                "model"]
    fan_table = (pd.concat([f.assign(target_id=tid) for tid, f in fans.items()],
                           ignore_index=True)[fan_cols] if fans
                 else pd.DataFrame(columns=fan_cols))
    out = ScorecardReport(quarter=quarter, scope=scope, compare_to=compare_to, card=card,
                          targets=full, series=_series_rows(ctx, tg, quarter, scope),
                          fans=fan_table, levers=lever_summary(card))
    if compare_to is not None:
        out.reference = _score(ctx, tg, compare_to, scope, lang, level)
        changes = status_changes(card, out.reference)
        changes["unit"] = changes["target_id"].map(meta["unit"])
        out.changes = changes
    if scope == PROVINCE:
        out.cities = _city_cards(ctx, tg, quarter, ctx.cities(), lang, level)
        out.attainment = attainment(out.cities)
        out.contributions = _contributions(ctx, tg, quarter)
    else:
        out.attainment = attainment(card.assign(scope=scope))
    return out


def format_value(value: object, unit: str, *, signed: bool = False) -> str:
    """A target's value as readers see it.

    Parameters
    ----------
    value : float
        In the target's unit (rates as fractions).
    unit : str
        :data:`gotone_analysis.targets.UNITS`.
    signed : bool
        Show the sign (for gaps and changes).

    Returns
    -------
    str
        Rates in per cent with one decimal (``"74.2%"``; signed: percentage points,
        ``"-0.8 pp"``), scores with one decimal, counts with thousands separators, ranks as
        integers; ``"—"`` for a missing value.
    """
    v = _num(value)
    if v is None:
        return "—"
    sign = "+" if signed else ""
    if unit == "rate":  # a difference of rates is in percentage points
        return f"{v * 100:+.1f} pp" if signed else f"{v * 100:.1f}%"
    if unit == "score":
        return f"{v:{sign}.1f}"
    return f"{v:{sign},.0f}"


def format_interval(low: object, high: object, unit: str) -> str:
    """An interval as ``[low, high]`` in the target's unit (:func:`format_value`).

    Returns
    -------
    str
        ``"—"`` when either end is missing.
    """
    if _num(low) is None or _num(high) is None:
        return "—"
    return f"[{format_value(low, unit)}, {format_value(high, unit)}]"


#: Reader colours of the statuses (text of the status cells, traffic lights).
STATUS_COLORS: dict[str, str] = {
    "met": "#2e7d32", "on_track": "#66bb6a", "at_risk": "#f9a825", "off_track": "#e53935",
    "missed": "#b71c1c", "not_measurable": "#9e9e9e",
}
#: Colour of each traffic light of :func:`lever_summary`.
LIGHT_COLORS: dict[str, str] = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828",
                                "grey": "#9e9e9e"}

_READER_COLUMNS = ("lever", "label", "target", "deadline", "actual", "actual_ci", "projected",
                   "projected_pi", "status")


def reader_table(table: pd.DataFrame, *, lang: str = "zh", columns: Sequence[str] | None = None,
                 level: float = LEVEL, note: str = ""):
    """A reader copy of a scorecard table: labels, values in their units, statuses coloured.

    Parameters
    ----------
    table : DataFrame
        :attr:`ScorecardReport.targets` (a scorecard with ``unit``), the ``changes`` of a
        :class:`ScorecardReport`, or a city scorecard with ``unit``.
    lang : {"zh", "en"}
        Language.
    columns : sequence of str, optional
        Columns to show; besides the table's own, ``actual_ci`` (the survey interval of
        the actual), ``projected_pi`` (the projection's interval) and ``target`` (with its
        direction). Default: lever, label, target, deadline, actual, its interval,
        projection, its interval, status.
    level : float
        Coverage of the projection intervals (for the heading).
    note : str
        Note under the table.

    Returns
    -------
    pandas.io.formats.style.Styler
        Index hidden, headings from the catalog (``scorecard.column.*``), status cells in
        the colour of :data:`STATUS_COLORS`.
    """
    from ... import labels, tables

    cols = list(columns) if columns is not None else list(_READER_COLUMNS)
    units = table["unit"].astype(str).tolist()
    out = pd.DataFrame(index=table.index)
    status_text = {labels.text(f"scorecard.status.{s}", lang): s for s in STATUSES}
    for c in cols:
        if c == "target":
            out[c] = [f"{DIRECTION_SIGNS.get(d, d)} {format_value(v, u)}" for d, v, u in
                      zip(table["direction"], table["target"], units, strict=True)]
        elif c in ("actual", "projected", "actual_ref"):
            out[c] = [format_value(v, u) for v, u in zip(table[c], units, strict=True)]
        elif c in ("gap", "change"):
            out[c] = [format_value(v, u, signed=True) for v, u in
                      zip(table[c], units, strict=True)]
        elif c == "actual_ci":
            out[c] = [format_interval(lo, hi, u) if lo != hi else "—" for lo, hi, u in
                      zip(table["actual_low"], table["actual_high"], units, strict=True)]
        elif c == "projected_pi":
            out[c] = [format_interval(lo, hi, u) for lo, hi, u in
                      zip(table["projected_low"], table["projected_high"], units,
                          strict=True)]
        elif c in ("status", "status_ref"):
            out[c] = [labels.text(f"scorecard.status.{s}", lang) for s in table[c]]
        elif c in ("lever", "scope"):
            out[c] = [labels.code_label(v, lang) for v in table[c]]
        elif c == "direction_of_change":
            out[c] = [labels.text(f"scorecard.change.{v}", lang) for v in table[c]]
        else:
            out[c] = table[c].astype(str).to_numpy()
    heads = []
    for c in cols:
        key = f"scorecard.column.{c}"
        text = labels.text(key, lang, level=labels.level_text(level)) if labels.has(key) \
            else tables.column_label(c, lang)
        heads.append(text)
    out.columns = heads

    def colour(v: object) -> str:
        s = status_text.get(v) if isinstance(v, str) else None
        return f"color: {STATUS_COLORS[s]}; font-weight: bold" if s else ""

    return tables.styled(out.reset_index(drop=True), note).map(colour)
