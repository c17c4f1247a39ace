"""The summary's words: each finding of :func:`gotone_analysis.reports.summary.tables.findings` as a sentence.

Which statements the numbers support is decided in :mod:`gotone_analysis.reports.summary.tables`;
this module only words them, every word from the catalog (section
``reports/summary/catalog.py``), as claims of the ledger
(:class:`gotone_analysis.findings.Claim`: the sentence with its kind, metric keys,
direction and rule), each with the section of the detailed report that shows the table
or figure it rests on (:data:`SOURCES`, :func:`href`). The page itself is laid out by
:mod:`gotone_analysis.reports.summary.page`. The metric keys stay in the ledger and the
workbook, not in the reader's text.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ... import labels
from ...findings import Claim
from .tables import Finding

__all__ = ["SOURCES", "href", "source_of", "summary_sentences"]

#: Where each kind of finding can be checked: the section (``<report>.<name>`` of
#: :func:`gotone_analysis.labels.section`) of the detailed report showing its table or
#: figure. A survey lever's comparison and a panel lever's ARPU effect have sections of
#: their own (:func:`source_of`).
SOURCES: dict[str, str] = {
    "satisfaction_level": "satisfaction.satisfaction_index_trend",
    "satisfaction_moved": "satisfaction.what_moved",
    "satisfaction_steady": "satisfaction.what_moved",
    "satisfaction_drivers": "satisfaction.what_the_change_is_made_of",
    "satisfaction_segments": "satisfaction.which_segments_explain_the_move",
    "satisfaction_mix": "satisfaction.which_segments_explain_the_move",
    "influence_level": "brand_equity.components_and_their_change",
    "component_moved": "brand_equity.components_and_their_change",
    "care_effect": "program_effects.care_calls_event_study",
    "lever_effect": "program_effects.satisfaction_and_loyalty_survey",
    "no_effect": "program_effects.key_points",
    "effects_family": "program_effects.key_points",
    "targets": "scorecard_139.the_nine_levers_at_a_glance",
    "targets_inconclusive": "scorecard_139.the_nine_levers_at_a_glance",
    "targets_fine": "scorecard_139.the_nine_levers_at_a_glance",
    "targets_worse": "scorecard_139.status_changes",
    "targets_final": "scorecard_139.status_changes",
}



def _t(key: str, lang: str, **fields) -> str:
    return labels.text(f"narrative.summary.{key}", lang, **fields)


def _join(items: Sequence[str], lang: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return _t("list_sep", lang).join(items[:-1]) + _t("list_and", lang) + items[-1]


#: Targets named in the sentence on targets needing attention; the rest are counted.
TARGETS_NAMED = 6


def _outcome(outcome: str, lang: str) -> str:
    key = f"narrative.summary.outcome.{outcome}"
    return labels.text(key, lang) if labels.has(key) else labels.code_label(outcome, lang)


def _effect_value(outcome: str, value: float, lang: str) -> str:
    if outcome == "churn":  # a monthly hazard: percentage points
        return _t("points", lang, value=value * 100)
    if outcome == "arpu":
        return _t("yuan", lang, value=value)
    return _t("score", lang, value=value)


def _level(value: float) -> str:
    return labels.level_text(value)


def _p_text(p: float | None) -> str:
    if p is None or pd.isna(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _abs_value(outcome: str, value: float, lang: str) -> str:
    return _t("yuan_abs" if outcome == "arpu" else "score_abs", lang, value=abs(value))


def _shares(names: Sequence[str], shares: Sequence, direction: str, level: float,
            lang: str) -> str:
    """Names, each with its share of the move and the share's interval when known."""
    items = []
    for name, share in zip(names, shares, strict=True):
        if share is None:
            items.append(name)
        else:
            items.append(_t(f"share.{direction}", lang, name=name, share=share[0], lo=share[1],
                            hi=share[2], level=_level(level)))
    return _join(items, lang)


def _held(codes: Sequence[str] | None, lang: str) -> str:
    if not codes:
        return _t("held_unknown", lang)
    names = [labels.text(f"column.{c}", lang) for c in codes]
    return _join([n.lower() if lang == "en" else n for n in names], lang)


def _word(f: Finding, lang: str) -> str | None:
    k, x = f.kind, f.fields
    if k == "satisfaction_level":
        text = _t("satisfaction_level", lang, estimate=x["estimate"], lo=x["lo"], hi=x["hi"],
                  level=_level(x["level"]))
        if "lead" in x:
            if x["lead_significant"]:
                text += _t("lead" if x["lead"] > 0 else "behind", lang, lead=abs(x["lead"]))
            else:
                text += _t("level_with_network", lang)
        else:
            text += _t("no_network", lang)
        return text
    if k == "satisfaction_moved":
        return _t(f"satisfaction_moved.{x['direction']}", lang, diff=x["diff"],
                  compare=x["compare"], lo=x["lo"], hi=x["hi"], level=_level(x["level"]))
    if k == "satisfaction_steady":
        return _t("satisfaction_steady", lang, compare=x["compare"])
    if k == "satisfaction_drivers":
        d = x["direction"]
        names = [labels.code_label(v, lang) for v in x["drivers"]]
        text = _t(f"drivers.{d}", lang, drivers=_shares(
            names, x.get("shares") or [None] * len(names), d, x["level"], lang))
        if x.get("main"):
            text += _t(f"drivers_main.{d}", lang, main=_join(
                [labels.code_label(v, lang) for v in x["main"]], lang))
        return text
    if k == "satisfaction_segments":
        d = x["direction"]
        names = [labels.code_label(v, lang) for v in x["values"]]
        text = _t(f"segments.{d}", lang, segments=_shares(
            names, x.get("shares") or [None] * len(names), d, x["level"], lang),
            segment=labels.text(f"column.{x['segment']}", lang)
            if labels.has(f"column.{x['segment']}") else x["segment"])
        if x.get("main"):
            text += _t(f"segments_main.{d}", lang, main=_join(
                [labels.code_label(v, lang) for v in x["main"]], lang))
        return text
    if k == "satisfaction_mix":
        seg = (labels.text(f"column.{x['segment']}", lang)
               if labels.has(f"column.{x['segment']}") else x["segment"])
        return _t("mix", lang, segment=seg, mix=x["mix"])
    if k == "influence_level":
        text = _t("influence_level", lang, estimate=x["estimate"], lo=x["lo"], hi=x["hi"],
                  level=_level(x["level"]))
        if x.get("moved"):
            return text + _t(f"influence_moved.{x['direction']}", lang, diff=x["diff"],
                             compare=x["compare"])
        if "compare" in x:
            return text + _t("influence_steady", lang, compare=x["compare"])
        return text + _t("no_network", lang)
    if k == "component_moved":
        return _t(f"component_moved.{x['direction']}", lang, diff=x["diff"],
                  compare=x["compare"], component=labels.code_label(x["component"], lang))
    if k == "care_effect":
        o = x["outcome"]
        text = _t("care_effect", lang, outcome=_outcome(o, lang),
                  estimate=_effect_value(o, x["estimate"], lang),
                  lo=_effect_value(o, x["lo"], lang), hi=_effect_value(o, x["hi"], lang),
                  level=_level(x["level"]), p_adj=_p_text(x.get("p_adj")))
        pre = x.get("pretest_p")
        key = ("care_assumption_unknown" if pre is None else
               "care_assumption_ok" if x.get("pretrend_ok") else "care_assumption_bad")
        return text + _t(key, lang, p=f"{pre:.3f}" if pre is not None else "—")
    if k == "lever_effect":
        o = x["outcome"]
        direction = _t("higher" if x["estimate"] > 0 else "lower", lang)
        return _t("lever_panel" if o == "arpu" else "lever_survey", lang,
                  lever=labels.code_label(x["lever"], lang), outcome=_outcome(o, lang),
                  value=_abs_value(o, x["estimate"], lang), direction=direction,
                  lo=_effect_value(o, x["lo"], lang), hi=_effect_value(o, x["hi"], lang),
                  level=_level(x["level"]), p_adj=_p_text(x.get("p_adj")),
                  adjusted_for=_held(x.get("adjusted_for"), lang))
    if k == "no_effect":
        items = [_t("effect_item", lang, lever=labels.code_label(lv, lang),
                    outcome=_outcome(o, lang)) for lv, o in x["items"]]
        return _t("no_effect", lang, items=_t("list_sep", lang).join(items))
    if k == "effects_family":
        key = f"effects.p_adjust.{x['method']}"
        method = labels.text(key, lang) if labels.has(key) else x["method"]
        return _t("effects_family", lang, n=x["n"], method=method, alpha=f"{x['alpha']:g}",
                  level=_level(x["level"]))
    if k == "targets":
        names = _target_names(lang)
        items = [_t("target_item", lang, label=names.get(t, t),
                    status=labels.text(f"scorecard.status.{s}", lang)) for t, s in x["items"]]
        shown = _t("list_sep", lang).join(items[:TARGETS_NAMED])
        if len(items) > TARGETS_NAMED:
            shown += _t("more", lang, n=len(items) - TARGETS_NAMED if lang == "en"
                        else len(items))
        return _t("targets", lang, n_bad=len(items), items=shown)
    if k == "targets_inconclusive":
        names = _target_names(lang)
        items = [names.get(t, t) for t in x["items"]]
        shown = _t("list_sep", lang).join(items[:TARGETS_NAMED])
        if len(items) > TARGETS_NAMED:
            shown += _t("more", lang, n=len(items) - TARGETS_NAMED if lang == "en"
                        else len(items))
        return _t("targets_inconclusive", lang, n=len(items), items=shown)
    if k == "targets_fine":
        return _t("targets_fine", lang)
    if k in ("targets_worse", "targets_final"):
        text = (_t("worse", lang, n=x["n"], compare=x["compare"]) if k == "targets_worse"
                else _t("none_worse", lang, compare=x["compare"]))
        if x["final"]:
            text += _t("final", lang, n=x["final"])
        return text
    return None


def _target_names(lang: str) -> dict[str, str]:
    from ...targets import targets

    tg = targets()
    col = "label_zh" if lang == "zh" else "label_en"
    return dict(zip(tg["id"], tg[col], strict=True))


def source_of(f: Finding) -> str:
    """The section of a detailed report where a finding can be checked.

    Returns
    -------
    str
        ``<report>.<section>`` (:data:`SOURCES`); empty for a kind without one.
    """
    if f.kind == "lever_effect" and f.fields.get("outcome") == "arpu":
        return "program_effects.points_clubs_family_products_arpu"
    return SOURCES.get(f.kind, "")


def href(section: str) -> str:
    """The link to a section of a detailed report, relative to the scope's folder.

    Parameters
    ----------
    section : str
        ``<report>.<section>``.

    Returns
    -------
    str
        ``<report>.html#<anchor>`` (:func:`gotone_analysis.labels.anchor`).
    """
    return f"{section.split('.', 1)[0]}.html#{labels.anchor(section)}"


def summary_sentences(found: Sequence[Finding], lang: str = "zh") -> list[Claim]:
    """Word every finding in ``lang``.

    Parameters
    ----------
    found : sequence of Finding
        From :func:`gotone_analysis.reports.summary.tables.findings`.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    list of Claim
        One claim per finding, in order: its sentence, and the finding's kind, metric
        keys, direction and rule, with the section it can be checked in
        (:func:`source_of`).
    """
    labels.check_lang(lang)
    out = []
    for f in found:
        text = _word(f, lang)
        if text:
            out.append(Claim(f.kind, text, tuple(f.keys), f.direction, f.rule, source_of(f)))
    return out
