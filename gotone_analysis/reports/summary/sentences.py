"""The summary's words: each finding of :func:`gotone_analysis.reports.summary.tables.findings` as a sentence.

Which statements the numbers support is decided in :mod:`gotone_analysis.reports.summary.tables`;
this module only words them, every word from the catalog (section
``reports/summary/catalog.py``), and lays out the page: headline numbers, the nine levers,
the sentences each with its "based on" note (the metric keys), links to the
detailed reports.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ... import labels
from ...tables import DASH, number_text
from .tables import Finding

__all__ = ["Sentence", "findings_table", "format_number", "headline_table", "summary_html",
           "summary_sentences"]

_CSS = """
.gotone-summary{font-size:14px;line-height:1.55;max-width:980px}
.gotone-summary table{border-collapse:collapse;margin:4px 0 12px}
.gotone-summary td,.gotone-summary th{border:1px solid #d0d4da;padding:3px 10px;text-align:left}
.gotone-summary td.num{text-align:right;font-variant-numeric:tabular-nums}
.gotone-summary li{margin:4px 0}
.gotone-summary .based-on{color:#666;font-size:11px;display:block}
.gotone-summary .light{display:inline-block;width:10px;height:10px;border-radius:5px;
 margin-right:6px;vertical-align:middle}
.gotone-summary .light-green{background:#2e7d32}.gotone-summary .light-amber{background:#f0a800}
.gotone-summary .light-red{background:#c62828}.gotone-summary .light-grey{background:#9e9e9e}
.gotone-summary .light-blue{background:#3f51b5}
"""


@dataclass(frozen=True)
class Sentence:
    """A generated sentence, the kind of finding it words and the metric keys it rests on."""

    text: str
    kind: str
    keys: tuple[str, ...]


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


def summary_sentences(found: Sequence[Finding], lang: str = "zh") -> list[Sentence]:
    """Word every finding in ``lang``.

    Parameters
    ----------
    found : sequence of Finding
        From :func:`gotone_analysis.reports.summary.tables.findings`.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    list of Sentence
        One sentence per finding, in order, each with the finding's kind and metric keys.
    """
    labels.check_lang(lang)
    out = []
    for f in found:
        text = _word(f, lang)
        if text:
            out.append(Sentence(text, f.kind, tuple(f.keys)))
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
        return DASH
    if unit == "rate":
        return f"{number_text(value * 100, 1)}%"
    if unit == "count":
        return number_text(value, 0, thousands=True)
    return number_text(value, 1, signed=unit == "points")


def headline_table(numbers: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The headline numbers as a reader table: measure, value, interval, based on.

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
                     interval, r.key])
    cols = [labels.text(f"summary.column.{c}", lang)
            for c in ("measure", "value", "interval", "based_on")]
    return pd.DataFrame(rows, columns=cols)


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def summary_html(numbers: pd.DataFrame, sentences: Sequence[Sentence], levers: pd.DataFrame,
                 links: Sequence[tuple[str, str]], lang: str = "zh") -> str:
    """The body of the summary page.

    Parameters
    ----------
    numbers : pandas.DataFrame
        :func:`gotone_analysis.reports.summary.tables.headline_numbers`.
    sentences : sequence of Sentence
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
        HTML: headline numbers, the nine levers, what changed and why (each sentence
        with its "based on" keys, also as a tooltip), links to the detailed reports.
        Headings are ``<h2>`` so the reader copy's table of contents lists them.
    """
    t = labels.text
    parts = [f"<style>{_CSS}</style>", '<div class="gotone-summary">']
    table = headline_table(numbers, lang)
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(
        f'<td class="{"num" if i in (1, 2) else ""}">'
        + (f"<code>{_e(v)}</code>" if i == 3 else _e(v)) + "</td>"
        for i, v in enumerate(row)) + "</tr>" for row in table.itertuples(index=False))
    parts.append(f'<h2 id="summary-headline">{_e(t("summary.heading.headline", lang))}</h2>'
                 f"<table><tr>{head}</tr>{body}</table>")
    rows = []
    for r in levers.itertuples(index=False):
        status = (t(f"scorecard.status.{r.status}", lang)
                  if isinstance(r.status, str) and labels.has(f"scorecard.status.{r.status}")
                  else t("summary.not_available", lang))
        light = r.light if isinstance(r.light, str) else "grey"
        rows.append(f"<tr><td>{_e(labels.code_label(r.lever, lang))}</td>"
                    f'<td><span class="light light-{_e(light)}"></span>{_e(status)}</td>'
                    f"<td><code>{_e(r.key)}</code></td></tr>")
    parts.append(f'<h2 id="summary-levers">{_e(t("summary.heading.levers", lang))}</h2>'
                 f"<table><tr><th>{_e(t('summary.column.lever', lang))}</th>"
                 f"<th>{_e(t('summary.column.status', lang))}</th>"
                 f"<th>{_e(t('summary.column.based_on', lang))}</th></tr>{''.join(rows)}"
                 "</table>")
    parts.append(f'<h2 id="summary-changed">{_e(t("summary.heading.changed", lang))}</h2>'
                 f"<p>{_e(t('summary.intro', lang))}</p><ul>")
    based = t("summary.based_on", lang)
    for s in sentences:
        keys = ", ".join(s.keys)
        parts.append(f'<li class="finding finding-{_e(s.kind)}" title="{_e(based)}: '
                     f'{_e(keys)}" data-keys="{_e(" ".join(s.keys))}">{_e(s.text)}'
                     f'<span class="based-on">{_e(based)}: {_e(keys)}</span></li>')
    if not sentences:
        parts.append(f"<li>{_e(t('summary.no_findings', lang))}</li>")
    parts.append("</ul>")
    items = "".join(f'<li><a href="{_e(href)}">{_e(t(f"report.title.{name}", lang))}</a></li>'
                    for name, href in links)
    parts.append(f'<h2 id="summary-reports">{_e(t("summary.heading.reports", lang))}</h2>'
                 f"<ul>{items}</ul></div>")
    return "".join(parts)


def findings_table(sentences: Sequence[Sentence]) -> pd.DataFrame:
    """The sentences as a table for the workbook.

    Returns
    -------
    pandas.DataFrame
        One row per sentence: ``kind, sentence, based_on`` (the metric keys, comma
        separated).
    """
    return pd.DataFrame([{"kind": s.kind, "sentence": s.text, "based_on": ", ".join(s.keys)}
                         for s in sentences], columns=["kind", "sentence", "based_on"])
