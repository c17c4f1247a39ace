"""Column mapping files: vendor column names and values -> the contract's.

Column mapping
--------------
A YAML file maps vendor column names to canonical ones and, optionally, vendor values to
contract codes::

    columns:        # vendor column -> canonical column
      受访者编号: resp_id
      城市: city
    values:         # optional: canonical column -> {vendor value: canonical code}
      city: {福州: fuzhou, 厦门: xiamen}
    missing_codes: [98, 99]   # optional; must agree with the contract
    encoding: gbk             # optional; tried first when a file is not UTF-8

Every scalar in the file is read as text (``no``, ``on``, ``01`` stay as written). Even
without a ``values`` section, the Chinese and English labels of cities, brands and tiers
in :mod:`gotone_analysis.config` (and ``福州市`` for ``福州``) become their codes.

Which mapping applies to a file (the first that exists):

1. the one given explicitly (``load(..., mapping=...)``, ``gotone validate --mapping``);
2. the file's own mapping beside it, named after the file: ``survey_2011Q1.mapping.yaml``
   for ``survey_2011Q1.csv`` (any format); it replaces the folder's mapping for that file;
3. the folder's ``mapping.yaml``, for every file of the folder, except a file already in
   canonical layout: one that holds *none* of the mapping's vendor columns and *all* of
   its canonical ones is read without it. So a new vendor-format quarter can sit beside
   earlier quarters in canonical layout. A file holding some vendor columns but not all,
   or neither the vendor nor the canonical names, is still an error naming the mapping.

An explicit or per-file mapping always applies: its vendor columns must all be present.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import schema
from ..config import BRANDS, CITIES, MISSING_CODES, TIERS
from ..contract import TABLES
from ..schema import Problem
from .readers import check_header, data_error, os_reason

#: Name of a folder's mapping file.
MAPPING_NAME = "mapping.yaml"
#: ``<file stem>`` + this, beside a data file: that file's own mapping.
FILE_MAPPING_SUFFIX = ".mapping.yaml"
#: Canonical columns holding contract codes (SPSS value labels apply only to these).
CODE_COLUMNS = frozenset(c.name for t in TABLES.values() for c in t.columns if c.type == "code")
#: Every column name of the contract.
CANONICAL_COLUMNS = frozenset(c.name for t in TABLES.values() for c in t.columns)


@dataclass(frozen=True)
class ColumnMapping:
    """A vendor -> canonical mapping (see the module docstring for the YAML form)."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str = "<mapping>"
    #: Encoding the vendor declares; tried before GBK/GB18030 when a file is not UTF-8.
    encoding: str | None = None


def load_mapping(path: str | Path, *, kind: str | None = None) -> ColumnMapping:
    """Read and check a column-mapping YAML file.

    Parameters
    ----------
    path : str or Path
        The mapping file.
    kind : str, optional
        When given, targets must be columns of that contract table; otherwise of any.

    Returns
    -------
    ColumnMapping

    Raises
    ------
    DataError
        Naming the mapping file: unreadable or not YAML, wrong structure, a target that
        is not a contract column, two vendor columns mapped to one canonical column.
    """
    import yaml

    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise data_error(name, "mapping", "the mapping file does not exist")
    try:
        doc = yaml.load(p.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise data_error(name, "mapping", f"not a readable YAML file ({exc})") from None
    except OSError as exc:
        raise data_error(name, "mapping", f"cannot open the file: {os_reason(exc)}") from None
    problems: list[Problem] = []

    def bad(detail: str, column: str | None = None) -> None:
        problems.append(Problem(name, column, "mapping", detail))

    if not isinstance(doc, dict) or not isinstance(doc.get("columns", {}), dict):
        raise data_error(name, "mapping", "expected a mapping with a 'columns:' section "
                    "(vendor column -> canonical column)")
    for key in doc:
        if key not in ("columns", "values", "missing_codes", "encoding"):
            bad(f"unknown section '{key}' (expected 'columns' and optional 'values', "
                "'missing_codes', 'encoding')")
    declared = doc.get("missing_codes")
    if declared is not None:
        codes = declared if isinstance(declared, list) else [declared]
        if sorted(str(c).strip() for c in codes) != sorted(str(c) for c in MISSING_CODES):
            bad(f"missing_codes {codes} differ from the contract's "
                f"{', '.join(map(str, MISSING_CODES))}; map other codes in 'values'")
    encoding = doc.get("encoding")
    if encoding is not None:
        try:
            encoding = codecs.lookup(str(encoding)).name
        except LookupError:
            bad(f"unknown encoding '{encoding}'")
            encoding = None
    targets = set(TABLES[kind].names) if kind in TABLES else set(CANONICAL_COLUMNS)
    columns = {str(k).strip(): str(v).strip() for k, v in (doc.get("columns") or {}).items()}
    seen: dict[str, str] = {}
    for vendor, canon in columns.items():
        if canon not in targets:
            hint = schema.did_you_mean(canon, sorted(targets))
            bad(f"vendor column '{vendor}' maps to '{canon}', which is not a "
                f"{kind + ' ' if kind in TABLES else ''}contract column"
                + (f" (did you mean '{hint}'?)" if hint else ""), canon)
        if canon in seen:
            bad(f"vendor columns '{seen[canon]}' and '{vendor}' both map to '{canon}'", canon)
        seen.setdefault(canon, vendor)
    values_doc = doc.get("values") or {}
    if not isinstance(values_doc, dict):
        bad("'values' must map canonical columns to {vendor value: code}")
        values_doc = {}
    values: dict[str, dict[str, str]] = {}
    for canon, table in values_doc.items():
        if canon not in targets:
            bad(f"'values' names '{canon}', which is not a contract column", str(canon))
        if not isinstance(table, dict):
            bad(f"values of '{canon}' must be a mapping {{vendor value: code}}", str(canon))
            continue
        values[str(canon)] = {str(k).strip(): str(v).strip() for k, v in table.items()}
    schema.raise_if_errors(problems)
    return ColumnMapping(columns, values, name, encoding)


def _label_maps() -> dict[str, dict[str, str]]:
    maps: dict[str, dict[str, str]] = {}
    for col, table in (("city", CITIES), ("brand", BRANDS), ("tier", TIERS)):
        m: dict[str, str] = {}
        for code, (zh, en) in table.items():
            m[code.lower()] = code
            m[zh] = code
            m[en.lower()] = code
            if col == "city":
                m[zh + "市"] = code
        maps[col] = m
    return maps


_AUTO = _label_maps()


def apply_mapping(df: pd.DataFrame, mapping: ColumnMapping | None, *, file: str = "<table>",
                  labels: dict[str, dict] | None = None) -> pd.DataFrame:
    """Rename vendor columns, translate values and labels to contract codes.

    Parameters
    ----------
    df : DataFrame
        The table as read.
    mapping : ColumnMapping or None
        Vendor -> canonical names and values; ``None`` applies only the automatic label
        translation.
    file : str
        The data file's name, for messages.
    labels : dict, optional
        SPSS value labels by vendor column (applied to code columns only).

    Returns
    -------
    DataFrame
        A new frame with canonical names; ``city``, ``brand`` and ``tier`` labels
        (Chinese or English, any case) replaced by codes; unknown values left as they are
        for the schema to report.

    Raises
    ------
    DataError
        Naming the mapping file: a mapped vendor column missing from ``file``, or a
        canonical column that would appear twice; naming ``file``: a column name that
        ``df`` already holds twice.
    """
    check_header(df.columns, file, letters=False)
    cols = list(df.columns)
    rename = dict(mapping.columns) if mapping else {}
    problems: list[Problem] = []
    if mapping:
        for vendor, canon in rename.items():
            if vendor not in cols:
                problems.append(Problem(mapping.source, vendor, "mapping",
                                        f"mapped vendor column (-> '{canon}') is not in {file}"))
            elif canon in cols and canon not in rename:
                problems.append(Problem(mapping.source, canon, "mapping",
                                        f"'{vendor}' maps to '{canon}', but {file} already "
                                        f"has a column '{canon}'"))
    schema.raise_if_errors(problems)
    out = df.copy()
    for vendor, lab in (labels or {}).items():
        if rename.get(vendor, vendor) in CODE_COLUMNS and lab and vendor in out:
            text = {schema.fmt_num(k) if not isinstance(k, str) else k: str(v)
                    for k, v in lab.items()}
            s = schema.as_text(out[vendor])
            out[vendor] = s.map(lambda x, t=text: t.get(x, x) if isinstance(x, str) else x)
    out = out.rename(columns={k: v for k, v in rename.items() if k in out})
    for canon, table in (mapping.values if mapping else {}).items():
        if canon in out:
            s = schema.as_text(out[canon])
            out[canon] = s.map(lambda x, t=table: t.get(x, x) if isinstance(x, str) else x)
    for canon, table in _AUTO.items():
        if canon in out:
            s = schema.as_text(out[canon])
            hit = s.str.lower().map(table)
            hit = hit.where(hit.notna(), s.map(table))
            out[canon] = hit.where(hit.notna(), s).astype("str")
    return out


def as_mapping(mapping: str | Path | ColumnMapping | None, kind: str | None) -> ColumnMapping | None:
    if mapping is None or isinstance(mapping, ColumnMapping):
        return mapping
    return load_mapping(mapping, kind=kind)


def mapping_for(path: Path, kind: str | None) -> tuple[ColumnMapping | None, bool]:
    """The file's own mapping, else the folder's (see the module docstring).

    Returns ``(mapping, folder_wide)``; a folder-wide mapping is skipped for a file already
    in canonical layout (:func:`applies`).
    """
    own = path.with_name(path.stem + FILE_MAPPING_SUFFIX)
    if own.is_file():
        return load_mapping(own, kind=kind), False
    folder = path.parent / MAPPING_NAME
    if folder.is_file():
        return load_mapping(folder, kind=kind), True
    return None, False


def applies(mapping: ColumnMapping, columns: Iterable[str]) -> bool:
    """Whether a folder-wide mapping applies to a file with these columns: not when the file
    has none of its vendor columns and all of its canonical ones."""
    cols = set(columns)
    return not mapping.columns or bool(cols & set(mapping.columns)) \
        or not set(mapping.columns.values()) <= cols
