"""Run card, published metrics and tables, reader HTML, error pages and the index."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from gotone_analysis import pages, report
from gotone_analysis.params import PARAMETERS, check_parameters

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "survey").mkdir(parents=True)
    (root / "panel" / "month=2010-01").mkdir(parents=True)
    (root / "MANIFEST.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    (root / "survey" / "survey_2010Q4.csv").write_text(
        "resp_id,quarter,city,weight\n1,2010Q4,fuzhou,1.0\n2,2010Q4,xiamen,2.0\n"
        "3,2010Q4,xiamen,2.0\n", encoding="utf-8")
    pd.DataFrame({"cust_key": ["a", "b"], "arpu": [1.0, 2.0]}).to_parquet(
        root / "panel" / "month=2010-01" / "part-0.parquet")
    (root / ".complete").write_text("")
    return root


@pytest.fixture()
def P(data_dir: Path):
    return check_parameters(**{**PARAMETERS, "data_dir": str(data_dir), "lang": "en"})


class _DS:
    def __init__(self, synthetic: bool, data_dir: Path) -> None:
        from gotone_analysis import io

        self.synthetic = synthetic
        self._ds = io.open_dataset(data_dir)

    def inputs(self):
        return self._ds.inputs()


def test_inputs_hash_and_count_once_per_file_version(data_dir: Path, tmp_path: Path):
    from gotone_analysis import io

    cache = tmp_path / "cache"
    files = io.open_dataset(data_dir).inputs(cache)
    # only what the dataset reads: MANIFEST.json and hidden files are not inputs
    assert files["path"].tolist() == ["survey/survey_2010Q4.csv", "panel/"]
    survey = data_dir / "survey" / "survey_2010Q4.csv"
    row = files.set_index("path").loc["survey/survey_2010Q4.csv"]
    assert row["sha256"] == hashlib.sha256(survey.read_bytes()).hexdigest()
    assert row["rows"] == 3 and row["kind"] == "survey" and row["format"] == "csv"
    assert files.set_index("path").loc["panel/", "rows"] == 2
    assert (cache / "inputs.json").exists()
    # a changed file is read again, not served from the cache
    survey.write_text("resp_id,quarter,city,weight\n1,2010Q4,fuzhou,1.0\n", encoding="utf-8")
    again = io.open_dataset(data_dir).inputs(cache).set_index("path").loc[
        "survey/survey_2010Q4.csv"]
    assert again["rows"] == 1
    assert again["sha256"] == hashlib.sha256(survey.read_bytes()).hexdigest()


def test_one_record_per_input_on_the_run_card_and_in_the_validation_summary(tmp_path: Path):
    """A quoted line break and two empty trailing rows: 2 rows everywhere (issue 7, defect 1)."""
    from fixtures.frames import valid_benchmark, valid_kpi, valid_survey

    from gotone_analysis import io
    from gotone_analysis.reports.data_quality import tables as quality

    root = tmp_path / "data"
    for sub in ("survey", "kpi", "benchmark", "vendor"):
        (root / sub).mkdir(parents=True)
    df = valid_survey(2)
    df.loc[0, "cust_key"] = f"{df.loc[0, 'cust_key']}\nsecond line"
    text = df.to_csv(index=False) + "," * (df.shape[1] - 1) + "\n\n"
    (root / "survey" / "survey_2010Q4.csv").write_text(text, encoding="utf-8")
    valid_kpi().to_csv(root / "kpi" / "kpi_2010.tsv", sep="\t", index=False)
    valid_benchmark().to_csv(root / "benchmark" / "benchmark.csv", index=False)
    (root / "vendor" / "delivery.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    P = check_parameters(**{**PARAMETERS, "data_dir": str(root), "lang": "en"})
    ds = P.open_dataset()
    card = report.run_card(P, ds, "data_quality")._repr_html_()
    shown = dict(re.findall(r"<tr><td>([^<]+)</td><td style='text-align:right'>([^<]*)</td>",
                            card))
    assert shown == {"survey/survey_2010Q4.csv": "2", "kpi/kpi_2010.tsv": str(len(valid_kpi())),
                     "benchmark/benchmark.csv": str(len(valid_benchmark()))}
    assert "vendor/" not in card
    summary = quality.validation_summary(ds, ["2010Q4"]).set_index("path")
    assert summary.loc["survey/survey_2010Q4.csv", "rows"] == 2
    assert summary.loc["kpi/kpi_2010.tsv", "rows"] == len(valid_kpi())
    record = io.file_record(root / "survey" / "survey_2010Q4.csv", root=root)
    inputs = ds.inputs().set_index("path")
    for col in ("sha256", "rows", "format", "kind"):
        assert inputs.loc["survey/survey_2010Q4.csv", col] == record[col] == \
            ds.sources().set_index("path").loc["survey/survey_2010Q4.csv", col]


def test_run_card(P, data_dir: Path):
    html = report.run_card(P, _DS(True, data_dir), "data_quality")._repr_html_()
    assert report.synthetic_banner("en") in html
    assert "Data quality" in html and "Province" in html and "2010Q4" in html
    survey = "survey/survey_2010Q4.csv"
    assert survey in html and hashlib.sha256((data_dir / survey).read_bytes()).hexdigest() in html
    assert "panel/" in html and "MANIFEST.json" not in html  # the inputs the dataset reads
    assert "pandas" in html and "papermill" in html and report.code_version() in html
    assert str(data_dir) not in html  # no machine path
    assert "2010Q3 (previous quarter)" in html and "no survey data for 2010Q3" in html
    assert "Minimum base" in html and "Compared with" in html
    # the head (title, banner, warnings), the contents, then the run details folded
    assert html.index(report.synthetic_banner("en")) < html.index(report.TOC_MARKER) \
        < html.index(report.RUN_DETAILS_START) < html.index("pandas")
    details = html[html.index(report.RUN_DETAILS_START):html.index(report.RUN_DETAILS_END)]
    assert "<details>" in details and "<details open" not in details
    assert "Run details" in details and "pandas" in details and survey in details
    # values in words: no raw code of scope, data, language or engine
    shown = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", details))
    assert shown["Scope"] == "Province" and shown["Data folder"] == "Demo data"
    assert shown["Language"] == "English" and shown["Panel engine"] == "DuckDB"
    P_zh = check_parameters(**{**PARAMETERS, "data_dir": str(data_dir), "lang": "zh"})
    zh = report.run_card(P_zh, _DS(True, data_dir), "data_quality")._repr_html_()
    shown = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", zh))
    assert shown["范围"] == "全省" and shown["数据目录"] == "演示数据" and "运行信息" in zh
    assert shown["对比期"] == "2010Q3（上季度）" and shown["面板查询引擎"] == "DuckDB"
    real = report.run_card(P, _DS(False, data_dir), "data_quality")._repr_html_()
    assert report.synthetic_banner("en") not in real


def test_normalise_metrics():
    out = report.normalise_metrics({"b": np.float64(1 / 3), "a": np.int64(2), "c": float("nan"),
                                    "d": "text", "e": True})
    assert list(out) == ["a", "b", "c", "d", "e"]
    assert out == {"a": 2, "b": 0.333333333, "c": None, "d": "text", "e": True}
    assert type(out["a"]) is int
    # nine significant digits, at most ten decimals: last-bit noise of a sum is gone
    big = report.normalise_metrics({"x": 155.89402463045, "y": 155.89402463035,
                                    "z": 1.23456789012e-7})
    assert big["x"] == big["y"] == 155.894025 and big["z"] == 1.235e-07
    with pytest.raises(TypeError, match="nested"):
        report.normalise_metrics({"nested": {"x": 1}})
    with pytest.raises(TypeError, match="names"):
        report.normalise_metrics({1: 2})


def test_publish_writes_only_when_asked(P, tmp_path: Path, monkeypatch):
    monkeypatch.delenv(report.PUBLISH_DIR_ENV, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    tables = {"bases": pd.DataFrame({"city": ["fuzhou"], "n": [3]}),
              "a/b:c" * 10: pd.DataFrame({"x": [1.5]})}
    out = report.publish(P, "data_quality", {"n": 3, "deff": 1.25}, tables)
    assert out == {"deff": 1.25, "n": 3, "synthetic": True}  # MANIFEST says synthetic
    assert "Headline numbers" in out._repr_html_()
    assert list(work.iterdir()) == []

    target = tmp_path / "publish"
    monkeypatch.setenv(report.PUBLISH_DIR_ENV, str(target))
    report.publish(P, "data_quality", {"n": 3, "deff": 1.25}, tables)
    first = (target / "data_quality.metrics.json").read_bytes()
    assert json.loads(first) == {"deff": 1.25, "n": 3, "synthetic": True}
    sheets = pd.read_excel(target / "data_quality.tables.xlsx", sheet_name=None)
    assert list(sheets)[:2] == ["synthetic", "bases"] and len(list(sheets)[2]) == 31
    assert sheets["synthetic"]["note"].tolist() == [report.synthetic_banner("en")]
    assert sheets["bases"]["n"].tolist() == [3]
    xlsx = (target / "data_quality.tables.xlsx").read_bytes()
    report.publish(P, "data_quality", {"deff": 1.25, "n": 3}, tables)
    assert (target / "data_quality.metrics.json").read_bytes() == first
    assert (target / "data_quality.tables.xlsx").read_bytes() == xlsx  # deterministic workbook

    (P.data_dir / "MANIFEST.json").write_text(json.dumps({"synthetic": False}), "utf-8")
    assert report.publish(P, "data_quality", {"n": 3}, tables)["synthetic"] is False
    assert "synthetic" not in pd.read_excel(target / "data_quality.tables.xlsx", sheet_name=None)


def _executed_notebook() -> nbformat.NotebookNode:
    params = new_code_cell('quarter = "2010Q4"', metadata={"tags": ["parameters"]})
    injected = new_code_cell('quarter = "2010Q3"', metadata={"tags": ["injected-parameters"]})
    card = new_code_cell("report.run_card(P, ds, 'x')", outputs=[new_output(
        "display_data", data={"text/html": "<section>CARD</section>" + report.TOC_MARKER
                              + report.RUN_DETAILS_START + "<details>RUNINFO</details>"
                              + report.RUN_DETAILS_END})])
    md = new_markdown_cell("## 品牌影响力趋势 · Influence trend\n\ntext")
    fig = new_code_cell("SECRET_CODE_LINE = plot()", outputs=[new_output(
        "display_data", data={"image/png": PNG, "text/plain": "<Figure>"})])
    md2 = new_markdown_cell("### Detail")
    silent = new_code_cell("import os")
    nb = new_notebook(cells=[params, injected, card, md, fig, md2, silent])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def code_inputs(html: str) -> int:
    """Code cells of a page that show their input (0 for a reader copy)."""
    body = html[html.index("<body"):]
    cells = re.findall(r'<div class="jp-Cell jp-CodeCell([^"]*)"', body)
    shown = [c for c in cells if "jp-mod-noInput" not in c]
    return len(shown) + body.count('class="jp-InputPrompt') + body.count('class="highlight')


def test_export_html_reader_copy(tmp_path: Path):
    out = pages.export_html(_executed_notebook(), tmp_path / "r.html", title="T", lang="en")
    html = out.read_text(encoding="utf-8")
    assert "SECRET_CODE_LINE" not in html and 'quarter = "2010Q3"' not in html
    assert code_inputs(html) == 0
    # the plain lab export would show the code and fetch require.js/MathJax from a CDN
    from nbconvert import HTMLExporter

    plain, _ = HTMLExporter(template_name="lab").from_notebook_node(_executed_notebook())
    assert code_inputs(plain) > 0 and pages.external_references(plain)
    assert pages.external_references(html) == []
    assert "cdnjs" not in html and "require.min.js" not in html and "mathjax" not in html.lower()
    assert f"data:image/png;base64,{PNG}" in html
    assert '<nav class="gotone-toc">' in html
    toc = html[html.index('<nav class="gotone-toc">'):]
    assert "品牌影响力趋势 · Influence trend" in toc and "Detail" in toc
    # the run card's head comes first, then the contents, the page, the run details last
    assert html.index("CARD") < html.index('<nav class="gotone-toc">') < html.index("text</p>")
    assert html.index("text</p>") < html.index("RUNINFO") < html.index("</main>")
    assert html.count("RUNINFO") == 1
    assert "<details" not in html[html.index("RUNINFO"):]
    assert "<title>T</title>" in html


def test_strip_external():
    page = ('<head><script src="https://cdn.example.org/x.js"></script>'
            '<script src="//cdn.example.org/y.js" defer></script>'
            '<link rel="stylesheet" href="http://cdn.example.org/s.css">'
            '<style>@import url("https://fonts.example.org/f.css");</style>'
            '<script>var local = 1;</script></head>')
    assert len(pages.external_references(page)) == 4
    clean = pages.strip_external(page)
    assert pages.external_references(clean) == []
    assert "var local = 1;" in clean


def test_failing_cell_and_error_page():
    nb = _executed_notebook()
    bad = new_code_cell("1 / 0", execution_count=3, outputs=[new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero",
        traceback=["\x1b[0;31mZeroDivisionError\x1b[0m", "line 1"])])
    bad.metadata["papermill"] = {"exception": True}
    nb.cells.append(bad)
    cell = pages.failing_cell(nb)
    # stored notebook: params, card, md, fig, md2, silent, bad -> the 7th cell
    assert cell["number"] == 7 and cell["ename"] == "ZeroDivisionError"
    assert "\x1b" not in cell["traceback"]
    page = pages.error_page(report_name="data_quality", quarter="2010Q4", scope="xiamen",
                             lang="en", cell=cell)
    assert "Failing cell: 7" in page and "ZeroDivisionError" in page
    assert "division by zero" in page and "<details>" in page and "Xiamen" in page
    assert pages.failing_cell(_executed_notebook()) is None


@pytest.fixture()
def shanghai_time(monkeypatch):
    """Local time is China's (UTC+08:00) during the test, and this machine's after it."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_index_lists_every_scope_and_report(tmp_path: Path, shanghai_time):
    scope_dir = tmp_path / "2010Q4" / "xiamen"
    scope_dir.mkdir(parents=True)
    (scope_dir / "status.json").write_text(json.dumps({"reports": {
        "data_quality": {"status": "ok", "seconds": 3.25,
                         "finished": "2010-12-31T16:00:00+00:00",
                         "files": ["data_quality.html", "data_quality.ipynb"]},
        "brand_equity": {"status": "failed", "seconds": 1.0, "finished": "t2",
                         "files": ["brand_equity.error.html", "brand_equity.failed.ipynb"]},
    }}), encoding="utf-8")
    (tmp_path / "notes" / "x").mkdir(parents=True)  # not a quarter: ignored
    html = pages.write_index(tmp_path, "en").read_text(encoding="utf-8")
    assert html.count("<tr") == 1 + 10 * 2  # header + 10 scopes x 2 reports
    assert 'href="2010Q4/xiamen/data_quality.html"' in html
    assert 'href="2010Q4/xiamen/brand_equity.error.html"' in html
    assert "failed" in html and "not run" in html and "3.2" in html
    # the status log is folded; it links the HTML pages only (the notebooks stay beside)
    status = html[html.index("<details>"):]
    assert status.startswith("<details><summary>") and "<details open" not in html
    assert "(20 reports: 1 ok, 1 failed, 18 not run)" in status and "data_quality.html" in status
    assert ".ipynb" not in html
    # finishing times in local time, with the offset from UTC
    assert "2011-01-01 00:00:00 UTC+08:00" in html and "2010-12-31T16" not in html
    assert pages.external_references(html) == [] and "<script" not in html
    assert report.synthetic_banner("en") not in html  # nothing says the data were synthetic
    status = json.loads((scope_dir / "status.json").read_text(encoding="utf-8"))
    status["reports"]["data_quality"]["synthetic"] = True
    (scope_dir / "status.json").write_text(json.dumps(status), encoding="utf-8")
    assert report.synthetic_banner("en") in pages.write_index(tmp_path, "en").read_text("utf-8")


def test_publish_keeps_tables_as_they_are(P, tmp_path: Path, monkeypatch):
    target = tmp_path / "publish"
    monkeypatch.setenv(report.PUBLISH_DIR_ENV, str(target))
    codes = pd.DataFrame({"code": ["0012", "2010"], "year": ["2010", "2011"], "n": [3, 4]})
    indexed = pd.DataFrame({"x": [1.5]}, index=pd.Index(["a"], name="key"))
    mixed = pd.DataFrame({"v": ["a", 1]}, dtype=object)  # Parquet refuses: read from Excel
    report.publish(P, "r", {"n": 1}, {"codes": codes, "by key": indexed, "mixed": mixed})
    kept = report.read_table_parts(target / "r.tables", target / "r.tables.xlsx")
    assert list(kept) == ["synthetic", "codes", "by key", "mixed"]
    pd.testing.assert_frame_equal(kept["codes"], codes)
    pd.testing.assert_frame_equal(kept["by key"], indexed)
    assert kept["mixed"]["v"].tolist() == ["a", 1]
    # published again without tables: no stale parts
    report.publish(P, "r", {"n": 1})
    assert not (target / "r.tables").exists() and not (target / "r.tables.xlsx").exists()


def test_redact_paths():
    pairs = [("/srv/x/project", "<project>"), ("/srv/x/project/data/demo", "<data>")]
    text = 'File "/srv/x/project/gotone_analysis/io.py" reading /srv/x/project/data/demo/a.csv'
    assert report.redact_paths(text, pairs) == \
        'File "<project>/gotone_analysis/io.py" reading <data>/a.csv'
    assert report.redact_paths({"p": ["/srv/x/project/data/demo"], "n": 1}, pairs) == \
        {"p": ["<data>"], "n": 1}
    other = "/srv/x/project2/a /mnt/srv/x/project/b"  # other folders stay
    assert report.redact_paths(other, pairs) == other


def test_redact_paths_escaped_in_json_python_and_html():
    folder = '/srv/da"ta\\x'
    pairs = [(folder, "<data>")]
    literal = 'data_dir = "/srv/da\\"ta\\\\x"'  # papermill's parameters cell
    assert report.redact_paths(literal, pairs) == 'data_dir = "<data>"'
    text = "FileNotFoundError: " + repr(folder + "/a.csv")  # a traceback's repr
    assert report.redact_paths(text, pairs) == "FileNotFoundError: '<data>/a.csv'"
    as_json = json.dumps({"path": folder + "/a.csv"})
    assert report.redact_paths(as_json, pairs) == '{"path": "<data>/a.csv"}'
    as_html = f"<td>{html_escape(folder)}/a.csv</td>"
    assert report.redact_paths(as_html, pairs) == "<td>&lt;data&gt;/a.csv</td>"
    twice = json.dumps(literal)  # the cell's source inside the notebook's JSON
    assert report.redact_paths(twice, pairs) == json.dumps('data_dir = "<data>"')
    wide = "/srv/数据"
    assert report.redact_paths('d = "/srv/\\u6570\\u636e/a"', [(wide, "<data>")]) == \
        'd = "<data>/a"'
    # a name put in place of a folder is escaped like the folder was: still valid Python
    out = report.redact_paths(literal, [(folder, 'da"ta\\x')])
    names: dict = {}
    exec(out, names)
    assert names["data_dir"] == 'da"ta\\x'
    assert report.redact_paths("/srv/da", pairs) == "/srv/da"  # other folders stay


def html_escape(text: str) -> str:
    import html

    return html.escape(text)
