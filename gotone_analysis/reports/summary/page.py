"""The summary page: the answer on the first screen, the rest below it.

:func:`summary_html` lays out the page a manager opens. Its first screen (1280 x 800)
holds the headline table (each number with its change since the comparison quarter,
marked only beyond sampling error, and its 139 target and gap), the nine levers' lights,
the key points (at most :data:`KEY_POINTS` sentences, :data:`KEY_KINDS` first) and where
to act (:mod:`gotone_analysis.reports.summary.act`). Below it: every other finding, each
linking to the section of the detailed report it rests on, and the detailed reports.
The page prints on one A4 page (its print stylesheet). Every word comes from the catalog;
every value is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from ... import labels
from ...findings import Claim
from ...tables import DASH, count_text, number_text, percentage_points_text
from ..scorecard_139.view import light_css
from .act import act_html
from .sentences import href
from .tables import HEADLINE

__all__ = ["KEY_KINDS", "KEY_POINTS", "format_change", "format_number", "headline_table",
           "in_page_order", "key_points", "summary_html"]

#: Most sentences among the key points of the first screen.
KEY_POINTS = 5
#: The kinds of finding the key points are chosen from, in this order; the effects are in
#: "where to act", every other finding below the first screen.
KEY_KINDS: tuple[str, ...] = ("satisfaction_moved", "satisfaction_steady", "satisfaction_level",
                              "influence_level", "component_moved", "targets", "targets_fine",
                              "targets_worse", "targets_inconclusive")

_CSS = """
.gotone-summary{font-size:13px;line-height:1.4;max-width:1180px}
.gotone-summary h2{font-size:15px;margin:6px 0 3px}
.gotone-summary table{border-collapse:collapse;margin:2px 0 8px}
.gotone-summary table td,.gotone-summary table th{border:1px solid #d0d4da;padding:1px 7px;
 vertical-align:top}
.gotone-summary table.headline td,.gotone-summary table.headline th,.gotone-summary table.act td,
.gotone-summary table.act th{text-align:left}
.gotone-summary th{background:#f3f5f8;font-weight:600}
.gotone-summary table.headline td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.gotone-summary small,.gotone-summary .quiet{color:#666;font-size:11px}
.gotone-summary .moved-up{color:#1b5e20;font-weight:600}
.gotone-summary .moved-down{color:#b71c1c;font-weight:600}
.gotone-summary li{margin:2px 0}
.gotone-summary a.source{color:#555;font-size:11px;margin-left:6px}
.gotone-summary .first{display:grid;grid-template-columns:minmax(0,1.05fr) minmax(0,1fr);
 column-gap:18px}
.gotone-summary .first .wide{grid-column:1 / span 2}
""" + light_css("gotone-summary") + """.gotone-summary .print-only{display:none}
@media print{
 @page{size:A4;margin:10mm}
 .gotone-summary .more{display:none}
 .gotone-summary .print-only{display:block}
 .gotone-summary{font-size:9.5px;line-height:1.3;max-width:none}
 .gotone-summary h2{font-size:11px;margin:5px 0 2px}
 .gotone-summary .first{display:block}
 .gotone-summary table td,.gotone-summary table th{padding:1px 4px;font-size:9px;line-height:1.25}
 .gotone-summary small,.gotone-summary .quiet,.gotone-summary a.source{font-size:8px}
 .gotone-summary .levers li{font-size:8.5px;padding:0 5px}
 .gotone-summary li{margin:1px 0}
 .gotone-summary a{color:inherit;text-decoration:none}
 .gotone-summary *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

#: The section showing each headline number (:data:`.tables.HEADLINE`).
_HEADLINE_SOURCES: dict[str, str] = {
    "brand_equity": "brand_equity.components_and_their_change",
    "satisfaction": "satisfaction.satisfaction_index_trend",
    "scorecard_139": "scorecard_139.the_nine_levers_at_a_glance",
}


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def format_number(value, unit: str, lang: str = "zh") -> str:
    """A headline number as readers see it (``unit`` of
    :data:`gotone_analysis.reports.summary.tables.HEADLINE`): rates in per cent, counts
    through :func:`gotone_analysis.tables.count_text` (万/亿, millions), differences
    signed, scores with one decimal; "—" when missing; never ``-0.0``.

    Returns
    -------
    str
    """
    if _missing(value):
        return DASH
    if unit == "rate":
        return f"{number_text(value * 100, 1)}%"
    if unit == "count":
        return count_text(value, lang)
    return number_text(value, 1, signed=unit == "points")


def format_change(value, unit: str, lang: str = "zh") -> str:
    """A change or a gap, signed, in the unit a reader expects: points for scores,
    percentage points for rates (个百分点 / pp), counts through
    :func:`gotone_analysis.tables.count_text`.

    Returns
    -------
    str
        "—" when missing; no sign when it rounds to zero.
    """
    if _missing(value):
        return DASH
    if unit == "rate":
        return percentage_points_text(value, lang)
    if unit == "count":
        return count_text(value, lang, signed=True)
    return number_text(value, 1, signed=True)


def headline_table(numbers: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The headline numbers as a reader table: measure, value (with its interval), change
    since the comparison quarter, target, gap.

    Parameters
    ----------
    numbers : pandas.DataFrame
        :func:`gotone_analysis.reports.summary.tables.headline_numbers`.
    lang : {"zh", "en"}
        Language of the names and headings.

    Returns
    -------
    pandas.DataFrame
        Text cells, headings in ``lang``; a change within sampling error reads
        "within sampling error" (its value in brackets), never as a move.
    """
    t = labels.text
    rows = []
    for r in numbers.itertuples(index=False):
        value = format_number(r.estimate, r.unit, lang)
        if not _missing(r.ci_low) and not _missing(r.ci_high):
            value += (f" ({format_number(r.ci_low, r.unit, lang)}–"
                      f"{format_number(r.ci_high, r.unit, lang)})")
        if _missing(r.change):
            change = "—"
        elif r.moved:
            change = format_change(r.change, r.unit, lang)
        else:
            change = t("summary.change.steady", lang,
                       value=format_change(r.change, r.unit, lang))
        rows.append([t(f"summary.metric.{r.name}", lang), value, change,
                     format_number(r.target, r.unit, lang),
                     format_change(r.gap, r.unit, lang)])
    cols = [t(f"summary.column.{c}", lang)
            for c in ("measure", "value", "change", "target", "gap")]
    return pd.DataFrame(rows, columns=cols)


def key_points(sentences: Sequence[Claim], limit: int = KEY_POINTS
               ) -> tuple[list[Claim], list[Claim]]:
    """The sentences of the first screen, and the others.

    Returns
    -------
    tuple of list
        ``(key, rest)``: ``key`` at most ``limit`` sentences of :data:`KEY_KINDS`, in
        that order; ``rest`` every other sentence, in the order given.
    """
    rank = {k: i for i, k in enumerate(KEY_KINDS)}
    chosen = sorted((s for s in sentences if s.kind in rank), key=lambda s: rank[s.kind])
    key = chosen[:limit]
    return key, [s for s in sentences if s not in key]


def in_page_order(sentences: Sequence[Claim]) -> list[Claim]:
    """The sentences in the order the page prints them (key points first): the order of
    the published ledger.

    Returns
    -------
    list of Claim
    """
    key, rest = key_points(sentences)
    return [*key, *rest]


def _sentence_items(sentences: Sequence[Claim], lang: str) -> str:
    t = labels.text
    out = []
    for s in sentences:
        link = ""
        if s.source:
            where = t("summary.source", lang,
                      report=t(f"report.title.{s.source.split('.', 1)[0]}", lang),
                      section=t(f"section.{s.source}", lang))
            link = f' <a class="source" href="{_e(href(s.source))}">{_e(where)}</a>'
        out.append(f'<li class="finding finding-{_e(s.kind)}" '
                   f'data-keys="{_e(" ".join(s.keys))}">{_e(s.sentence)}{link}</li>')
    return "".join(out)


def _headline_href(name: str) -> str:
    report = HEADLINE[name][0] if name in HEADLINE else ""
    section = _HEADLINE_SOURCES.get(report)
    return href(section) if section else ""


def summary_html(numbers: pd.DataFrame, sentences: Sequence[Claim], levers: pd.DataFrame,
                 links: Sequence[tuple[str, str]], lang: str = "zh", *,
                 act: pd.DataFrame | None = None, province: bool = False) -> str:
    """The body of the summary page.

    Parameters
    ----------
    numbers : pandas.DataFrame
        :func:`gotone_analysis.reports.summary.tables.headline_numbers`.
    sentences : sequence of Claim
        :func:`gotone_analysis.reports.summary.sentences.summary_sentences`.
    levers : pandas.DataFrame
        :func:`gotone_analysis.reports.summary.tables.lever_status`.
    links : sequence of (str, str)
        :func:`gotone_analysis.reports.summary.tables.report_links`.
    lang : {"zh", "en"}
        Language.
    act : pandas.DataFrame, optional
        :func:`gotone_analysis.reports.summary.act.where_to_act`; without it the
        first screen has no "where to act" block.
    province : bool
        The province's page (where to act names the city adding most to each gap).

    Returns
    -------
    str
        HTML. First screen (``<section class="first">``): headline numbers (each
        measure linking to the section of the report showing it), the nine levers'
        lights, the key points (:func:`key_points`) and where to act: the page printed
        (one A4 page), with a line saying where the rest is. Then, on screen only, every
        other finding (each linking to the section of the detailed report it can be checked
        in; metric keys only in a ``data-keys`` attribute, never shown) and links to
        the detailed reports. Headings are ``<h2>`` with stable ids.
    """
    t = labels.text
    parts = [f"<style>{_CSS}</style>", '<div class="gotone-summary">',
             '<section class="first">', "<div>"]
    table = headline_table(numbers, lang)
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    hrefs = [_headline_href(name) for name in numbers["name"]]
    body = []
    for row, to, moved, change in zip(table.itertuples(index=False), hrefs, numbers["moved"],
                                      numbers["change"], strict=True):
        cells = []
        for i, v in enumerate(row):
            if i == 0:
                cells.append(f'<td><a href="{_e(to)}">{_e(v)}</a></td>' if to
                             else f"<td>{_e(v)}</td>")
            elif i == 2 and moved is True and not _missing(change) and v[:1] in ("+", "-"):
                way = "up" if change > 0 else "down"
                cells.append(f'<td class="num moved-{way}">{_e(v)}</td>')
            else:
                cells.append(f'<td class="num">{_e(v)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    parts.append(f'<h2 id="summary-headline">{_e(t("summary.heading.headline", lang))}</h2>'
                 f'<table class="headline"><tr>{head}</tr>{"".join(body)}</table>')
    chips = []
    for r in levers.itertuples(index=False):
        status = (t(f"scorecard.status.{r.status}", lang)
                  if isinstance(r.status, str) and labels.has(f"scorecard.status.{r.status}")
                  else t("summary.not_available", lang))
        light = r.light if isinstance(r.light, str) else "grey"
        chips.append(f'<li data-keys="{_e(r.key)}"><span class="light light-{_e(light)}">'
                     f"</span>{_e(labels.code_label(r.lever, lang))} "
                     f'<span class="quiet">{_e(status)}</span></li>')
    parts.append(f'<h2 id="summary-levers">{_e(t("summary.heading.levers", lang))}</h2>'
                 f'<ul class="levers">{"".join(chips)}</ul></div>')
    key, rest = key_points(sentences)
    parts.append(f'<div><h2 id="summary-key-points">{_e(t("summary.heading.key_points", lang))}'
                 f'</h2><ul>{_sentence_items(key, lang)}</ul></div>')
    if act is not None:
        parts.append(f'<div class="wide"><h2 id="summary-act">'
                     f'{_e(t("summary.heading.act", lang))}</h2>'
                     f"{act_html(act, lang, province=province)}</div>")
    parts.append("</section>")
    parts.append(f'<p class="print-only quiet">{_e(t("summary.print_more", lang))}</p>'
                 '<section class="more">'
                 f'<h2 id="summary-changed">{_e(t("summary.heading.changed", lang))}</h2>'
                 f"<p class=\"quiet\">{_e(t('summary.intro', lang))}</p><ul>")
    parts.append(_sentence_items(rest, lang))
    if not sentences:
        parts.append(f"<li>{_e(t('summary.no_findings', lang))}</li>")
    parts.append("</ul>")
    items = "".join(f'<li><a href="{_e(to)}">{_e(t(f"report.title.{name}", lang))}</a></li>'
                    for name, to in links)
    parts.append(f'<h2 id="summary-reports">{_e(t("summary.heading.reports", lang))}</h2>'
                 f"<ul>{items}</ul></section></div>")
    return "".join(parts)
