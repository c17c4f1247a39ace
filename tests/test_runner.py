"""The quarterly batch: publishing, failures, interruption, lock, bad parameters."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from filelock import FileLock
from fixtures.frames import valid_panel, valid_survey

from gotone_analysis import cli, config, pages, report
from gotone_analysis.errors import DataError, UsageError
from gotone_analysis.runner import LOCK_NAME, BatchBusy, check_inputs, parse_scopes, run_batch

TEST_NOTEBOOKS = Path(__file__).parent / "notebooks"


def code_inputs(html: str) -> int:
    """Code cells of a page that show their input (0 for a reader copy)."""
    body = html[html.index("<body"):]
    cells = re.findall(r'<div class="jp-Cell jp-CodeCell([^"]*)"', body)
    return (sum("jp-mod-noInput" not in c for c in cells)
            + body.count('class="jp-InputPrompt') + body.count('class="highlight'))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every published file (hidden working folders left out) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in
                                       p.relative_to(folder).parts)}




def batch(fake_data: Path, out: Path, reports: str, scope: str = "province,fuzhou", **kw):
    return run_batch("2010Q4", scope, reports, jobs=2, data_dir=fake_data, out_dir=out,
                     notebook_dir=TEST_NOTEBOOKS, progress=False, **kw)


def test_parse_scopes():
    assert parse_scopes("all") == list(config.SCOPES)
    assert parse_scopes("xiamen,province") == ["province", "xiamen"]
    with pytest.raises(UsageError, match="beijing"):
        parse_scopes("beijing")


def test_failing_notebook_leaves_the_others_published(fake_data: Path, tmp_path: Path):
    out = tmp_path / "out"
    stream = io.StringIO()
    result = batch(fake_data, out, "ok,fails", stream=stream)
    assert result.exit_code == 1
    # the closing line names the index by its full path, to open or click
    last = stream.getvalue().rstrip().splitlines()[-1]
    assert last.endswith(f"index: {(out / 'index.html').resolve()}"), last
    status = {(r.report, r.scope): r.status for r in result.results}
    assert status == {("ok", "province"): "ok", ("ok", "fuzhou"): "ok",
                      ("fails", "province"): "failed", ("fails", "fuzhou"): "failed"}
    for scope in ("province", "fuzhou"):
        folder = out / "2010Q4" / scope
        html = (folder / "ok.html").read_text(encoding="utf-8")
        assert code_inputs(html) == 0 and pages.external_references(html) == []
        assert "data:image/png;base64," in html and '<nav class="gotone-toc">' in html
        assert (folder / "ok.ipynb").exists()
        assert json.loads((folder / "metrics.json").read_text())["ok"]["scope"] == scope
        assert not (folder / "fails.html").exists()
        error = (folder / "fails.error.html").read_text(encoding="utf-8")
        assert "ZeroDivisionError" in error and ": 4" in error  # the 4th cell failed
        assert "division by zero" in error and "<details>" in error
        partial = json.loads((folder / "fails.failed.ipynb").read_text(encoding="utf-8"))
        assert any(o.get("ename") == "ZeroDivisionError" for c in partial["cells"]
                   for o in c.get("outputs", []))
        st = json.loads((folder / "status.json").read_text())["reports"]
        assert st["ok"]["status"] == "ok" and st["fails"]["status"] == "failed"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2010Q4/fuzhou/ok.html"' in index
    assert 'href="2010Q4/province/fails.error.html"' in index
    assert not any((out / ".staging").iterdir())  # the run's staging is gone


def test_later_success_replaces_error_files_and_failure_keeps_last_good(
        fake_data: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    assert batch(fake_data, out, "sleepy", scope="fuzhou").exit_code == 0
    folder = out / "2010Q4" / "fuzhou"
    good_html = (folder / "sleepy.html").read_bytes()
    good_metrics = (folder / "metrics.json").read_bytes()

    monkeypatch.setenv("GOTONE_TEST_FAIL_FUZHOU", "1")  # not what reuse looks at: --force
    assert batch(fake_data, out, "sleepy", scope="fuzhou", force=True).exit_code == 1
    assert (folder / "sleepy.html").read_bytes() == good_html  # last good report stays
    assert (folder / "metrics.json").read_bytes() == good_metrics
    assert "RuntimeError" in (folder / "sleepy.error.html").read_text(encoding="utf-8")
    assert (folder / "sleepy.failed.ipynb").exists()

    monkeypatch.delenv("GOTONE_TEST_FAIL_FUZHOU")
    assert batch(fake_data, out, "sleepy", scope="fuzhou").exit_code == 0
    assert not (folder / "sleepy.error.html").exists()
    assert not (folder / "sleepy.failed.ipynb").exists()


def test_identical_inputs_give_identical_metrics(fake_data: Path, tmp_path: Path):
    batch(fake_data, tmp_path / "a", "ok", scope="xiamen")
    batch(fake_data, tmp_path / "b", "ok", scope="xiamen")
    a = (tmp_path / "a" / "2010Q4" / "xiamen" / "metrics.json").read_bytes()
    b = (tmp_path / "b" / "2010Q4" / "xiamen" / "metrics.json").read_bytes()
    assert a == b and json.loads(a) == {"ok": {"scope": "xiamen", "scope_len": 6,
                                               "synthetic": True, "third": 0.333333333}}


def _run_cli(argv: list[str]) -> tuple[int, float]:
    start = time.perf_counter()
    code = cli.main(argv)
    return code, time.perf_counter() - start


@pytest.mark.parametrize("quarter", ["2010Q5", "2010Q1"])
def test_bad_parameters_exit_2_before_any_kernel(quarter: str, fake_data: Path,
                                                 tmp_path: Path, capsys):
    out = tmp_path / "out"
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    code, _ = _run_cli(["run", "--quarter", quarter, "--data", str(fake_data),
                        "--out", str(out), "--reports", "data_quality"])
    assert code == 2
    assert "quarter" in capsys.readouterr().err
    assert not out.exists()  # nothing written
    assert {p.pid for p in psutil.Process().children(recursive=True)} == before


def test_unknown_parameter_name_exits_2(fake_data: Path, tmp_path: Path, monkeypatch, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    doc = json.loads((TEST_NOTEBOOKS / "ok.ipynb").read_text(encoding="utf-8"))
    src = "".join(doc["cells"][0]["source"])
    doc["cells"][0]["source"] = src.replace("seed = 20100330", "")
    (notebooks / "ok.ipynb").write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("GOTONE_NOTEBOOKS", str(notebooks))
    out = tmp_path / "out"
    code, _ = _run_cli(["run", "--quarter", "2010Q4", "--data", str(fake_data), "--out",
                        str(out), "--seed", "7"])
    err = capsys.readouterr().err
    assert code == 2 and "unknown parameter(s): seed" in err and not out.exists()
    code, _ = _run_cli(["run", "--quarter", "2010Q4", "--data", str(fake_data), "--out",
                        str(out), "--scope", "beijing"])
    assert code == 2 and "beijing" in capsys.readouterr().err


def test_second_batch_on_the_same_folder_is_refused(fake_data: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(str(out / LOCK_NAME)):
        with pytest.raises(BatchBusy, match="another batch"):  # refused, not waited for
            batch(fake_data, out, "ok", lock_timeout=0.5)
        os.environ["GOTONE_NOTEBOOKS"] = str(TEST_NOTEBOOKS)
        try:
            code, _ = _run_cli(["run", "--quarter", "2010Q4", "--data", str(fake_data),
                                "--out", str(out), "--reports", "ok"])
        finally:
            del os.environ["GOTONE_NOTEBOOKS"]
        assert code == 2 and "another batch" in capsys.readouterr().err
    assert snapshot(out) == {}


def test_interrupted_batch_leaves_previous_outputs_intact(fake_data: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert batch(fake_data, out, "sleepy").exit_code == 0
    before = snapshot(out)
    fuzhou = {k: v for k, v in before.items() if k.startswith("2010Q4/fuzhou/")}
    assert "2010Q4/fuzhou/sleepy.html" in fuzhou

    env = {**os.environ, "GOTONE_NOTEBOOKS": str(TEST_NOTEBOOKS),
           "GOTONE_TEST_SLEEP_FUZHOU": "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gotone_analysis.cli", "run", "--quarter", "2010Q4",
         "--scope", "province,fuzhou", "--reports", "sleepy", "--jobs", "2", "--data",
         str(fake_data), "--out",
         str(out), "--force"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    status_file = out / "2010Q4" / "province" / "status.json"
    first_run = json.loads(status_file.read_text())["reports"]["sleepy"]["run_id"]
    tree: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # wait for the province report to be published
            tree |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
            if json.loads(status_file.read_text())["reports"]["sleepy"]["run_id"] != first_run:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the batch published nothing in time")
        tree |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        alive = []
        for pid in tree:
            try:
                alive.append(psutil.Process(pid))
            except psutil.NoSuchProcess:
                continue
        _, still = psutil.wait_procs(alive, timeout=5)  # a moment to exit on their own
        leftovers = []
        for p in still:
            try:
                leftovers.append(" ".join(p.cmdline())[:200])
                p.kill()
            except psutil.NoSuchProcess:
                continue
    assert proc.returncode == 130
    assert leftovers == []  # workers and kernels were stopped with the batch
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k.startswith("2010Q4/fuzhou/")} == fuzhou
    assert after["2010Q4/province/sleepy.html"].rstrip().endswith(b"</html>")
    assert set(after) == set(before)  # no half-written or temporary file published

    # the next batch cleans the stale staging and publishes normally
    assert batch(fake_data, out, "sleepy", scope="fuzhou").exit_code == 0
    assert [p.name for p in (out / ".staging").iterdir()] == []


def test_batch_over_the_small_demo(small_demo: Path, tmp_path: Path):
    import hashlib

    import pandas as pd

    out = tmp_path / "out"
    result = run_batch("2010Q4", "province,xiamen", jobs=2, data_dir=small_demo, out_dir=out,
                       progress=False)
    assert result.exit_code == 0, result.table()
    reports = [r for r in config.REPORTS if (config.project_root() / "notebooks"
                                             / f"{r}.ipynb").exists()]
    assert "data_quality" in reports
    survey = small_demo / "survey" / "survey_2010Q4.csv"
    digest = hashlib.sha256(survey.read_bytes()).hexdigest()
    metrics = {}
    for scope in ("province", "xiamen"):
        folder = out / "2010Q4" / scope
        metrics[scope] = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        assert sorted(metrics[scope]) == sorted(reports)
        for name in reports:
            html = (folder / f"{name}.html").read_text(encoding="utf-8")
            assert code_inputs(html) == 0 and pages.external_references(html) == []
            assert report.synthetic_banner("zh") in html and digest in html
            assert "survey/survey_2010Q4.csv" in html and '<nav class="gotone-toc">' in html
            assert (folder / f"{name}.ipynb").exists()
        sheets = pd.read_excel(folder / "tables.xlsx", sheet_name=None)
        assert any(s.startswith("数据质量 · ") for s in sheets)
        # made from demo data: every machine-readable output says so too
        assert all(metrics[scope][name]["synthetic"] is True for name in reports)
        assert "合成演示数据" in sheets["说明"].to_string()  # the first sheet says so
    dq_p, dq_x = metrics["province"]["data_quality"], metrics["xiamen"]["data_quality"]
    assert 0 < dq_x["respondents"] < dq_p["respondents"]
    assert dq_p["deff_kish"] >= 1 and dq_p["files_failed"] == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert report.synthetic_banner("zh") in index
    for scope in ("province", "xiamen"):
        assert f'href="2010Q4/{scope}/data_quality.html"' in index
    # the real reports are deterministic: a second batch gives byte-identical metrics
    again = tmp_path / "again"
    assert run_batch("2010Q4", "xiamen", jobs=2, data_dir=small_demo, out_dir=again,
                     progress=False).exit_code == 0
    assert (again / "2010Q4" / "xiamen" / "metrics.json").read_bytes() == \
        (out / "2010Q4" / "xiamen" / "metrics.json").read_bytes()


def test_bad_input_data_exits_2_before_any_kernel_and_writes_nothing(
        fake_data: Path, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("GOTONE_NOTEBOOKS", str(TEST_NOTEBOOKS))
    survey_file = fake_data / "survey" / "survey_2010Q4.csv"
    text = survey_file.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = text[3].split(",")  # spreadsheet row 4
    row[header.index("sat_overall")] = "12"
    text[3] = ",".join(row)
    survey_file.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.html").write_text("last good", encoding="utf-8")
    before = snapshot(out)
    children = {p.pid for p in psutil.Process().children(recursive=True)}
    code, _ = _run_cli(["run", "--quarter", "2010Q4", "--data", str(fake_data),
                        "--out", str(out), "--reports", "ok"])
    err = capsys.readouterr().err
    assert code == 2
    assert "survey_2010Q4.csv" in err and "sat_overall" in err and "out of range" in err
    assert "row 4" in err or "rows 4" in err
    assert "Traceback" not in err
    assert snapshot(out) == before and sorted(p.name for p in out.iterdir()) == ["keep.html"]
    assert {p.pid for p in psutil.Process().children(recursive=True)} == children


#: The months of the valid panel the input checks below break.
PANEL_MONTHS = ("2010-10", "2010-11", "2010-12")


def _write_panel(root: Path, df) -> None:
    for month, part in df.groupby("month"):
        folder = root / "panel" / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        part.to_parquet(folder / "part-0.parquet", index=False)


def _unknown_city(root: Path) -> list[str]:
    df = valid_panel(6, months=PANEL_MONTHS)
    df.loc[8, "city"] = "beijing"  # customer C0000002 in 2010-11
    _write_panel(root, df)
    return ["panel/: column 'city': unknown code", "cust_key=C0000002, month=2010-11",
            "file=month=2010-11/part-0.parquet"]


def _missing_month(root: Path) -> list[str]:
    shutil.rmtree(root / "panel" / "month=2010-11")
    return ["panel/: column 'month': gap in months: no rows for 2010-11"]


def _implausible_arpu(root: Path) -> list[str]:
    df = valid_panel(6, months=PANEL_MONTHS)
    df.loc[3, "arpu"] = 1e12
    _write_panel(root, df)
    return ["panel/: column 'arpu': out of range: values must be 0-100000",
            "cust_key=C0000003, month=2010-10"]


def _implausible_weight(root: Path) -> list[str]:
    f = root / "survey" / "survey_2010Q4.csv"
    df = valid_survey(quarter="2010Q4")
    df.loc[5, "weight"] = "1e300"
    df.to_csv(f, index=False)
    return ["survey/survey_2010Q4.csv: column 'weight': implausible value", "(1 row; row 7)"]


def _psu_in_some_waves(root: Path) -> list[str]:
    valid_survey(quarter="2010Q3").assign(psu="").to_csv(root / "survey" / "survey_2010Q3.csv",
                                                          index=False)
    return ["survey/survey_2010Q4.csv: column 'psu': design column in some waves only",
            "filled in 2010Q4 but empty in 2010Q3"]


@pytest.mark.parametrize("case", [_unknown_city, _missing_month, _implausible_arpu,
                                  _implausible_weight, _psu_in_some_waves],
                         ids=lambda c: c.__name__[1:])
def test_bad_panel_or_implausible_input_exits_2_before_any_kernel(
        case, fake_data: Path, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("GOTONE_NOTEBOOKS", str(TEST_NOTEBOOKS))
    _write_panel(fake_data, valid_panel(6, months=PANEL_MONTHS))  # a valid panel beside the survey...
    fragments = case(fake_data)  # ...then one thing broken
    out = tmp_path / "out"
    children = {p.pid for p in psutil.Process().children(recursive=True)}
    code, _ = _run_cli(["run", "--quarter", "2010Q4", "--data", str(fake_data),
                        "--out", str(out), "--reports", "ok"])
    err = capsys.readouterr().err
    assert code == 2, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert "Traceback" not in err
    assert not out.exists()  # nothing written: no kernel started, no folder made
    assert {p.pid for p in psutil.Process().children(recursive=True)} == children
    capsys.readouterr()
    assert cli.main(["validate", str(fake_data)]) == 2  # gotone validate says the same
    err = capsys.readouterr().err
    for fragment in fragments:
        assert fragment.split(": ", 1)[-1] in err, f"{fragment!r} not in:\n{err}"


def test_check_inputs_returns_the_warnings_and_checks_every_input_at_once(fake_data: Path):
    _write_panel(fake_data, valid_panel(6, months=PANEL_MONTHS))
    assert check_inputs(fake_data) == []
    f = fake_data / "survey" / "survey_2010Q4.csv"
    df = valid_survey(quarter="2010Q4")
    df.loc[2, "weight"] = str(200 * pd.to_numeric(df["weight"]).median())
    df.to_csv(f, index=False)
    (line,) = check_inputs(fake_data)
    assert line.startswith("survey/survey_2010Q4.csv: warning: column 'weight': outlier: ")
    # a bad survey does not hide a bad panel: both are reported in one message
    df.loc[4, "sat_overall"] = "12"
    df.to_csv(f, index=False)
    _missing_month(fake_data)
    with pytest.raises(DataError) as info:
        check_inputs(fake_data)
    assert {(p["file"], p["rule"]) for p in info.value.problems if p["severity"] == "error"} \
        == {("survey/survey_2010Q4.csv", "out of range"), ("panel/", "gap in months")}


def test_output_folder_problems_exit_2_without_a_traceback(
        fake_data: Path, tmp_path: Path, capsys, monkeypatch):
    import filelock

    monkeypatch.setenv("GOTONE_NOTEBOOKS", str(TEST_NOTEBOOKS))
    a_file = tmp_path / "not_a_folder"
    a_file.write_text("keep", encoding="utf-8")
    for out, reason in ((a_file, "File exists"), (a_file / "sub", "Not a directory")):
        code, _ = _run_cli(["run", "--quarter", "2010Q4", "--data", str(fake_data),
                            "--out", str(out), "--reports", "ok"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert f"cannot write to output folder {out.name}/: {reason}" in err
        assert "Traceback" not in err
    assert a_file.read_text(encoding="utf-8") == "keep"

    # a read-only output folder (tests run as root, so the refusal is simulated)
    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self.lock_file))

    monkeypatch.setattr(filelock.FileLock, "acquire", refuse)
    out = tmp_path / "readonly"
    code, _ = _run_cli(["run", "--quarter", "2010Q4", "--data", str(fake_data),
                        "--out", str(out), "--reports", "ok"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "cannot write to output folder readonly/: Permission denied" in err
    assert snapshot(out) == {}


def _hidden_parts(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted((folder / ".parts").rglob("*")) if p.is_file()}


def test_publish_failure_keeps_the_last_good_report_and_stops_cleanly(
        fake_data: Path, tmp_path: Path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert batch(fake_data, out, "ok,sleepy", scope="xiamen").exit_code == 0
    folder = out / "2010Q4" / "xiamen"
    (folder / "metrics.json").unlink()
    (folder / "metrics.json").mkdir()  # something in the way of the next publish
    before = snapshot(out)
    parts = _hidden_parts(folder)
    children = {p.pid for p in psutil.Process().children(recursive=True)}

    monkeypatch.setenv("GOTONE_NOTEBOOKS", str(TEST_NOTEBOOKS))
    monkeypatch.setenv("GOTONE_TEST_SLEEP_XIAMEN", "60")  # sleepy is still running then
    code, seconds = _run_cli(["run", "--quarter", "2010Q4", "--scope", "xiamen", "--reports",
                              "ok,sleepy", "--jobs", "1", "--data", str(fake_data),
                              "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and "Traceback" not in captured.err
    assert "cannot publish 2010Q4/xiamen/ok" in captured.err
    assert "Is a directory: 2010Q4/xiamen/metrics.json" in captured.err
    assert "not run" in captured.out and "stopped" in captured.out
    assert seconds < 50  # sleepy was stopped, not waited for
    assert snapshot(out) == before  # html, notebook, tables, status, index as they were
    assert _hidden_parts(folder) == parts
    assert (folder / "metrics.json").is_dir()
    assert list((out / ".staging").iterdir()) == []
    _, alive = psutil.wait_procs(
        [p for p in psutil.Process().children(recursive=True) if p.pid not in children],
        timeout=5)
    assert alive == []  # workers and kernels were stopped


def test_published_files_do_not_name_this_machines_folders(fake_data: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert batch(fake_data, out, "ok,fails", scope="province").exit_code == 1
    folder = out / "2010Q4" / "province"
    published = snapshot(out)
    assert {"2010Q4/province/ok.html", "2010Q4/province/ok.ipynb",
            "2010Q4/province/fails.error.html", "2010Q4/province/fails.failed.ipynb",
            "2010Q4/province/metrics.json", "2010Q4/province/status.json",
            "index.html"} <= set(published)
    machine = {str(tmp_path), str(tmp_path.resolve()), str(config.project_root())}
    for name, data in published.items():
        text = data.decode("utf-8", errors="replace")
        for folder_path in machine:
            assert folder_path not in text, (name, folder_path)
    nb = json.loads((folder / "ok.ipynb").read_text(encoding="utf-8"))
    pm = nb["metadata"]["papermill"]
    assert pm["input_path"] == "tests/notebooks/ok.ipynb"
    assert pm["output_path"] == "ok.ipynb"
    assert pm["parameters"]["data_dir"] == "data"
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert 'data_dir = "data"' in "".join(injected[0]["source"])
    assert "ZeroDivisionError" in (folder / "fails.error.html").read_text(encoding="utf-8")

    # an error outside a cell (e.g. the kernel would not start): its page names no folder
    from gotone_analysis.runner import Task, failed_result, path_redactions

    task = Task(report="ok", scope="province", quarter="2010Q4", notebook=Path("x"),
                parameters={}, staging=tmp_path / "staging", cache_dir=tmp_path, lang="en",
                redactions=path_redactions(fake_data, out))
    task.staging.mkdir()
    try:
        raise FileNotFoundError(2, "No such file", str(fake_data / "survey" / "x.csv"))
    except FileNotFoundError as exc:
        result = failed_result(task, exc, task.staging / "ok.ipynb", 1.0)
    page = (task.staging / "ok.error.html").read_text(encoding="utf-8")
    assert "&lt;data&gt;/survey/x.csv" in page and "&lt;project&gt;/tests/" in page
    for folder_path in machine:
        assert folder_path not in page and folder_path not in result.error


def test_combined_tables_keep_text_as_text(fake_data: Path, tmp_path: Path, monkeypatch):
    import openpyxl
    import pandas as pd

    from gotone_analysis.params import PARAMETERS, check_parameters
    from gotone_analysis.publish import publish_result
    from gotone_analysis.runner import Task, TaskResult

    P = check_parameters(**{**PARAMETERS, "data_dir": str(fake_data), "scope": "xiamen"})
    table = pd.DataFrame({"code": ["0012", "2010"], "year": ["2010", "2011"], "n": [3, 4]})

    def publish(out: Path) -> Path:
        for name in ("first", "second"):
            staging = tmp_path / "staging" / out.name / name
            monkeypatch.setenv(report.PUBLISH_DIR_ENV, str(staging))
            report.publish(P, name, {"n": 1}, {"codes": table})
            for suffix in ("ipynb", "html"):
                (staging / f"{name}.{suffix}").write_text(name, encoding="utf-8")
            task = Task(report=name, scope="xiamen", quarter="2010Q4", notebook=Path("x"),
                        parameters={}, staging=staging, cache_dir=tmp_path, lang="en")
            publish_result(task, TaskResult(name, "xiamen", "ok", 1.0), out, "run",
                           ["first", "second"])
        return out / "2010Q4" / "xiamen" / "tables.xlsx"

    combined = publish(tmp_path / "a")
    wb = openpyxl.load_workbook(combined)
    assert wb.sheetnames == ["About", "first · codes", "second · codes"]
    for sheet in ("first · codes", "second · codes"):
        rows = list(wb[sheet].iter_rows(min_row=2, values_only=True))
        assert rows == [("0012", "2010", 3), ("2010", "2011", 4)]
    assert publish(tmp_path / "b").read_bytes() == combined.read_bytes()  # deterministic


def test_a_data_folder_named_with_a_quote_and_a_backslash_is_redacted(fake_data: Path,
                                                                       tmp_path: Path):
    """In the notebook the folder is written escaped (``\\"``, ``\\\\``): redacted all the same."""
    import html

    odd = tmp_path / 'da"ta\\x'
    fake_data.rename(odd)
    out = tmp_path / "out"
    assert batch(odd, out, "ok,fails", scope="province").exit_code == 1
    forms = set()
    for folder in {str(tmp_path), str(tmp_path.resolve()), str(odd), str(odd.resolve())}:
        for once in (folder, json.dumps(folder)[1:-1], repr(folder)[1:-1], html.escape(folder),
                     folder.replace("\\", "\\\\").replace('"', '\\"')):
            forms |= {once, json.dumps(once)[1:-1]}
    assert any('\\"' in f for f in forms) and any("\\\\" in f for f in forms)
    for name, data in snapshot(out).items():
        text = data.decode("utf-8", errors="replace")
        for form in forms:
            assert form not in text, (name, form)
    nb = json.loads((out / "2010Q4" / "province" / "ok.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["data_dir"] == odd.name
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    names: dict = {}
    exec("".join(injected[0]["source"]), names)  # still valid Python, naming the folder
    assert names["data_dir"] == 'da"ta\\x'

    # an error naming a file of the folder (its repr escapes the backslash)
    from gotone_analysis.runner import Task, failed_result, path_redactions

    task = Task(report="ok", scope="province", quarter="2010Q4", notebook=Path("x"),
                parameters={}, staging=tmp_path / "staging", cache_dir=tmp_path, lang="en",
                redactions=path_redactions(odd, out))
    task.staging.mkdir()
    try:
        raise FileNotFoundError(2, "No such file", str(odd / "survey" / "x.csv"))
    except FileNotFoundError as exc:
        assert repr(str(odd))[1:-1] in str(exc)
        result = failed_result(task, exc, task.staging / "ok.ipynb", 1.0)
    page = (task.staging / "ok.error.html").read_text(encoding="utf-8")
    assert "&lt;data&gt;/survey/x.csv" in page
    for form in forms:
        assert form not in page and form not in result.error


def test_a_survey_rewrite_keeping_size_and_mtime_reaches_the_next_batch(fake_data: Path,
                                                                         tmp_path: Path):
    """The second batch hashes the file again: its run card shows the new SHA-256."""
    import hashlib

    out = tmp_path / "out"
    wave = fake_data / "survey" / "survey_2010Q4.csv"
    old = hashlib.sha256(wave.read_bytes()).hexdigest()
    assert batch(fake_data, out, "ok", scope="province").exit_code == 0
    page = out / "2010Q4" / "province" / "ok.html"
    assert old in page.read_text(encoding="utf-8")
    st = wave.stat()
    wave.write_bytes(wave.read_bytes().replace(b"C0000000", b"C9999999", 1))
    os.utime(wave, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (wave.stat().st_size, wave.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    new = hashlib.sha256(wave.read_bytes()).hexdigest()
    assert batch(fake_data, out, "ok", scope="province").exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert new in text and old not in text


def test_a_damaged_cache_does_not_fail_the_batch(fake_data: Path, tmp_path: Path, capfd):
    out = tmp_path / "out"
    assert batch(fake_data, out, "ok", scope="province").exit_code == 0
    (out / ".cache" / "inputs.json").write_text("[]", encoding="utf-8")
    capfd.readouterr()
    assert batch(fake_data, out, "ok", scope="province").exit_code == 0
    err = capfd.readouterr().err
    assert "discarded the input records .cache/inputs.json" in err and "Traceback" not in err
    assert list((out / ".staging").iterdir()) == []
