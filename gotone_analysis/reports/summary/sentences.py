"""The summary's words: each finding of :func:`gotone_analysis.reports.summary.tables.findings` as a sentence.

Which statements the numbers support is decided in :mod:`gotone_analysis.reports.summary.tables`;
this module only words them, every word from the catalog (section
``reports/summary/catalog.py``), as claims of the ledger
(:class:`gotone_analysis.findings.Claim`: the sentence with its kind, metric keys,
direction and rule), and lays out the page: headline numbers, the nine levers, the
sentences each linking to the section of the detailed report that shows the table or
figure it rests on (:data:`SOURCES`, :func:`gotone_analysis.labels.anchor`), links to the
detailed reports. The metric keys stay in the ledger and the workbook, not in the
reader's text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from ... import labels
from ...findings import Claim
from .tables import HEADLINE, Finding

__all__ = ["SOURCES", "format_number", "headline_table", "href", "source_of", "summary_html",
           "summary_sentences"]

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
#: The section showing each headline number (:data:`.tables.HEADLINE`).
_HEADLINE_SOURCES: dict[str, str] = {
    "brand_equity": "brand_equity.components_and_their_change",
    "satisfaction": "satisfaction.satisfaction_index_trend",
    "scorecard_139": "scorecard_139.the_nine_levers_at_a_glance",
}

_CSS = """
.gotone-summary{font-size:14px;line-height:1.55;max-width:980px}
.gotone-summary table{border-collapse:collapse;margin:4px 0 12px}
.gotone-summary td,.gotone-summary th{border:1px solid #d0d4da;padding:3px 10px;text-align:left}
.gotone-summary td.num{text-align:right;font-variant-numeric:tabular-nums}
.gotone-summary li{margin:4px 0}
.gotone-summary a.source{color:#555;font-size:12px;margin-left:6px}
.gotone-summary .light{display:inline-block;width:10px;height:10px;border-radius:5px;
 margin-right:6px;vertical-align:middle}
.gotone-summary .light-green{background:#2e7d32}.gotone-summary .light-amber{background:#f0a800}
.gotone-summary .light-red{background:#c62828}.gotone-summary .light-grey{background:#9e9e9e}
.gotone-summary .light-blue{background:#3f51b5}
"""


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


def format_number(value, unit: str) -> str:
    """A headline number as readers see it (``unit`` of
    :data:`gotone_analysis.reports.summary.tables.HEADLINE`): rates in per cent, counts with thousands
    separators, differences signed, scores with one decimal; "—" when missing.

    Returns
    -------
    str
    """
    if value is None or pd.isna(value):
        return "—"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "points":
        return f"{value:+.1f}"
    return f"{value:.1f}"


def headline_table(numbers: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The headline numbers as a reader table: measure, value, interval.

    Parameters
    ----------
    numbers : pandas.DataFrame
        :func:`gotone_analysis.reports.summary.tables.headline_numbers`.
    lang : {"zh", "en"}
        Language of the names and headings.

    Returns
    -------
    pandas.DataFrame
        Text cells, headings in ``lang``.
    """
    rows = []
    for r in numbers.itertuples(index=False):
        interval = ("" if r.ci_low is None or pd.isna(r.ci_low)
                    else f"{format_number(r.ci_low, r.unit)} – {format_number(r.ci_high, r.unit)}")
        rows.append([labels.text(f"summary.metric.{r.name}", lang), format_number(r.estimate, r.unit),
                     interval])
    cols = [labels.text(f"summary.column.{c}", lang) for c in ("measure", "value", "interval")]
    return pd.DataFrame(rows, columns=cols)


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def summary_html(numbers: pd.DataFrame, sentences: Sequence[Claim], levers: pd.DataFrame,
                 links: Sequence[tuple[str, str]], lang: str = "zh") -> str:
    """The body of the summary page.

    Parameters
    ----------
    numbers : pandas.DataFrame
        :func:`gotone_analysis.reports.summary.tables.headline_numbers`.
    sentences : sequence of Claim
        :func:`summary_sentences`.
    levers : pandas.DataFrame
        :func:`gotone_analysis.reports.summary.tables.lever_status`.
    links : sequence of (str, str)
        :func:`gotone_analysis.reports.summary.tables.report_links`.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
        HTML: headline numbers (each measure linking to the section of the report
        showing it), the nine levers, what changed and why (each sentence linking to the
        section of the detailed report it can be checked in; its metric keys only in a
        ``data-keys`` attribute, never shown), links to the detailed reports. Headings
        are ``<h2>`` so the reader copy's table of contents lists them.
    """
    t = labels.text
    parts = [f"<style>{_CSS}</style>", '<div class="gotone-summary">']
    table = headline_table(numbers, lang)
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    hrefs = [_headline_href(name) for name in numbers["name"]]
    body = "".join("<tr>" + "".join(
        f'<td class="{"num" if i in (1, 2) else ""}">'
        + (f'<a href="{_e(to)}">{_e(v)}</a>' if i == 0 and to else _e(v)) + "</td>"
        for i, v in enumerate(row)) + "</tr>"
        for row, to in zip(table.itertuples(index=False), hrefs, strict=True))
    parts.append(f'<h2 id="summary-headline">{_e(t("summary.heading.headline", lang))}</h2>'
                 f"<table><tr>{head}</tr>{body}</table>")
    rows = []
    for r in levers.itertuples(index=False):
        status = (t(f"scorecard.status.{r.status}", lang)
                  if isinstance(r.status, str) and labels.has(f"scorecard.status.{r.status}")
                  else t("summary.not_available", lang))
        light = r.light if isinstance(r.light, str) else "grey"
        rows.append(f'<tr data-keys="{_e(r.key)}"><td>{_e(labels.code_label(r.lever, lang))}'
                    f'</td><td><span class="light light-{_e(light)}"></span>{_e(status)}'
                    "</td></tr>")
    parts.append(f'<h2 id="summary-levers">{_e(t("summary.heading.levers", lang))}</h2>'
                 f"<table><tr><th>{_e(t('summary.column.lever', lang))}</th>"
                 f"<th>{_e(t('summary.column.status', lang))}</th></tr>{''.join(rows)}"
                 "</table>")
    parts.append(f'<h2 id="summary-changed">{_e(t("summary.heading.changed", lang))}</h2>'
                 f"<p>{_e(t('summary.intro', lang))}</p><ul>")
    for s in sentences:
        link = ""
        if s.source:
            where = t("summary.source", lang,
                      report=t(f"report.title.{s.source.split('.', 1)[0]}", lang),
                      section=t(f"section.{s.source}", lang))
            link = f' <a class="source" href="{_e(href(s.source))}">{_e(where)}</a>'
        parts.append(f'<li class="finding finding-{_e(s.kind)}" '
                     f'data-keys="{_e(" ".join(s.keys))}">{_e(s.sentence)}{link}</li>')
    if not sentences:
        parts.append(f"<li>{_e(t('summary.no_findings', lang))}</li>")
    parts.append("</ul>")
    items = "".join(f'<li><a href="{_e(to)}">{_e(t(f"report.title.{name}", lang))}</a></li>'
                    for name, to in links)
    parts.append(f'<h2 id="summary-reports">{_e(t("summary.heading.reports", lang))}</h2>'
                 f"<ul>{items}</ul></div>")
    return "".join(parts)


def _headline_href(name: str) -> str:
    report = HEADLINE[name][0] if name in HEADLINE else ""
    section = _HEADLINE_SOURCES.get(report)
    return href(section) if section else ""
