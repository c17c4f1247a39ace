"""Sentences of the monthly summary, each made as a claim of the ledger.

Every sentence comes from :class:`.tables.MonthlySummary` and never says more than it
holds (the rules are in :mod:`.tables`): a KPI move as it is (``census_count``), a
milestone in the words of the scorecard's status (``status_rule``), a status change as
the scorecard compared it, like with like. Every word comes from the catalog
(:mod:`.catalog`, and the scorecard's status words).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import labels
from ...findings import Claim, direction_of, qualified
from ..scorecard_139.view import format_value
from .tables import REPORT, MonthlySummary

__all__ = ["KEY_KINDS", "KEY_POINTS", "monthly_sentences", "kpi_sentences",
           "milestone_sentences", "change_sentences", "label_of", "key_points",
           "headline_frame"]

#: Most sentences among the key points of the first screen.
KEY_POINTS = 5
#: The kinds of claim the key points are chosen from, in this order.
KEY_KINDS: tuple[str, ...] = ("milestone_judged", "changes_worse", "changes_final",
                              "milestone_attention", "changes_better", "status_changes",
                              "milestone_due")
#: Forecasts of a milestone that needs attention (a key point before the others).
_ATTENTION: tuple[str, ...] = ("off_track", "at_risk")

_SCORECARD = "scorecard_139"
#: The smallest change a unit shows (a rate to 0.1 percentage point, a count to one).
_SMALLEST: dict[str, float] = {"rate": 0.001, "score": 0.1}


def label_of(row, lang: str) -> str:
    """A target's or metric's label in ``lang``, safe to print (:func:`labels.plain`)."""
    return labels.plain(row["label_zh"] if lang == "zh" else row["label_en"])


def _magnitude(value: float, unit: str, lang: str) -> str:
    """The size of a change, unsigned (rates in percentage points)."""
    return format_value(abs(value), unit, signed=True, lang=lang).lstrip("+")


def kpi_sentences(S: MonthlySummary, lang: str, *, what: str) -> list[Claim]:
    """What moved on the KPI side since the comparison month.

    Returns
    -------
    list of Claim
        One claim a metric that moved (``kpi_moved``, up or down, rule ``census_count``),
        then the unchanged ones together (``kpi_unchanged``), the year-to-date counts not
        compared across a January (``kpi_not_compared``), or that the comparison month has
        no counts (``kpi_no_comparison``).
    """
    t = labels.text
    moves = S.moves
    if moves.empty or moves["previous"].isna().all():
        return [Claim("kpi_no_comparison", t("monthly.kpi_no_comparison", lang, what=what,
                                             month=S.compare_to), (), "none", "no_comparison")]
    out = []
    for _, r in moves.loc[moves["comparable"] & (moves["change"] != 0)].iterrows():
        change = float(r["change"])
        key = "monthly.kpi_up" if change > 0 else "monthly.kpi_down"
        size = _magnitude(change, r["unit"], lang)
        if not any(ch in "123456789" for ch in size):  # rounds to zero where it is shown
            key += "_small"
            size = _magnitude(_SMALLEST.get(r["unit"], 1.0), r["unit"], lang)
        out.append(Claim("kpi_moved", t(key, lang, label=label_of(r, lang), what=what,
                                        previous=format_value(r["previous"], r["unit"],
                                                              lang=lang),
                                        actual=format_value(r["actual"], r["unit"], lang=lang),
                                        change=size),
                         qualified(REPORT, *(f"kpi_{r['metric']}_{k}"
                                             for k in ("change", "actual", "previous"))),
                         direction_of(change), "census_count"))
    sep = t("scorecard.narrative.sep", lang)
    same = moves.loc[moves["comparable"] & (moves["change"] == 0)]
    if len(same):
        out.append(Claim("kpi_unchanged", t("monthly.kpi_unchanged", lang, what=what,
                                            labels=sep.join(label_of(r, lang)
                                                            for _, r in same.iterrows())),
                         qualified(REPORT, *(f"kpi_{m}_change" for m in same["metric"])),
                         "none", "census_count"))
    apart = moves.loc[~moves["comparable"] & moves["actual"].notna()
                      & moves["previous"].notna()]
    if len(apart):
        out.append(Claim("kpi_not_compared", t("monthly.kpi_restart", lang, what=what,
                                               labels=sep.join(label_of(r, lang)
                                                               for _, r in apart.iterrows())),
                         qualified(REPORT, *(f"kpi_{m}_actual" for m in apart["metric"])),
                         "none", "no_comparison"))
    return out


def milestone_sentences(S: MonthlySummary, lang: str) -> list[Claim]:
    """The milestones judged at the month's end, then those due in the next months.

    Returns
    -------
    list of Claim
        ``milestone_judged`` (a verdict), ``milestone_attention`` (a forecast at risk or
        off track), ``milestone_due`` (another forecast) or ``milestone_not_measurable``,
        in the scorecard's status words, naming the survey wave of a survey actual; or
        ``milestones_none``.
    """
    t = labels.text
    if S.due.empty:
        return [Claim("milestones_none", t("monthly.due_none", lang), (), "none",
                      "status_rule")]
    out = []
    for _, r in S.due.iterrows():
        st = str(r["status"])
        fields = dict(label=label_of(r, lang), deadline=r["deadline_month"],
                      actual=format_value(r["actual"], r["unit"], lang=lang),
                      target=format_value(r["target"], r["unit"], lang=lang),
                      projected=format_value(r["projected"], r["unit"], lang=lang),
                      status=t(f"scorecard.status.{st}", lang))
        keys = [f"{r['target_id']}_status"]
        if st == "not_measurable":
            text, way = t("monthly.due_not_measurable", lang, **fields), "none"
        elif r["due"] == "this_month" or not np.isfinite(float(r["projected"])):
            text, way = t("monthly.due_verdict", lang, **fields), "level"
            keys += [f"{r['target_id']}_actual", f"{r['target_id']}_target"]
        else:
            text, way = t("monthly.due_forecast", lang, **fields), "level"
            keys += [f"{r['target_id']}_{k}" for k in ("actual", "target", "projected")]
        if isinstance(r["wave"], str) and r["wave"] and st != "not_measurable":
            text += ("" if lang == "zh" else " ") + t("scorecard.narrative.wave_note", lang,
                                                      wave=r["wave"])
        kind = ("milestone_not_measurable" if st == "not_measurable"
                else "milestone_judged" if r["due"] == "this_month"
                else "milestone_attention" if st in _ATTENTION else "milestone_due")
        out.append(Claim(kind, text, qualified(_SCORECARD, *keys), way, "status_rule"))
    return out


def change_sentences(S: MonthlySummary, lang: str, *, what: str) -> list[Claim]:
    """The status changes since the comparison month, as the scorecard compared them.

    Returns
    -------
    list of Claim
        ``status_changes`` (how many), then one claim a kind of change (worse, better,
        now final, no real change), in the scorecard's words; or ``no_status_changes``.
    """
    t = labels.text
    counted = qualified(_SCORECARD, "changed_better", "changed_worse", "changed_final")
    if S.changes.empty:
        keys = counted if "changed_better" in S.scorecard else ()
        return [Claim("no_status_changes", t("scorecard.narrative.no_changes", lang,
                                             what=what), keys, "none", "status_rule")]
    out = [Claim("status_changes", t("scorecard.narrative.changes", lang, what=what,
                                     k=len(S.changes)).rstrip("：:"), counted, "level",
                 "status_rule")]
    sep = t("scorecard.narrative.list_sep", lang)
    for way in ("worse", "better", "final", "same"):
        group = S.changes.loc[S.changes["direction_of_change"] == way]
        if group.empty:
            continue
        items = [t("scorecard.narrative.change_item", lang, label=label_of(r, lang),
                   before=t(f"scorecard.status.{r['status_previous']}", lang),
                   after=t(f"scorecard.status.{r['status']}", lang))
                 for _, r in group.iterrows()]
        keys = [*([f"changed_{way}"] if way != "same" else []),
                *(f"{i}_status" for i in group["target_id"]),
                *(f"{i}_status_previous" for i in group["target_id"])]
        out.append(Claim(f"changes_{way}", t(f"scorecard.narrative.changes.{way}", lang,
                                             k=len(items), items=sep.join(items)),
                         qualified(_SCORECARD, *keys), "level", "status_rule"))
    return out


def monthly_sentences(S: MonthlySummary, lang: str = "zh", *, what: str) -> list[Claim]:
    """Every sentence of the monthly summary, in page order: milestones, status changes,
    KPI moves.

    Parameters
    ----------
    S : MonthlySummary
        :func:`.tables.monthly_tables`.
    lang : {"zh", "en"}
        Language.
    what : str
        How the comparison month is named (``P.compare_label``, e.g. 上月).

    Returns
    -------
    list of Claim
    """
    return [*milestone_sentences(S, lang), *change_sentences(S, lang, what=what),
            *kpi_sentences(S, lang, what=what)]


def key_points(claims: list[Claim], limit: int = KEY_POINTS) -> tuple[list[Claim], list[Claim]]:
    """The first screen's key points (at most ``limit``, :data:`KEY_KINDS` in order) and
    the rest, each in page order.

    Returns
    -------
    tuple of list
    """
    ranked = sorted(range(len(claims)),
                    key=lambda i: (KEY_KINDS.index(claims[i].kind)
                                   if claims[i].kind in KEY_KINDS else len(KEY_KINDS), i))
    chosen = {i for i in ranked[:limit] if claims[i].kind in KEY_KINDS}
    return ([c for i, c in enumerate(claims) if i in chosen],
            [c for i, c in enumerate(claims) if i not in chosen])


def headline_frame(S: MonthlySummary) -> pd.DataFrame:
    """The first screen's numbers: :data:`.tables.HEADLINE_METRICS` with their change and
    the year's target (the metric's target with the latest deadline) as the scorecard
    published it.

    Returns
    -------
    DataFrame
        ``metric, label_zh, label_en, unit, actual, change, target, status``.
    """
    from ...targets import deadline_month
    from ...targets import targets as shipped_targets
    from .tables import HEADLINE_METRICS

    tg = shipped_targets()
    rows = []
    for metric in HEADLINE_METRICS:
        m = S.moves.loc[S.moves["metric"] == metric]
        on = tg.loc[tg["metric"] == metric]
        if m.empty or on.empty:
            continue
        r = m.iloc[0]
        # the year's target: the latest deadline among the metric's targets
        due = [deadline_month(d, a) for d, a in zip(on["deadline"], on["as_of"], strict=True)]
        tid = on["id"].iloc[max(range(len(due)), key=lambda i: (due[i], -i))]
        rows.append({"metric": metric, "label_zh": r["label_zh"], "label_en": r["label_en"],
                     "unit": r["unit"], "actual": r["actual"], "change": r["change"],
                     "target": S.scorecard.get(f"{tid}_target"),
                     "status": S.scorecard.get(f"{tid}_status")})
    return pd.DataFrame(rows, columns=["metric", "label_zh", "label_en", "unit", "actual",
                                       "change", "target", "status"])
