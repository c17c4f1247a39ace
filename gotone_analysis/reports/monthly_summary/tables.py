"""The monthly summary's tables: the KPI moves since the comparison month, the milestones
falling due, and the status changes, from the monthly scorecard and the KPI counts.

The monthly summary re-runs no scorecard. Statuses, actuals, targets and projections are
those the monthly 139 scorecard published for the same month and scope
(``<out>/<YYYY-MM>/<scope>/metrics.json``, read by
:func:`gotone_analysis.reports.summary.tables.read_metrics`); the KPI moves are the
target metrics' monthly values as the scorecard computes them
(:class:`gotone_analysis.reports.scorecard_139.actuals.ActualsContext`: a rate is the sum
of its numerator over the sum of its denominator, a year-to-date sum adds the months from
January).

Rules (the one place they are written):

* a KPI count is a census: a move between two months is stated as it is (rule
  ``census_count``); a year-to-date count is not compared across a January (it restarts
  then: not like with like);
* a milestone's status is the scorecard's, under its status rules; a milestone falling due
  within :data:`HORIZON` months after the month is listed with its forecast, one judged
  at the month's end with its verdict; a survey-measured milestone names the wave its
  actual comes from;
* a status change is the scorecard's own like-with-like comparison
  (:func:`gotone_analysis.reports.scorecard_139.status.status_changes`): a forecast that
  became a verdict is "now final", never better or worse.

* :func:`kpi_moves`, :func:`milestones`, :func:`status_moves` -- the three tables;
* :func:`monthly_tables` -- all of them for one month and scope (:class:`MonthlySummary`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ... import config
from ...targets import METRICS, deadline_month
from ...targets import targets as shipped_targets
from ..scorecard_139.actuals import ACTUAL_LEVEL, ActualsContext, check_month
from ..scorecard_139.status import finite_or_none
from ..summary.tables import output_dir, read_metrics

__all__ = [
    "HORIZON",
    "HEADLINE_METRICS",
    "REPORT",
    "MonthlySummary",
    "kpi_moves",
    "milestones",
    "status_moves",
    "monthly_tables",
    "output_dir",
]

#: The report's name (its metrics and the ledger keys).
REPORT = "monthly_summary"
#: Months after the month within which a milestone is listed as falling due (the next
#: quarter).
HORIZON = 3
#: The KPI metrics of the first screen's table, in order.
HEADLINE_METRICS: tuple[str, ...] = ("gotone_customers", "target_share", "purity")

_MOVE_COLUMNS = ["metric", "lever", "label_zh", "label_en", "unit", "actual", "previous",
                 "change", "comparable"]
_DUE_COLUMNS = ["target_id", "lever", "label_zh", "label_en", "unit", "direction",
                "deadline_month", "due", "status", "actual", "target", "projected", "wave"]
_CHANGE_COLUMNS = ["target_id", "lever", "label_zh", "label_en", "status_previous", "status",
                   "direction_of_change"]


def kpi_moves(dataset, *, month: str, compare_to: str, scope: str = config.PROVINCE,
              targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each KPI target metric at the end of ``month`` and of ``compare_to``.

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    month, compare_to : str
        ``YYYY-MM``: the month reported and the one it is compared with.
    scope : str
        ``province`` or a city code.
    targets : DataFrame, optional
        Targets as :func:`gotone_analysis.targets.load_targets` returns (default: shipped).

    Returns
    -------
    DataFrame
        One row per measurable KPI metric a target names, in the targets' order:
        ``metric, lever, label_zh, label_en`` (of its first target), ``unit``,
        ``actual, previous`` (NaN where the month has no counts), ``change`` and
        ``comparable`` (False for a year-to-date count across a January, or a missing
        value: then ``change`` is NaN).
    """
    check_month(month)
    check_month(compare_to)
    tg = shipped_targets() if targets is None else targets
    ctx = ActualsContext(dataset)
    this, then = pd.Period(month, freq="M"), pd.Period(compare_to, freq="M")
    rows = []
    for t in tg.drop_duplicates("metric").itertuples(index=False):
        m = METRICS[t.metric]
        if m.source != "kpi" or not m.measurable:
            continue
        hist = ctx.history(m, scope, ACTUAL_LEVEL)
        values = pd.Series(hist["estimate"].to_numpy(), index=hist["period"].astype(str))
        actual = finite_or_none(values.get(str(this)))
        previous = finite_or_none(values.get(str(then)))
        restarts = m.agg in ("ytd", "ytd_sum") and this.year != then.year
        comparable = actual is not None and previous is not None and not restarts
        rows.append({"metric": m.name, "lever": t.lever, "label_zh": t.label_zh,
                     "label_en": t.label_en, "unit": m.unit,
                     "actual": np.nan if actual is None else actual,
                     "previous": np.nan if previous is None else previous,
                     "change": actual - previous if comparable else np.nan,
                     "comparable": comparable})
    return pd.DataFrame(rows, columns=_MOVE_COLUMNS)


def milestones(scorecard: dict[str, Any], *, month: str, horizon: int = HORIZON,
               targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The targets judged at the end of ``month`` or falling due within ``horizon`` months.

    Parameters
    ----------
    scorecard : dict
        The monthly scorecard's published metrics (``scorecard_139`` of ``month``).
    month : str
        ``YYYY-MM``.
    horizon : int
        Months after ``month`` whose deadlines are listed.
    targets : DataFrame, optional
        Targets (default: shipped).

    Returns
    -------
    DataFrame
        ``target_id, lever, label_zh, label_en, unit, direction, deadline_month``, ``due``
        (``this_month``: judged at the month's end; ``next``: within the horizon),
        ``status, actual, target, projected`` as the scorecard published them and
        ``wave`` (the survey wave of a survey actual, else ``""``); by deadline, then in
        the targets' order.
    """
    check_month(month)
    tg = shipped_targets() if targets is None else targets
    this = pd.Period(month, freq="M")
    rows = []
    for t in tg.itertuples(index=False):
        due = pd.Period(deadline_month(t.deadline, t.as_of), freq="M")
        if not this <= due <= this + horizon:
            continue
        value = {k: finite_or_none(scorecard.get(f"{t.id}_{k}"))
                 for k in ("actual", "target", "projected")}
        rows.append({"target_id": t.id, "lever": t.lever, "label_zh": t.label_zh,
                     "label_en": t.label_en, "unit": t.unit, "direction": t.direction,
                     "deadline_month": str(due), "due": "this_month" if due == this else "next",
                     "status": scorecard.get(f"{t.id}_status", "not_measurable"),
                     **{k: np.nan if v is None else v for k, v in value.items()},
                     "wave": scorecard.get(f"{t.id}_wave", "")})
    out = pd.DataFrame(rows, columns=_DUE_COLUMNS)
    return out.sort_values("deadline_month", kind="stable").reset_index(drop=True)


def status_moves(scorecard: dict[str, Any], targets: pd.DataFrame | None = None
                 ) -> pd.DataFrame:
    """The targets whose status changed since the comparison month, as the scorecard
    compared them (like with like).

    Returns
    -------
    DataFrame
        ``target_id, lever, label_zh, label_en, status_previous, status,
        direction_of_change`` (better, worse, final, same), in the targets' order; empty
        without a comparison.
    """
    tg = shipped_targets() if targets is None else targets
    rows = []
    for t in tg.itertuples(index=False):
        before = scorecard.get(f"{t.id}_status_previous")
        now = scorecard.get(f"{t.id}_status")
        way = scorecard.get(f"{t.id}_status_change")
        if before is None or now is None or way is None or before == now:
            continue
        rows.append({"target_id": t.id, "lever": t.lever, "label_zh": t.label_zh,
                     "label_en": t.label_en, "status_previous": before, "status": now,
                     "direction_of_change": way})
    return pd.DataFrame(rows, columns=_CHANGE_COLUMNS)


@dataclass
class MonthlySummary:
    """Every table of the monthly summary for one month and scope.

    Attributes
    ----------
    month, scope, compare_to : str
        The month, the scope and the comparison month.
    scorecard : dict
        The monthly scorecard's published metrics.
    moves : DataFrame
        :func:`kpi_moves`.
    due : DataFrame
        :func:`milestones`.
    changes : DataFrame
        :func:`status_moves`.
    """

    month: str
    scope: str
    compare_to: str
    scorecard: dict
    moves: pd.DataFrame
    due: pd.DataFrame
    changes: pd.DataFrame

    def headline(self) -> dict[str, Any]:
        """The report's headline numbers.

        Returns
        -------
        dict
            ``month, scope, compare_to``; for every KPI metric ``kpi_<metric>_actual``,
            ``kpi_<metric>_previous`` and ``kpi_<metric>_change`` (None when not
            comparable); ``moved_up, moved_down, unchanged`` (comparable metrics by the
            sign of their change); ``due_this_month, due_next`` (milestones) and
            ``status_changed`` (targets whose status changed).
        """
        out: dict[str, Any] = {"month": self.month, "scope": self.scope,
                               "compare_to": self.compare_to}
        for r in self.moves.itertuples(index=False):
            out[f"kpi_{r.metric}_actual"] = finite_or_none(r.actual)
            out[f"kpi_{r.metric}_previous"] = finite_or_none(r.previous)
            out[f"kpi_{r.metric}_change"] = finite_or_none(r.change)
        change = self.moves.loc[self.moves["comparable"], "change"].astype(float)
        out["moved_up"] = int((change > 0).sum())
        out["moved_down"] = int((change < 0).sum())
        out["unchanged"] = int((change == 0).sum())
        out["due_this_month"] = int((self.due["due"] == "this_month").sum())
        out["due_next"] = int((self.due["due"] == "next").sum())
        out["status_changed"] = len(self.changes)
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables for the workbook: ``kpi_moves``, ``milestones``, ``status_changes``."""
        return {"kpi_moves": self.moves, "milestones": self.due,
                "status_changes": self.changes}


def monthly_tables(dataset, out_dir: Path | str, *, month: str, scope: str, compare_to: str,
                   targets: pd.DataFrame | None = None) -> MonthlySummary:
    """Every table of the monthly summary, the scorecard read as it was published.

    Parameters
    ----------
    dataset : gotone_analysis.io.Dataset
        What :func:`gotone_analysis.io.open_dataset` returns.
    out_dir : path
        The output folder holding ``<month>/<scope>/metrics.json``.
    month, scope, compare_to : str
        The month, the scope and the comparison month (``YYYY-MM``).
    targets : DataFrame, optional
        Targets (default: shipped).

    Returns
    -------
    MonthlySummary

    Raises
    ------
    gotone_analysis.reports.summary.tables.MissingMetrics
        When the monthly scorecard of the month and scope has no published metrics.
    """
    check_month(month)
    card = read_metrics(out_dir, month, scope, "scorecard_139")
    return MonthlySummary(month=month, scope=scope, compare_to=compare_to, scorecard=card,
                          moves=kpi_moves(dataset, month=month, compare_to=compare_to,
                                          scope=scope, targets=targets),
                          due=milestones(card, month=month, targets=targets),
                          changes=status_moves(card, targets))
