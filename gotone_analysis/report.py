"""Reports: the run card, published metrics and tables, reader HTML, error pages, index.

* :func:`run_card` opens every report: title, a banner for synthetic data, the
  parameters, every input file with SHA-256 and row count, package and code versions.
* :func:`publish` closes every report: headline numbers to ``<report>.metrics.json``
  and tables to ``<report>.tables.xlsx`` in ``$GOTONE_PUBLISH_DIR`` (set by the batch).
* :func:`export_html` turns an executed notebook into the reader copy: no code, no
  prompts, images inline, no script or stylesheet loaded from the network, a table
  of contents. :func:`error_page` and :func:`write_index` render the batch's pages.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import math
import os
import platform
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, config

#: Environment variable naming the folder :func:`publish` writes to.
PUBLISH_DIR_ENV = "GOTONE_PUBLISH_DIR"
#: Environment variable naming a cache folder (file hashes and row counts).
CACHE_DIR_ENV = "GOTONE_CACHE_DIR"
#: Environment variable carrying the code version computed once by the batch.
CODE_VERSION_ENV = "GOTONE_CODE_VERSION"

SYNTHETIC_BANNER = "合成演示数据，非真实结果 · Synthetic demo data — not real findings"

#: Distributions whose versions the run card lists.
PACKAGES: tuple[str, ...] = (
    "gotone-analysis", "pandas", "numpy", "scipy", "statsmodels", "samplics", "matplotlib",
    "seaborn", "duckdb", "pyarrow", "papermill", "nbconvert", "ipykernel",
)

#: Marker the run card leaves where :func:`export_html` puts the table of contents.
TOC_MARKER = "<!-- gotone:toc -->"

_TEXT = {
    "parameters": ("参数", "Parameters"),
    "inputs": ("输入文件", "Input files"),
    "versions": ("软件版本", "Versions"),
    "code": ("代码版本", "Code version"),
    "path": ("文件", "File"),
    "rows": ("行数", "Rows"),
    "warnings": ("注意", "Notes"),
    "contents": ("目录", "Contents"),
    "headline": ("关键指标", "Headline numbers"),
    "metric": ("指标", "Metric"),
    "value": ("数值", "Value"),
    "index_title": ("全球通季度分析报告", "GoTone quarterly reports"),
    "quarter": ("季度", "Quarter"),
    "scope": ("范围", "Scope"),
    "report": ("报告", "Report"),
    "status": ("状态", "Status"),
    "finished": ("完成时间", "Finished"),
    "seconds": ("用时(秒)", "Seconds"),
    "links": ("链接", "Links"),
    "notebook": ("笔记本", "notebook"),
    "error": ("错误页", "error page"),
    "ok": ("成功", "ok"),
    "failed": ("失败", "failed"),
    "missing": ("未运行", "not run"),
    "error_title": ("报告运行失败", "Report failed"),
    "failing_cell": ("出错的单元格", "Failing cell"),
    "traceback": ("完整错误信息", "Full traceback"),
    "last_good": ("上一次成功的报告仍保留。", "The last good report stays in place."),
}

_CSS = """
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
.gotone-toc{border-left:3px solid #0b5ea8;padding:4px 12px;margin:8px 0 16px;font-size:14px}
.gotone-toc ul{margin:2px 0;padding-left:18px}
.gotone-toc .toc-h3{margin-left:16px}
"""


def _t(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


def report_title(report_name: str, lang: str = "zh") -> str:
    """The title of a report in ``lang`` (from :data:`gotone_analysis.config.REPORTS`)."""
    zh, en = config.REPORTS.get(report_name, (report_name, report_name))
    return zh if lang == "zh" else en


# --- provenance ---------------------------------------------------------------------------


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 hex digest of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def count_rows(path: Path) -> int | None:
    """Data rows in an input file without parsing it, or ``None`` when not a table.

    CSV: records after the header line (line breaks inside quoted fields are counted,
    which the contract's files do not have); Parquet: the footer's row count; Excel:
    rows of the first sheet after the header; SPSS: the file header's case count.
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        with open(path, "rb") as fh:
            data = fh.read()
        if not data:
            return 0
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        return max(lines - 1, 0)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return max((wb.worksheets[0].max_row or 1) - 1, 0)
        finally:
            wb.close()
    if suffix == ".sav":
        import pyreadstat

        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        return int(meta.number_rows) if meta.number_rows is not None else None
    return None


def _data_files(data_dir: Path) -> list[Path]:
    out = []
    for root, dirs, files in os.walk(data_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out.extend(Path(root) / f for f in sorted(files) if not f.startswith("."))
    return sorted(out, key=lambda p: p.relative_to(data_dir).as_posix())


def input_files(data_dir: Path, cache_dir: Path | None = None) -> pd.DataFrame:
    """Every input file of a data folder with its SHA-256 and row count.

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder; hidden files and folders are skipped.
    cache_dir : pathlib.Path, optional
        Folder of a cache of digests keyed by path, size and modification time, so a
        batch hashes each file once. Defaults to ``$GOTONE_CACHE_DIR`` when set.

    Returns
    -------
    DataFrame
        Columns ``path`` (relative to ``data_dir``, ``/``-separated), ``kind`` (first
        folder), ``bytes``, ``rows`` (nullable integer), ``sha256``; sorted by path.
    """
    data_dir = Path(data_dir)
    if cache_dir is None and os.environ.get(CACHE_DIR_ENV):
        cache_dir = Path(os.environ[CACHE_DIR_ENV])
    cache_file = Path(cache_dir) / "inputs.json" if cache_dir else None
    cache: dict[str, Any] = {}
    if cache_file and cache_file.exists():
        try:
            cache = json.loads(cache_file.read_text(encoding="utf-8"))
        except ValueError:
            cache = {}
    rows, changed = [], False
    for path in _data_files(data_dir):
        st = path.stat()
        key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        hit = cache.get(key)
        if hit is None:
            hit = {"sha256": sha256_file(path), "rows": count_rows(path)}
            cache[key] = hit
            changed = True
        rel = path.relative_to(data_dir).as_posix()
        rows.append({"path": rel, "kind": rel.split("/")[0] if "/" in rel else "",
                     "bytes": st.st_size, "rows": hit["rows"], "sha256": hit["sha256"]})
    if cache_file and changed:
        _atomic_write_text(cache_file, json.dumps(cache, sort_keys=True))
    df = pd.DataFrame(rows, columns=["path", "kind", "bytes", "rows", "sha256"])
    df["rows"] = df["rows"].astype("Int64")
    return df


@cache
def package_versions() -> dict[str, str]:
    """Installed versions of Python and the packages in :data:`PACKAGES`."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


@cache
def code_version() -> str:
    """The project's code version.

    ``$GOTONE_CODE_VERSION`` when the batch has set it; else the git commit of the
    project (12 hex digits, ``+dirty`` when tracked files differ from it); else the
    package version.
    """
    env = os.environ.get(CODE_VERSION_ENV)
    if env:
        return env
    root = config.project_root()
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return f"gotone-analysis {__version__}"
    version = f"git {commit.stdout.strip()}"
    return version + ("+dirty" if dirty.stdout.strip() else "")


# --- the run card --------------------------------------------------------------------------


class HTMLBlock:
    """A piece of HTML that Jupyter displays as such (``_repr_html_``)."""

    def __init__(self, markup: str) -> None:
        self.data = markup

    def _repr_html_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data


def _esc(value: Any) -> str:
    return html.escape("" if value is None or value is pd.NA else str(value))


def _kv_table(items: Iterable[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in items)
    return f"<table>{body}</table>"


def run_card(P, ds, report_name: str) -> HTMLBlock:
    """The card that opens every report.

    Also sets up the plotting style (:func:`gotone_analysis.plots.setup_style`) when
    the plotting module is installed.

    Parameters
    ----------
    P : gotone_analysis.params.Params
        Checked parameters.
    ds : gotone_analysis.io.Dataset
        The opened dataset (for ``synthetic``).
    report_name : str
        Key of :data:`gotone_analysis.config.REPORTS`.

    Returns
    -------
    HTMLBlock
        Title, synthetic-data banner (when ``ds.synthetic``), warnings, parameters,
        every input file of the data folder with row count and SHA-256, package
        versions and code version. Displayed as HTML in Jupyter.
    """
    try:
        from . import plots
    except ImportError:
        plots = None
    if plots is not None and hasattr(plots, "setup_style"):
        plots.setup_style()
    lang = P.lang
    title = f"{report_title(report_name, lang)} · {P.scope_label} · {P.quarter}"
    parts = [f"<style>{_CSS}</style>", '<section class="gotone-card">', f"<h1>{_esc(title)}</h1>"]
    if getattr(ds, "synthetic", False):
        parts.append(f'<div class="gotone-banner">{_esc(SYNTHETIC_BANNER)}</div>')
    if P.warnings:
        parts.append(f"<h3>{_t('warnings', lang)}</h3><ul>"
                     + "".join(f'<li class="gotone-warn">{_esc(w)}</li>' for w in P.warnings)
                     + "</ul>")
    params = P.as_dict()
    params["compare_to"] = f"{P.compare_to} ({P.compare_label})"
    parts.append(f"<h3>{_t('parameters', lang)}</h3>" + _kv_table(params.items()))
    files = input_files(P.data_dir)
    file_rows = "".join(
        f"<tr><td>{_esc(r.path)}</td><td style='text-align:right'>"
        f"{'' if pd.isna(r.rows) else f'{int(r.rows):,}'}</td><td><code>{_esc(r.sha256)}</code>"
        f"</td></tr>" for r in files.itertuples())
    parts.append(f"<h3>{_t('inputs', lang)} ({len(files)})</h3><table><tr><th>"
                 f"{_t('path', lang)}</th><th>{_t('rows', lang)}</th><th>SHA-256</th></tr>"
                 f"{file_rows}</table>")
    versions = [(_t("code", lang), code_version()), *package_versions().items()]
    parts.append(f"<h3>{_t('versions', lang)}</h3>" + _kv_table(versions))
    parts.append("</section>" + TOC_MARKER)
    return HTMLBlock("".join(parts))


# --- publishing metrics and tables -----------------------------------------------------------


class Published(dict):
    """The published headline numbers: a dict that Jupyter displays as a table."""

    lang = "zh"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{_esc(k)}</td><td style='text-align:right'>{_esc(v)}</td></tr>"
                       for k, v in self.items())
        return (f"<h2>{_t('headline', self.lang)}</h2><table><tr><th>{_t('metric', self.lang)}"
                f"</th><th>{_t('value', self.lang)}</th></tr>{rows}</table>")


def normalise_metrics(metrics: Mapping[str, Any], digits: int = 10) -> dict[str, Any]:
    """Make headline numbers JSON-ready and deterministic.

    Parameters
    ----------
    metrics : mapping
        Flat mapping name -> number, string, bool or None (NumPy scalars accepted).
    digits : int, default 10
        Decimal places floats are rounded to.

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
            out[name] = round(value, digits) if math.isfinite(value) else None
        else:
            raise TypeError(f"metric {name!r} must be a number, string, bool or None, "
                            f"got {type(value).__name__}")
    return dict(sorted(out.items()))


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
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
            writer.book.set_properties({"created": _dt.datetime(2010, 1, 1)})
            taken: set[str] = set()
            for name, df in tables.items():
                frame = df if isinstance(df, pd.DataFrame) else pd.DataFrame(df)
                keep_index = not isinstance(frame.index, pd.RangeIndex)
                frame.to_excel(writer, sheet_name=_sheet_name(name, taken), index=keep_index)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_text(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def metrics_json(metrics: Mapping[str, Any]) -> str:
    """Serialise metrics deterministically (sorted keys, UTF-8, 2-space indent)."""
    return json.dumps(metrics, sort_keys=True, ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"


def publish(P, report_name: str, metrics: Mapping[str, Any],
            tables: Mapping[str, pd.DataFrame] | None = None) -> Published:
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

    Returns
    -------
    Published
        The normalised metrics (a dict, shown as a table in the notebook). When
        ``$GOTONE_PUBLISH_DIR`` is set, ``<report>.metrics.json`` and (with tables)
        ``<report>.tables.xlsx`` are written there; otherwise nothing is written.
    """
    out = Published(normalise_metrics(metrics))
    out.lang = P.lang
    target = os.environ.get(PUBLISH_DIR_ENV)
    if target:
        folder = Path(target)
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(folder / f"{report_name}.metrics.json", metrics_json(out))
        if tables:
            write_tables(tables, folder / f"{report_name}.tables.xlsx")
    return out
