"""Full provincial scale demo (about 80 million customer-months): generated and validated.

Large-scale: marked slow, deselected by ``make test`` and run by ``make test-all``. The
speed and memory figures of the same generation are measured by ``make bench``.
"""

from __future__ import annotations

import pytest

from gotone_analysis import demo, io, schema

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("full") / "demo"
    demo.generate(out, scale="full", seed=demo.DEFAULT_SEED)
    return out


def test_full_panel_is_provincial_scale_and_meets_the_contract(full_demo):
    summary = schema.validate_panel(full_demo / "panel")  # DuckDB, never pandas
    assert summary["months"][0] == "2009-01" and summary["months"][-1] == "2010-12"
    assert len(summary["months"]) == 24 and len(summary["cities"]) == 9
    assert 70_000_000 <= summary["rows"] <= 90_000_000


def test_full_scale_survey_and_counts_are_those_of_the_small_demo(full_demo, small_demo):
    full, small = io.open_dataset(full_demo), io.open_dataset(small_demo)
    assert full.synthetic and full.quarters() == small.quarters()
    # the scale parameter grows the panel only: KPI counts and survey answers are the same;
    # only the pseudonymous keys differ, since they point into the bigger panel
    assert full.kpi().equals(small.kpi())
    answers_full = full.survey(["2009Q4"]).drop(columns="cust_key")
    assert answers_full.equals(small.survey(["2009Q4"]).drop(columns="cust_key"))


def test_full_scale_survey_keys_link_into_the_panel(full_demo):
    import duckdb

    keys = io.open_dataset(full_demo).survey(["2010Q4"])["cust_key"].dropna()
    keys = keys[keys.astype(str).str.len() > 0].drop_duplicates()
    assert len(keys) > 1000
    con = duckdb.connect()
    con.register("k", keys.to_frame("cust_key"))
    found = con.execute(
        "SELECT count(DISTINCT p.cust_key) FROM read_parquet(?, hive_partitioning=true) p "
        "JOIN k USING (cust_key)", [str(full_demo / "panel" / "*" / "*.parquet")]).fetchone()[0]
    assert found == len(keys)
