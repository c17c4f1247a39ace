"""Tests of a quarter's batch: what it publishes does not depend on the cache or on --jobs."""

from __future__ import annotations

import io
import json

import pytest

from gotone_analysis import cache
from gotone_analysis.runner import run_batch

SCOPES = ["province", "xiamen"]
#: The reports whose shared work the cache holds: those that read the customer panel
#: (program effects also shares the cities' survey comparisons it pools), the scorecard
#: (its survey history of every scope) and brand equity (its table of the cities).
REPORTS = ["data_quality", "brand_equity", "program_effects", "scorecard_139"]


def _metrics(out, quarter="2010Q4"):
    return {sc: json.loads((out / quarter / sc / "metrics.json").read_text(encoding="utf-8"))
            for sc in SCOPES}


@pytest.fixture(scope="module")
def batches(small_demo, tmp_path_factory):
    """The same batch with the cache and two jobs, and without it and one job."""
    root = tmp_path_factory.mktemp("quarters")
    runs = {}
    for name, jobs, use_cache in (("cached_2", 2, True), ("plain_1", 1, False)):
        out = root / name
        res = run_batch("2010Q4", SCOPES, REPORTS, jobs=jobs, data_dir=small_demo,
                        out_dir=out, progress=False, stream=io.StringIO(),
                        use_cache=use_cache)
        assert res.ok, res.table()
        runs[name] = out
    return runs


def test_metrics_identical_with_and_without_cache_and_jobs(batches):
    cached, plain = _metrics(batches["cached_2"]), _metrics(batches["plain_1"])
    assert set(cached["province"]) >= set(REPORTS)
    assert cached == plain


def test_cache_holds_the_panel_validation_once(batches):
    listed = cache.entries(batches["cached_2"] / ".cache" / cache.SHARED_NAME)
    assert list(listed["name"]).count("panel_validation") == 1
    assert listed.set_index("name").loc["panel_validation", "depends"] == "panel/"
    # the scorecard's survey history, the same for every scope: made once, by its waves
    assert list(listed["name"]).count("scorecard_survey_history") == 1
    waves = listed.set_index("name").loc["scorecard_survey_history", "depends"]
    assert "survey_2010Q4.csv" in waves and "panel/" not in waves
    # the cities' survey comparisons (program effects) and the brand's city table: once
    # a wave, keyed by that wave's file alone
    for name in ("survey_lever_cities", "brand_by_city"):
        assert list(listed["name"]).count(name) == 1
        depends = listed.set_index("name").loc[name, "depends"]
        assert "survey_2010Q4.csv" in depends and "survey_2010Q3" not in depends
    assert cache.entries(batches["plain_1"] / ".cache" / cache.SHARED_NAME).empty


# --- several quarters in one batch -----------------------------------------------------------


def test_parse_quarters_single_range_all(small_demo):
    from gotone_analysis.params import parse_quarters, survey_quarters

    present = list(survey_quarters(small_demo))
    assert parse_quarters("2010Q4", small_demo) == ["2010Q4"]
    assert parse_quarters("2010q3", small_demo) == ["2010Q3"]
    assert parse_quarters("2009Q3:2010Q1", small_demo) == ["2009Q3", "2009Q4", "2010Q1"]
    assert parse_quarters("all", small_demo) == present
    assert parse_quarters("2010Q4,2009Q4:2010Q1", small_demo) == ["2009Q4", "2010Q1",
                                                                 "2010Q4"]
    # a range keeps only the quarters the survey files hold
    first = present[0]
    assert parse_quarters(f"2000Q1:{first}", small_demo) == [first]


@pytest.mark.parametrize("text", ["2010Q5", "2010Q4:2010Q1", "2001Q1:2002Q4", "", "x:y",
                                  "2009Q1:2009Q2:2009Q3"])
def test_parse_quarters_refuses(small_demo, text):
    from gotone_analysis.errors import UsageError
    from gotone_analysis.params import parse_quarters

    with pytest.raises(UsageError, match="parameter quarter"):
        parse_quarters(text, small_demo)


def test_two_quarters_in_one_batch(small_demo, tmp_path):
    out = tmp_path / "out"
    stream = io.StringIO()
    res = run_batch("2010Q3:2010Q4", "xiamen", ["brand_equity"], jobs=2, data_dir=small_demo,
                    out_dir=out, progress=False, stream=stream)
    assert res.ok, stream.getvalue()
    assert sorted(r.quarter for r in res.results) == ["2010Q3", "2010Q4"]
    for q in ("2010Q3", "2010Q4"):
        metrics = json.loads((out / q / "xiamen" / "metrics.json").read_text(encoding="utf-8"))
        assert "brand_equity" in metrics
    table = stream.getvalue()
    assert table.splitlines()[0].split()[:2] == ["quarter", "report"]
    assert "2/2 reports published (ok)" in table
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index("2010Q4") < index.index("2010Q3")  # latest first
