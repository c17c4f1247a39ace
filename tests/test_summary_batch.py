"""The summary in the batch: listed first, run last, not run when a report it reads failed.

Small stand-in notebooks (from ``tests/notebooks``) play the reports the summary
reads, so the scheduling is checked in seconds; the real summary page is checked on
the shared demo batch (``demo_batches`` in ``conftest.py``).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import nbformat

from gotone_analysis import config
from gotone_analysis.reports.summary import tables as summary
from gotone_analysis.runner import run_batch

HERE = Path(__file__).resolve().parent

#: A stand-in summary: records whether the satisfaction report was published before it.
_SUMMARY_CODE = '''
import json, os
from gotone_analysis.reports.summary import tables as summary
status = json.loads((summary.output_dir() / P.quarter / P.scope / "status.json")
                    .read_text(encoding="utf-8"))
seen = status["reports"].get("satisfaction", {}).get("status", "absent")
report.publish(P, "summary", metrics={"satisfaction_seen": seen})
'''


def _stand_ins(folder: Path) -> Path:
    folder.mkdir()
    for name in ("brand_equity", "program_effects", "scorecard_139"):
        shutil.copy(HERE / "notebooks" / "ok.ipynb", folder / f"{name}.ipynb")
    shutil.copy(HERE / "notebooks" / "sleepy.ipynb", folder / "satisfaction.ipynb")
    nb = nbformat.read(str(HERE / "notebooks" / "ok.ipynb"), as_version=4)
    nb.cells = nb.cells[:2] + [nbformat.v4.new_code_cell(_SUMMARY_CODE.strip())]
    nbformat.write(nb, str(folder / "summary.ipynb"))
    return folder


def test_summary_is_listed_first_and_reads_four_reports():
    assert next(iter(config.REPORTS)) == "summary"
    assert set(config.REPORT_NEEDS["summary"]) == {"satisfaction", "brand_equity",
                                                    "program_effects", "scorecard_139"}
    assert summary.NEEDS == config.REPORT_NEEDS["summary"]


def test_summary_runs_after_its_reports_and_not_when_one_failed(small_demo, tmp_path,
                                                                 monkeypatch):
    notebooks = _stand_ins(tmp_path / "nb")
    monkeypatch.setenv("GOTONE_TEST_SLEEP_PROVINCE", "4")   # satisfaction is slow here
    monkeypatch.setenv("GOTONE_TEST_FAIL_XIAMEN", "1")      # and fails here
    out = tmp_path / "out"
    stream = io.StringIO()
    result = run_batch("2010Q4", "province,xiamen", jobs=2, data_dir=small_demo,
                       out_dir=out, notebook_dir=notebooks, progress=False, stream=stream)
    table = result.table().set_index(["report", "scope"])["status"]
    assert result.exit_code == 1
    assert table[("satisfaction", "province")] == "ok"
    assert table[("summary", "province")] == "ok"
    assert table[("satisfaction", "xiamen")] == "failed"
    assert table[("summary", "xiamen")] == "failed"
    # the province summary started only once satisfaction had been published
    metrics = json.loads((out / "2010Q4" / "province" / "metrics.json").read_text("utf-8"))
    assert metrics["summary"]["satisfaction_seen"] == "ok"
    # the xiamen summary was not run, and says why
    error = next(r.error for r in result.results if (r.report, r.scope) == ("summary", "xiamen"))
    assert "satisfaction of 2010Q4/xiamen, which failed" in error
    page = (out / "2010Q4" / "xiamen" / "summary.error.html").read_text("utf-8")
    assert "satisfaction" in page and "NeededReportFailed" in page
    assert not (out / "2010Q4" / "xiamen" / "summary.html").exists()
    # listed first in the index of each scope
    index = (out / "index.html").read_text("utf-8")
    rows = re.findall(r'href="2010Q4/province/(\w+)\.html"', index)
    assert rows and rows[0] == "summary"


# --- the real summary page of the demo batch ---------------------------------------------------


def _pages(batches, name="summary"):
    return sorted(p for out in batches.values() for p in out.glob(f"2010Q4/*/{name}.html"))


def test_every_sentence_names_metrics_the_reports_published(demo_batches):
    found = 0
    for page in _pages(demo_batches):
        published = json.loads((page.parent / "metrics.json").read_text("utf-8"))
        have = {f"{r}.{k}" for r, m in published.items() for k in m}
        html = page.read_text("utf-8")
        keysets = re.findall(r'data-keys="([^"]*)"', html)
        assert len(keysets) >= 5, page
        for keys in keysets:
            keys = keys.split()
            assert keys and set(keys) <= have, set(keys) - have
            found += 1
    assert found >= 10


def test_summary_links_to_the_detailed_reports_relatively(demo_batches):
    for page in _pages(demo_batches):
        html = page.read_text("utf-8")
        links = re.findall(r'<a href="([\w.]+\.html)">', html)
        assert {"satisfaction.html", "brand_equity.html", "program_effects.html",
                "scorecard_139.html"} <= set(links)
        for link in links:
            assert (page.parent / link).exists(), link


def test_page_sizes(demo_batches):
    pages = sorted(p for out in demo_batches.values() for p in out.glob("2010Q4/*/*.html")
                   if not p.name.endswith(".error.html"))
    assert len(pages) >= 12
    for page in pages:
        limit = 1_000_000 if page.name == "summary.html" else 5_000_000
        assert page.stat().st_size < limit, (page.name, page.stat().st_size)
