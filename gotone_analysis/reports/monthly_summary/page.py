"""The monthly summary page: the answer on the first screen, the rest below it.

:func:`monthly_html` lays out the page: its first screen (and its one printed A4 page)
holds this month's KPI numbers with their change since the comparison month and their
139 target, the nine levers' lights, the milestones due in the next three months with
their status, and at most :data:`.sentences.KEY_POINTS` key points; below it every other
sentence and the link to the monthly scorecard. Every word comes from the catalog, every
value is escaped; metric keys appear only in ``data-keys`` attributes, never as text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ... import labels
from ...findings import Claim, plain_sentence
from ..scorecard_139.view import STATUS_COLORS, format_value, light_css
from ..summary.tables import lever_status
from .sentences import headline_frame, key_points
from .tables import MonthlySummary

__all__ = ["monthly_html"]

_CSS = """
.gotone-monthly{font-size:13px;line-height:1.4;max-width:1180px}
.gotone-monthly h2{font-size:15px;margin:6px 0 3px}
.gotone-monthly table{border-collapse:collapse;margin:2px 0 8px}
.gotone-monthly td,.gotone-monthly th{border:1px solid #d0d4da;padding:1px 7px;text-align:left;
 vertical-align:top}
.gotone-monthly th{background:#f3f5f8;font-weight:600}
.gotone-monthly td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.gotone-monthly .quiet{color:#666;font-size:11px}
.gotone-monthly li{margin:2px 0}
.gotone-monthly .first{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);
 column-gap:18px}
.gotone-monthly .first .wide{grid-column:1 / span 2}
""" + light_css("gotone-monthly") + """.gotone-monthly .print-only{display:none}
@media print{@page{size:A4;margin:12mm}
 .gotone-monthly .more,.gotone-toc,.gotone-run-details{display:none}
 .gotone-monthly .print-only{display:block}
 .gotone-monthly{font-size:10.5px}}
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _items(claims: Sequence[Claim]) -> str:
    return "".join(f'<li class="finding finding-{_e(c.kind)}" data-keys="{_e(" ".join(c.keys))}">'
                   f"{_e(plain_sentence(c.sentence))}</li>" for c in claims)


def _label(row, lang: str) -> str:
    """A target's or metric's label as the text it holds (escaped once, by :func:`_e`)."""
    return str(row["label_zh"] if lang == "zh" else row["label_en"])


def _status_cell(status, lang: str) -> str:
    if not isinstance(status, str) or not labels.has(f"scorecard.status.{status}"):
        return f"<td>{_e(labels.text('summary.not_available', lang))}</td>"
    return (f'<td style="color:{STATUS_COLORS.get(status, "#333")};font-weight:bold">'
            f"{_e(labels.text(f'scorecard.status.{status}', lang))}</td>")


def monthly_html(S: MonthlySummary, claims: Sequence[Claim], lang: str = "zh", *,
                 what: str) -> str:
    """The body of the monthly summary page.

    Parameters
    ----------
    S : MonthlySummary
        :func:`.tables.monthly_tables`.
    claims : sequence of Claim
        :func:`.sentences.monthly_sentences`.
    lang : {"zh", "en"}
        Language.
    what : str
        How the comparison month is named (e.g. 上月).

    Returns
    -------
    str
        HTML: the first screen (numbers, levers, milestones due, key points), a print
        note, then every other sentence and the link to the monthly scorecard.
    """
    t = labels.text
    col = lambda k, **f: _e(t(f"monthly.column.{k}", lang, **f))  # noqa: E731
    parts = [f"<style>{_CSS}</style>", '<div class="gotone-monthly">',
             '<section class="first">', "<div>"]
    rows = []
    for _, r in headline_frame(S).iterrows():
        change = (format_value(r["change"], r["unit"], signed=True, lang=lang))
        rows.append(f"<tr><td>{_e(_label(r, lang))}</td>"
                    f'<td class="num">{_e(format_value(r["actual"], r["unit"], lang=lang))}</td>'
                    f'<td class="num">{_e(change)}</td>'
                    f'<td class="num">{_e(format_value(r["target"], r["unit"], lang=lang))}</td>'
                    f"{_status_cell(r['status'], lang)}</tr>")
    parts.append(f'<h2 id="monthly-headline">{_e(t("monthly.heading.headline", lang))}</h2>'
                 f"<table><tr><th>{col('measure')}</th><th>{col('value')}</th>"
                 f"<th>{col('change_on', what=what)}</th><th>{col('target')}</th>"
                 f"<th>{col('status')}</th></tr>{''.join(rows)}</table>"
                 f'<p class="quiet">{_e(t("monthly.census_note", lang))}</p>')
    chips = []
    for r in lever_status(S.scorecard).itertuples(index=False):
        status = (t(f"scorecard.status.{r.status}", lang)
                  if isinstance(r.status, str) and labels.has(f"scorecard.status.{r.status}")
                  else t("summary.not_available", lang))
        light = r.light if isinstance(r.light, str) else "grey"
        chips.append(f'<li data-keys="{_e(r.key)}"><span class="light light-{_e(light)}">'
                     f"</span>{_e(labels.code_label(r.lever, lang))} "
                     f'<span class="quiet">{_e(status)}</span></li>')
    parts.append(f'<h2 id="monthly-levers">{_e(t("monthly.heading.levers", lang))}</h2>'
                 f'<ul class="levers">{"".join(chips)}</ul></div>')
    key, rest = key_points(list(claims))
    parts.append(f'<div><h2 id="monthly-key-points">{_e(t("monthly.heading.key_points", lang))}'
                 f"</h2><ul>{_items(key) or '<li>' + _e(t('monthly.none', lang)) + '</li>'}"
                 "</ul></div>")
    due = []
    for _, r in S.due.iterrows():
        when = (t("monthly.due.this_month", lang, month=r["deadline_month"])
                if r["due"] == "this_month" else r["deadline_month"])
        actual = format_value(r["actual"], r["unit"], lang=lang)
        if isinstance(r["wave"], str) and r["wave"]:
            actual = t("scorecard.wave_label", lang, value=actual, wave=r["wave"])
        due.append(f"<tr><td>{_e(_label(r, lang))}</td><td>{_e(when)}</td>"
                   f'<td class="num">{_e(actual)}</td>'
                   f'<td class="num">{_e(format_value(r["target"], r["unit"], lang=lang))}</td>'
                   f'<td class="num">{_e(format_value(r["projected"], r["unit"], lang=lang))}'
                   f"</td>{_status_cell(r['status'], lang)}</tr>")
    body = (f"<table><tr><th>{col('label')}</th><th>{col('deadline')}</th>"
            f"<th>{col('actual')}</th><th>{col('target')}</th><th>{col('projected')}</th>"
            f"<th>{col('status')}</th></tr>{''.join(due)}</table>" if due
            else f"<p>{_e(t('monthly.due_none', lang))}</p>")
    parts.append(f'<div class="wide"><h2 id="monthly-due">{_e(t("monthly.heading.due", lang))}'
                 f"</h2>{body}</div></section>")
    parts.append(f'<p class="print-only quiet">{_e(t("monthly.print_more", lang))}</p>'
                 '<section class="more">'
                 f'<h2 id="monthly-more">{_e(t("monthly.heading.more", lang))}</h2>'
                 f'<p class="quiet">{_e(t("monthly.intro", lang))}</p>'
                 f"<ul>{_items(rest) or '<li>' + _e(t('monthly.none', lang)) + '</li>'}</ul>"
                 f'<h2 id="monthly-reports">{_e(t("monthly.heading.reports", lang))}</h2>'
                 f'<ul><li><a href="scorecard_139.html">'
                 f'{_e(t("report.title.scorecard_139", lang))}</a></li></ul></section></div>')
    return "".join(parts)
