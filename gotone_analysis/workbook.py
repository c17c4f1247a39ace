"""The scope workbook ``tables.xlsx``: every report's tables, for readers who use Excel.

:func:`write` lays out one workbook in the report language: a first sheet saying what
the workbook is (quarter, scope, synthetic or real data, each report's status, the run
card in short: parameters in words, code version, every input file with rows and
SHA-256), then one sheet per table named ``<report> · <table>`` in that language, with

* the header row in the language (the catalog's column headings, an effect headed as
  the effect with its unit), frozen, with a filter;
* codes (cities, tiers, brands, components, levers, statuses, comparisons, outcomes,
  survey items, covariates such as 「金卡 vs 钻石卡」) as their names, yes/no as words,
  months as ``2010-03``; rows of cities, tiers and levers in their canonical order (the
  deck's);
* numbers kept as numbers, with a number format (thousands separators, two decimals,
  three for p-values, a percent format for rates, which are stored as fractions);
* significance marks (▲/▼) as in the reports, and the estimates of a suppressed row
  (base below the minimum) shown as "—", as the reader tables show them;
* an empty table as one row saying why it is empty.

Every text comes from the catalog (section ``labels/workbook.py``); ``metrics.json`` keeps
the codes and keys, only the workbook's presentation is in words.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from . import config, labels, tables, targets
from .provenance import atomic_target
from .report import FILE_MODE, published_float, sheet_names

__all__ = ["CODE_COLUMNS", "DASH", "item_label", "RATE_COLUMNS", "about_rows", "column_label",
           "order_rows", "reader_sheet", "sheet_label", "write"]

#: Columns whose values are codes shown by their names.
CODE_COLUMNS: tuple[str, ...] = ("city", "tier", "brand", "component", "lever", "scope",
                                 "variable", "driver", "term", "part", "stage", "measure")
#: Columns holding rates (fractions, shown with a percent format).
RATE_COLUMNS: tuple[str, ...] = ("share", "share_missing", "share_before", "share_after",
                                 "change_share", "change_share_ci_low",
                                 "change_share_ci_high", "attainment", "importance",
                                 "importance_ci_low", "importance_ci_high")
#: Where the catalog names the values of a column, prefixes tried in turn
#: (``"<report>:<column>"``: one report's own).
_VALUE_KEYS: dict[str, tuple[str, ...]] = {
    "status": ("scorecard.status.", "code."),
    "data_quality:status": ("workbook.value.check.",),
    "status_ref": ("scorecard.status.",), "worst": ("scorecard.status.",),
    "direction_of_change": ("scorecard.change.",),
    "light": ("workbook.value.light.",), "direction": ("workbook.value.direction.",),
    "rule": ("workbook.value.rule.",),
    "scorecard_139:unit": ("workbook.value.scorecard_unit.",),
    "summary:unit": ("workbook.value.summary_unit.",),
    "reason": ("workbook.value.reason.",), "outcome": ("effects.outcome.",),
    "program_effects:kind": ("effects.kind.",),
    "data_quality:kind": ("workbook.value.input_kind.",),
    "arm": ("effects.arm.",), "asked_of": ("quality.asked_of.",),
    "item": ("workbook.item.",), "summary:name": ("summary.metric.",),
    "report": ("report.title.",), "segment": ("column.",),
    "tier": ("workbook.value.total.",), "city": ("workbook.value.total.",),
    "scope": ("workbook.value.total.",), "event_time": ("workbook.value.event_time.",),
    **{f"satisfaction:{c}": ("code.",) for c in ("construct", "source", "target", "period",
                                                 "quadrant")},
}
#: Columns a sheet leaves out (machine keys; ``metrics.json`` keeps them).
_HIDDEN: dict[str, tuple[str, ...]] = {"summary.headline": ("key",)}
#: Columns of program-effects tables holding month numbers (shown as ``2010-03``).
_MONTH_COLUMNS: tuple[str, ...] = ("cohort", "time", "base")
#: Columns in a target's unit (a rate target's are fractions).
_TARGET_VALUES: tuple[str, ...] = ("target", "actual", "actual_low", "actual_high", "gap",
                                   "projected", "projected_low", "projected_high",
                                   "actual_ref", "change", "estimate", "ci_low", "ci_high",
                                   "contribution")
_EFFECT_VALUES: tuple[str, ...] = ("estimate", "se", "ci_low", "ci_high", "direct_estimate",
                                   "direct_se")
#: The levels of the factors of a propensity model (their reference is the first, sorted).
_FACTOR_LEVELS: dict[str, tuple[str, ...]] = {"tier": config.TIER_CODES,
                                              "city": config.CITY_CODES,
                                              "brand": config.BRAND_CODES}
_COVARIATE_RE = re.compile(r"^C\((?P<factor>\w+)\)\[T\.(?P<level>[^\]]+)\]$")
#: What a suppressed estimate shows (as in the reader tables).
DASH = "—"
#: Catalog area of each report's own column headings.
_AREAS = {"program_effects": "effects", "scorecard_139": "scorecard",
          "data_quality": "quality", "summary": "summary", "monthly_summary": "monthly"}
_BASE_RE = re.compile(r"^(n|n_\w+|\w+_n|share\w*|weight\w*|suppressed|significant)$")
_P_RE = re.compile(r"^(p|p_\w+|\w+_p|pretest_p|\w+_p_adj)$")


def column_label(column: str, report: str, lang: str, table: str = "") -> str:
    """The heading of a column of ``report``'s tables in ``lang``.

    Parameters
    ----------
    column, report : str
        The column and its report.
    lang : {"zh", "en"}
        Language.
    table : str, optional
        The table's name, for a heading of that table only.

    Returns
    -------
    str
        The catalog's ``workbook.heading.<report>.<table>.<column>``,
        ``<area>.column.<column>``, ``column.<column>`` or ``workbook.column.<column>``
        (a confidence level named in it is the policy's), a scorecard status for a count of
        that status, else the column's name (:func:`gotone_analysis.tables.column_label`).
    """
    area = _AREAS.get(report)
    areas = (f"{area}.column.", f"{area}.column.column.") if area else ()
    own = (f"workbook.heading.{report}.{table}.",) if table else ()
    statuses = ("scorecard.status.",) if report == "scorecard_139" else ()
    prefixes = (*own, *areas, "column.", "workbook.column.", *statuses)
    try:
        head = tables.column_label(str(column), lang, prefixes=prefixes)
    except (KeyError, IndexError, ValueError):
        return str(column)
    if statuses and labels.has(f"scorecard.status.{column}") and not any(
            labels.has(f"{p}{column}") for p in prefixes if p not in statuses):
        return _sentence_case(head, lang)      # a count of a status: "Met"
    return head


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


def order_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in the canonical order of their codes (:data:`gotone_analysis.config.CODE_ORDERS`).

    Each code column with such an order, left to right, orders the rows within the
    groups of the text columns before it (kept in their order of first appearance), so
    a table of tiers by component lists diamond, gold, silver, regular in every component.

    Returns
    -------
    pandas.DataFrame
        The rows reordered (a stable sort), index reset.
    """
    df = table.reset_index(drop=True)
    for j, col in enumerate(df.columns):
        rank = config.CODE_ORDERS.get(str(col))
        if rank is None or not df[col].isin(rank).any():
            continue
        keys = []
        for prev in df.columns[:j]:
            if _is_text(df[prev]):
                keys.append(pd.factorize(df[prev].astype(str))[0])
        pos = {c: i for i, c in enumerate(rank)}
        keys.append(np.array([pos.get(v, len(rank)) for v in df[col]]))
        df = df.iloc[np.lexsort(keys[::-1])].reset_index(drop=True)
    return df


def reader_sheet(table: pd.DataFrame, report: str, lang: str, table_name: str = ""
                 ) -> pd.DataFrame:
    """A table as its sheet shows it: codes as names, suppressed estimates as "—",
    headings in ``lang``.

    Returns
    -------
    pandas.DataFrame
        A copy; numbers stay numbers (floats as the metrics publish them:
        :func:`gotone_analysis.report.published_float`) except the suppressed estimates;
        rows in the canonical order (:func:`order_rows`).
    """
    return _present(table, report, table_name, lang)[0]


def _present(table: pd.DataFrame, report: str, name: str, lang: str,
             units: Mapping[str, str] | None = None
             ) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The sheet of a table, which of its cells are rates, and its columns' own names."""
    df = table.copy()
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()
    df = df.drop(columns=[c for c in _HIDDEN.get(f"{report}.{name}", ()) if c in df.columns])
    df = order_rows(df)
    if df.empty:
        key = f"workbook.empty.{report}.{name}"
        note = labels.text(key if labels.has(key) else "workbook.empty", lang)
        df = pd.DataFrame({c: [note if i == 0 else None] for i, c in enumerate(df.columns)}
                          if len(df.columns) else {"note": [note]}, dtype=object)
    if report == "program_effects":
        cols = [c for c in _MONTH_COLUMNS
                if c in df.columns and pd.api.types.is_integer_dtype(df[c])]
        if cols:
            from .reports.program_effects.tables import month_labels
            df = month_labels(df, cols)
    if "target_id" in df.columns and "label" not in df.columns:
        names = _target_table().set_index("id")[f"label_{lang}"]
        df.insert(int(df.columns.get_loc("target_id")) + 1, "label",
                  [names.get(v, "") for v in df["target_id"]])
    rates = _rate_cells(df, report, name, units)
    # a target by its name, not its id (where every target has a name)
    if "target_id" in df.columns and df["label"].map(lambda v: isinstance(v, str)
                                                     and v != "").all():
        rates = rates[:, [c != "target_id" for c in df.columns]]
        df = df.drop(columns="target_id")
    for col in df.columns:
        if str(col) == "covariate":
            df[col] = _covariate_names(df, lang)
        elif _is_text(df[col]):
            df[col] = [_value_label(v, report, str(col), lang) for v in df[col]]
    for col in df.columns:
        # numbers as the metrics publish them: a parallel engine's last bits vary from run
        # to run, and the same inputs must give the same workbook (and no "-0")
        if pd.api.types.is_float_dtype(df[col]):
            df[col] = [v if pd.isna(v) else _published(v) for v in df[col]]
    if "suppressed" in df.columns:
        hidden = df["suppressed"].fillna(False).astype(bool).to_numpy()
        if hidden.any():
            for col in df.columns:
                if (pd.api.types.is_float_dtype(df[col]) and not _BASE_RE.match(str(col))):
                    df[col] = df[col].astype(object)
                    df.loc[hidden, col] = DASH
    yes, no = labels.text("workbook.yes", lang), labels.text("workbook.no", lang)
    for col in df.columns:
        if pd.api.types.is_bool_dtype(df[col]) or (
                df[col].dtype == object and df[col].map(lambda v: isinstance(v, bool)
                                                        or v is None).all()
                and df[col].map(lambda v: isinstance(v, bool)).any()):
            df[col] = [(_sentence_case(yes, lang) if v else _sentence_case(no, lang))
                       if isinstance(v, bool | np.bool_) else v for v in df[col]]
    heads = [column_label(str(c), report, lang, name) for c in df.columns]
    for i, h in enumerate(heads):
        if heads.count(h) > 1:
            heads[i] = f"{h} ({df.columns[i]})"
    sources = [str(c) for c in df.columns]
    df.columns = heads
    return df, rates, sources


def _published(value: float) -> float:
    f = published_float(value)
    return np.nan if f is None else f + 0.0   # + 0.0: no "-0"


def _is_text(col: pd.Series) -> bool:
    return col.dtype == object or pd.api.types.is_string_dtype(col)


def _sentence_case(text: str, lang: str) -> str:
    """An English word from the catalog as a cell or heading starts with a capital."""
    return text[:1].upper() + text[1:] if lang == "en" else text


def _value_label(value: Any, report: str, column: str, lang: str) -> Any:
    """The name of a code in a text column (the value itself when it is no code)."""
    if not isinstance(value, str):
        return value
    prefixes = _VALUE_KEYS.get(f"{report}:{column}") or _VALUE_KEYS.get(column, ())
    if column in CODE_COLUMNS and labels.has(f"code.{value}"):
        return labels.code_label(value, lang)
    for prefix in prefixes:
        if labels.has(prefix + value):
            return _sentence_case(labels.text(prefix + value, lang), lang)
    if column == "item":
        return item_label(value, lang)
    return value


def item_label(code: str, lang: str = "zh") -> str:
    """A survey item by its question (``pq_club`` -> 俱乐部服务, ``aw_care`` -> 客户经理关怀知晓).

    Parameters
    ----------
    code : str
        The item's column in the data contract.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
        The catalog's ``workbook.item.<code>``; for ``aw_<lever>`` / ``use_<lever>``
        "knows of" / "uses" the lever's name; else ``code`` itself.
    """
    if labels.has(f"workbook.item.{code}"):
        return labels.text(f"workbook.item.{code}", lang)
    kind, _, lever = code.partition("_")     # aw_<lever>, use_<lever>: knows of, uses
    if kind in ("aw", "use") and labels.has(f"code.{lever}"):
        return labels.text(f"workbook.{'aware' if kind == 'aw' else 'use'}", lang,
                           lever=labels.code_label(lever, lang))
    return code


def _covariate_names(df: pd.DataFrame, lang: str) -> list[Any]:
    """A model term ``C(tier)[T.gold]`` as 「金卡 vs 钻石卡」 (its level against the
    reference level, the first in sorted order, which the term leaves out)."""
    group = df["lever"] if "lever" in df.columns else pd.Series(0, index=df.index)
    out: list[Any] = []
    for g, v in zip(group, df["covariate"], strict=True):
        m = _COVARIATE_RE.match(v) if isinstance(v, str) else None
        if m is None:
            out.append(_value_label(v, "", "item", lang) if isinstance(v, str) else v)
            continue
        factor, level = m["factor"], m["level"]
        shown = {mm["level"] for vv in df.loc[group == g, "covariate"]
                 if isinstance(vv, str) and (mm := _COVARIATE_RE.match(vv))
                 and mm["factor"] == factor}
        known = _FACTOR_LEVELS.get(factor, ())
        below = [c for c in known if c not in shown and c < min(shown)]
        if len(below) == 1:
            out.append(labels.text("workbook.versus", lang,
                                   level=labels.code_label(level, lang),
                                   reference=labels.code_label(below[0], lang)))
        else:
            out.append(labels.code_label(level, lang))
    return out


def _target_table() -> pd.DataFrame:
    return targets.targets()


def _rate_cells(df: pd.DataFrame, report: str, name: str,
                units: Mapping[str, str] | None) -> np.ndarray:
    """Which cells of a table (in its own columns) hold rates, as fractions."""
    mask = np.zeros(df.shape, dtype=bool)
    cols = [str(c) for c in df.columns]
    rows = np.ones(len(df), dtype=bool)

    def mark(which: np.ndarray, columns: Sequence[str]) -> None:
        for j, c in enumerate(cols):
            if c in columns and pd.api.types.is_numeric_dtype(df.iloc[:, j]):
                mask[:, j] |= which

    mark(rows, RATE_COLUMNS)
    if report == "program_effects":
        if name.endswith("_churn"):
            mark(rows, _EFFECT_VALUES)
        elif "outcome" in df.columns:
            mark((df["outcome"] == "churn").to_numpy(), _EFFECT_VALUES)
    elif report == "summary" and "unit" in df.columns:
        mark((df["unit"] == "rate").to_numpy(), ("estimate", "ci_low", "ci_high"))
    elif report == "scorecard_139":
        mark(rows, ("weight",))          # a city's share of the province
        if "unit" in df.columns:
            unit = df["unit"]
        elif "target_id" in df.columns:
            known = {**dict(zip(_target_table()["id"], _target_table()["unit"],
                                strict=True)), **(units or {})}
            unit = df["target_id"].map(known)
        else:
            return mask
        mark((unit == "rate").fillna(False).to_numpy(dtype=bool), _TARGET_VALUES)
    return mask


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
    monthly = bool(parameters.get("month"))  # a monthly run: quarter is its month
    rows: list[tuple[str, Any]] = [
        (t("workbook.month" if monthly else "workbook.quarter", lang), quarter),
        (t("workbook.scope", lang), scope_label),
        (t("workbook.synthetic", lang),
         t("workbook.synthetic_yes" if synthetic else "workbook.synthetic_no", lang)),
        (t("workbook.language", lang), t(f"workbook.lang.{lang}", lang)),
    ]
    for key in ("compare_to", "min_base", "seed"):
        value = parameters.get(key)
        if value not in (None, ""):
            word = (f"params.compare.{value}{'_month' if monthly else ''}"
                    if key == "compare_to" else "")
            rows.append((t(f"workbook.{key}", lang),
                         t(word, lang) if word and labels.has(word) else str(value)))
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
            "pct": book.add_format({"num_format": "0.00%"}),
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
            units = _target_units(items)
            for sheet, (key, table) in zip(names[1:], items, strict=True):
                report, name = key.split(".", 1) if "." in key else ("", key)
                frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
                sheet_ = _sheet(frame, report, name, lang, units)
                ws = book.add_worksheet(sheet)
                _write_cells(book, ws, sheet_.cells, startrow=1)
                for j, (head, kind) in enumerate(zip(sheet_.heads, sheet_.kinds, strict=True)):
                    ws.write(0, j, head, fmt["head"])
                    width = min(max(len(str(head)) * (2 if lang == "zh" else 1) + 2, 10), 40)
                    ws.set_column(j, j, width, fmt[kind])
                    for i, v in sheet_.rates.get(j, ()):
                        ws.write_number(i + 1, j, v, fmt["pct"])
                ws.freeze_panes(1, 0)
                if sheet_.heads:
                    ws.autofilter(0, 0, max(sheet_.rows, 1), len(sheet_.heads) - 1)
    return names


class _Sheet(NamedTuple):
    """A table laid out as a sheet: what :func:`write` puts in it."""

    heads: list[str]            # the header row
    kinds: list[str]            # each column's format: text, int, float, p or pct
    rows: int                   # body rows
    cells: list[tuple[int, int, Any, str | None]]  # (row, column, value, date format)
    rates: dict[int, list[tuple[int, float]]]      # rate cells of a column not all rates


#: The layouts :func:`_sheet` keeps, by table content: a batch rewrites a scope's
#: workbook each time one of its reports is published, the other reports' tables then
#: unchanged.
_KEPT: OrderedDict[str, _Sheet] = OrderedDict()
_KEPT_MAX = 256
#: Number formats of date and time cells (pandas' Excel writer's defaults).
_DATETIME_FORMAT, _DATE_FORMAT = "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD"


def _content_key(table: pd.DataFrame, report: str, name: str, lang: str,
                 units: Mapping[str, str] | None) -> str | None:
    """A digest of everything :func:`_present` reads (the table pickled: equal bytes are
    an equal table), or None when the table cannot be pickled."""
    import hashlib
    import pickle

    try:
        data = pickle.dumps((report, name, lang, sorted((units or {}).items())
                             if report == "scorecard_139" else None, table), protocol=5)
    except Exception:  # noqa: BLE001 - not picklable: laid out each time
        return None
    return hashlib.sha256(data).hexdigest()


def _sheet(table: pd.DataFrame, report: str, name: str, lang: str,
           units: Mapping[str, str] | None = None) -> _Sheet:
    """The sheet of ``table`` (:func:`_present`, each column's format, the cells as
    written), laid out once per table content in this process."""
    key = _content_key(table, report, name, lang, units)
    got = _KEPT.get(key) if key is not None else None
    if got is not None:
        _KEPT.move_to_end(key)
        return got
    shown, rates, sources = _present(table, report, name, lang, units)
    kinds: list[str] = []
    extra: dict[int, list[tuple[int, float]]] = {}
    for j in range(shown.shape[1]):
        col = shown.iloc[:, j]
        if not _numeric(col):
            kind = "text"
        elif rates[:, j].all():
            kind = "pct"
        elif _P_RE.match(sources[j]):
            kind = "p"
        elif all(isinstance(v, numbers.Integral) for v in col.dropna() if v != DASH):
            kind = "int"
        else:
            kind = "float"
        kinds.append(kind)
        if kind != "pct" and rates[:, j].any():
            extra[j] = [(int(i), float(v)) for i in np.flatnonzero(rates[:, j])
                        if isinstance(v := col.iloc[i], numbers.Real) and not pd.isna(v)]
    got = _Sheet([str(c) for c in shown.columns], kinds, len(shown), _cells(shown), extra)
    if key is not None:
        _KEPT[key] = got
        while len(_KEPT) > _KEPT_MAX:
            _KEPT.popitem(last=False)
    return got


def _cells(df: pd.DataFrame) -> list[tuple[int, int, Any, str | None]]:
    """``df``'s cells (no header, no index) as pandas' ``to_excel`` with xlsxwriter
    writes them, cell for cell and in its order (column by column): missing values
    empty, infinities as ``inf``, numpy numbers as numbers, dates with a date format,
    anything else as its text."""
    import datetime as dt

    from pandas.api.types import is_bool, is_float, is_integer, is_scalar

    out: list[tuple[int, int, Any, str | None]] = []
    for j in range(df.shape[1]):
        for i, val in enumerate(df.iloc[:, j]):
            if is_scalar(val) and pd.isna(val):
                val = ""
            elif is_float(val) and np.isinf(val):
                val = "inf" if val > 0 else "-inf"
            if getattr(val, "tzinfo", None) is not None:
                raise ValueError("Excel does not support datetimes with timezones")
            fmt = None
            if is_integer(val):
                val = int(val)
            elif is_float(val):
                val = float(val)
            elif is_bool(val):
                val = bool(val)
            elif isinstance(val, dt.datetime):
                fmt = _DATETIME_FORMAT
            elif isinstance(val, dt.date):
                fmt = _DATE_FORMAT
            elif isinstance(val, dt.timedelta):
                val, fmt = val.total_seconds() / 86400, "0"
            else:
                val = str(val)[:32767]
            out.append((i, j, val, fmt))
    return out


def _write_cells(book, ws, cells: Sequence[tuple[int, int, Any, str | None]],
                 startrow: int) -> None:
    """Write :func:`_cells` below ``startrow`` (a date format added once per sheet, as
    pandas does)."""
    formats: dict[str, Any] = {}
    for i, j, val, fmt in cells:
        style = None
        if fmt:
            style = formats.get(fmt)
            if style is None:
                style = formats[fmt] = book.add_format({"num_format": fmt})
        ws.write(startrow + i, j, val, style)


def _target_units(items: Sequence[tuple[str, Any]]) -> dict[str, str]:
    """Each target's unit, as the scorecard's own tables give it."""
    out: dict[str, str] = {}
    for key, table in items:
        if (key.startswith("scorecard_139.") and isinstance(table, pd.DataFrame)
                and {"target_id", "unit"} <= set(table.columns)):
            out.update(zip(table["target_id"].astype(str), table["unit"].astype(str),
                           strict=True))
    return out


def _numeric(col: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(col):
        return False
    if pd.api.types.is_numeric_dtype(col):
        return True
    values = [v for v in col.dropna() if v != DASH]
    return bool(values) and all(isinstance(v, numbers.Number) and not isinstance(v, bool)
                                for v in values)
