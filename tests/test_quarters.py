"""Tests of a quarter's batch: what it publishes does not depend on the cache or on --jobs."""

from __future__ import annotations

import io
import json

import pytest

from gotone_analysis import cache
from gotone_analysis.runner import run_batch

SCOPES = ["province", "xiamen"]
#: The reports that read the customer panel, whose shared work the cache holds.
REPORTS = ["data_quality", "program_effects"]


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
    assert cache.entries(batches["plain_1"] / ".cache" / cache.SHARED_NAME).empty
