"""The kernel side of a report: the run card that opens it, the publishing that closes it.

* :func:`run_card` opens every report: title, a banner for synthetic data and
  warnings; its run details (the parameters in words, the provenance record of every
  input file: SHA-256, rows as read; code and package versions) are folded in a closed
  block that the reader page shows at its end.
* :func:`publish` closes every report: headline numbers to ``<report>.metrics.json``
  and tables to ``<report>.tables.xlsx`` (and as Parquet to ``<report>.tables/``) in
  ``$GOTONE_PUBLISH_DIR`` (set by the batch), with the report's claim ledger
  (:mod:`gotone_analysis.findings`) in both.
* Helpers the batch shares: :func:`metrics_json`, :func:`write_tables`,
  :func:`read_table_parts`, :func:`redact_paths` (with :func:`escaped_forms`, the ways
  a folder may be written escaped), :func:`remove_path`, and
  :data:`FILE_MODE`, the permissions of published files (written atomically with
  :func:`gotone_analysis.provenance.atomic_write_text`).

The pages a reader opens (reader HTML, error page, index) are made by
:mod:`gotone_analysis.pages`; the batch puts files in place with
:mod:`gotone_analysis.publish`.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import labels, provenance
from .findings import FINDINGS, Claim, findings_records, findings_table
from .provenance import code_version, package_versions
from .timings import timed

#: Environment variable naming the folder :func:`publish` writes to.
PUBLISH_DIR_ENV = "GOTONE_PUBLISH_DIR"
#: Environment variables of the provenance records' cache and of the code version
#: (:mod:`gotone_analysis.provenance`).
CACHE_DIR_ENV = provenance.CACHE_DIR_ENV
CODE_VERSION_ENV = provenance.CODE_VERSION_ENV

#: Permissions of published files (temporary files would otherwise be private).
FILE_MODE = 0o644

#: The banner of reports made from synthetic data, in both languages at once (a page
#: shows it in its own language: :func:`synthetic_banner`).
SYNTHETIC_BANNER = " · ".join(labels.catalog()["report.synthetic_banner"])


def synthetic_banner(lang: str = "zh") -> str:
    """The banner of reports made from synthetic data, in ``lang``.

    Returns
    -------
    str
    """
    return labels.text("report.synthetic_banner", lang)

#: Marker the run card leaves where :func:`export_html` puts the table of contents.
TOC_MARKER = "<!-- gotone:toc -->"

#: Markers around the run details (parameters, input files, versions) that
#: :func:`gotone_analysis.pages.export_html` moves to the end of the reader page.
RUN_DETAILS_START = "<!-- gotone:run-details -->"
RUN_DETAILS_END = "<!-- /gotone:run-details -->"

#: The style of the run card, the error page and the index.
CARD_CSS = """
.gotone-card{border:1px solid #c8ccd2;border-radius:6px;padding:12px 16px;margin:8px 0 16px;
 font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
 font-size:13px;line-height:1.45}
.gotone-card h1{font-size:22px;margin:0 0 8px}
.gotone-card h3{font-size:14px;margin:12px 0 4px}
.gotone-card table{border-collapse:collapse;margin:2px 0}
.gotone-card td,.gotone-card th{border:1px solid #e1e4e8;padding:2px 8px;text-align:left;
 vertical-align:top}
.gotone-card code{font-size:11px;word-break:break-all}
.gotone-banner{background:#fff3cd;border:1px solid #e0b400;color:#6b4e00;padding:6px 10px;
 font-weight:bold;margin:4px 0 8px}
.gotone-warn{color:#8a4b00}
.gotone-toc{border-left:3px solid #0b5ea8;padding:2px 10px;margin:4px 0 10px;font-size:13px;
 line-height:1.6}
.gotone-toc strong{margin-right:10px}
.gotone-toc ul{display:inline;margin:0;padding:0}
.gotone-toc li{display:inline;list-style:none;margin:0 14px 0 0;white-space:nowrap}
.gotone-toc .toc-h3{font-size:12px}
@media print{.gotone-toc{display:none}
 table,img,figure,svg,.jp-OutputArea-output{break-inside:avoid}
 h1,h2,h3,h4{break-after:avoid}}
"""


def _t(key: str, lang: str) -> str:
    return labels.text(f"report.{key}", lang)


def report_title(report_name: str, lang: str = "zh") -> str:
    """The title of a report in ``lang`` (catalog ``report.title.<name>``).

    Returns
    -------
    str
        The title; the report's name for a report the catalog does not know.
    """
    key = f"report.title.{report_name}"
    return labels.text(key, lang) if labels.has(key) else report_name


# --- the run card --------------------------------------------------------------------------


class HTMLBlock:
    """A piece of HTML that Jupyter displays as such (``_repr_html_``)."""

    def __init__(self, markup: str) -> None:
        self.data = markup

    def _repr_html_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data


def escape(value: Any) -> str:
    """``value`` as HTML text (None and missing values as empty text).

    Returns
    -------
    str
    """
    return html.escape("" if value is None or value is pd.NA else str(value))


def _kv_table(items: Iterable[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in items)
    return f"<table>{body}</table>"


def parameter_words(P, ds=None) -> list[tuple[str, str]]:
    """The parameters of a run as a reader reads them: a label and a value in words.

    Parameters
    ----------
    P : gotone_analysis.params.Params
        Checked parameters.
    ds : gotone_analysis.io.Dataset, optional
        The opened dataset (a synthetic one is named "demo data" whatever its folder).

    Returns
    -------
    list of (str, str)
        In :data:`gotone_analysis.params.PARAMETERS` order, in ``P.lang``: the scope and
        the comparison quarter by name, the data folder by name (the demo data as such,
        never a path of the machine), the language and the panel engine by name.
    """
    lang = P.lang
    params = P.as_dict()
    folder = str(params["data_dir"])
    demo = getattr(ds, "synthetic", False) or folder == "demo"
    words = {
        "scope": P.scope_label,
        "data_dir": _t("data.demo", lang) if demo else folder,
        "compare_to": (labels.text("report.compare_with", lang, quarter=P.compare_to,
                                   label=P.compare_label) if P.compare_label
                       else str(P.compare_to)),
        "lang": _t(f"lang.{P.lang}", lang),
        "engine": (_t(f"engine.{P.engine}", lang) if labels.has(f"report.engine.{P.engine}")
                   else str(P.engine)),
    }
    return [(_t("param." + k, lang) if labels.has(f"report.param.{k}") else k,
             words.get(k, "" if v is None else str(v))) for k, v in params.items()]


def _period(P) -> str:
    """What a run reports on: a monthly run's month, else its quarter."""
    return getattr(P, "month", "") or P.quarter


def run_card(P, ds, report_name: str) -> HTMLBlock:
    """The head of every report, and its run details folded at the end of the page.

    Also sets up the plotting style (:func:`gotone_analysis.plots.setup_style`) when
    the plotting module is installed.

    Parameters
    ----------
    P : gotone_analysis.params.Params
        Checked parameters.
    ds : gotone_analysis.io.Dataset or None
        The opened dataset: ``synthetic`` and the provenance record of every file it
        reads (:meth:`gotone_analysis.io.Dataset.inputs`); None opens ``P.data_dir``
        (and shows no banner). The data set is held to the files the report reads
        (:meth:`gotone_analysis.io.Dataset.limit`): those the run card lists.
    report_name : str
        Key of :data:`gotone_analysis.config.REPORTS`.

    Returns
    -------
    HTMLBlock
        Title, synthetic-data banner (when ``ds.synthetic``) and warnings, then the
        marker of the table of contents (:data:`TOC_MARKER`), then the run details in a
        closed ``<details>`` (:data:`RUN_DETAILS_START` to :data:`RUN_DETAILS_END`, which
        :func:`gotone_analysis.pages.export_html` moves to the end of the reader page):
        the parameters in words (:func:`parameter_words`), every input file the report
        reads (:data:`gotone_analysis.config.REPORT_INPUTS`) with its row count (as the reader reads it) and SHA-256, the code version
        and the package versions. Displayed as HTML in Jupyter.
    """
    try:
        from . import plots
    except ImportError:
        plots = None
    if plots is not None and hasattr(plots, "setup_style"):
        plots.setup_style()
    lang = P.lang
    title = f"{report_title(report_name, lang)} · {P.scope_label} · {_period(P)}"
    parts = [f"<style>{CARD_CSS}</style>", '<section class="gotone-card">', f"<h1>{escape(title)}</h1>"]
    if getattr(ds, "synthetic", False):
        parts.append(f'<div class="gotone-banner">{escape(synthetic_banner(lang))}</div>')
    if P.warnings:
        parts.append(f"<p><strong>{_t('warnings', lang)}</strong></p><ul>"
                     + "".join(f'<li class="gotone-warn">{escape(w)}</li>' for w in P.warnings)
                     + "</ul>")
    parts.append("</section>" + TOC_MARKER)
    # the files this report reads (config.REPORT_INPUTS); the data set refuses any other
    ds_read = ds if ds is not None else P.open_dataset()
    if hasattr(ds_read, "limit"):
        ds_read.limit(report_name, P.quarter, P.compare_to)
    files = ds_read.inputs()
    file_rows = "".join(
        f"<tr><td>{escape(r.path)}</td><td style='text-align:right'>"
        f"{'' if pd.isna(r.rows) else f'{int(r.rows):,}'}</td><td><code>{escape(r.sha256)}</code>"
        f"</td></tr>" for r in files.itertuples())
    file_table = (f"<table><tr><th>{_t('path', lang)}</th><th>{_t('rows', lang)}</th>"
                  f"<th>SHA-256</th></tr>{file_rows}</table>")
    versions = [(_t("code", lang), code_version()), *package_versions().items()]
    parts.append(
        f'{RUN_DETAILS_START}<section class="gotone-card gotone-run-details"><details>'
        f"<summary><strong>{_t('run_details', lang)}</strong></summary>"
        f"<p><strong>{_t('parameters', lang)}</strong></p>{_kv_table(parameter_words(P, ds))}"
        f"<p><strong>{_t('inputs', lang)} ({len(files)})</strong></p>{file_table}"
        f"<p><strong>{_t('versions', lang)}</strong></p>{_kv_table(versions)}"
        f"</details></section>{RUN_DETAILS_END}")
    return HTMLBlock("".join(parts))


# --- publishing metrics and tables -----------------------------------------------------------


class Published(dict):
    """The published headline numbers: a dict that Jupyter displays as a note.

    The note says how many numbers and findings the report published and where they
    are; the metric keys themselves stay in ``metrics.json`` and the workbook (and in
    the dict's plain-text form in the executed notebook), not in the reader's page.
    """

    lang = "zh"

    def _repr_html_(self) -> str:
        found = self.get(FINDINGS)
        n_found = len(found) if isinstance(found, list) else 0
        n = len(self) - (1 if isinstance(found, list) else 0)
        count = labels.text("report.headline_count", self.lang, n=n, k=n_found)
        return (f"<h2>{_t('headline', self.lang)}</h2><p>{_t('headline_note', self.lang)}</p>"
                f"<p>{escape(count)}</p>")


#: Significant digits of a published float (see :func:`normalise_metrics`).
METRIC_SIGNIFICANT = 9


def published_float(value: float, digits: int = 10,
                    significant: int = METRIC_SIGNIFICANT) -> float | None:
    """A float as the suite publishes it: ``significant`` significant digits, at most
    ``digits`` decimals (see :func:`normalise_metrics`); None for NaN and infinities.

    Returns
    -------
    float or None
    """
    value = float(value)
    if not math.isfinite(value):
        return None
    return round(float(f"{value:.{int(significant)}g}"), digits)


def normalise_metrics(metrics: Mapping[str, Any], digits: int = 10,
                      significant: int = METRIC_SIGNIFICANT) -> dict[str, Any]:
    """Make headline numbers JSON-ready and deterministic.

    A float is published to ``significant`` significant digits and at most ``digits``
    decimal places. A parallel engine adds the same rows in an order that varies from
    run to run (DuckDB's threads, Spark's partitions), so sums, and the variances made
    from them, differ in their last bits between two runs of the same batch; nine
    significant digits are far beyond any estimate's precision and well above that
    noise, so what a batch publishes does not depend on the run, the cache or ``--jobs``.

    Parameters
    ----------
    metrics : mapping
        Flat mapping name -> number, string, bool or None (NumPy scalars accepted).
    digits : int, default 10
        Decimal places floats are rounded to (at most).
    significant : int, default :data:`METRIC_SIGNIFICANT`
        Significant digits floats are rounded to.

    Returns
    -------
    dict
        Sorted by name; floats rounded, NaN and infinities as ``None``.

    Raises
    ------
    TypeError
        For a non-string name or a value that is not a scalar.
    """
    out: dict[str, Any] = {}
    for name, value in metrics.items():
        if not isinstance(name, str):
            raise TypeError(f"metric names must be strings, got {name!r}")
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()
        if value is None or value is pd.NA or isinstance(value, (bool, str)):
            out[name] = None if value is pd.NA else value
        elif isinstance(value, int):
            out[name] = value
        elif isinstance(value, float):
            out[name] = published_float(value, digits, significant)
        else:
            raise TypeError(f"metric {name!r} must be a number, string, bool or None, "
                            f"got {type(value).__name__}")
    return dict(sorted(out.items()))


def sheet_names(names: Iterable[str]) -> list[str]:
    """The Excel sheet names :func:`write_tables` gives tables of these names, in order."""
    taken: set[str] = set()
    return [_sheet_name(n, taken) for n in names]


def _sheet_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "sheet"
    candidate, i = base, 1
    while candidate.lower() in taken:
        i += 1
        candidate = f"{base[:28]}_{i}"
    taken.add(candidate.lower())
    return candidate


def write_tables(tables: Mapping[str, pd.DataFrame], path: Path) -> None:
    """Write tables to one Excel workbook, one sheet each, atomically.

    Sheet names are made valid for Excel (31 characters, no ``[]:*?/\\``). The
    workbook's creation date is fixed so identical tables give an identical file.
    """
    with (provenance.atomic_target(path, suffix=".xlsx", mode=FILE_MODE) as tmp,
          pd.ExcelWriter(tmp, engine="xlsxwriter") as writer):
        writer.book.set_properties({"created": _dt.datetime(2010, 1, 1)})
        for sheet, df in zip(sheet_names(tables), tables.values(), strict=True):
            frame = df if isinstance(df, pd.DataFrame) else pd.DataFrame(df)
            keep_index = not isinstance(frame.index, pd.RangeIndex)
            frame.to_excel(writer, sheet_name=sheet, index=keep_index)


def write_table_parts(tables: Mapping[str, pd.DataFrame], folder: Path) -> None:
    """Keep tables as they are, for the batch to gather into a scope's ``tables.xlsx``.

    Writes ``folder/`` (replacing it at once, :func:`gotone_analysis.provenance.atomic_folder`):
    one Parquet file per table and ``manifest.json``
    listing the tables in order by their sheet names in :func:`write_tables`' workbook.
    Parquet keeps every column's type (text ``"0012"`` stays text), which reading the
    workbook back would not. A table Parquet cannot hold (e.g. a column mixing text
    and numbers) is listed without a file; the batch then reads that sheet from the
    report's workbook.
    """
    with provenance.atomic_folder(Path(folder)) as tmp:
        entries = []
        for i, (sheet, df) in enumerate(zip(sheet_names(tables), tables.values(),
                                            strict=True)):
            frame = df if isinstance(df, pd.DataFrame) else pd.DataFrame(df)
            fname: str | None = f"{i:03d}.parquet"
            try:
                frame.to_parquet(tmp / fname)
            except Exception:  # noqa: BLE001 - any frame Parquet refuses falls back to Excel
                (tmp / fname).unlink(missing_ok=True)
                fname = None
            entries.append({"sheet": sheet, "file": fname})
        (tmp / "manifest.json").write_text(
            json.dumps({"sheets": entries}, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8")
        for child in tmp.iterdir():
            os.chmod(child, 0o755 if child.is_dir() else FILE_MODE)


def read_table_parts(folder: Path, workbook: Path | None = None) -> dict[str, pd.DataFrame]:
    """The tables kept by :func:`write_table_parts`: sheet name -> DataFrame, in order.

    A table without a Parquet file is read from ``workbook`` (the report's
    ``tables.xlsx``), or left out when there is none.
    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    out: dict[str, pd.DataFrame] = {}
    for entry in manifest.get("sheets", []):
        if entry.get("file"):
            out[entry["sheet"]] = pd.read_parquet(folder / entry["file"])
        elif workbook is not None and Path(workbook).exists():
            out[entry["sheet"]] = pd.read_excel(workbook, sheet_name=entry["sheet"])
    return out


def remove_path(path: Path) -> None:
    """Remove a file or a folder, if there."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _json_inner(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _json_ascii_inner(text: str) -> str:
    return json.dumps(text)[1:-1]


def _python_single_inner(text: str) -> str:
    """Inside ``repr(text)``, however Python quotes it (``'...'`` or ``"..."``)."""
    return repr(text)[1:-1]


def _python_double_inner(text: str) -> str:
    """Inside a double-quoted Python literal with unicode escapes (how papermill writes
    the parameters cell)."""
    return text.encode("unicode_escape").decode("ascii").replace('"', '\\"')


def _python_single_quoted(text: str) -> str:
    """Inside a single-quoted literal when ``repr`` chose double quotes."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _html_inner(text: str) -> str:
    return html.escape(text, quote=True)


#: The ways a text may be written inside a notebook's text, one level deep: as it is, in a
#: JSON string, in a Python string literal (repr, papermill's parameters cell), as HTML.
_ESCAPES = (_json_inner, _json_ascii_inner, _python_single_inner, _python_double_inner,
            _python_single_quoted, _html_inner)


def escaped_forms(text: str) -> list[tuple[str, Any]]:
    """The ways ``text`` (a folder) may appear written in a published file.

    Parameters
    ----------
    text : str
        The text as it is.

    Returns
    -------
    list of (str, callable)
        Each distinct form with the escaping that made it (a function of a text):
        ``text`` itself (the identity), and ``text`` escaped as in a JSON string (with
        and without ``\\u`` escapes), a Python string literal (``repr``, either quote;
        papermill's double-quoted literals with unicode escapes) or HTML, and each of
        those escaped once more (e.g. a Python literal printed as JSON). A replacement
        for a form is escaped the same way, so it stays valid where it lands.
    """
    def ident(t: str) -> str:
        return t

    out: dict[str, Any] = {text: ident}
    for first in _ESCAPES:
        out.setdefault(first(text), first)
    for first in _ESCAPES:
        for second in _ESCAPES:
            def both(t: str, a=first, b=second) -> str:
                return b(a(t))
            out.setdefault(both(text), both)
    return list(out.items())


def redact_paths(value: Any, replacements: Iterable[tuple[str, str]]) -> Any:
    """Replace this machine's folders in text with neutral names.

    Parameters
    ----------
    value : str, list, dict or other
        Text, or a JSON-like structure whose strings are rewritten (keys too);
        anything else is returned as it is.
    replacements : iterable of (str, str)
        Absolute folder -> name (e.g. the data folder -> ``<data>``); longer folders
        are replaced first, so a folder inside another gets its own name.

    Returns
    -------
    The value with every ``folder/...`` and bare ``folder`` replaced, also where the
    folder is written escaped (:func:`escaped_forms`: in a JSON string, a Python string
    literal or HTML, e.g. ``\\"`` for a ``"`` in its name); the name is then escaped the
    same way.
    """
    pairs = {(str(a).rstrip("/"), b) for a, b in replacements if str(a).rstrip("/")}
    forms = {}
    for folder, name in pairs:
        for form, escape_as in escaped_forms(folder):
            forms.setdefault(form, escape_as(name))
    # whole folders only: /srv/data is not the start of /srv/data2 nor the end of /x/srv/data;
    # longer forms first
    rules = [(form, re.compile(r"(?<![\w.+~@-])" + re.escape(form) + r"(?![\w.+~@-])"), name)
             for form, name in sorted(forms.items(), key=lambda p: len(p[0]), reverse=True)]

    def fix(text: str) -> str:
        for form, rx, name in rules:
            if form in text:
                text = rx.sub(lambda m, n=name: n, text)
        return text

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return fix(v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, tuple):
            return tuple(walk(x) for x in v)
        if isinstance(v, dict):
            return type(v)((fix(k) if isinstance(k, str) else k, walk(x)) for k, x in v.items())
        return v

    return walk(value)


def metrics_json(metrics: Mapping[str, Any]) -> str:
    """Serialise metrics deterministically (sorted keys, UTF-8, 2-space indent)."""
    return json.dumps(metrics, sort_keys=True, ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"


@timed("publish")
def publish(P, report_name: str, metrics: Mapping[str, Any],
            tables: Mapping[str, pd.DataFrame] | None = None,
            findings: Iterable[Claim] | None = None) -> Published:
    """Publish a report's headline numbers and tables.

    Parameters
    ----------
    P : gotone_analysis.params.Params
        Checked parameters (for the language of the display).
    report_name : str
        The report's name; files are named after it.
    metrics : mapping
        Flat mapping name -> number or string; deterministic (no timestamps).
    tables : mapping, optional
        Sheet name -> DataFrame.
    findings : iterable of Claim, optional
        The sentences the report printed, as claims
        (:class:`gotone_analysis.findings.Claim`): published as the ledger ``findings``,
        a list of records in the metrics and a table beside the others
        (:func:`gotone_analysis.findings.findings_table`, of ``P.scope`` and
        ``P.quarter``, or the month of a monthly run). A report that prints no sentence passes an empty list.

    Returns
    -------
    Published
        The normalised metrics (a dict, shown as a note in the notebook), with a
        ``synthetic`` flag (true for demo data) and the ledger when given. When ``$GOTONE_PUBLISH_DIR`` is set,
        ``<report>.metrics.json`` and (with tables) ``<report>.tables.xlsx`` are written
        there (for synthetic data the workbook's first sheet says so), with the tables
        kept as they are in ``<report>.tables/`` (:func:`write_table_parts`) for the
        batch's combined workbook; otherwise nothing is written.
    """
    synthetic = bool(getattr(P, "synthetic", False))
    out = Published(normalise_metrics({**metrics, "synthetic": synthetic}))
    out.lang = P.lang
    if findings is not None:
        if FINDINGS in metrics:
            raise ValueError(f"metric {FINDINGS!r} is the claim ledger; pass the claims as "
                             "findings=")
        ledger = findings_table(list(findings), scope=P.scope, quarter=_period(P))
        out[FINDINGS] = findings_records(ledger)
        tables = {**(tables or {}), FINDINGS: ledger}
    target = os.environ.get(PUBLISH_DIR_ENV)
    if target:
        folder = Path(target)
        folder.mkdir(parents=True, exist_ok=True)
        provenance.atomic_write_text(folder / f"{report_name}.metrics.json",
                                     metrics_json(out), mode=FILE_MODE)
        if tables:
            if synthetic:  # the workbook says so on its first sheet
                tables = {"synthetic": pd.DataFrame({"note": [synthetic_banner(P.lang)]}),
                          **tables}
            write_tables(tables, folder / f"{report_name}.tables.xlsx")
            write_table_parts(tables, folder / f"{report_name}.tables")
        else:
            for stale in (f"{report_name}.tables.xlsx", f"{report_name}.tables"):
                remove_path(folder / stale)
    return out
