"""Incremental republish: a report is reused while nothing it is made from changed and its
published copy is intact; otherwise it runs, and the batch says why.

The fast checks run the test notebooks on a one-wave data set; one check runs the real
reports of one scope of the small demo, changing one input at a time.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_reproducible import normalised

from gotone_analysis import config, pages
from gotone_analysis.runner import reuse, run_batch

TEST_NOTEBOOKS = Path(__file__).parent / "notebooks"




def batch(data: Path, out: Path, reports: str = "ok", scope: str = "province,fuzhou",
          notebooks: Path = TEST_NOTEBOOKS, **kw):
    stream = io.StringIO()
    result = run_batch("2010Q4", scope, reports, jobs=2, data_dir=data, out_dir=out,
                       notebook_dir=notebooks, progress=False, stream=stream, **kw)
    assert result.exit_code == 0, stream.getvalue()
    result.text = stream.getvalue()
    return result


def runs(result) -> dict[tuple[str, str], str]:
    return {(r.report, r.scope): r.run for r in result.results}


def status(out: Path, scope: str, quarter: str = "2010Q4") -> dict:
    return json.loads((out / quarter / scope / "status.json").read_text(encoding="utf-8"))


def published(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every published report file with its bytes and modification time."""
    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file() and p.suffix in (".html", ".ipynb")
            and p.name != "index.html"}


def test_nothing_changed_reuses_every_report_and_leaves_its_files(fake_data, tmp_path):
    out = tmp_path / "out"
    first = batch(fake_data, out)
    assert set(runs(first).values()) == {"new"}
    before = published(out)
    again = batch(fake_data, out)
    assert set(runs(again).values()) == {"reused"} and len(again.reused) == 2
    assert all(r.status == "ok" and r.seconds == 0.0 for r in again.results)
    assert published(out) == before  # the same files, not rewritten
    assert "2/2 reports published (ok), 2 of them reused" in again.text
    assert "reused" in again.text.splitlines()[1]
    # the index says it per report
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count(f"<td>{pages.run_words({'why': 'reused'}, 'zh')}</td>") == 2
    assert status(out, "fuzhou")["reports"]["ok"]["run"] == {"why": "reused", "detail": ""}


def test_force_runs_every_report(fake_data, tmp_path):
    out = tmp_path / "out"
    batch(fake_data, out)
    forced = batch(fake_data, out, force=True)
    assert set(runs(forced).values()) == {"forced (--force)"}
    assert forced.reused == []


def test_a_changed_parameter_runs_the_reports_again(fake_data, tmp_path):
    out = tmp_path / "out"
    batch(fake_data, out)
    english = batch(fake_data, out, lang="en")
    assert set(runs(english).values()) == {"parameters changed"}
    assert set(runs(batch(fake_data, out, lang="en")).values()) == {"reused"}
    # only the scope whose parameters changed runs: another scope is new, fuzhou reused
    more = batch(fake_data, out, scope="fuzhou,xiamen", lang="en")
    assert runs(more) == {("ok", "fuzhou"): "reused", ("ok", "xiamen"): "new"}


def test_naming_a_default_parameter_is_the_same_run(fake_data, tmp_path):
    """``--engine duckdb`` or the default seed named on the command line make the same
    executed notebook as leaving them out, so the reports are reused."""
    from gotone_analysis.params import read_parameters_cell

    declared = read_parameters_cell(TEST_NOTEBOOKS / "ok.ipynb")
    out = tmp_path / "out"
    batch(fake_data, out)
    named = batch(fake_data, out, engine=declared["engine"], seed=declared["seed"],
                  min_base=declared["min_base"])
    assert set(runs(named).values()) == {"reused"}
    other = batch(fake_data, out, seed=declared["seed"] + 1)
    assert set(runs(other).values()) == {"parameters changed"}


def test_changed_code_or_notebook_runs_the_reports_again(fake_data, tmp_path):
    out = tmp_path / "out"
    notebooks = tmp_path / "notebooks"
    shutil.copytree(TEST_NOTEBOOKS, notebooks)
    batch(fake_data, out, notebooks=notebooks)
    # the package's code as recorded differs from this code
    path = out / "2010Q4" / "fuzhou" / "status.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["reports"]["ok"]["basis"]["code"]["digest"] = "0" * 64
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = batch(fake_data, out, notebooks=notebooks)
    assert runs(result) == {("ok", "province"): "reused", ("ok", "fuzhou"): "code changed"}
    # the notebook changed
    nb = json.loads((notebooks / "ok.ipynb").read_text(encoding="utf-8"))
    nb["cells"][2]["source"] = ["## 图表 · Figure"]
    (notebooks / "ok.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert set(runs(batch(fake_data, out, notebooks=notebooks)).values()) == {"code changed"}


def test_a_changed_input_runs_the_reports_reading_it(fake_data, tmp_path):
    out = tmp_path / "out"
    batch(fake_data, out)
    wave = fake_data / "survey" / "survey_2010Q4.csv"
    raw = wave.read_bytes()
    wave.write_bytes(raw + b"\n")  # a trailing empty line: new bytes, the same rows
    result = batch(fake_data, out)
    assert set(runs(result).values()) == {"input changed: survey_2010Q4.csv"}


def test_a_damaged_or_missing_published_copy_is_run_again_never_served(fake_data, tmp_path):
    out = tmp_path / "out"
    scopes = "province,fuzhou,xiamen,quanzhou,zhangzhou,putian"
    batch(fake_data, out, scope=scopes)
    folder = {sc: out / "2010Q4" / sc for sc in scopes.split(",")}
    page = folder["fuzhou"] / "ok.html"
    page.write_bytes(page.read_bytes().replace(b"<body", b"<body data-damaged", 1))
    (folder["xiamen"] / "ok.ipynb").unlink()
    metrics = json.loads((folder["quanzhou"] / "metrics.json").read_text(encoding="utf-8"))
    metrics["ok"]["third"] = 0.5
    (folder["quanzhou"] / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    sorted((folder["zhangzhou"] / ".parts" / "ok.tables").glob("*.parquet"))[0].write_bytes(b"x")
    (folder["putian"] / "tables.xlsx").unlink()
    result = batch(fake_data, out, scope=scopes)
    assert runs(result) == {
        ("ok", "province"): "reused",
        ("ok", "fuzhou"): "published copy changed: ok.html",
        ("ok", "xiamen"): "published copy changed: ok.ipynb",
        ("ok", "quanzhou"): "published copy changed: metrics.json",
        ("ok", "zhangzhou"): "published copy changed: 000.parquet",
        ("ok", "putian"): "published copy changed: tables.xlsx"}
    # published again from a fresh run, not served
    assert b"data-damaged" not in page.read_bytes()
    assert (folder["xiamen"] / "ok.ipynb").is_file() and (folder["putian"] / "tables.xlsx").is_file()
    metrics = json.loads((folder["quanzhou"] / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["ok"]["third"] == 0.333333333
    assert set(runs(batch(fake_data, out, scope=scopes)).values()) == {"reused"}


def test_a_failed_report_runs_again(fake_data, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("GOTONE_TEST_FAIL_FUZHOU", "1")
    result = run_batch("2010Q4", "province,fuzhou", "sleepy", jobs=2, data_dir=fake_data,
                       out_dir=out, notebook_dir=TEST_NOTEBOOKS, progress=False,
                       stream=io.StringIO())
    assert result.exit_code == 1
    monkeypatch.delenv("GOTONE_TEST_FAIL_FUZHOU")
    again = batch(fake_data, out, "sleepy")
    assert runs(again) == {("sleepy", "province"): "reused",
                           ("sleepy", "fuzhou"): "last run failed"}


def test_reports_declare_what_they_read():
    reads = config.report_reads("brand_equity", "2010Q4", "2010Q3")
    assert reads.wave("2010Q2") and reads.wave("2008Q1") and not reads.wave("2011Q1")
    assert "kpi" not in reads.kinds
    quality = config.report_reads("data_quality", "2010Q4", "2010Q3")
    assert quality.wave("2010Q3") and not quality.wave("2010Q2") and "kpi" in quality.kinds
    summary = config.report_reads("summary", "2010Q4", "2010Q3")
    assert summary.kinds == {"survey", "kpi", "benchmark", "panel"} and summary.wave("2010Q2")
    assert config.report_reads("ok", "2010Q4").every_wave  # a report the suite does not know


def test_a_report_reading_an_undeclared_input_fails(small_demo):
    from gotone_analysis import io as gio
    from gotone_analysis.errors import UsageError

    ds = gio.open_dataset(small_demo).limit("program_effects", "2010Q4", "2010Q3")
    assert [p.name for p, _ in ds.input_paths()] == ["survey_2010Q4.csv", "panel"]
    with pytest.raises(UsageError, match="kpi"):
        ds.kpi()
    with pytest.raises(UsageError, match="survey 2010Q2"):
        ds.survey(["2010Q2"])


def _touch_one_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    i = len(raw) - 2
    while not chr(raw[i]).isdigit():
        i -= 1
    raw[i] = ord("1") if raw[i] != ord("1") else ord("2")
    path.write_bytes(bytes(raw))


def _check_timings(out: Path) -> None:
    """Each report that ran has its seconds by phase, adding up to its seconds."""
    from gotone_analysis.runner.batch import LOGS_NAME, TIMINGS_NAME
    from gotone_analysis.timings import PHASES

    t = pd.read_csv(out / LOGS_NAME / TIMINGS_NAME).set_index("report")
    assert set(t.index) == {"summary", "data_quality", "brand_equity", "satisfaction",
                            "program_effects", "scorecard_139"}
    assert (t[list(PHASES)] >= 0).all().all()
    assert ((t[list(PHASES)].sum(axis=1) - t["seconds"]).abs() < 0.05).all(), t
    assert (t["kernel"] > 0).all() and (t["export"] > 0).all()
    assert (t.loc[["brand_equity", "satisfaction", "program_effects", "scorecard_139"],
                  "figures"] > 0).all()
    assert (t.loc[["data_quality", "brand_equity", "program_effects"], "data"] > 0).all()
    assert (t["publish"] > 0).all()
    assert t.loc["summary", "figures"] == 0


def test_the_demo_reruns_exactly_the_reports_reading_a_changed_file(small_demo, tmp_path):
    """One scope of the small demo: nothing changed, a KPI file, a survey wave."""
    data = tmp_path / "demo"
    shutil.copytree(small_demo, data, ignore=shutil.ignore_patterns("_truth", "vendor"))
    out = tmp_path / "out"

    def run(**kw):
        stream = io.StringIO()
        result = run_batch("2010Q4", "xiamen", jobs=2, data_dir=data, out_dir=out,
                           lang="en", progress=False, stream=stream, **kw)
        assert result.exit_code == 0, stream.getvalue()
        return {r.report: r.run for r in result.results}

    assert set(run().values()) == {"new"}
    _check_timings(out)
    assert set(run().values()) == {"reused"}
    folder = out / "2010Q4" / "xiamen"
    before = {p.name: p.read_bytes() for p in folder.glob("*.html")}

    _touch_one_byte(data / "kpi" / "kpi_2010.csv")
    changed = run()
    assert {r for r, why in changed.items() if why != "reused"} == {
        "scorecard_139", "data_quality", "summary"}
    assert changed["scorecard_139"] == "input changed: kpi_2010.csv"

    _touch_one_byte(data / "survey" / "survey_2010Q2.csv")
    changed = run()
    # the trends of 2010Q4 include 2010Q2; data quality reads 2010Q4 and 2010Q3 only,
    # program effects 2010Q4 only
    assert {r for r, why in changed.items() if why != "reused"} == {
        "brand_equity", "satisfaction", "scorecard_139", "summary"}
    assert changed["brand_equity"] == "input changed: survey_2010Q2.csv"

    # the reused pages are the ones first published, and the same as a fresh run's
    assert (folder / "program_effects.html").read_bytes() == before["program_effects.html"]
    fresh = tmp_path / "fresh"
    result = run_batch("2010Q4", "xiamen", "program_effects,data_quality", jobs=2,
                       data_dir=data, out_dir=fresh, lang="en", progress=False,
                       stream=io.StringIO())
    assert result.exit_code == 0
    for name in ("program_effects", "data_quality"):
        a, b = folder / f"{name}.html", fresh / "2010Q4" / "xiamen" / f"{name}.html"
        assert a.read_bytes() == b.read_bytes(), name
        a, b = a.with_suffix(".ipynb"), b.with_suffix(".ipynb")
        assert normalised(a.read_bytes()) == normalised(b.read_bytes()), name
        mine = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))[name]
        theirs = json.loads((fresh / "2010Q4" / "xiamen" / "metrics.json")
                            .read_text(encoding="utf-8"))[name]
        assert mine == theirs
    assert reuse.REUSED == "reused"
