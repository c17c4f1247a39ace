"""The 139 scorecard's statuses: the one statement of the rules, and how statuses are
counted and compared.

* :data:`STATUSES`, :data:`STATUS_RULES`, :func:`status`, :func:`at_scale_end` -- a
  target's status from its actual, its projection's interval and its deadline;
* :func:`attainment`, :func:`lever_summary` -- statuses counted by scope and lever, and one
  traffic light a lever;
* :func:`status_changes` -- what changed since the comparison quarter;
* :func:`finite_or_none` -- a scorecard value as a number, or None when it is missing.

Statuses
--------
:data:`STATUS_RULES` is the one statement of the rules. A target at the end of its
scale (100 % coverage, a score of 100) cannot have a prediction interval wholly beyond
it, so before its deadline it is on track when the projection itself reaches the
target (rates are projected on the logit scale, or within the year on the log scale
capped at 100 %, so a projection can reach 100 % but not pass it); at risk when only
the interval reaches it; off track when not even the interval does. At the deadline
100 % means 100 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import UsageError

__all__ = [
    "STATUSES",
    "STATUS_RULES",
    "status",
    "at_scale_end",
    "attainment",
    "lever_summary",
    "status_changes",
    "finite_or_none",
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


def status_changes(card: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """What changed in status between two scorecards of the same scope.

    Parameters
    ----------
    card, reference : DataFrame
        :func:`.tables.scorecard` of the quarter reported and of the comparison quarter.

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
        actual_ref = finite_or_none(ref["actual"].get(r.target_id, np.nan))
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

