"""The pages readers open: the reader copy of a notebook, the error page, the index.

* :func:`export_html` turns an executed notebook into the reader copy: no code, no
  prompts, images inline, no script or stylesheet loaded from the network, a table
  of contents where the run card left its marker (:data:`gotone_analysis.report.TOC_MARKER`).
* :func:`error_page` names the failing cell of a failed report; :func:`write_index`
  lists every quarter x scope x report of an output folder with its status.

Every text comes from the catalog :mod:`gotone_analysis.labels`.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from . import config, labels
from .provenance import atomic_write_text
from .report import (
    CARD_CSS,
    FILE_MODE,
    RUN_DETAILS_END,
    RUN_DETAILS_START,
    TOC_MARKER,
    escape,
    report_title,
    synthetic_banner,
)


def _t(key: str, lang: str) -> str:
    return labels.text(f"report.{key}", lang)


# --- reader HTML ---------------------------------------------------------------------------

#: The reader template: JupyterLab's, minus everything it would load from the network
#: (require.js, MathJax, Mermaid, widget managers).
_READER_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">""" + CARD_CSS + """</style>{%- endblock extra_css -%}
"""

#: Cells that never appear in the reader copy.
_HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "papermill-error-cell-tag",
                          "remove-cell"})

_EXTERNAL_SCRIPT_RE = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>.*?</script\s*>", re.I | re.S)
_EXTERNAL_LINK_RE = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)
_EXTERNAL_IMPORT_RE = re.compile(r"@import\s+(?:url\()?\s*[\"']?(?:https?:)?//[^;]*;", re.I)
_MODULE_IMPORT_RE = re.compile(r"import\(\s*[\"'](?:https?:)?//", re.I)
_HEADING_RE = re.compile(r"<h([1-3])\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]+>")


@cache
def exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"gotone_reader.html.j2": _READER_TEMPLATE})],
        template_file="gotone_reader.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        require_js_url="",
        mathjax_url="",
        jquery_url="",
        jupyter_widgets_base_url="",
    )


def strip_external(markup: str) -> str:
    """Remove every ``<script src>``, ``<link href>`` and CSS ``@import`` that points to
    the network, so the page opens offline without trying to fetch anything."""
    markup = _EXTERNAL_SCRIPT_RE.sub("", markup)
    markup = _EXTERNAL_LINK_RE.sub("", markup)
    return _EXTERNAL_IMPORT_RE.sub("", markup)


def external_references(markup: str) -> list[str]:
    """The network scripts and stylesheets a page would load (empty for a reader copy)."""
    found = [m.group(0)[:120] for rx in (_EXTERNAL_SCRIPT_RE, _EXTERNAL_LINK_RE,
                                         _EXTERNAL_IMPORT_RE, _MODULE_IMPORT_RE)
             for m in rx.finditer(markup)]
    return found


def table_of_contents(markup: str, lang: str = "zh") -> str:
    """A table of contents linking the headings (with ids) of an exported page."""
    items = []
    for level, anchor, inner in _HEADING_RE.findall(markup):
        text = html.unescape(_TAG_RE.sub("", inner)).replace("¶", "").strip()
        if text:
            items.append(f'<li class="toc-h{level}"><a href="#{anchor}">{escape(text)}</a></li>')
    if not items:
        return ""
    return (f'<nav class="gotone-toc"><strong>{_t("contents", lang)}</strong>'
            f'<ul>{"".join(items)}</ul></nav>')


def reader_notebook(nb):
    """A copy of an executed notebook as readers see it: hidden cells and code cells
    without output removed, inputs kept (the exporter leaves them out)."""
    import copy

    nb = copy.deepcopy(nb)
    keep = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _HIDDEN_TAGS:
            continue
        if cell.cell_type == "code" and not cell.get("outputs"):
            continue
        if cell.cell_type == "raw":
            continue
        keep.append(cell)
    nb.cells = keep
    return nb


def run_details_last(markup: str) -> str:
    """Move the run details the run card left between its markers
    (:data:`gotone_analysis.report.RUN_DETAILS_START`, ``RUN_DETAILS_END``) to the end of
    the page's ``<main>``: a reader opens on the answer, the run details are folded at
    the end. A page without them is returned unchanged."""
    start = markup.find(RUN_DETAILS_START)
    end = markup.find(RUN_DETAILS_END, start)
    close = markup.rfind("</main>")
    if start < 0 or end < 0 or close < end:
        return markup
    block = markup[start:end + len(RUN_DETAILS_END)]
    rest = markup[:start] + markup[end + len(RUN_DETAILS_END):]
    close = rest.rfind("</main>")
    return rest[:close] + block + rest[close:]


def export_html(nb, out_path: Path, *, title: str, lang: str = "zh") -> Path:
    """Write the reader copy of an executed notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode or path
        The executed notebook.
    out_path : pathlib.Path
        The HTML file to write (atomically).
    title : str
        The page title.
    lang : {"zh", "en"}
        Language of the table of contents heading.

    Returns
    -------
    pathlib.Path
        ``out_path``. The page has no code cells or prompts, embeds its images and
        styles, loads nothing from the network, has a table of contents after the
        run card's head and the run details folded at its end (:func:`run_details_last`).
    """
    import nbformat

    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    body, _ = exporter().from_notebook_node(
        reader_notebook(nb), resources={"metadata": {"name": title},
                                        "language_code": "zh-CN" if lang == "zh" else "en"})
    toc = table_of_contents(body, lang)
    if TOC_MARKER in body:
        body = body.replace(TOC_MARKER, toc, 1)
    else:
        body = body.replace("<main>", "<main>" + toc, 1)
    body = strip_external(run_details_last(body))
    atomic_write_text(Path(out_path), body, mode=FILE_MODE)
    return Path(out_path)


# --- error pages -----------------------------------------------------------------------------

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def failing_cell(nb) -> dict[str, Any] | None:
    """Locate the cell that raised in a (partially) executed papermill notebook.

    Returns
    -------
    dict or None
        ``number`` (1-based position in the report notebook as stored, papermill's
        injected cells not counted), ``execution_count``, ``source``, ``ename``,
        ``evalue``, ``traceback`` (ANSI colours removed); ``None`` when no cell raised.
    """
    number = 0
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"injected-parameters", "papermill-error-cell-tag"}:
            continue
        number += 1
        if cell.cell_type != "code":
            continue
        pm = cell.get("metadata", {}).get("papermill", {})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if pm.get("exception") is True or errors:
            err = errors[0] if errors else {}
            return {
                "number": number,
                "execution_count": cell.get("execution_count"),
                "source": cell.source,
                "ename": err.get("ename", ""),
                "evalue": err.get("evalue", ""),
                "traceback": _ANSI_RE.sub("", "\n".join(err.get("traceback", []))),
            }
    return None


def error_page(*, report_name: str, quarter: str, scope: str, lang: str = "zh",
               cell: Mapping[str, Any] | None = None, ename: str = "", evalue: str = "",
               traceback: str = "") -> str:
    """An error page for a failed report.

    Parameters
    ----------
    report_name, quarter, scope : str
        What failed.
    lang : {"zh", "en"}
        Language of the labels.
    cell : mapping, optional
        The failing cell from :func:`failing_cell`; its error fields take precedence.
    ename, evalue, traceback : str
        The error when no cell is known (e.g. the kernel died).

    Returns
    -------
    str
        A self-contained HTML page naming the failing cell, the error type and
        message, with the full traceback in a collapsible block.
    """
    if cell:
        ename = cell.get("ename") or ename
        evalue = cell.get("evalue") or evalue
        traceback = cell.get("traceback") or traceback
    title = (f"{_t('error_title', lang)} · {report_title(report_name, lang)} · "
             f"{labels.code_label(scope, lang)} · {quarter}")
    parts = [f"<!DOCTYPE html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head>"
             f"<meta charset=\"utf-8\"><title>{escape(title)}</title><style>{CARD_CSS}"
             "pre{background:#f6f8fa;padding:8px;overflow:auto}</style></head><body>",
             f'<section class="gotone-card"><h1>{escape(title)}</h1>',
             f"<p><strong>{escape(ename)}</strong>: {escape(evalue)}</p>"]
    if cell:
        parts.append(f"<h3>{_t('failing_cell', lang)}: {cell['number']}"
                     f" (In [{escape(cell.get('execution_count'))}])</h3>"
                     f"<pre>{escape(cell.get('source', ''))}</pre>")
    parts.append(f"<p>{_t('last_good', lang)}</p>")
    parts.append(f"<details><summary>{_t('traceback', lang)}</summary>"
                 f"<pre>{escape(_ANSI_RE.sub('', traceback))}</pre></details>")
    parts.append("</section></body></html>\n")
    return "".join(parts)


# --- the index page -----------------------------------------------------------------------------


def read_status(out_dir: Path) -> list[dict[str, Any]]:
    """Every report status recorded under ``out_dir`` (``<quarter>/<scope>/status.json``,
    and a monthly run's ``<YYYY-MM>/<scope>/status.json``).

    Returns
    -------
    list of dict
        One entry per quarter (or month), scope and report: ``quarter`` (the quarter or
        month), ``scope, report, status, seconds, finished`` and ``files`` (names of the
        files beside it).
    """
    out_dir = Path(out_dir)
    rows = []
    for status_file in sorted(out_dir.glob("*/*/status.json")):
        scope_dir = status_file.parent
        if not (config.QUARTER_RE.match(scope_dir.parent.name)
                or config.MONTH_RE.match(scope_dir.parent.name)):
            continue
        try:
            status = json.loads(status_file.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for report_name, entry in status.get("reports", {}).items():
            rows.append({"quarter": scope_dir.parent.name, "scope": scope_dir.name,
                         "report": report_name, **entry})
    return rows


def index_headline(out_dir: Path, quarter: str, lang: str = "zh") -> str:
    """The headline numbers of a quarter, one row per scope that published any.

    Read from each scope's ``metrics.json`` as the summary reads them
    (:func:`gotone_analysis.reports.summary.tables.headline_numbers`), with a link to the scope's
    summary page when there is one. For a month (``YYYY-MM``): only the numbers its
    reports publish (the KPI side), linking to the monthly summary.

    Returns
    -------
    str
        An HTML table, or ``""`` when no scope of the quarter has published metrics.
    """
    from .reports.summary import tables as summary
    from .reports.summary.page import format_number

    rows = []
    names: list[str] = []
    for scope in config.SCOPES:
        folder = Path(out_dir) / quarter / scope
        try:
            metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        numbers = summary.headline_numbers(metrics)
        if numbers["estimate"].isna().all():
            continue
        monthly = bool(config.MONTH_RE.match(quarter))
        if monthly:
            numbers = numbers.loc[numbers["report"].isin(list(config.MONTHLY_REPORTS))]
        names = list(numbers["name"])
        scope_text = escape(labels.code_label(scope, lang))
        page = "monthly_summary.html" if monthly else "summary.html"
        if (folder / page).exists():
            scope_text = f'<a href="{quarter}/{scope}/{page}">{scope_text}</a>'
        cells = "".join(f"<td style='text-align:right'>{escape(format_number(r.estimate, r.unit, lang))}"
                        "</td>" for r in numbers.itertuples(index=False))
        rows.append(f"<tr><td>{scope_text}</td>{cells}</tr>")
    if not rows:
        return ""
    head = "".join(f"<th>{escape(labels.text(f'summary.metric.{n}', lang))}</th>"
                   for n in names)
    return (f"<h3>{escape(labels.text('summary.heading.headline', lang))}</h3>"
            f"<table><tr><th>{_t('scope', lang)}</th>{head}</tr>{''.join(rows)}</table>")


def local_time(stamp: object) -> str:
    """A time stamp of a status file (ISO 8601 with its offset) as a reader reads it: in
    this machine's local time, with its offset from UTC (``2010-12-31 16:00:00
    UTC+08:00``). A stamp that is not ISO 8601 is returned as it is; none gives ``""``."""
    if stamp is None or stamp == "":
        return ""
    try:
        when = _dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    local = when.astimezone() if when.tzinfo is not None else when.astimezone()
    offset = local.utcoffset() or _dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    zone = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{local:%Y-%m-%d %H:%M:%S} {zone}"


def run_words(run: Mapping[str, Any] | None, lang: str = "zh") -> str:
    """What the last batch did with a report, as ``status.json`` keeps it (``run``:
    ``{"why": ..., "detail": ...}``, :mod:`gotone_analysis.runner.reuse`), in words: reused,
    or why it ran (catalog ``report.run.<why>``); ``""`` when not kept."""
    if not run or not run.get("why"):
        return ""
    key = f"report.run.{run['why']}"
    if not labels.has(key):
        return str(run["why"])
    return labels.text(key, lang, detail=str(run.get("detail") or ""))


def write_index(out_dir: Path, lang: str = "zh") -> Path:
    """Rebuild ``<out_dir>/index.html`` from the status files on disk.

    For every quarter and month (newest first, a month beside its quarter): its
    headline numbers by scope
    (:func:`index_headline`), then, folded in a closed block under a count of its
    statuses, every scope × report seen in any status file, with status, what the last
    batch did with it (reused, or why it ran: :func:`run_words`), finishing time
    (local, with its offset from UTC: :func:`local_time`), seconds and links to the
    reader copy and the error page (the executed notebooks stay beside them, for
    analysts, and are not linked). In ``lang``; self-contained (no scripts, inline styles).

    Returns
    -------
    pathlib.Path
        The index file.
    """
    out_dir = Path(out_dir)
    rows = read_status(out_dir)
    known = {(r["quarter"], r["scope"], r["report"]): r for r in rows}
    quarters = sorted({r["quarter"] for r in rows}, key=config.period_key, reverse=True)
    order = [*config.REPORTS, *config.MONTHLY_REPORTS]
    reports = sorted({r["report"] for r in rows},
                     key=lambda n: (order.index(n) if n in order else len(order), n))
    head = "".join(f"<th>{_t(k, lang)}</th>" for k in
                   ("quarter", "scope", "report", "status", "run", "finished", "seconds",
                    "links"))
    in_months = {r["report"] for r in rows if config.MONTH_RE.match(r["quarter"])}
    month_head = "".join(f"<th>{_t(k, lang)}</th>" for k in
                         ("month", "scope", "report", "status", "run", "finished", "seconds",
                          "links"))
    sections = []
    for q in quarters:
        monthly = bool(config.MONTH_RE.match(q))
        names = ([n for n in reports if n in in_months] if monthly
                 else [n for n in reports if n in config.REPORTS
                       or n not in config.MONTHLY_REPORTS])
        body = []
        for scope in config.SCOPES:
            for name in names:
                entry = known.get((q, scope, name))
                status = entry.get("status", "missing") if entry else "missing"
                files = set(entry.get("files", [])) if entry else set()
                links = [f'<a href="{q}/{scope}/{fname}">{_t(label_key, lang)}</a>'
                         for fname, label_key in ((f"{name}.html", "report"),
                                                  (f"{name}.error.html", "error"))
                         if fname in files]
                seconds = entry.get("seconds") if entry else None
                body.append(
                    f'<tr class="st-{status}"><td>{q}</td><td>{escape(labels.code_label(scope, lang))}'
                    f"</td><td>{escape(report_title(name, lang))}</td>"
                    f"<td>{_t(status if status in ('ok', 'failed') else 'missing', lang)}</td>"
                    f"<td>{escape(run_words(entry.get('run') if entry else None, lang))}</td>"
                    f"<td>{escape(local_time(entry.get('finished')) if entry else '')}</td>"
                    f"<td style='text-align:right'>"
                    f"{'' if seconds is None else f'{seconds:.1f}'}</td>"
                    f"<td>{' · '.join(links)}</td></tr>")
        seen = [known[(q, sc, n)].get("status") for sc in config.SCOPES for n in names
                if (q, sc, n) in known]
        n_rows = len(config.SCOPES) * len(names)
        count = labels.text("report.status_count", lang, n=n_rows, ok=seen.count("ok"),
                            failed=seen.count("failed"),
                            missing=n_rows - seen.count("ok") - seen.count("failed"))
        sections.append(f'<h2 id="q-{q}">{q}</h2>{index_headline(out_dir, q, lang)}'
                        f"<details><summary><strong>{_t('status', lang)}</strong> "
                        f"{escape(count)}</summary>"
                        f"<table><tr>{month_head if monthly else head}</tr>"
                        f"{''.join(body)}</table></details>")
    title = _t("index_title", lang)
    banner = (f'<div class="gotone-banner">{escape(synthetic_banner(lang))}</div>'
              if any(r.get("synthetic") for r in rows) else "")
    page = (f"<!DOCTYPE html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head>"
            f"<meta charset=\"utf-8\"><title>{title}</title><style>{CARD_CSS}"
            ".st-failed td{background:#fde2e1}.st-missing td{color:#888}</style></head>"
            f'<body><section class="gotone-card"><h1>{title}</h1>{banner}'
            f"{''.join(sections)}</section></body></html>\n")
    path = out_dir / "index.html"
    atomic_write_text(path, page, mode=FILE_MODE)
    return path
