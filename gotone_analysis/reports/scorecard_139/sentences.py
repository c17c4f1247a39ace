"""Sentences of the 139 scorecard report, built from its tables and never beyond them.

Every sentence states a target's status in the words of that status and quotes the
numbers it rests on: "on track" only where the projection's whole interval clears the
target (or, for a target at the end of its scale, the projection reaches it), "at risk"
where the interval straddles it, and so on (:data:`.status.STATUS_RULES`).
An inconclusive target says why: a survey actual whose interval holds the target (within
sampling error), or a city target apportioned by the suite that the actual is within the
tolerance of. Every word comes from the catalog section
:mod:`gotone_analysis.reports.scorecard_139.catalog`.

Each sentence is made as a claim of the ledger (:class:`gotone_analysis.findings.Claim`),
naming the metric keys of the scorecard's headline it rests on (a target's
``<id>_status``, ``_actual``, ``_target``, ``_projected``; the status counts; the status
changes); a narrative given ``claims=`` appends them to it. The notes under the tables
(the status rules, where the city targets come from) are not findings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import labels
from ...config import PROVINCE
from ...findings import Claim, qualified
from ...policy import APPORTIONED_TOLERANCE
from .actuals import ACTUAL_LEVEL, period_end
from .projection import LEVEL
from .status import STATUSES, at_scale_end
from .view import format_interval, format_value

__all__ = ["scorecard_narrative", "target_sentence", "changes_narrative", "cities_narrative",
           "contributions_narrative", "table_note"]

_REPORT = "scorecard_139"


def _target_keys(target_id: str) -> tuple[str, ...]:
    return qualified(_REPORT, *(f"{target_id}_{k}" for k in ("status", "actual", "target",
                                                             "projected")))


def _said(claims: list[Claim] | None, said: list[Claim]) -> None:
    if claims is not None:
        claims.extend(said)


#: The order in which the narrative goes through the statuses: problems first.
NARRATIVE_ORDER: tuple[str, ...] = ("missed", "off_track", "at_risk", "inconclusive",
                                     "on_track", "met")


def _deadline_text(row) -> str:
    d = str(row["deadline"])
    return d[d.index("(") + 1:d.index(")")] if "(" in d else d


def _survey_interval(row) -> bool:
    """Whether the row's actual has a (survey) interval, not a KPI value's point."""
    lo, hi = row["actual_low"], row["actual_high"]
    return bool(pd.notna(lo) and pd.notna(hi) and hi > lo)


def target_sentence(row, lang: str = "zh", *, quarter: str | None = None,
                    level: float = LEVEL) -> str:
    """The sentence on one target of a scorecard, in the words of its status.

    Parameters
    ----------
    row : mapping
        A row of :attr:`.tables.ScorecardReport.targets` (a scorecard
        row with ``unit`` and ``deadline_month``).
    lang : {"zh", "en"}
        Language.
    quarter : str, optional
        The quarter (or month ``YYYY-MM``) scored: a ``met`` target whose deadline is
        after its end is said to be met early (a year-to-date count).
    level : float
        Coverage of the projection interval, for the text.

    Returns
    -------
    str
        Markdown; empty for a ``not_measurable`` target. An ``inconclusive`` target
        quotes the survey interval that holds its target, or (no interval: a KPI count)
        the tolerance of its apportioned city target. A survey actual of a monthly
        scorecard (a row with a ``wave``) names the wave it comes from.
    """
    st = row["status"]
    if st == "not_measurable":
        return ""
    unit = row["unit"]
    fields = dict(label=labels.plain(row["label"]), deadline=_deadline_text(row),
                  actual=format_value(row["actual"], unit, lang=lang),
                  target=format_value(row["target"], unit, lang=lang),
                  gap=format_value(row["gap"], unit, signed=True, lang=lang),
                  projected=format_value(row["projected"], unit, lang=lang),
                  interval=format_interval(row["projected_low"], row["projected_high"], unit,
                                           lang=lang),
                  level=labels.level_text(level), actual_level=labels.level_text(ACTUAL_LEVEL),
                  actual_interval=format_interval(row["actual_low"], row["actual_high"], unit,
                                                  lang=lang),
                  tolerance=f"{APPORTIONED_TOLERANCE:.0%}")
    wave = row.get("wave", "") if hasattr(row, "get") else ""
    if isinstance(wave, str) and wave:
        return (_status_sentence(row, st, unit, fields, quarter, lang)
                + ("" if lang == "zh" else " ")
                + labels.text("scorecard.narrative.wave_note", lang, wave=wave))
    return _status_sentence(row, st, unit, fields, quarter, lang)


def _status_sentence(row, st: str, unit: str, fields: dict, quarter: str | None,
                     lang: str) -> str:
    key = f"scorecard.narrative.{st}"
    if st == "met" and quarter is not None:
        qend = period_end(quarter)
        if pd.Period(row["deadline_month"], freq="M") > qend:
            key = "scorecard.narrative.met_early"
    elif st == "on_track" and at_scale_end(direction=row["direction"], target=row["target"],
                                           unit=unit):
        key = "scorecard.narrative.on_track_end"
    elif st == "at_risk" and not np.isfinite(float(row["projected"])):
        key = "scorecard.narrative.at_risk_none"
    elif st == "at_risk" and at_scale_end(direction=row["direction"], target=row["target"],
                                          unit=unit):
        key = "scorecard.narrative.at_risk_end"
    elif st == "inconclusive" and not _survey_interval(row):
        key = "scorecard.narrative.inconclusive_apportioned"
    return labels.text(key, lang, **fields)


def scorecard_narrative(targets: pd.DataFrame, lang: str = "zh", *, quarter: str,
                        scope_label: str, level: float = LEVEL,
                        claims: list[Claim] | None = None) -> str:
    """The short narrative of a scorecard: counts by status, then the targets that matter.

    Parameters
    ----------
    targets : DataFrame
        :attr:`.tables.ScorecardReport.targets`.
    lang : {"zh", "en"}
        Language.
    quarter : str
        The quarter scored.
    scope_label : str
        The scope's name in ``lang``.
    level : float
        Coverage of the projection intervals.
    claims : list, optional
        The sentences are appended to it as claims of the ledger.

    Returns
    -------
    str
        Markdown: one sentence of counts (all targets, and of them the measurable ones,
        the base of every "k of n" elsewhere on the page); one bullet for every target
        missed, off track,
        at risk, inconclusive or on track (in that order); the met targets in one line;
        the targets that cannot be measured.
    """
    counts = targets["status"].value_counts()
    sep = labels.text("scorecard.narrative.sep", lang)
    parts = [labels.text("scorecard.narrative.count_part", lang, k=int(counts[s]),
                         status=labels.text(f"scorecard.status.{s}", lang))
             for s in STATUSES if counts.get(s, 0)]
    measurable = len(targets) - int(counts.get("not_measurable", 0))
    counts_claim = Claim("status_counts", labels.text(
        "scorecard.narrative.counts", lang, quarter=quarter, scope=scope_label,
        n=len(targets), m=measurable, parts=sep.join(parts)),
        qualified(_REPORT, "targets", *(f"status_{s}" for s in STATUSES if counts.get(s, 0))),
        "level", "status_rule")
    said = [counts_claim]
    lines = [counts_claim.sentence, ""]
    met_plain, met_ids = [], []
    for st in NARRATIVE_ORDER:
        for _, row in targets.loc[targets["status"] == st].iterrows():
            if st == "met":
                met_plain.append(labels.plain(row["label"]))
                met_ids.append(str(row["target_id"]))
                continue
            said.append(Claim(f"target_{st}", target_sentence(row, lang, quarter=quarter,
                                                               level=level),
                              _target_keys(str(row["target_id"])), "level", "status_rule"))
            lines.append("- " + said[-1].sentence)
    if met_plain:
        said.append(Claim("targets_met", labels.text("scorecard.narrative.met_list", lang,
                                                     labels=sep.join(met_plain)),
                          qualified(_REPORT, *(f"{t}_status" for t in met_ids)), "level",
                          "status_rule"))
        lines.append("- " + said[-1].sentence)
    unmeasured = targets.loc[targets["status"] == "not_measurable"]
    nm = [labels.plain(v) for v in unmeasured["label"]]
    if nm:
        said.append(Claim("not_measurable", labels.text(
            "scorecard.narrative.not_measurable", lang, k=len(nm), labels=sep.join(nm)),
            qualified(_REPORT, *(f"{t}_status" for t in unmeasured["target_id"])), "none",
            "status_rule"))
        lines.append("")
        lines.append(said[-1].sentence)
    _said(claims, said)
    return "\n".join(lines)


def changes_narrative(changes: pd.DataFrame | None, lang: str = "zh", *, what: str,
                      claims: list[Claim] | None = None) -> str:
    """What changed in status since the comparison quarter, like with like.

    Parameters
    ----------
    changes : DataFrame or None
        :func:`.status.status_changes`.
    lang : {"zh", "en"}
        Language.
    what : str
        How the comparison is named (e.g. ``P.compare_label``).
    claims : list, optional
        The sentences are appended to it as claims of the ledger.

    Returns
    -------
    str
        Markdown: one sentence counting the targets whose status changed, then one bullet
        a kind of change (``direction_of_change``: worse, better, now final -- a forecast
        that became a verdict, never called better or worse --, and changes without a
        real move), each naming its targets with both statuses; or that none changed.
    """
    counted = qualified(_REPORT, "changed_better", "changed_worse", "changed_final")
    if changes is None or not changes["changed"].any():
        text = labels.text("scorecard.narrative.no_changes", lang, what=what)
        _said(claims, [Claim("no_status_changes", text, () if changes is None else counted,
                             "none", "status_rule")])
        return text
    rows = changes.loc[changes["changed"]]
    sep = labels.text("scorecard.narrative.list_sep", lang)
    said = [Claim("status_changes", labels.text("scorecard.narrative.changes", lang, what=what,
                                                k=len(rows)), counted, "level", "status_rule")]
    lines = [said[0].sentence, ""]
    for way in ("worse", "better", "final", "same"):
        group = rows.loc[rows["direction_of_change"] == way]
        if group.empty:
            continue
        items = [labels.text("scorecard.narrative.change_item", lang,
                             label=labels.plain(r["label"]),
                             before=labels.text(f"scorecard.status.{r['status_ref']}", lang),
                             after=labels.text(f"scorecard.status.{r['status']}", lang))
                 for _, r in group.iterrows()]
        said.append(Claim(f"changes_{way}", labels.text(
            f"scorecard.narrative.changes.{way}", lang, k=len(items), items=sep.join(items)),
            qualified(_REPORT, *([f"changed_{way}"] if way != "same" else []),
                      *(f"{t}_status" for t in group["target_id"])), "level", "status_rule"))
        lines.append("- " + said[-1].sentence)
    _said(claims, said)
    return "\n".join(lines)


def cities_narrative(attainment: pd.DataFrame | None, lang: str = "zh", *, top: int = 3,
                     claims: list[Claim] | None = None) -> str:
    """Which cities are behind: the most targets missed or off track.

    Parameters
    ----------
    attainment : DataFrame or None
        :func:`.status.attainment` of the city scorecards.
    lang : {"zh", "en"}
        Language.
    top : int
        How many cities to name (ties with the last one named are named too).
    claims : list, optional
        The sentence is appended to it as a claim of the ledger (the city scorecards'
        numbers are in their own scopes' metrics: it names no key).

    Returns
    -------
    str
        With several cities, one sentence with each city's count of targets missed or off
        track out of its measurable targets, most first. With one scope (a city's own
        report) no ranking: the city's count of its measurable targets missed or off track,
        and how many of all its targets cannot be measured (so that the counts agree with
        the page's "n targets (m measurable)"). Empty without a table.
    """
    if attainment is None or attainment.empty:
        return ""
    by = attainment.groupby("scope", sort=False)[["missed", "off_track", "measurable"]].sum()
    by["behind"] = by["missed"] + by["off_track"]
    if len(by) == 1:
        return _one_city(attainment, by, lang)
    by = by.loc[by["behind"] > 0].sort_values("behind", ascending=False, kind="stable")
    if by.empty:
        text = labels.text("scorecard.narrative.cities_none", lang)
        _said(claims, [Claim("cities_none", text, (), "level", "status_rule")])
        return text
    cut = by["behind"].iloc[min(top, len(by)) - 1]
    named = by.loc[by["behind"] >= cut]
    items = [labels.text("scorecard.narrative.city_item", lang,
                         city=labels.code_label(city, lang), k=int(r["behind"]),
                         n=int(r["measurable"])) for city, r in named.iterrows()]
    text = labels.text("scorecard.narrative.cities_behind", lang,
                       items=labels.text("scorecard.narrative.list_sep", lang).join(items))
    _said(claims, [Claim("cities_behind", text, (), "level", "status_rule")])
    return text


def _one_city(attainment: pd.DataFrame, by: pd.DataFrame, lang: str) -> str:
    """The counts of one scope's own targets: behind out of measurable, and unmeasured."""
    city, r = next(iter(by.iterrows()))
    fields = dict(city=labels.code_label(city, lang), k=int(r["behind"]),
                  n=int(r["measurable"]))
    key = "scorecard.narrative.city_own" if r["behind"] else "scorecard.narrative.city_own_none"
    text = labels.text(key, lang, **fields)
    total = int(attainment["targets"].sum()) if "targets" in attainment else int(r["measurable"])
    if total > r["measurable"]:
        text += (" " if lang == "en" else "") + labels.text(
            "scorecard.narrative.city_unmeasured", lang, k=total - int(r["measurable"]),
            total=total)
    return text


def table_note(scope: str, lang: str = "zh", *, level: float = LEVEL) -> str:
    """The note under the scorecard table: the status rules, and for a city its targets.

    Parameters
    ----------
    scope : str
        ``province`` or a city code.
    lang : {"zh", "en"}
        Language.
    level : float
        Coverage of the projection intervals.

    Returns
    -------
    str
        The rules in brief; for a city also how its targets derive from the province's
        and the tolerance they are judged at.
    """
    note = labels.text("scorecard.note.rules", lang, level=labels.level_text(level))
    if scope != PROVINCE:
        note += (" " if lang == "en" else "") + labels.text(
            "scorecard.note.city_targets", lang, tolerance=f"{APPORTIONED_TOLERANCE:.0%}")
    return note


#: Statuses whose province gap the narrative traces to the cities.
BEHIND: tuple[str, ...] = ("missed", "off_track", "at_risk")


def contributions_narrative(contributions: pd.DataFrame | None, targets: pd.DataFrame,
                            lang: str = "zh", *, top: int = 3,
                            claims: list[Claim] | None = None) -> str:
    """Where the province gaps come from: the cities adding most to each gap.

    Parameters
    ----------
    contributions : DataFrame or None
        :func:`gotone_analysis.reports.scorecard_139.tables.contributions` (None in a city's report).
    targets : DataFrame
        :attr:`.tables.ScorecardReport.targets` of the province.
    lang : {"zh", "en"}
        Language.
    top : int
        Cities named a target.
    claims : list, optional
        The sentences are appended to it as claims of the ledger (not the note under
        them).

    Returns
    -------
    str
        Markdown, one bullet for every province target missed, off track or at risk whose
        actual is now on the wrong side of its target, naming the cities whose
        contributions point the same way, largest first, with their contribution in the
        target's unit; empty without contributions.
    """
    if contributions is None:
        return ""
    said = []
    for _, t in targets.loc[targets["status"].isin(BEHIND)].iterrows():
        below = t["direction"] in (">=", ">")
        gap = float(t["gap"])
        if not np.isfinite(gap) or (gap >= 0 if below else gap <= 0):
            continue
        c = contributions.loc[contributions["target_id"] == t["target_id"]]
        c = c.loc[c["contribution"] < 0] if below else c.loc[c["contribution"] > 0]
        c = c.sort_values("contribution", ascending=below).head(top)
        if c.empty:
            continue
        items = [labels.text("scorecard.narrative.contribution_item", lang,
                             city=labels.code_label(r["scope"], lang),
                             value=format_value(r["contribution"], t["unit"], signed=True,
                                                lang=lang))
                 for _, r in c.iterrows()]
        said.append(Claim("gap_contributions", labels.text(
            "scorecard.narrative.contributions", lang, label=labels.plain(t["label"]),
            gap=format_value(gap, t["unit"], signed=True, lang=lang),
            items=labels.text("scorecard.narrative.sep", lang).join(items)),
            _target_keys(str(t["target_id"])), "level", "status_rule"))
    if not said:
        text = labels.text("scorecard.narrative.contributions_none", lang)
        _said(claims, [Claim("contributions_none", text, (), "level", "status_rule")])
        return text
    _said(claims, said)
    return "\n".join([*("- " + c.sentence for c in said), "",
                      labels.text("scorecard.note.contributions", lang)])
