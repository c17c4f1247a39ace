"""The 139 targets: the metric catalogue and the validated loader of ``targets.toml``.

Every target in ``resources/targets.toml`` names a *metric*. :data:`METRICS` says, for
each metric, where its actual comes from and how it is computed:

* ``kpi`` metrics come from the monthly BI counts of :data:`gotone_analysis.contract.KPI`.
  A rate is the sum of its numerator over the sum of its denominator (so the province
  rate is exact, never a mean of city rates); a count is the sum over cities.
  ``agg`` says which months enter:

  - ``month``: the counts of the month (a stock at month end, or a flow in the month);
  - ``ytd``: counts the BI system already keeps year to date (customers reached at
    least once this year; core customers of 1 January still retained);
  - ``ytd_sum``: a monthly flow summed from January to the month (points redeemed,
    new VIP customers).

* ``survey`` metrics are design-based estimates among GoTone customers from the
  quarterly survey (:mod:`gotone_analysis.survey`): a proportion of a 0/1 item, or a
  mean score on 0-100 of a 1-10 item.
* A metric with a ``reason`` cannot be measured from the data the suite receives; its
  targets are scored ``not_measurable`` with that reason, never dropped.

:func:`load_targets` reads and validates the file; :func:`targets` returns the shipped
file's table, read once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .config import LEVER_CODES, MONTH_RE, QUARTER_RE, parse_quarter
from .contract import KPI, SURVEY
from .errors import DataError

__all__ = [
    "Metric",
    "METRICS",
    "UNITS",
    "DIRECTIONS",
    "TARGET_FIELDS",
    "load_targets",
    "targets",
    "deadline_month",
]

#: Units a target may have; a target's unit must be its metric's.
UNITS: tuple[str, ...] = ("rate", "customers", "accounts", "points", "score", "rank")
#: Directions: reach at least / more than, or stay at most / below.
DIRECTIONS: tuple[str, ...] = (">=", ">", "<=", "<")
#: Fields of a ``[[target]]`` table: required, then optional.
REQUIRED_FIELDS: tuple[str, ...] = ("id", "lever", "metric", "direction", "value", "unit",
                                    "deadline", "source", "label_zh", "label_en")
OPTIONAL_FIELDS: tuple[str, ...] = ("note", "as_of")
#: Columns of :func:`load_targets`, in order.
TARGET_FIELDS: tuple[str, ...] = ("id", "lever", "metric", "direction", "value", "unit",
                                  "deadline", "source", "note", "label_zh", "label_en",
                                  "as_of")
#: Aggregations of KPI metrics over months (see the module docstring).
KPI_AGGS: tuple[str, ...] = ("month", "ytd", "ytd_sum")


@dataclass(frozen=True)
class Metric:
    """How one metric's actual is measured.

    Attributes
    ----------
    name : str
        Metric name used by targets.
    unit : str
        One of :data:`UNITS`.
    source : str
        ``kpi``, ``survey``, ``benchmark`` or ``none`` (no data source delivers it).
    num, den : str or None
        KPI numerator and denominator columns (``den`` None for a count); for a survey
        metric ``num`` is the item.
    agg : str
        KPI: one of :data:`KPI_AGGS`. Survey: ``proportion`` (0/1 item, or ``num >=
        threshold``) or ``score`` (1-10 item as 0-100).
    threshold : float or None
        Survey proportion of ``num >= threshold`` (e.g. rights known >= 4).
    reason : str
        Why the metric cannot be measured (empty when it can).
    """

    name: str
    unit: str
    source: str
    num: str | None = None
    den: str | None = None
    agg: str = "month"
    threshold: float | None = None
    reason: str = ""

    @property
    def measurable(self) -> bool:
        """``True`` when the data can measure the metric."""
        return not self.reason

    @property
    def cumulative(self) -> bool:
        """``True`` for counts summed or kept year to date (they never fall within a year)."""
        return self.source == "kpi" and (
            self.agg == "ytd_sum" or (self.agg == "ytd" and self.name != "core_retention_rate"))


def _kpi(name: str, num: str, den: str | None = None, agg: str = "month",
         unit: str = "rate") -> Metric:
    return Metric(name, unit if den else ("customers" if unit == "rate" else unit), "kpi",
                  num, den, agg)


_NO_AIRPORT = ("the BI counts hold users of the roaming service line as a whole "
               "(roaming_service_users), not of the airport club alone")
_NO_12580 = ("the BI counts hold users of the roaming service line as a whole "
             "(roaming_service_users), not of 12580 travel alone")
_NO_QUARTERLY_CARE = ("the BI counts give care coverage year to date for all GoTone "
                      "customers together (care_covered / care_target), not a quarterly "
                      "call rate by tier")
_NO_RANK = ("the benchmark file holds the network-wide average only, not each province's "
            "score, so Fujian's rank among the provinces cannot be computed")

#: The metric catalogue: every metric a target may name.
METRICS: dict[str, Metric] = {m.name: m for m in (
    _kpi("core_retention_rate", "core_retained", "core_base", "ytd"),
    _kpi("bundling_rate", "midhigh_bundled", "midhigh_customers"),
    _kpi("kpi_midhigh_customers", "midhigh_customers"),
    _kpi("gotone_customers", "gotone_customers"),
    _kpi("target_share", "gotone_in_target", "target_customers"),
    _kpi("purity", "gotone_midhigh", "gotone_customers"),
    _kpi("target_share_arpu200", "gotone_arpu200", "target_arpu200"),
    _kpi("target_share_arpu120", "gotone_arpu120", "target_arpu120"),
    _kpi("new_vip_customers", "new_vip", agg="ytd_sum"),
    _kpi("family_coverage", "family_users", "gotone_customers"),
    _kpi("roaming_business_coverage", "roaming_business_users", "gotone_customers"),
    _kpi("roaming_service_coverage", "roaming_service_users", "gotone_customers"),
    Metric("roaming_airport_club_coverage", "rate", "none", reason=_NO_AIRPORT),
    Metric("roaming_12580_travel_coverage", "rate", "none", reason=_NO_12580),
    _kpi("info_two_product_customers", "info_two_users"),
    _kpi("info_coverage", "info_users", "gotone_customers"),
    Metric("address_book_active_users", "customers", "none",
           reason="the BI counts have no address-book manager users"),
    Metric("mailbox_accounts", "accounts", "none",
           reason="the BI counts have no 139 mailbox accounts"),
    _kpi("care_coverage", "care_covered", "care_target", "ytd"),
    _kpi("care_frequency_attainment", "care_attained", "care_covered", "ytd"),
    _kpi("care_coverage_non_gotone_midhigh", "care_other_covered", "care_other_target", "ytd"),
    Metric("care_quarterly_vip", "rate", "none", reason=_NO_QUARTERLY_CARE),
    Metric("care_quarterly_gotone_midhigh", "rate", "none", reason=_NO_QUARTERLY_CARE),
    _kpi("points_redeemed", "points_redeemed", agg="ytd_sum", unit="points"),
    _kpi("points_redemption_coverage", "redeemers_ytd", "gotone_customers", "ytd"),
    _kpi("points_expiry_rate", "points_expired", "points_due"),
    Metric("points_satisfaction", "score", "survey", "pq_points", agg="score"),
    _kpi("club_experience", "club_users_ytd", "gotone_customers", "ytd"),
    Metric("g3_awareness", "rate", "survey", "aw_g3", agg="proportion"),
    _kpi("g3_experience", "g3_users", "gotone_customers"),
    _kpi("ebill_coverage", "ebill_users", "gotone_customers"),
    _kpi("e_redemption_share", "points_redeemed_e", "points_redeemed"),
    _kpi("e_transaction_share", "e_transactions", "transactions"),
    Metric("brand_influence_rank", "rank", "benchmark", reason=_NO_RANK),
    Metric("rights_aware_4plus", "rate", "survey", "rights_aware", agg="proportion",
           threshold=4),
)}


def _check_catalogue() -> None:
    kpi_cols, survey_cols = set(KPI.names), set(SURVEY.names)
    for m in METRICS.values():
        assert m.unit in UNITS, m
        if m.source == "kpi":
            assert m.agg in KPI_AGGS and {m.num, m.den or m.num} <= kpi_cols, m
        elif m.source == "survey":
            assert m.agg in ("proportion", "score") and m.num in survey_cols, m
        else:
            assert m.reason, m


_check_catalogue()


def deadline_month(deadline: str, as_of: str = "") -> str:
    """The month (``YYYY-MM``) at whose end a target is judged.

    Parameters
    ----------
    deadline : str
        Quarter ``YYYYQn``.
    as_of : str, optional
        A month inside the quarter when the target falls due before the quarter ends.

    Returns
    -------
    str
        ``as_of`` when given, else the last month of ``deadline``.
    """
    if as_of:
        return as_of
    return str(parse_quarter(deadline).asfreq("M", how="end"))


def _problems(rows: list[dict], file: str) -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    levers = (*LEVER_CODES, "goal")

    def bad(i: int, row: dict, column: str, rule: str, detail: str) -> None:
        name = row.get("id") if isinstance(row.get("id"), str) and row.get("id") else \
            f"#{i + 1}"
        out.append({"file": file, "column": column, "rule": rule, "count": 1,
                    "rows": [i + 1], "target": name,
                    "message": f"target {name}: {detail}"})

    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            bad(i, {}, "target", "not a table", "each [[target]] must be a table")
            continue
        for f in REQUIRED_FIELDS:
            if f not in row or row[f] in ("", None):
                bad(i, row, f, "required", f"field '{f}' is missing")
        for f in row:
            if f not in REQUIRED_FIELDS and f not in OPTIONAL_FIELDS:
                bad(i, row, f, "unknown field", f"unknown field '{f}' (known: "
                    f"{', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)})")
        tid = row.get("id")
        if isinstance(tid, str) and tid:
            if tid in seen:
                bad(i, row, "id", "duplicate id", f"id '{tid}' is used twice")
            seen.add(tid)
        lever = row.get("lever")
        if lever not in (None, "") and lever not in levers:
            bad(i, row, "lever", "unknown lever",
                f"unknown lever {lever!r} (known: {', '.join(levers)})")
        metric = METRICS.get(row.get("metric")) if isinstance(row.get("metric"), str) else None
        if row.get("metric") not in (None, "") and metric is None:
            bad(i, row, "metric", "unknown metric",
                f"unknown metric {row.get('metric')!r} (known: {', '.join(sorted(METRICS))})")
        if row.get("direction") not in (None, "") and row.get("direction") not in DIRECTIONS:
            bad(i, row, "direction", "unknown direction",
                f"unknown direction {row.get('direction')!r} (known: {' '.join(DIRECTIONS)})")
        unit = row.get("unit")
        if unit not in (None, ""):
            if unit not in UNITS:
                bad(i, row, "unit", "unknown unit",
                    f"unknown unit {unit!r} (known: {', '.join(UNITS)})")
            elif metric is not None and unit != metric.unit:
                bad(i, row, "unit", "unit of the metric",
                    f"unit {unit!r} but metric {metric.name!r} is measured in {metric.unit!r}")
        value = row.get("value")
        if value not in (None, ""):
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not np.isfinite(value):
                bad(i, row, "value", "number", f"value {value!r} is not a finite number")
            elif unit == "rate" and not 0 < value <= 1:
                bad(i, row, "value", "rate in (0, 1]",
                    f"rate {value!r} must be a fraction in (0, 1] (0.75 = 75 %)")
            elif value < 0:
                bad(i, row, "value", "non-negative", f"value {value!r} is negative")
        deadline = row.get("deadline")
        if deadline not in (None, ""):
            if not isinstance(deadline, str) or not QUARTER_RE.match(deadline):
                bad(i, row, "deadline", "unknown deadline",
                    f"deadline {deadline!r} is not a quarter YYYYQn (e.g. 2010Q4)")
            else:
                as_of = row.get("as_of", "")
                if as_of not in ("", None):
                    if not isinstance(as_of, str) or not MONTH_RE.match(as_of):
                        bad(i, row, "as_of", "month", f"as_of {as_of!r} is not a month YYYY-MM")
                    elif pd.Period(as_of, freq="M").asfreq("Q") != parse_quarter(deadline):
                        bad(i, row, "as_of", "inside the deadline quarter",
                            f"as_of {as_of} is not a month of the deadline {deadline}")
        for f in ("source", "label_zh", "label_en", "note", "id"):
            if f in row and not isinstance(row[f], str):
                bad(i, row, f, "text", f"field '{f}' must be text")
    return out


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the 139 targets, one row per target.

    Parameters
    ----------
    path : str or Path, optional
        A targets file in the layout of the shipped ``resources/targets.toml``
        (default: the shipped file).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TARGET_FIELDS` (``id, lever, metric, direction, value, unit,
        deadline, source, note, label_zh, label_en, as_of``) in file order; ``note`` and
        ``as_of`` are ``""`` when absent.

    Raises
    ------
    DataError
        Not valid TOML, no ``[[target]]`` tables, or any target with a missing or unknown
        field, an unknown lever, metric, unit, direction or deadline, a unit other than its
        metric's, a duplicate id or a rate outside (0, 1]. The message names every
        offending target; ``problems`` lists them (``file, column, rule, rows, target``).
    """
    if path is None:
        file = "targets.toml"
        text = resources.files("gotone_analysis").joinpath("resources/targets.toml").read_text(
            encoding="utf-8")
    else:
        file = Path(path).name
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{file}: cannot read the targets file ({exc})",
                            [{"file": file, "column": None, "rule": "unreadable file",
                              "count": 1, "rows": []}]) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{file}: not valid TOML ({exc})",
                        [{"file": file, "column": None, "rule": "toml", "count": 1,
                          "rows": []}]) from None
    rows = doc.get("target")
    if not isinstance(rows, list) or not rows:
        raise DataError(f"{file}: no [[target]] tables",
                        [{"file": file, "column": "target", "rule": "required", "count": 1,
                          "rows": []}])
    problems = _problems(rows, file)
    if problems:
        lines = "\n".join(f"  - {p['message']}" for p in problems)
        raise DataError(f"{file}: {len(problems)} problem(s) in the targets:\n{lines}",
                        problems)
    df = pd.DataFrame([{c: r.get(c, "") for c in TARGET_FIELDS} for r in rows],
                      columns=list(TARGET_FIELDS))
    df["value"] = df["value"].astype("float64")
    return df


@cache
def targets() -> pd.DataFrame:
    """The 139 targets as a table, one row per target.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, lever, metric, direction, value, unit, deadline, source, note,
        label_zh, label_en, as_of``, read from the shipped ``resources/targets.toml`` and
        validated by :func:`load_targets` (read once per process).
    """
    return load_targets()
