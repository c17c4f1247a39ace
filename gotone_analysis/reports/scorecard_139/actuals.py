"""Actuals of the 139 targets: each target metric's history (monthly from the KPI counts,
or one design-based estimate a survey wave) and every target's actual as of the end of a
quarter, for the province or a city.

* :func:`metric_series` -- a target metric's history;
* :func:`actuals` -- every target's actual as of the end of a quarter;
* :class:`ActualsContext`, :func:`actual_rows` -- the data read once and the actuals
  computed once for every table of a report (:mod:`.tables`);
* :func:`check_quarter`, :func:`check_month`, :func:`check_scope`, :func:`quarter_end`,
  :func:`period_end`, :func:`last_wave`, :func:`targets_table` -- the arguments every
  scorecard function checks and resolves alike.

As of a quarter or a month
--------------------------
Every function taking ``quarter`` scores as of the end of a period: a quarter ``YYYYQn``
(its last month), or, for the monthly scorecard, a month ``YYYY-MM`` (:func:`period_end`).
KPI actuals are then the counts of that month (year-to-date sums from January); a
survey-measured target shows the latest wave that has ended by then (:func:`last_wave`),
labelled with that wave, never as if measured in the month. A quarter's last month
therefore scores exactly as the quarter does.

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
assumption, shown in ``source``. Such a city target is therefore judged at a tolerance
(``target_tolerance``, :data:`gotone_analysis.policy.APPORTIONED_TOLERANCE` of the
target): within it the target is neither met nor missed
(:data:`.status.STATUS_RULES`), and ``source`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import survey
from ...config import CITY_CODES, MONTH_RE, PROVINCE, SCOPES, parse_quarter, quarter_str
from ...errors import DataError, UsageError
from ...policy import APPORTIONED_TOLERANCE, DEFAULT_LEVEL
from ...scoring import SCORE_BOUNDS, SHARE_BOUNDS
from ...targets import METRICS, Metric, deadline_month, load_targets

__all__ = [
    "ACTUAL_LEVEL",
    "metric_series",
    "actuals",
    "ActualsContext",
    "actual_rows",
    "check_quarter",
    "check_month",
    "check_scope",
    "quarter_end",
    "period_end",
    "last_wave",
    "targets_table",
    "as_of_period",
]

#: Level of the survey actuals' confidence interval (the policy's level).
ACTUAL_LEVEL: float = DEFAULT_LEVEL

_GOTONE = "gotone"


# --- series ---------------------------------------------------------------------------------


def check_scope(scope: str) -> None:
    """Check a scope argument.

    Raises
    ------
    UsageError
        ``scope`` is neither ``province`` nor a city code (:data:`gotone_analysis.config.SCOPES`).
    """
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
    bounds = {m.name: SCORE_BOUNDS if m.agg == "score" else SHARE_BOUNDS for m in metrics}
    kw = {**design, "stat": "mean", "level": level, "lonely_psu": "adjust", "bounds": bounds}
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


def _shared_survey_history(dataset, level: float) -> pd.DataFrame:
    """:func:`_survey_history` of every measurable survey metric, every scope and wave:
    the same for every scope of a batch, so made once per batch and read back by the
    other kernels (:func:`gotone_analysis.cache.shared_by_inputs`, keyed by the SHA-256 of the
    survey files, the level and the metrics); made in place outside a batch."""
    from ... import cache

    metrics = _survey_metrics()
    return cache.shared_by_inputs(
        "scorecard_survey_history", lambda: _survey_history(dataset, metrics, level),
        dataset=dataset, kinds="survey",
        params={"level": level, "metrics": [m.name for m in metrics]})


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
        or its wave; for a month, the waves ended by its end, :func:`last_wave`).
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
    check_scope(scope)
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
        last = (parse_quarter(until) if "Q" in until
                else last_wave(pd.Period(until, freq="M")))
        quarters = [q for q in quarters if parse_quarter(q) <= last]
    return _scope_rows(_survey_history(dataset, [m], level, quarters), m, scope)[cols]


# --- actuals --------------------------------------------------------------------------------


def quarter_end(quarter: str) -> pd.Period:
    """The last month of a quarter.

    Returns
    -------
    pandas.Period
        The monthly period at whose end ``quarter`` (``YYYYQn``) ends.
    """
    return parse_quarter(quarter).asfreq("M", how="end")


def period_end(period: str) -> pd.Period:
    """The month at whose end a period is scored.

    Parameters
    ----------
    period : str
        A quarter ``YYYYQn`` or a month ``YYYY-MM``.

    Returns
    -------
    pandas.Period
        The quarter's last month, or the month itself.
    """
    if isinstance(period, str) and MONTH_RE.match(period):
        return pd.Period(period, freq="M")
    return quarter_end(period)


def last_wave(month: pd.Period) -> pd.Period:
    """The latest survey wave that has ended by the end of ``month``.

    Returns
    -------
    pandas.Period
        The quarter holding ``month`` when ``month`` is its last month, else the quarter
        before it (a wave is read only once its quarter is over).
    """
    return (month + 1).asfreq("Q") - 1


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


class ActualsContext:
    """The data a report reads once: KPI sums by scope, survey waves, and what comes of them.

    One context serves every table of a report (:func:`.tables.report_tables`): the KPI
    sums, each metric's history, the targets' actuals (:func:`actual_rows`) and the
    projections fitted on them (:attr:`fans`, filled by :mod:`.tables`) are computed once.

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    """

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
        """The monthly KPI counts summed over the cities in ``scope``.

        Returns
        -------
        DataFrame
            One column per count, indexed by monthly :class:`pandas.Period`.
        """
        if scope not in self._sums:
            if self._kpi is None:
                self._kpi = self.dataset.kpi()
            self._sums[scope] = _kpi_sums(self._kpi, scope)
        return self._sums[scope]

    def history(self, m: Metric, scope: str, level: float) -> pd.DataFrame:
        """The history of metric ``m`` in ``scope``, survey intervals at ``level``.

        Returns
        -------
        DataFrame
            As :func:`metric_series` returns it, before any ``until`` cut.
        """
        if m.source == "kpi":
            key = (m.name, scope)
            if key not in self._series:
                self._series[key] = _kpi_history(self.sums(scope), m)
            return self._series[key]
        key = ("survey", level)
        if key not in self._series:  # every metric and scope at once: one pass a wave
            self._series[key] = _shared_survey_history(self.dataset, level)
        rows = ("survey", level, m.name, scope)
        if rows not in self._series:
            self._series[rows] = _scope_rows(self._series[key], m, scope)
        return self._series[rows]


def actual_rows(ctx: ActualsContext, targets: pd.DataFrame, quarter: str, scope: str,
                level: float) -> list[dict]:
    """Every target's actual as of the end of ``quarter``, read once per context.

    Returns
    -------
    list of dict
        One record per target, in file order, with the columns of :func:`actuals`; a
        fresh copy on every call (the context keeps its own).
    """
    key = (id(targets), quarter, scope, level)
    if key not in ctx.actuals:
        ctx.actuals[key] = (targets, _read_actuals(ctx, targets, quarter, scope, level))
    return [dict(r) for r in ctx.actuals[key][1]]


def _read_actuals(ctx: ActualsContext, targets: pd.DataFrame, quarter: str, scope: str,
                  level: float) -> list[dict]:
    qend = period_end(quarter)
    rows = []
    for t in targets.itertuples(index=False):
        m = METRICS[t.metric]
        judge = pd.Period(deadline_month(t.deadline, t.as_of), freq="M")
        reached = judge <= qend
        as_of = judge if reached else qend
        rec = {"target_id": t.id, "metric": t.metric, "kind": m.source,
               "deadline_reached": reached, "as_of": "", "actual": np.nan,
               "actual_low": np.nan, "actual_high": np.nan, "n": np.nan, "weight": np.nan,
               "target": float(t.value), "target_tolerance": np.nan, "source": ""}
        if not m.measurable:
            rec["source"] = f"not measurable: {m.reason}"
            rows.append(rec)
            continue
        hist = ctx.history(m, scope, level)
        if m.source == "kpi":
            period = as_of
            label = _fmt_month(period)
        else:
            period = judge.asfreq("Q") if reached else last_wave(qend)
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
            if np.isfinite(share):
                rec["target_tolerance"] = APPORTIONED_TOLERANCE
                rec["source"] += (f"; city target = province target x the city's share in "
                                  f"{year}-12 ({share:.1%}), the suite's assumption: judged "
                                  f"within +/-{APPORTIONED_TOLERANCE:.0%} of it "
                                  f"(inconclusive inside)")
            else:
                rec["source"] += f"; no {year}-12 count to split the province target"
        rows.append(rec)
    return rows


def targets_table(targets: pd.DataFrame | None) -> pd.DataFrame:
    """The targets scored.

    Returns
    -------
    DataFrame
        ``targets`` as given, or the shipped ones
        (:func:`gotone_analysis.targets.load_targets`) when it is None.
    """
    return load_targets() if targets is None else targets


def check_quarter(quarter: str) -> None:
    """Check a quarter argument.

    Raises
    ------
    UsageError
        ``quarter`` is not a quarter ``YYYYQn``.
    """
    try:
        parse_quarter(quarter)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_month(month: str) -> None:
    """Check a month argument.

    Raises
    ------
    UsageError
        ``month`` is not a month ``YYYY-MM`` (month 01 to 12).
    """
    if not isinstance(month, str) or not MONTH_RE.match(month):
        raise UsageError(f"month must look like 2010-05 (YYYY-MM with MM in 01-12), got "
                         f"{month!r}")


def as_of_period(quarter: str | None, month: str | None) -> str:
    """The period a scorecard is scored as of: ``month`` when given, else ``quarter``.

    Raises
    ------
    UsageError
        Neither or both given, or a malformed one.
    """
    if (quarter is None) == (month is None):
        raise UsageError("give a quarter or a month to score as of, not both or neither")
    if month is not None:
        check_month(month)
        return month
    check_quarter(quarter)
    return quarter


def actuals(dataset, *, quarter: str | None = None, scope: str = PROVINCE,
            level: float = ACTUAL_LEVEL, targets: pd.DataFrame | None = None,
            month: str | None = None) -> pd.DataFrame:
    """Every target's actual as of the end of ``quarter`` or ``month`` (or at its deadline,
    if earlier).

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    quarter : str, optional
        ``YYYYQn``.
    month : str, optional
        ``YYYY-MM`` instead of ``quarter``: KPI counts of that month, survey targets from
        the latest wave ended by then (:func:`last_wave`).
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
        count target for a city), ``target_tolerance`` (the relative tolerance such an
        apportioned city target is judged at, NaN for a target as the deck sets it),
        ``source`` (where the actual comes from, or why it is not measurable).
    """
    period = as_of_period(quarter, month)
    check_scope(scope)
    rows = actual_rows(ActualsContext(dataset), targets_table(targets), period, scope, level)
    return pd.DataFrame(rows)

