"""Spark local mode gives the same panel aggregates, cohort moments and ATT(g,t) as DuckDB.

One Spark session for the whole module (the panel layer shares one per process); the
small demo panel; a year of months so that the run stays short.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import panel
from gotone_analysis.demo.model import month_index

PERIODS = [month_index(f"2010-{m:02d}") for m in range(1, 13)]


@pytest.fixture(scope="module")
def tables(small_demo):
    """The same demo panel on DuckDB and on Spark (local mode)."""
    return {"duckdb": panel.panel_table(small_demo, engine="duckdb"),
            "spark": panel.panel_table(small_demo, engine="spark")}


def _care(t):
    t = t.filter(t.month >= "2010-01")
    return t.mutate(t_num=panel.month_number(t.month),
                    cohort=panel.month_number(t.care_start).fill_null(0))


def test_spark_session_is_local_shared_and_configured(tables):
    s = panel.spark_session()
    assert s is panel.spark_session()  # one session per process
    conf = s.sparkContext.getConf()
    assert conf.get("spark.master") == "local[2]"
    assert conf.get("spark.ui.enabled") == "false"
    assert s.conf.get("spark.sql.execution.arrow.pyspark.enabled") == "true"
    assert s.conf.get("spark.sql.execution.arrow.pyspark.fallback.enabled") == "false"
    assert int(s.conf.get("spark.sql.shuffle.partitions")) <= 8
    assert tables["spark"].schema()["month"].is_string()


def test_spark_summaries_equal_duckdb(tables):
    for fn, kw in ((panel.segment_month_summary, {}),
                   (panel.participation, {"by": ["city", "segment"]}),
                   (panel.churn_hazard, {"by": ["brand", "month"]})):
        got = fn(tables["spark"], **kw)
        want = fn(tables["duckdb"], **kw)
        assert len(got) == len(want) > 0
        pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)
        keys = [c for c in got.columns if got[c].dtype == object or
                pd.api.types.is_string_dtype(got[c])]
        assert not any((got[k] == "NaN").any() for k in keys)  # no missing text as 'NaN'


def test_spark_month_text_and_missing_care_start_survive(tables):
    got = (tables["spark"].group_by("care_start").aggregate(n=lambda t: t.count())
           .execute().set_index("care_start")["n"])
    assert got.index.isna().sum() == 1 and "NaN" not in got.index
    assert set(got.index.dropna()) == {"2010-03", "2010-06", "2010-09", "2010-12"}


def test_spark_cohort_moments_equal_duckdb(tables):
    kw = dict(unit="cust_key", time="t_num", cohort="cohort", outcome="arpu",
              periods=PERIODS)
    got = panel.cohort_moments(_care(tables["spark"]), **kw)
    want = panel.cohort_moments(_care(tables["duckdb"]), **kw)
    assert len(got) == 5 * 12 * 13 // 2
    assert got.attrs["dropped_units"] == want.attrs["dropped_units"]
    pd.testing.assert_frame_equal(got[["cohort", "time_a", "time_b", "n"]],
                                  want[["cohort", "time_a", "time_b", "n"]])
    for c in ("sum_a", "sum_b", "sum_ab"):
        np.testing.assert_allclose(got[c].to_numpy(), want[c].to_numpy(), rtol=1e-12)


def test_spark_att_gt_equals_duckdb(tables):
    effects = pytest.importorskip("gotone_analysis.effects")
    kw = dict(unit="cust_key", time="t_num", cohort="cohort", outcome="arpu",
              periods=PERIODS)
    got = effects.staggered_did(_care(tables["spark"]), **kw).att_gt
    want = effects.staggered_did(_care(tables["duckdb"]), **kw).att_gt
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(got, want, rtol=1e-9, check_dtype=False)
    post = want[want["time"] >= want["cohort"]]
    assert (post["estimate"] > 0).mean() > 0.8  # the planted ARPU gain shows
