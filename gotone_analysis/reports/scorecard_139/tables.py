"""The 139 scorecard's tables: every 2010 target against its actual, projected to its
deadline.

Tidy tables in, tidy tables out; nothing here draws. Each target's actual comes from
:mod:`.actuals`, its projection from :mod:`.projection`, its status from :mod:`.status`.

* :func:`scorecard` -- one row per target with its status
  (:data:`~gotone_analysis.reports.scorecard_139.status.STATUS_RULES`);
* :func:`city_scorecards`, :func:`contributions` -- the same by city, and each city's
  share of a province gap;
* :func:`headline` -- a scorecard's headline numbers;
* :func:`report_tables` -- every table of the ``scorecard_139`` report from one reading
  of the data (:class:`ScorecardReport`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...config import CITY_CODES, PROVINCE, parse_quarter
from ...errors import UsageError
from ...targets import METRICS, Metric, deadline_month
from .actuals import (
    ACTUAL_LEVEL,
    ActualsContext,
    actual_rows,
    as_of_period,
    check_month,
    check_quarter,
    check_scope,
    last_wave,
    period_end,
    targets_table,
)
from .projection import LEVEL, project
from .status import STATUSES, attainment, finite_or_none, lever_summary, status, status_changes

__all__ = [
    "COLUMNS",
    "scorecard",
    "city_scorecards",
    "contributions",
    "headline",
    "ScorecardReport",
    "report_tables",
    "worst_cities",
]

#: Columns of :func:`scorecard`.
COLUMNS: tuple[str, ...] = ("target_id", "lever", "label", "direction", "target", "deadline",
                            "actual", "actual_low", "actual_high", "gap", "projected",
                            "projected_low", "projected_high", "status", "source")


# --- the scorecard --------------------------------------------------------------------------


def _projection(ctx: ActualsContext, m: Metric, scope: str, quarter: str, judge: pd.Period,
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


def _fit_projection(ctx: ActualsContext, m: Metric, scope: str, quarter: str, judge: pd.Period,
                    level: float) -> pd.DataFrame | None:
    hist = ctx.history(m, scope, ACTUAL_LEVEL)
    qend = period_end(quarter)
    cut = qend if m.source == "kpi" else last_wave(qend)
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


def _score(ctx: ActualsContext, targets: pd.DataFrame, quarter: str, scope: str, lang: str,
           level: float, fans: dict | None = None) -> pd.DataFrame:
    acts = actual_rows(ctx, targets, quarter, scope, ACTUAL_LEVEL)
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
                    projected=proj[0], unit=t.unit, actual_low=a["actual_low"],
                    actual_high=a["actual_high"], tolerance=a["target_tolerance"])
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


def scorecard(dataset, *, quarter: str | None = None, scope: str = PROVINCE, lang: str = "zh",
              level: float = LEVEL, targets: pd.DataFrame | None = None,
              fans: dict | None = None, month: str | None = None) -> pd.DataFrame:
    """The 139 scorecard: one row per target with its actual, projection and status.

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    quarter : str, optional
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
    month : str, optional
        ``YYYY-MM`` instead of ``quarter``: the monthly scorecard as of the month's end
        (KPI counts of the month, survey targets from the latest wave ended by then;
        :mod:`.actuals`), under the same rules.

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
    period = as_of_period(quarter, month)
    check_scope(scope)
    _check_lang(lang)
    return _score(ActualsContext(dataset), targets_table(targets), period, scope, lang, level, fans)


def city_scorecards(dataset, *, quarter: str | None = None,
                    cities: Sequence[str] = CITY_CODES, lang: str = "zh", level: float = LEVEL,
                    targets: pd.DataFrame | None = None,
                    month: str | None = None) -> pd.DataFrame:
    """The scorecard of every city, stacked (as of a quarter, or a ``month``).

    Returns
    -------
    DataFrame
        ``scope`` (city code) followed by the columns of :func:`scorecard`, cities in
        the order given.
    """
    period = as_of_period(quarter, month)
    _check_lang(lang)
    return _city_cards(ActualsContext(dataset), targets_table(targets), period, cities, lang, level)


def _city_cards(ctx: ActualsContext, tg: pd.DataFrame, quarter: str, cities: Sequence[str],
                lang: str, level: float) -> pd.DataFrame:
    parts = []
    for city in cities:
        check_scope(city)
        card = _score(ctx, tg, quarter, city, lang, level)
        card.insert(0, "scope", city)
        parts.append(card)
    return pd.concat(parts, ignore_index=True)



def contributions(dataset, *, quarter: str | None = None,
                  targets: pd.DataFrame | None = None, month: str | None = None
                  ) -> pd.DataFrame:
    """Where the province gap of each target comes from: every city's share of it.

    For a rate, the province gap ``R - T`` is ``sum_c w_c (R_c - T)`` with ``w_c`` the
    city's share of the denominator (KPI) or of the estimated GoTone population answering
    (survey, Hajek means: exact for the point estimates). For a count, it is
    ``sum_c (X_c - T_c)`` with the city targets of :mod:`.actuals`. Contributions
    therefore add up to the province gap.

    Returns
    -------
    DataFrame
        One row per measurable target and city with KPI counts: ``target_id, lever, scope, actual,
        target, weight`` (the city's share of the base, 1 for counts), ``contribution``
        (adds up over the cities to the province ``gap``), ``gap`` (the province gap).
    """
    return _contributions(ActualsContext(dataset), targets_table(targets),
                          as_of_period(quarter, month))


def _contributions(ctx: ActualsContext, tg: pd.DataFrame, quarter: str) -> pd.DataFrame:
    prov = pd.DataFrame(actual_rows(ctx, tg, quarter, PROVINCE, ACTUAL_LEVEL))
    rows = []
    for city in ctx.cities():
        acts = pd.DataFrame(actual_rows(ctx, tg, quarter, city, ACTUAL_LEVEL))
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


def worst_cities(contributions: pd.DataFrame, targets: pd.DataFrame) -> dict[str, str]:
    """For each province target short of its value, the city that adds most to the gap.

    Parameters
    ----------
    contributions : DataFrame
        :func:`contributions` (``target_id, scope, contribution, gap``).
    targets : DataFrame
        The report's target rows (``target_id, direction``).

    Returns
    -------
    dict
        ``<target_id>_worst_city`` -> city code, only for targets whose province gap and
        the city's part of it both point the wrong way (below a ``>=``/``>`` target,
        above a ``<=``/``<`` one).
    """
    if contributions is None or contributions.empty:
        return {}
    direction = targets.set_index("target_id")["direction"]
    out = {}
    for tid, c in contributions.groupby("target_id", sort=False):
        sign = -1.0 if str(direction.get(tid, ">=")).startswith(">") else 1.0
        short = sign * c["contribution"].astype(float)
        if not len(c) or sign * float(c["gap"].iloc[0]) <= 0 or short.max() <= 0:
            continue
        out[f"{tid}_worst_city"] = str(c.loc[short.idxmax(), "scope"])
    return out


# --- report views of the table ---------------------------------------------------------------


def headline(card: pd.DataFrame, *, quarter: str | None = None,
             scope: str | None = None, month: str | None = None
             ) -> dict[str, float | str | None]:
    """Flat headline numbers of a scorecard for :func:`gotone_analysis.report.publish`.

    Parameters
    ----------
    card : DataFrame
        From :func:`scorecard`.
    quarter, scope, month : str, optional
        Recorded as ``quarter``, ``scope`` and ``month`` when given.

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
    if month is not None:
        out["month"] = month
    if scope is not None:
        out["scope"] = scope
    out["targets"] = len(card)
    counts = card["status"].value_counts()
    for s in STATUSES:
        out[f"status_{s}"] = int(counts.get(s, 0))
    for r in card.itertuples(index=False):
        out[f"{r.target_id}_actual"] = finite_or_none(r.actual)
        out[f"{r.target_id}_target"] = finite_or_none(r.target)
        out[f"{r.target_id}_projected"] = finite_or_none(r.projected)
        out[f"{r.target_id}_status"] = r.status
    return out


# --- the report: every table of the scorecard report from one reading of the data ----------


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
    month : str or None
        The monthly scorecard's month ``YYYY-MM`` (None for a quarter's); ``quarter`` is
        then the quarter holding it, ``compare_to`` a month, and ``targets`` has ``wave``,
        the survey wave a survey target's actual comes from (empty for KPI targets).
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
    month: str | None = None

    def headline(self) -> dict[str, float | str | None]:
        """The report's headline numbers.

        Returns
        -------
        dict
            :func:`headline` of :attr:`card` (counts by status; every target's actual,
            target, projection and status), plus ``compare_to`` and the counts of status
            changes ``changed_better``, ``changed_worse`` and ``changed_final`` (a forecast
            that became a verdict, :func:`status_changes`) when there is a comparison, and
            each lever's light and worst status, ``lever_<lever>_light`` and
            ``lever_<lever>_status`` (:func:`lever_summary`); for the province, the city
            adding most to each shortfall, ``<id>_worst_city`` (:func:`worst_cities`);
            with a comparison quarter, each target's actual then, ``<id>_previous``, and
            its status then, ``<id>_status_previous``, and how it changed, like with like,
            ``<id>_status_change`` (:data:`.status.CHANGES`). A monthly scorecard records
            ``month`` instead of ``quarter``, and the wave of each survey actual,
            ``<id>_wave``.
        """
        if self.month is None:
            out = headline(self.card, quarter=self.quarter, scope=self.scope)
        else:
            out = headline(self.card, month=self.month, scope=self.scope)
            for tid, wave in zip(self.targets["target_id"], self.targets["wave"], strict=True):
                if wave:
                    out[f"{tid}_wave"] = wave
        if self.levers is not None:
            for r in self.levers.itertuples(index=False):
                out[f"lever_{r.lever}_light"] = r.light
                out[f"lever_{r.lever}_status"] = r.worst
        if self.contributions is not None:
            out.update(worst_cities(self.contributions, self.targets))
        if self.reference is not None:
            for r in self.reference.itertuples(index=False):
                out[f"{r.target_id}_previous"] = finite_or_none(r.actual)
                out[f"{r.target_id}_status_previous"] = r.status
        if self.changes is not None:
            out["compare_to"] = self.compare_to
            way = self.changes.loc[self.changes["changed"], "direction_of_change"]
            out["changed_better"] = int((way == "better").sum())
            out["changed_worse"] = int((way == "worse").sum())
            out["changed_final"] = int((way == "final").sum())
            for r in self.changes.itertuples(index=False):
                out[f"{r.target_id}_status_change"] = r.direction_of_change
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


def _series_rows(ctx: ActualsContext, targets: pd.DataFrame, quarter: str, scope: str
                 ) -> pd.DataFrame:
    qend = period_end(quarter)
    start = pd.Period(f"{qend.year - 1}-01", freq="M")
    parts = []
    for t in targets.itertuples(index=False):
        m = METRICS[t.metric]
        if not m.measurable:
            continue
        hist = ctx.history(m, scope, ACTUAL_LEVEL)
        if not len(hist):
            continue
        lo, hi = (start, qend) if m.source == "kpi" else (start.asfreq("Q"), last_wave(qend))
        rows = hist.loc[(hist["period"] >= lo) & (hist["period"] <= hi),
                        ["period", "estimate", "ci_low", "ci_high"]]
        parts.append(rows.assign(target_id=t.id))
    cols = ["target_id", "period", "estimate", "ci_low", "ci_high"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def report_tables(dataset, *, quarter: str | None = None, scope: str = PROVINCE,
                  compare_to: str | None = None, lang: str = "zh", level: float = LEVEL,
                  targets: pd.DataFrame | None = None,
                  month: str | None = None) -> ScorecardReport:
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
        province's, counts split by the city's share, see :mod:`.actuals`).
    compare_to : str, optional
        A quarter before ``quarter`` whose statuses the report compares with.
    lang : {"zh", "en"}
        Language of the target labels.
    level : float
        Coverage of the projection intervals.
    targets : DataFrame, optional
        Targets as :func:`gotone_analysis.targets.load_targets` returns (default: shipped).
    month : str, optional
        ``YYYY-MM`` instead of ``quarter``: the monthly scorecard as of the month's end,
        by the same functions and rules (:func:`scorecard`); ``compare_to`` is then an
        earlier month.

    Returns
    -------
    ScorecardReport
        The scorecard, its series and projections, the lever lights, the comparison, and
        for the province the city scorecards, the city x lever table and contributions.
    """
    period = as_of_period(quarter, month)
    check_scope(scope)
    _check_lang(lang)
    if compare_to is not None:
        if month is not None:
            check_month(compare_to)
            before = pd.Period(compare_to, freq="M") < pd.Period(month, freq="M")
        else:
            check_quarter(compare_to)
            before = parse_quarter(compare_to) < parse_quarter(quarter)
        if not before:
            raise UsageError(f"compare_to must be a {'month' if month else 'quarter'} "
                             f"before {period}, got {compare_to}")
    ctx = ActualsContext(dataset)
    tg = targets_table(targets)
    fans: dict[str, pd.DataFrame] = {}
    card = _score(ctx, tg, period, scope, lang, level, fans)
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
    waves = [a["as_of"] if a["kind"] == "survey" and month is not None else ""
             for a in actual_rows(ctx, tg, period, scope, ACTUAL_LEVEL)]
    full["wave"] = waves
    held = quarter if month is None else str(pd.Period(month, freq="M").asfreq("Q"))
    out = ScorecardReport(quarter=held, scope=scope, compare_to=compare_to, card=card,
                          targets=full, series=_series_rows(ctx, tg, period, scope),
                          fans=fan_table, levers=lever_summary(card), month=month)
    if compare_to is not None:
        out.reference = _score(ctx, tg, compare_to, scope, lang, level)
        changes = status_changes(card, out.reference, level=ACTUAL_LEVEL)
        changes["unit"] = changes["target_id"].map(meta["unit"])
        out.changes = changes
    if scope == PROVINCE:
        out.cities = _city_cards(ctx, tg, period, ctx.cities(), lang, level)
        out.attainment = attainment(out.cities)
        out.contributions = _contributions(ctx, tg, period)
    else:
        out.attainment = attainment(card.assign(scope=scope))
    return out

