"""The 139 scorecard as a reader sees it: formatted values, intervals, status colours, the
reader table.

* :func:`format_value`, :func:`format_interval`, :data:`DIRECTION_SIGNS` -- values in
  their units, directions as signs;
* :data:`STATUS_COLORS`, :data:`LIGHT_COLORS` -- the colours of the statuses and of the
  levers' traffic lights;
* :func:`reader_table` -- the reader copy of a scorecard table (values in their units,
  statuses in words and colours);
* :func:`rules_table` -- the status rules as readers read them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ...policy import APPORTIONED_TOLERANCE, DEFAULT_LEVEL
from .projection import LEVEL
from .status import STATUS_RULES, STATUSES, finite_or_none

__all__ = [
    "DIRECTION_SIGNS",
    "STATUS_COLORS",
    "LIGHT_COLORS",
    "format_value",
    "format_interval",
    "reader_table",
    "rules_table",
]

#: How a target's direction is written for readers.
DIRECTION_SIGNS: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def format_value(value: object, unit: str, *, signed: bool = False, lang: str = "zh") -> str:
    """A target's value as readers see it.

    Parameters
    ----------
    value : float
        In the target's unit (rates as fractions).
    unit : str
        :data:`gotone_analysis.targets.UNITS`.
    signed : bool
        Show the sign (for gaps and changes).
    lang : {"zh", "en"}
        Language of the units (percentage points, large counts).

    Returns
    -------
    str
        Rates in per cent with one decimal (``"74.2%"``; signed: percentage points,
        ``"-0.8 个百分点"``, ``"-0.8 pp"``), scores with one decimal, counts with thousands
        separators and from a million on in 万/亿 or millions/billions
        (:func:`gotone_analysis.tables.count_text`), ranks as integers; never a negative
        zero; ``"—"`` for a missing value.
    """
    from ... import tables

    v = finite_or_none(value)
    if v is None:
        return tables.DASH
    if unit == "rate":  # a difference of rates is in percentage points
        return (tables.percentage_points_text(v, lang) if signed
                else f"{tables.number_text(v * 100, 1)}%")
    if unit == "score":
        return tables.number_text(v, 1, signed=signed)
    if unit == "rank":
        return tables.number_text(v, 0, signed=signed)
    return tables.count_text(v, lang, signed=signed)


def format_interval(low: object, high: object, unit: str, *, lang: str = "zh") -> str:
    """An interval as ``[low, high]`` in the target's unit (:func:`format_value`).

    Returns
    -------
    str
        ``"—"`` when either end is missing.
    """
    if finite_or_none(low) is None or finite_or_none(high) is None:
        return "—"
    return f"[{format_value(low, unit, lang=lang)}, {format_value(high, unit, lang=lang)}]"


#: Reader colours of the statuses (text of the status cells, traffic lights).
STATUS_COLORS: dict[str, str] = {
    "met": "#2e7d32", "on_track": "#66bb6a", "inconclusive": "#3f51b5", "at_risk": "#f9a825",
    "off_track": "#e53935", "missed": "#b71c1c", "not_measurable": "#9e9e9e",
}
#: Colour of each traffic light of :func:`lever_summary` (blue: inconclusive, neither met
#: nor missed).
LIGHT_COLORS: dict[str, str] = {"green": "#2e7d32", "amber": "#f9a825", "blue": "#3f51b5",
                                "red": "#c62828", "grey": "#9e9e9e"}


def light_css(page_class: str) -> str:
    """CSS of the row of lever lights inside ``.<page_class>``: the chips
    (``<ul class="levers"><li>``), the dots (``<span class="light light-<colour>">``)
    coloured as the scorecard draws them (:data:`LIGHT_COLORS`). Every page showing
    lever lights takes them from here."""
    c = f".{page_class}"
    return (f"{c} .levers{{display:flex;flex-wrap:wrap;gap:4px 6px;margin:2px 0 8px;padding:0}}\n"
            f"{c} .levers li{{list-style:none;border:1px solid #d0d4da;border-radius:12px;\n"
            " padding:1px 8px;margin:0;font-size:12px;white-space:nowrap}\n"
            f"{c} .light{{display:inline-block;width:10px;height:10px;border-radius:5px;\n"
            " margin-right:5px;vertical-align:middle}\n"
            + "".join(f"{c} .light-{name}{{background:{colour}}}\n"
                      for name, colour in LIGHT_COLORS.items()))


_READER_COLUMNS = ("lever", "label", "target", "deadline", "actual", "actual_ci", "projected",
                   "projected_pi", "status")


def reader_table(table: pd.DataFrame, *, lang: str = "zh", columns: Sequence[str] | None = None,
                 level: float = LEVEL, note: str = ""):
    """A reader copy of a scorecard table: labels, values in their units, statuses coloured.

    Parameters
    ----------
    table : DataFrame
        :attr:`.tables.ScorecardReport.targets` (a scorecard with ``unit``), the
        ``changes`` of a :class:`.tables.ScorecardReport`, or a city scorecard with
        ``unit``.
    lang : {"zh", "en"}
        Language.
    columns : sequence of str, optional
        Columns to show; besides the table's own, ``actual_ci`` (the survey interval of
        the actual), ``projected_pi`` (the projection's interval) and ``target`` (with its
        direction). Default: lever, label, target, deadline, actual, its interval,
        projection, its interval, status. A table with a ``wave`` column (a monthly
        scorecard) shows a survey actual with the wave it comes from.
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
    status_text = {labels.text(f"scorecard.status.{s}", lang): s for s in STATUSES}

    def values(c: str, signed: bool = False):
        return lambda t, lang: [format_value(v, u, signed=signed, lang=lang)
                                for v, u in zip(t[c], units, strict=True)]

    def actuals(t, lang):
        """The actual in its unit; a survey actual of a monthly scorecard with its wave."""
        cells = values("actual")(t, lang)
        waves = t["wave"] if "wave" in t else [""] * len(cells)
        return [labels.text("scorecard.wave_label", lang, value=c, wave=w)
                if isinstance(w, str) and w else c for c, w in zip(cells, waves, strict=True)]

    def statuses(c: str):
        return lambda t, lang: [labels.text(f"scorecard.status.{s}", lang) for s in t[c]]

    formats = {
        "target": lambda t, lang: [f"{DIRECTION_SIGNS.get(d, d)} {format_value(v, u, lang=lang)}"
                                   for d, v, u in zip(t["direction"], t["target"], units,
                                                      strict=True)],
        "actual": actuals, "projected": values("projected"),
        "actual_ref": values("actual_ref"),
        "gap": values("gap", signed=True), "change": values("change", signed=True),
        "actual_ci": lambda t, lang: [format_interval(lo, hi, u, lang=lang) if lo != hi else "—"
                                      for lo, hi, u in zip(t["actual_low"], t["actual_high"],
                                                           units, strict=True)],
        "projected_pi": lambda t, lang: [format_interval(lo, hi, u, lang=lang) for lo, hi, u in
                                         zip(t["projected_low"], t["projected_high"], units,
                                             strict=True)],
        "status": statuses("status"), "status_ref": statuses("status_ref"),
        "lever": tables.code_cells("lever"), "scope": tables.code_cells("scope"),
        "direction_of_change": tables.catalog_cells("direction_of_change",
                                                    "scorecard.change."),
    }

    def colour(v: object) -> str:
        s = status_text.get(v) if isinstance(v, str) else None
        return f"color: {STATUS_COLORS[s]}; font-weight: bold" if s else ""

    return tables.reader_table(table, cols, lang=lang,
                               formats={c: f for c, f in formats.items() if c in cols},
                               headings=("scorecard.column.", "column."), level=level,
                               note=note, cell_style=colour)


def rules_table(lang: str = "zh", *, level: float = LEVEL):
    """The status rules as readers read them: one row a status, in the order applied.

    The statuses and their order come from
    :data:`~gotone_analysis.reports.scorecard_139.status.STATUS_RULES` (the one statement of
    the rules), each rule's words from the catalog (``scorecard.rule.<status>``).

    Parameters
    ----------
    lang : {"zh", "en"}
        Language.
    level : float
        Coverage of the projection intervals (named in the rules).

    Returns
    -------
    pandas.io.formats.style.Styler
        Columns status (in its colour, :data:`STATUS_COLORS`) and rule, captioned.
    """
    from ... import labels, tables

    rules = pd.DataFrame({"status": list(STATUS_RULES)})
    fields = dict(level=labels.level_text(level), actual_level=labels.level_text(DEFAULT_LEVEL),
                  tolerance=f"{APPORTIONED_TOLERANCE:.0%}")
    status_text = {labels.text(f"scorecard.status.{s}", lang): s for s in STATUS_RULES}
    formats = {
        "status": lambda t, lang: [labels.text(f"scorecard.status.{s}", lang)
                                   for s in t["status"]],
        "rule": lambda t, lang: [labels.text(f"scorecard.rule.{s}", lang, **fields)
                                 for s in t["status"]],
    }

    def colour(v: object) -> str:
        s = status_text.get(v) if isinstance(v, str) else None
        return f"color: {STATUS_COLORS[s]}; font-weight: bold" if s else ""

    return tables.reader_table(rules, ["status", "rule"], lang=lang, formats=formats,
                               headings=("scorecard.column.", "column."),
                               caption=labels.text("scorecard.rules_caption", lang),
                               cell_style=colour)
