"""The scope workbook ``tables.xlsx``: every report's tables, for readers who use Excel.

:func:`write` lays out one workbook in the report language: a first sheet saying what
the workbook is (quarter, scope, synthetic or real data, each report's status, the run
card in short: parameters, code version, every input file with rows and SHA-256),
then one sheet per table named ``<report> · <table>`` in that language, with

* the header row in the language (the catalog's column headings), frozen, with a filter;
* codes (cities, tiers, brands, components, levers) as their names;
* numbers kept as numbers, with a number format (thousands separators, two decimals,
  three for p-values);
* significance marks (▲/▼) as in the reports, and the estimates of a suppressed row
  (base below the minimum) shown as "—", as the reader tables show them.

Every text comes from the catalog (section ``labels/workbook.py``).
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import labels, tables
from .provenance import atomic_target
from .report import FILE_MODE, published_float, sheet_names

__all__ = ["CODE_COLUMNS", "DASH", "about_rows", "column_label", "reader_sheet", "sheet_label",
           "write"]

#: Columns whose values are codes shown by their names.
CODE_COLUMNS: tuple[str, ...] = ("city", "tier", "brand", "component", "lever", "scope",
                                 "variable", "driver", "term", "part")
#: What a suppressed estimate shows (as in the reader tables).
DASH = "—"
#: Catalog area of each report's own column headings.
_AREAS = {"program_effects": "effects", "scorecard_139": "scorecard",
          "data_quality": "quality", "summary": "summary"}
_BASE_RE = re.compile(r"^(n|n_\w+|\w+_n|share\w*|weight\w*|suppressed|significant)$")
_P_RE = re.compile(r"^(p|p_\w+|\w+_p|pretest_p|\w+_p_adj)$")


def column_label(column: str, report: str, lang: str) -> str:
    """The heading of a column of ``report``'s tables in ``lang``.

    Returns
    -------
    str
        The catalog's ``<area>.column.<column>``, ``column.<column>`` or
        ``workbook.column.<column>`` (a confidence level named in it is the policy's),
        else the column's name (:func:`gotone_analysis.tables.column_label`).
    """
    area = _AREAS.get(report)
    areas = (f"{area}.column.", f"{area}.column.column.") if area else ()
    try:
        return tables.column_label(str(column), lang,
                                   prefixes=(*areas, "column.", "workbook.column."))
    except (KeyError, IndexError, ValueError):
        return str(column)


def sheet_label(report: str, table: str, lang: str) -> str:
    """A sheet's name before Excel's limits: ``<report> · <table>`` in ``lang``.

    Returns
    -------
    str
    """
    short = (labels.text(f"workbook.report.{report}", lang)
             if labels.has(f"workbook.report.{report}") else report)
    key = f"workbook.table.{report}.{table}"
    name = labels.text(key, lang) if labels.has(key) else table
    return f"{short} · {name}"


def reader_sheet(table: pd.DataFrame, report: str, lang: str) -> pd.DataFrame:
    """A table as its sheet shows it: codes as names, suppressed estimates as "—",
    headings in ``lang``.

    Returns
    -------
    pandas.DataFrame
        A copy; numbers stay numbers (floats as the metrics publish them:
        :func:`gotone_analysis.report.published_float`) except the suppressed estimates.
    """
    df = table.copy()
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()
    for col in df.columns:
        if str(col) in CODE_COLUMNS and (df[col].dtype == object
                                         or pd.api.types.is_string_dtype(df[col])):
            df[col] = df[col].map(lambda v: labels.code_label(v, lang) if isinstance(v, str)
                                  else v)
    for col in df.columns:
        # numbers as the metrics publish them: a parallel engine's last bits vary from run
        # to run, and the same inputs must give the same workbook
        if pd.api.types.is_float_dtype(df[col]):
            df[col] = [v if pd.isna(v) else published_float(v) for v in df[col]]
    if "suppressed" in df.columns:
        hidden = df["suppressed"].fillna(False).astype(bool).to_numpy()
        if hidden.any():
            for col in df.columns:
                if (pd.api.types.is_float_dtype(df[col]) and not _BASE_RE.match(str(col))):
                    df[col] = df[col].astype(object)
                    df.loc[hidden, col] = DASH
    heads = [column_label(str(c), report, lang) for c in df.columns]
    seen: dict[str, int] = {}
    for i, h in enumerate(heads):
        if heads.count(h) > 1:
            seen[h] = seen.get(h, 0) + 1
            heads[i] = f"{h} ({df.columns[i]})"
    df.columns = heads
    return df


def about_rows(*, lang: str, quarter: str, scope_label: str, synthetic: bool,
               statuses: Mapping[str, Mapping[str, Any]], parameters: Mapping[str, Any],
               code_version: str, inputs: pd.DataFrame | None,
               sheets: Sequence[str]) -> pd.DataFrame:
    """The first sheet: what the workbook is.

    Returns
    -------
    pandas.DataFrame
        Two columns (item, value) in ``lang``.
    """
    t = labels.text
    rows: list[tuple[str, Any]] = [
        (t("workbook.quarter", lang), quarter),
        (t("workbook.scope", lang), scope_label),
        (t("workbook.synthetic", lang),
         t("workbook.synthetic_yes" if synthetic else "workbook.synthetic_no", lang)),
        (t("workbook.language", lang), lang),
    ]
    for key in ("compare_to", "min_base", "seed"):
        if parameters.get(key) not in (None, ""):
            rows.append((t(f"workbook.{key}", lang), str(parameters[key])))
    rows.append((t("workbook.code", lang), code_version))
    for name, entry in statuses.items():
        title = (t(f"report.title.{name}", lang) if labels.has(f"report.title.{name}")
                 else name)
        status = entry.get("status", "missing")
        word = t(f"report.{status}", lang) if status in ("ok", "failed") else status
        rows.append((t("workbook.report_status", lang, title=title), word))
    if inputs is not None:
        for r in inputs.itertuples(index=False):
            rows.append((t("workbook.input_file", lang, path=r.path),
                         t("workbook.input_detail", lang,
                           rows="" if pd.isna(r.rows) else f"{int(r.rows):,}",
                           sha256=r.sha256)))
    rows.append((t("workbook.sheets", lang), str(len(sheets))))
    rows.append(("", t("workbook.marks", lang)))
    return pd.DataFrame(rows, columns=[t("workbook.item", lang), t("workbook.value", lang)])


def _formats(book) -> dict[str, Any]:
    return {"int": book.add_format({"num_format": "#,##0"}),
            "float": book.add_format({"num_format": "#,##0.00"}),
            "p": book.add_format({"num_format": "0.000"}),
            "text": book.add_format({}),
            "head": book.add_format({"bold": True, "bg_color": "#eef1f5", "border": 1,
                                     "text_wrap": True, "valign": "top"})}


def write(path: Path, tables: Mapping[str, pd.DataFrame], *, lang: str, quarter: str,
          scope_label: str, synthetic: bool, statuses: Mapping[str, Mapping[str, Any]],
          parameters: Mapping[str, Any], code_version: str = "",
          inputs: pd.DataFrame | None = None) -> list[str]:
    """Write a scope's workbook atomically, in ``lang``.

    Parameters
    ----------
    path : pathlib.Path
        The workbook (``tables.xlsx``).
    tables : mapping
        ``"<report>.<table>"`` -> table, in order (a report's own ``synthetic`` note
        sheet is left out: the first sheet says it).
    lang : {"zh", "en"}
        Language.
    quarter, scope_label : str
        Quarter and the scope's name.
    synthetic : bool
        Whether the data are synthetic.
    statuses : mapping
        Report -> its ``status.json`` entry.
    parameters : mapping
        The batch's notebook parameters.
    code_version : str
        The code version of the run.
    inputs : pandas.DataFrame, optional
        The input files' provenance (``path, rows, sha256``).

    Returns
    -------
    list of str
        The sheet names, the first sheet first. The workbook's creation date is fixed,
        so identical tables give an identical file.
    """
    path = Path(path)
    items = [(k, v) for k, v in tables.items() if k.split(".", 1)[-1] != "synthetic"]
    labels_ = [sheet_label(*(k.split(".", 1) if "." in k else ("", k)), lang)
               for k, _ in items]
    names = sheet_names([labels.text("workbook.about", lang), *labels_])
    about = about_rows(lang=lang, quarter=quarter, scope_label=scope_label,
                       synthetic=synthetic, statuses=statuses, parameters=parameters,
                       code_version=code_version, inputs=inputs, sheets=names[1:])
    with atomic_target(path, suffix=".xlsx", mode=FILE_MODE) as tmp:
        with pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
            book = writer.book
            book.set_properties({"created": _dt.datetime(2010, 1, 1)})
            fmt = _formats(book)
            title = labels.text("workbook.title", lang, quarter=quarter, scope=scope_label)
            about.to_excel(writer, sheet_name=names[0], index=False, startrow=2)
            ws = writer.sheets[names[0]]
            ws.write(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
            ws.set_column(0, 0, 42)
            ws.set_column(1, 1, 90)
            for sheet, (key, table) in zip(names[1:], items, strict=True):
                report = key.split(".", 1)[0] if "." in key else ""
                frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
                src = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
                shown = reader_sheet(src, report, lang)
                shown.to_excel(writer, sheet_name=sheet, index=False, header=False, startrow=1)
                ws = writer.sheets[sheet]
                for j, head in enumerate(shown.columns):
                    orig = src.columns[j]
                    ws.write(0, j, head, fmt["head"])
                    col = shown.iloc[:, j]
                    if not _numeric(col):
                        kind = "text"
                    elif _P_RE.match(str(orig)):
                        kind = "p"
                    elif pd.api.types.is_integer_dtype(src.iloc[:, j]):
                        kind = "int"
                    else:
                        kind = "float"
                    width = min(max(len(str(head)) * (2 if lang == "zh" else 1) + 2, 10), 40)
                    ws.set_column(j, j, width, fmt[kind])
                ws.freeze_panes(1, 0)
                if len(shown.columns):
                    ws.autofilter(0, 0, max(len(shown), 1), len(shown.columns) - 1)
    return names


def _numeric(col: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(col):
        return False
    if pd.api.types.is_numeric_dtype(col):
        return True
    values = [v for v in col.dropna() if v != DASH]
    return bool(values) and all(isinstance(v, numbers.Number) and not isinstance(v, bool)
                                for v in values)
