"""The 139 scorecard's statuses: the one statement of the rules, and how statuses are
counted and compared.

* :data:`STATUSES`, :data:`STATUS_RULES`, :func:`status`, :func:`at_scale_end` -- a
  target's status from its actual (and the actual's interval), its projection's interval
  and its deadline;
* :data:`FORECASTS`, :data:`FINALS` -- which statuses are forecasts and which verdicts;
* :func:`attainment`, :func:`lever_summary` -- statuses counted by scope and lever, and one
  traffic light a lever;
* :func:`status_changes`, :data:`CHANGES` -- what changed since the comparison quarter;
* :func:`finite_or_none` -- a scorecard value as a number, or None when it is missing.

Statuses
--------
:data:`STATUS_RULES` is the one statement of the rules. Before its deadline a target gets
a forecast (on track, at risk, off track); once the deadline is reached, a verdict (met,
missed, or inconclusive when the data cannot tell the actual from the target: a survey
estimate whose confidence interval holds the target, or a city target apportioned from a
province count target, the suite's own assumption, that the actual is within
:data:`gotone_analysis.policy.APPORTIONED_TOLERANCE` of). An apportioned target is
judged against its tolerance band throughout: met or missed only beyond the whole band,
on track only when the whole prediction interval clears the whole band.

A target at the end of its scale (100 % coverage, a score of 100) cannot have a
prediction interval wholly beyond it, so before its deadline it is on track when the
projection itself reaches the target (rates are projected on the logit scale, or within
the year on the log scale capped at 100 %, so a projection can reach 100 % but not pass
it); at risk when only the interval reaches it; off track when not even the interval
does. At the deadline 100 % means 100 %.

Status changes
--------------
A forecast that became a verdict is ``final``, never better or worse: a forecast and a
verdict answer different questions. Two forecasts differ ``better`` or ``worse`` when the
forecast crossed a boundary; two verdicts only when the actual moved beyond its sampling
error (survey estimates: the two waves' intervals; KPI counts are exact).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import UsageError
from ...policy import APPORTIONED_TOLERANCE, DEFAULT_LEVEL, excludes_zero, interval, quantile

__all__ = [
    "STATUSES",
    "FORECASTS",
    "FINALS",
    "STATUS_RULES",
    "CHANGES",
    "status",
    "at_scale_end",
    "attainment",
    "lever_summary",
    "status_changes",
    "finite_or_none",
]

#: Statuses, best first; ``inconclusive`` (neither met nor missed) ranks between on track
#: and at risk, which decides only a lever's worst status (:func:`lever_summary`).
STATUSES: tuple[str, ...] = ("met", "on_track", "inconclusive", "at_risk", "off_track",
                             "missed", "not_measurable")
#: The statuses of a target before its deadline: forecasts from its projection.
FORECASTS: tuple[str, ...] = ("on_track", "at_risk", "off_track")
#: The verdicts: a target judged at its deadline (or a year-to-date count met early).
FINALS: tuple[str, ...] = ("met", "inconclusive", "missed")
#: How a target's status changed (:func:`status_changes`).
CHANGES: tuple[str, ...] = ("better", "worse", "final", "same")

_LEVEL = f"{DEFAULT_LEVEL:.0%}"
_TOL = f"{APPORTIONED_TOLERANCE:.0%}"
#: The status rules, in the order they are applied (the one place they are written).
STATUS_RULES: dict[str, str] = {
    "not_measurable": "the data cannot measure the metric (reason in source), or there is "
                      "no actual for the period scored",
    "inconclusive": "the deadline is reached and the actual at the deadline cannot be told "
                    f"apart from the target: a survey estimate whose {_LEVEL} confidence "
                    "interval holds the target (within sampling error), or a city target "
                    "apportioned from a province count target (the split is the suite's "
                    f"assumption) that the actual is within {_TOL} of (relative to the "
                    "target); neither met nor missed",
    "met": "the deadline is reached and the actual at the deadline clears the target (a "
           "survey estimate: its whole interval does; an apportioned city target: beyond "
           f"its {_TOL} tolerance); or, before the deadline, a metric that cannot fall "
           "within the year (a year-to-date count) already clears it (an apportioned city "
           "target: beyond its tolerance)",
    "missed": "the deadline is reached and the actual at the deadline falls short of the "
              "target (a survey estimate: its whole interval does; an apportioned city "
              "target: beyond its tolerance)",
    "on_track": "before the deadline, the whole prediction interval at the deadline clears "
                "the target (an apportioned city target: beyond its tolerance); for a "
                "target at the end of its scale (reach 100 % of a rate or 100 on a score, "
                "or stay at 0), which no interval can lie beyond, the projection itself "
                "reaches the target (within 0.01 % of the scale, what the logit scale can "
                "represent) and so does its interval",
    "off_track": "before the deadline, no point of the prediction interval clears the target "
                 "(an apportioned city target: not even the near end of its tolerance; for a "
                 "target at the end of its scale: not even the interval's end nearest it "
                 "reaches the target)",
    "at_risk": "before the deadline, the prediction interval straddles the target (for a "
               "target at the end of its scale: the interval reaches it, the projection does "
               "not), or no projection could be made",
}

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


def _real_interval(low: float, high: float) -> bool:
    """Whether ``[low, high]`` is an interval (a survey estimate's), not a point (KPI)."""
    return bool(np.isfinite(low) and np.isfinite(high) and high > low)


def _band(target: float, tolerance: float | None) -> tuple[float, float]:
    """The target as a band: ``target -/+ tolerance * |target|`` (a point without one)."""
    if tolerance is None or not np.isfinite(tolerance) or tolerance <= 0:
        return target, target
    half = tolerance * abs(target)
    return target - half, target + half


def status(*, direction: str, target: float, actual: float, projected_low: float = np.nan,
           projected_high: float = np.nan, deadline_reached: bool,
           cumulative: bool = False, projected: float = np.nan,
           unit: str | None = None, actual_low: float = np.nan, actual_high: float = np.nan,
           tolerance: float | None = None) -> str:
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
    actual_low, actual_high : float
        The confidence interval of a survey actual (at the policy's level); a KPI count
        has none (NaN, or both equal to the actual). At the deadline an interval holding
        the target makes the target ``inconclusive``.
    tolerance : float, optional
        Relative tolerance of a target the suite derived itself (a city's share of a
        province count target, :data:`gotone_analysis.policy.APPORTIONED_TOLERANCE`): the
        target is then the band ``target -/+ tolerance * |target|``; an actual in it at the
        deadline is ``inconclusive``. None: the target as it is.

    Returns
    -------
    str
        One of :data:`STATUSES`.
    """
    if not np.isfinite(target) or actual is None or not np.isfinite(actual):
        return "not_measurable"
    near, far = _band(target, tolerance)
    if direction in ("<=", "<"):
        near, far = far, near
    if deadline_reached:
        lo, hi = ((actual_low, actual_high) if _real_interval(actual_low, actual_high)
                  else (actual, actual))
        band_lo, band_hi = min(near, far), max(near, far)
        if (hi > lo or band_hi > band_lo) and lo <= band_hi and hi >= band_lo:
            return "inconclusive"
        return "met" if _clears(actual, direction, target) else "missed"
    if cumulative and direction in (">=", ">") and _clears(actual, direction, far):
        return "met"
    if not (np.isfinite(projected_low) and np.isfinite(projected_high)):
        return "at_risk"
    if at_scale_end(direction=direction, target=target, unit=unit):
        top = 100.0 if unit == "score" else 1.0
        tol = _REACH * top
        end = projected_high if direction == ">=" else projected_low
        reach = (lambda v: v >= target - tol) if direction == ">=" else \
            (lambda v: v <= target + tol)
        if not reach(end):
            return "off_track"
        return "on_track" if np.isfinite(projected) and reach(projected) else "at_risk"
    if _clears(projected_low, direction, far) and _clears(projected_high, direction, far):
        return "on_track"
    if not _clears(projected_low, direction, near) and \
            not _clears(projected_high, direction, near):
        return "off_track"
    return "at_risk"


# --- statuses counted and compared ----------------------------------------------------------


def finite_or_none(v: object) -> float | None:
    """A scorecard value (actual, target, projection) as a number, or None when missing.

    Returns
    -------
    float or None
        ``float(v)``; None when ``v`` is not a number or not finite (NaN: not measured).
    """
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def attainment(cards: pd.DataFrame) -> pd.DataFrame:
    """The city x lever attainment table from :func:`.tables.city_scorecards`.

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
        no target of the lever is measurable; an ``inconclusive`` target is measurable but
        neither met nor on track).
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


def _moved(direction: str, before: float, after: float, before_low: float, before_high: float,
           after_low: float, after_high: float, level: float) -> str:
    """``better``/``worse`` when the actual moved beyond its sampling error, else ``same``.

    A survey actual's standard error is read off its interval at ``level``; the two waves
    are independent samples. KPI counts are exact: any move counts.
    """
    if not (np.isfinite(before) and np.isfinite(after)) or after == before:
        return "same"
    diff = after - before
    q = quantile(level)
    ses = [(hi - lo) / (2.0 * q) if _real_interval(lo, hi) else 0.0
           for lo, hi in ((before_low, before_high), (after_low, after_high))]
    se = float(np.hypot(*ses))
    if se > 0 and not excludes_zero(*interval(diff, se, level)):
        return "same"
    return "better" if (diff > 0) == (direction in (">=", ">")) else "worse"


def status_changes(card: pd.DataFrame, reference: pd.DataFrame, *,
                   level: float = DEFAULT_LEVEL) -> pd.DataFrame:
    """What changed in status between two scorecards of the same scope, like with like.

    Parameters
    ----------
    card, reference : DataFrame
        :func:`.tables.scorecard` of the quarter reported and of the comparison quarter.
    level : float
        Level of the survey actuals' intervals ``actual_low``/``actual_high``
        (:data:`.actuals.ACTUAL_LEVEL`, the policy's level).

    Returns
    -------
    DataFrame
        One row per target of ``card``: ``target_id, lever, label, status_ref, status,
        actual_ref, actual, change`` (``actual - actual_ref``), ``changed`` (the status
        differs), ``direction_of_change`` (:data:`CHANGES`):

        * ``final``: a forecast (:data:`FORECASTS`) became a verdict (:data:`FINALS`) --
          never better or worse, a forecast and a verdict are not alike;
        * ``better``/``worse``: two forecasts, the forecast crossed a boundary (by the
          order of :data:`STATUSES`); or two verdicts that differ and the actual moved the
          same way beyond its sampling error (survey: the difference's interval at
          ``level`` excludes zero, from the two waves' intervals; KPI counts are exact);
        * ``same``: the status did not change, either is ``not_measurable``, or two
          verdicts differ without such a move.
    """
    ref = reference.set_index("target_id")
    rank = {s: i for i, s in enumerate(STATUSES)}

    def ref_value(column: str, tid: str) -> float:
        v = finite_or_none(ref[column].get(tid, np.nan)) if column in ref else None
        return np.nan if v is None else v

    rows = []
    for r in card.itertuples(index=False):
        before = ref["status"].get(r.target_id, "not_measurable")
        actual_ref = ref_value("actual", r.target_id)
        if "not_measurable" in (before, r.status) or before == r.status:
            way = "same"
        elif before in FORECASTS and r.status in FINALS:
            way = "final"
        else:
            way = "better" if rank[r.status] < rank[before] else "worse"
            if not (before in FORECASTS and r.status in FORECASTS):
                moved = _moved(r.direction, actual_ref, float(r.actual),
                               ref_value("actual_low", r.target_id),
                               ref_value("actual_high", r.target_id),
                               float(r.actual_low), float(r.actual_high), level)
                way = way if moved == way else "same"
        rows.append({"target_id": r.target_id, "lever": r.lever, "label": r.label,
                     "status_ref": before, "status": r.status,
                     "actual_ref": actual_ref, "actual": r.actual,
                     "change": r.actual - actual_ref, "changed": before != r.status,
                     "direction_of_change": way})
    return pd.DataFrame(rows, columns=["target_id", "lever", "label", "status_ref", "status",
                                       "actual_ref", "actual", "change", "changed",
                                       "direction_of_change"])


def lever_summary(card: pd.DataFrame) -> pd.DataFrame:
    """The nine levers (and the goal targets) at a glance: one traffic light each.

    A lever's light is its worst measurable status (``missed`` and ``off_track`` red,
    ``at_risk`` amber, ``inconclusive`` blue -- neither met nor missed --, ``met`` and
    ``on_track`` green); ``grey`` when none is measurable.

    Returns
    -------
    DataFrame
        One row per lever in the order of the targets: ``lever, targets, measurable``, one
        count column per status (:data:`STATUSES`), ``worst, light``.
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
                                     "inconclusive": "blue", "on_track": "green",
                                     "met": "green", "not_measurable": "grey"})
    return att

