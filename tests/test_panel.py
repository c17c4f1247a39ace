"""The panel query layer on DuckDB: aggregates equal a pandas computation on the demo panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import panel
from gotone_analysis.demo.model import month_index
from gotone_analysis.errors import UsageError
from gotone_analysis.panel import queries
from gotone_analysis.panel.engine import find_java_home
from gotone_analysis.panel.moments import limit_bytes

PERIODS = [month_index(f"2010-{m:02d}") for m in range(1, 13)]


@pytest.fixture(scope="module")
def frame(small_demo) -> pd.DataFrame:
    """The small demo panel read file by file into pandas (the reference)."""
    files = sorted((small_demo / "panel").glob("month=*/*.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


@pytest.fixture(scope="module")
def table(small_demo):
    return panel.panel_table(small_demo, engine="duckdb")


def _with_month_numbers(t):
    return t.mutate(t_num=panel.month_number(t.month),
                    cohort=panel.month_number(t.care_start).fill_null(0))


def test_panel_table_reads_every_row_with_month_as_text(table, frame):
    assert table.count().execute() == len(frame)
    schema = table.schema()
    assert schema["month"].is_string() and schema["care_start"].is_string()
    months = table.select("month").distinct().order_by("month").execute()["month"].tolist()
    assert months == sorted(frame["month"].unique()) and months[0] == "2009-01"


def test_panel_table_accepts_the_panel_folder_and_refuses_a_folder_without_one(small_demo,
                                                                                tmp_path):
    t = panel.panel_table(small_demo / "panel")
    assert t.count().execute() > 0
    with pytest.raises(UsageError, match="no panel Parquet"):
        panel.panel_table(tmp_path)
    with pytest.raises(UsageError, match="unknown panel engine"):
        panel.connect("polars")


def test_panel_table_of_a_dataset_validates_the_panel_and_records_it(small_demo, frame):
    from gotone_analysis import io

    ds = io.open_dataset(small_demo)
    t = panel.panel_table(ds)
    assert t.count().execute() == len(frame)
    assert "panel/" in ds.sources()["path"].tolist()  # on the run card


def test_month_number_matches_the_demo_month_index(table):
    assert panel.month_number("2008-01") == 0 and panel.month_number("2010-12") == 35
    s = panel.month_number(pd.Series(["2009-03", None]))
    assert s.iloc[0] == month_index("2009-03") and pd.isna(s.iloc[1])
    got = (table.select(m=table.month, k=panel.month_number(table.month)).distinct()
           .execute())
    assert (got["k"] == got["m"].map(month_index)).all()


def test_segment_month_summary_equals_pandas(table, frame):
    got = panel.segment_month_summary(table)
    g = frame.groupby(["segment", "month"], sort=True)
    want = pd.DataFrame({
        "customers": g.size(), "churned": g["churned"].sum(),
        "arpu_mean": g["arpu"].mean(), "arpu_var": g["arpu"].var(ddof=1),
        "arpu_sumsq": g["arpu"].apply(lambda x: float((x * x).sum())),
        "n_points": g["part_points"].sum(), "n_care": g["part_care"].sum(),
    }).reset_index()
    assert got[["segment", "month"]].astype(str).values.tolist() == \
        want[["segment", "month"]].astype(str).values.tolist()
    for c in ("customers", "churned", "n_points", "n_care"):
        np.testing.assert_array_equal(got[c].to_numpy(), want[c].to_numpy())
    for c in ("arpu_mean", "arpu_var", "arpu_sumsq"):
        np.testing.assert_allclose(got[c].to_numpy(), want[c].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(got["churn_hazard"], want["churned"] / want["customers"],
                               rtol=1e-12)
    assert got["customers"].dtype == "int64" and got["arpu_mean"].dtype == "float64"


def test_participation_and_churn_hazard_equal_pandas(table, frame):
    part = panel.participation(table, by="segment")
    assert list(part.columns) == ["segment", "lever", "n", "n_part", "rate"]
    want = frame.groupby("segment")[[f"part_{lv}" for lv in panel.LEVERS]].mean()
    for lv in panel.LEVERS:
        got = part[part["lever"] == lv].set_index("segment")["rate"]
        np.testing.assert_allclose(got.sort_index(), want[f"part_{lv}"].sort_index(),
                                   rtol=1e-12)
    # care calls only after the segment's roll-out; the mass segment never gets them
    assert part.loc[(part.segment == "other_mass") & (part.lever == "care"), "n_part"].item() == 0
    hz = panel.churn_hazard(table, by=["city", "month"])
    w = frame.groupby(["city", "month"])["churned"].agg(["sum", "size"]).reset_index()
    assert hz["at_risk"].tolist() == w["size"].tolist()
    assert hz["churned"].tolist() == w["sum"].tolist()
    np.testing.assert_allclose(hz["hazard"], w["sum"] / w["size"], rtol=1e-12)


def test_group_moments_takes_a_pandas_frame_and_handles_missing_values():
    df = pd.DataFrame({"g": ["a", "a", "a", "b"], "x": [1.0, 3.0, None, 5.0]})
    got = panel.group_moments(df, by="g", values=["x"])
    assert got["n"].tolist() == [3, 1] and got["x_n"].tolist() == [2, 1]
    assert got["x_mean"].tolist() == [2.0, 5.0] and got["x_var"].iloc[0] == 2.0
    assert np.isnan(got["x_var"].iloc[1])


def _toy_panel() -> pd.DataFrame:
    """Four units, periods 1..3; unit 4 misses period 2; unit 5 has a missing outcome."""
    rows = []
    y = {1: [1.0, 2.0, 4.0], 2: [2.0, 2.5, 3.0], 3: [5.0, 7.0, 8.0], 4: [1.0, None, 2.0],
         5: [3.0, np.nan, 1.0]}
    cohort = {1: 0, 2: 0, 3: 2, 4: 2, 5: 3}
    for u, ys in y.items():
        for t, v in zip((1, 2, 3), ys, strict=True):
            if u == 4 and t == 2:
                continue
            rows.append((f"u{u}", t, cohort[u], v))
    return pd.DataFrame(rows, columns=["id", "t", "g", "y"])


def test_cohort_moments_pandas_path_on_a_toy_panel():
    m = panel.cohort_moments(_toy_panel(), unit="id", time="t", cohort="g", outcome="y")
    assert m.attrs["dropped_units"] == 2
    assert m["cohort"].tolist() == [0] * 6 + [2] * 6  # cohort 3 has no balanced unit
    assert list(m.columns) == ["cohort", "time_a", "time_b", "n", "sum_a", "sum_b", "sum_ab"]
    c0 = m[m.cohort == 0].set_index(["time_a", "time_b"])
    assert c0.loc[(1, 3), "n"] == 2
    assert c0.loc[(1, 3), "sum_a"] == 3.0 and c0.loc[(1, 3), "sum_b"] == 7.0
    assert c0.loc[(1, 3), "sum_ab"] == 1 * 4 + 2 * 3
    assert c0.loc[(2, 2), "sum_ab"] == 2.0**2 + 2.5**2
    assert m["cohort"].dtype == "int64" and m["sum_ab"].dtype == "float64"
    # only periods 1 and 3: unit 4 is balanced again
    m13 = panel.cohort_moments(_toy_panel(), unit="id", time="t", cohort="g", outcome="y",
                               periods=[1, 3])
    c2 = m13[m13.cohort == 2].set_index(["time_a", "time_b"])
    assert c2.loc[(1, 3), "n"] == 2 and c2.loc[(1, 3), "sum_ab"] == 5 * 8 + 1 * 2
    assert m13.attrs["dropped_units"] == 0


def test_cohort_moments_on_duckdb_equal_the_pandas_path_on_a_toy_panel():
    import ibis

    df = _toy_panel()
    want = panel.cohort_moments(df, unit="id", time="t", cohort="g", outcome="y")
    got = panel.cohort_moments(ibis.memtable(df), unit="id", time="t", cohort="g", outcome="y")
    pd.testing.assert_frame_equal(got, want, rtol=1e-12)
    assert got.attrs == want.attrs


def test_cohort_moments_with_a_total_equal_the_two_calls_it_replaces():
    """One DuckDB join for the whole panel and its groups: the same moments and counts as
    a call without ``by`` and one with it, with units that move between groups, units
    without a group, unbalanced units, and a group where no unit is balanced."""
    import ibis

    df = _toy_panel()
    city = {"u1": "a", "u2": "a", "u3": "b", "u4": "b", "u5": "c"}
    df["city"] = df["id"].map(city)
    more = pd.DataFrame({"id": ["u6"] * 3 + ["u7"] * 3 + ["u8"] * 3, "t": [1, 2, 3] * 3,
                         "g": [0] * 3 + [2] * 3 + [0] * 3,
                         "y": [1.5, 2.5, 3.5, 4.0, 2.0, 1.0, 6.0, 6.5, 7.0],
                         "city": ["a", "b", "a", "b", "b", "b", None, None, None]})
    df = pd.concat([df, more], ignore_index=True)  # u6 moves; u8 has no city
    kw = {"unit": "id", "time": "t", "cohort": "g", "outcome": "y"}
    for data in (df, ibis.memtable(df)):
        got = panel.cohort_moments(data, by="city", total="all", **kw)
        whole = panel.cohort_moments(data, **kw)
        parts = panel.cohort_moments(data, by="city", **kw)
        assert got["city"].iloc[0] == "all"
        mine = got[got["city"] == "all"].drop(columns=["city", "dropped_units"])
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), whole, rtol=1e-12)
        assert (got.loc[got["city"] == "all", "dropped_units"] ==
                whole.attrs["dropped_units"]).all()
        rest = got[got["city"] != "all"].reset_index(drop=True)
        pd.testing.assert_frame_equal(rest, parts, rtol=1e-12)
        assert got.attrs["dropped_units"] == parts.attrs["dropped_units"]
    # the mover u6 and the cityless u8 are balanced in the whole panel, in no city
    assert whole.loc[whole["cohort"] == 0, "n"].iloc[0] == 4
    assert parts.loc[(parts["city"] == "a") & (parts["cohort"] == 0), "n"].iloc[0] == 2
    with pytest.raises(UsageError, match="one by column"):
        panel.cohort_moments(df, by=["city", "g"], total="all", **kw)


def test_cohort_moments_on_duckdb_equal_the_pandas_path_on_the_demo(table, frame):
    t = _with_month_numbers(table)
    got = panel.cohort_moments(t, unit="cust_key", time="t_num", cohort="cohort",
                               outcome="arpu", periods=PERIODS)
    df = frame.assign(t_num=frame["month"].map(month_index),
                      cohort=frame["care_start"].map(month_index, na_action="ignore")
                      .fillna(0).astype("int64"))
    want = panel.cohort_moments(df, unit="cust_key", time="t_num", cohort="cohort",
                                outcome="arpu", periods=PERIODS)
    assert set(got["cohort"]) == {0} | {month_index(m) for m in
                                        ("2010-03", "2010-06", "2010-09", "2010-12")}
    assert len(got) == 5 * len(PERIODS) * (len(PERIODS) + 1) // 2
    assert got.attrs["dropped_units"] == want.attrs["dropped_units"] > 0
    pd.testing.assert_frame_equal(got[["cohort", "time_a", "time_b", "n"]],
                                  want[["cohort", "time_a", "time_b", "n"]])
    for c in ("sum_a", "sum_b", "sum_ab"):
        np.testing.assert_allclose(got[c].to_numpy(), want[c].to_numpy(), rtol=1e-9, atol=0)


def test_cohort_moments_in_chunks_of_units_add_up_to_one_query(table):
    t = _with_month_numbers(table)
    kw = dict(unit="cust_key", time="t_num", cohort="cohort", outcome="arpu",
              periods=PERIODS[:4])
    one = panel.cohort_moments(t, chunks=1, **kw)
    three = panel.cohort_moments(t, chunks=3, **kw)
    assert three.attrs == one.attrs
    pd.testing.assert_frame_equal(three, one, rtol=1e-12)


def test_cohort_moments_default_periods_are_every_time_value(table):
    t = _with_month_numbers(table).filter(lambda t: t.month >= "2010-10")
    m = panel.cohort_moments(t, unit="cust_key", time="t_num", cohort="cohort", outcome="arpu")
    assert sorted(set(m["time_a"])) == [month_index(f"2010-{k}") for k in (10, 11, 12)]


def test_spark_java_lookup_finds_a_supported_java_or_keeps_java_home(monkeypatch):
    monkeypatch.setenv("JAVA_HOME", "/somewhere/jdk")
    assert find_java_home() is None  # an explicit JAVA_HOME is kept


def test_spark_master_is_the_argument_else_gotone_spark_master_else_none(monkeypatch):
    monkeypatch.delenv(panel.SPARK_MASTER_ENV, raising=False)
    assert panel.spark_master() is None  # local mode, or what spark-submit set
    monkeypatch.setenv(panel.SPARK_MASTER_ENV, "  ")
    assert panel.spark_master() is None
    monkeypatch.setenv(panel.SPARK_MASTER_ENV, "spark://127.0.0.1:7077")
    assert panel.spark_master() == "spark://127.0.0.1:7077"
    assert panel.spark_master("local[1]") == "local[1]"
    assert panel.SPARK_MASTER_ENV == "GOTONE_SPARK_MASTER"


def test_cohort_moments_on_the_month_text_equal_those_on_month_numbers(table):
    """Periods given as the files' own 'YYYY-MM' text (read month by month) or as numbers."""
    months = [f"2010-{m:02d}" for m in range(1, 7)]
    t = _with_month_numbers(table)
    kw = dict(unit="cust_key", cohort="cohort", outcome="arpu")
    text = panel.cohort_moments(t, time="month", periods=months, **kw)
    nums = panel.cohort_moments(t, time="t_num", periods=[month_index(m) for m in months], **kw)
    assert text.attrs == nums.attrs and text.attrs["dropped_units"] > 0
    for c in ("time_a", "time_b"):
        assert [month_index(m) for m in text[c]] == nums[c].tolist()
    pd.testing.assert_frame_equal(text.drop(columns=["time_a", "time_b"]),
                                  nums.drop(columns=["time_a", "time_b"]), rtol=1e-12)


def test_cohort_moments_by_city_equal_each_city_filtered_alone(table, frame):
    months = [f"2010-{m:02d}" for m in range(7, 13)]
    t = _with_month_numbers(table)
    kw = dict(unit="cust_key", time="month", cohort="cohort", outcome="arpu", periods=months)
    every = panel.cohort_moments(t, by="city", **kw)
    cities = sorted(frame["city"].unique())
    assert sorted(every["city"].unique()) == cities
    total = 0
    for city in cities[:3]:
        alone = panel.cohort_moments(t.filter(t.city == city), **kw)
        got = every[every["city"] == city].drop(columns=["city", "dropped_units"])
        pd.testing.assert_frame_equal(got.reset_index(drop=True), alone, rtol=1e-12)
        assert (every.loc[every["city"] == city, "dropped_units"]
                == alone.attrs["dropped_units"]).all()
    for city in cities:
        total += panel.cohort_moments(t.filter(t.city == city), **kw).attrs["dropped_units"]
    assert every.attrs["dropped_units"] == total
    # the unit-level path gives the same frame
    df = frame.assign(cohort=frame["care_start"].map(month_index, na_action="ignore")
                      .fillna(0).astype("int64"))
    ref = panel.cohort_moments(df, by="city", **kw)
    assert ref.attrs == every.attrs
    pd.testing.assert_frame_equal(ref[["city", "dropped_units", "cohort", "time_a", "time_b",
                                       "n"]].astype({"cohort": "int64", "n": "int64"}),
                                  every[["city", "dropped_units", "cohort", "time_a",
                                         "time_b", "n"]].astype({"cohort": "int64",
                                                                 "n": "int64"}),
                                  check_dtype=False)
    np.testing.assert_allclose(ref["sum_ab"], every["sum_ab"], rtol=1e-9)


def test_cohort_moments_memory_cap_lowers_duckdb_memory_while_it_runs_only(table, monkeypatch):
    import ibis

    raw = ibis.get_backend(table).con
    before = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    seen = {}
    real = queries.execute

    def spy(expr):
        seen["limit"] = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        return real(expr)

    t = _with_month_numbers(table)
    with monkeypatch.context() as m:
        m.setattr(queries, "execute", spy)
        panel.cohort_moments(t, unit="cust_key", time="month", cohort="cohort",
                             outcome="arpu", periods=["2010-11", "2010-12"],
                             memory_limit="1GB")
    assert limit_bytes(seen["limit"]) <= 1e9 < limit_bytes(before)
    assert raw.execute("SELECT current_setting('memory_limit')").fetchone()[0] == before
    with pytest.raises(UsageError, match="not a memory size"):
        limit_bytes("lots")
