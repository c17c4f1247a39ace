"""Validators of the data contract: typing, every rule, all problems at once, the panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures.frames import valid_benchmark, valid_kpi, valid_panel, valid_survey

from gotone_analysis import schema
from gotone_analysis.contract import KPI, SURVEY
from gotone_analysis.errors import DataError

FILE = "survey_2010Q4.csv"


def _problems(df, table="survey", **kw) -> tuple[str, list[dict]]:
    with pytest.raises(DataError) as info:
        schema.validate(df, table, file=kw.pop("file", FILE), **kw)
    return str(info.value), info.value.problems


def _one(problems: list[dict], rule: str) -> dict:
    hits = [p for p in problems if p["rule"] == rule and p["severity"] == "error"]
    assert len(hits) == 1, problems
    return hits[0]


# --- valid input and typing ------------------------------------------------------------------


def test_valid_survey_is_typed():
    df = valid_survey(30)
    out = schema.validate(df, "survey", file=FILE, expected_quarter="2010Q4")
    assert list(out.columns) == [c for c in SURVEY.names if c in df.columns]
    assert out["resp_id"].iloc[:2].tolist() == ["000000", "000001"]  # leading zeros kept
    assert pd.api.types.is_string_dtype(out["city"].dtype)
    assert out["sat_overall"].dtype == np.float64
    assert out["aw_aided"].dtype == np.float64
    assert out["weight"].dtype == np.float64
    assert str(out["rights_aware"].dtype) == "Int64"  # nullable int
    assert str(out["tenure_years"].dtype) == "Int64"
    assert out["sat_overall"].between(1, 10).all()


def test_valid_kpi_benchmark_panel_pass():
    kpi = schema.validate(valid_kpi(), "kpi", file="kpi_2010.csv")
    assert kpi["gotone_customers"].dtype == np.int64  # non-nullable count
    assert len(kpi) == 27
    bench = schema.validate(valid_benchmark(), "benchmark")
    assert bench["value"].dtype == np.float64
    panel = schema.validate(valid_panel(), "panel")
    assert len(panel) == 40


def test_missing_codes_become_missing_not_zero_and_not_out_of_range():
    df = valid_survey(10)
    df.loc[2, "sat_overall"] = "98"
    df.loc[3, "sat_overall"] = "99"
    df.loc[4, "aw_aided"] = "99"
    df.loc[5, "ltr"] = "98"
    df.loc[6, "rights_aware"] = "98"
    out = schema.validate(df, "survey", file=FILE)
    assert out.loc[[2, 3], "sat_overall"].isna().all()
    assert np.isnan(out.loc[4, "aw_aided"])
    assert np.isnan(out.loc[5, "ltr"])
    assert pd.isna(out.loc[6, "rights_aware"])
    assert (out["sat_overall"].dropna() != 0).all()
    assert out["sat_overall"].notna().sum() == 8


def test_typed_input_from_parquet_like_frames():
    df = valid_survey(12)
    typed = df.copy()
    for c in ("sat_overall", "weight", "aw_aided"):
        typed[c] = pd.to_numeric(df[c])
    typed["resp_id"] = np.arange(12, dtype="float64")  # SPSS stores ids as numbers
    out = schema.validate(typed, "survey", file=FILE)
    assert out["resp_id"].iloc[3] == "3"
    assert out["sat_overall"].equals(pd.to_numeric(df["sat_overall"]).astype("float64"))


def test_unknown_column_is_a_note_with_did_you_mean():
    df = valid_survey(5).rename(columns={"sat_overall": "sat_overal"})
    df["vendor_extra"] = "x"
    msg, problems = _problems(df)
    missing = _one(problems, "missing column")
    assert missing["column"] == "sat_overall" and "sat_overal" in missing["detail"]
    note = [p for p in problems if p["rule"] == "unknown column" and p["column"] == "sat_overal"]
    assert note and note[0]["severity"] == "note" and "did you mean 'sat_overall'" in note[0]["detail"]
    # an unknown column alone is not an error: it is kept and noted
    ok = valid_survey(5)
    ok["vendor_extra"] = "x"
    out = schema.validate(ok, "survey", file=FILE)
    assert out["vendor_extra"].tolist() == ["x"] * 5
    assert out.attrs["notes"][0]["column"] == "vendor_extra"


# --- each rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "index", "value", "rule", "words"),
    [
        ("img_2", 4, "abc", "wrong type", "expected a number"),
        ("sat_overall", 1, "12", "out of range", "1-10"),
        ("ltr", 1, "-1", "out of range", "0-10"),
        ("aw_unaided", 3, "2", "not 0/1", "0 or 1"),
        ("city", 0, "beijing", "unknown code", "'beijing'"),
        ("brand", 5, "unicom", "unknown code", "'unicom'"),
        ("weight", 6, "-1.5", "not positive", "> 0"),
        ("weight", 7, "0", "not positive", "> 0"),
        ("weight", 8, "", "missing value", "may not be empty"),
        ("quarter", 2, "2010-Q4", "bad quarter format", "2010Q4"),
        ("pref_score", 9, "7.5", "not an integer", "whole numbers"),
        ("rights_aware", 2, "10", "out of range", "0-9"),
    ],
)
def test_single_rule(column, index, value, rule, words):
    df = valid_survey(12)
    df.loc[index, column] = value if value else None
    msg, problems = _problems(df)
    p = _one(problems, rule)
    assert p["column"] == column and p["file"] == FILE
    assert p["count"] == 1 and p["rows"] == [index + 2]
    assert f"{FILE}: column '{column}': {rule}:" in msg
    assert words in msg
    assert f"(1 row; row {index + 2})" in msg
    assert "header = row 1" in msg


def test_duplicate_resp_id_lists_both_rows():
    df = valid_survey(10)
    df.loc[7, "resp_id"] = df.loc[3, "resp_id"]
    msg, problems = _problems(df)
    p = _one(problems, "duplicate key")
    assert p["rows"] == [5, 9] and p["count"] == 2
    assert "resp_id=000003" in msg


def test_tier_inconsistent_with_brand():
    df = valid_survey(10)
    gotone = df.index[df["brand"] == "gotone"][0]
    other = df.index[df["brand"] != "gotone"][0]
    df.loc[gotone, "tier"] = "mass"
    df.loc[other, "tier"] = "diamond"
    msg, problems = _problems(df)
    p = _one(problems, "tier inconsistent with brand")
    assert p["column"] == "tier"
    assert p["rows"] == sorted([gotone + 2, other + 2])


def test_quarter_mismatch_with_file_name():
    df = valid_survey(6, quarter="2010Q3")
    msg, problems = _problems(df, expected_quarter="2010Q4")
    p = _one(problems, "quarter mismatch")
    assert p["count"] == 6 and p["rows"][:3] == [2, 3, 4]
    assert "file name says 2010Q4" in msg and "'2010Q3'" in msg
    assert "(6 rows; rows 2, 3, 4, 5, 6, ...)" in msg


def test_several_quarters_in_one_survey_file():
    df = valid_survey(6)
    df.loc[4, "quarter"] = "2010Q3"
    msg, problems = _problems(df)
    p = _one(problems, "several quarters")
    assert p["rows"] == [6]


def test_header_only_frame():
    df = valid_survey(3).iloc[:0]
    msg, problems = _problems(df)
    assert _one(problems, "no data rows")["file"] == FILE


def test_kpi_numerator_above_denominator_and_duplicate_month_city():
    df = valid_kpi()
    df.loc[4, "care_covered"] = str(int(df.loc[4, "care_target"]) + 1)
    df.loc[10, ["month", "city"]] = df.loc[9, ["month", "city"]].to_numpy()
    df.loc[12, "month"] = "2010-13"
    msg, problems = _problems(df, "kpi", file="kpi_2010.csv")
    ratio = [p for p in problems if p["rule"] == "numerator > denominator"]
    assert [(p["column"], p["rows"]) for p in ratio] == [("care_covered", [6])]
    assert "'care_covered' must not exceed 'care_target'" in msg
    dup = _one(problems, "duplicate key")
    assert dup["column"] == "month + city" and dup["rows"] == [11, 12]
    assert _one(problems, "bad month format")["rows"] == [14]


def test_benchmark_value_above_100():
    df = valid_benchmark()
    df.loc[1, "value"] = "101.5"
    msg, problems = _problems(df, "benchmark", file="benchmark.csv")
    p = _one(problems, "out of range")
    assert p["column"] == "value" and p["rows"] == [3]
    assert "0-100" in msg and "101.5" in msg


def test_several_problems_reported_at_once():
    df = valid_survey(20).drop(columns=["ltr"])
    df.loc[2, "sat_overall"] = "0"
    df.loc[5, "city"] = "shanghai"
    df.loc[6, "weight"] = "-2"
    df.loc[8, "aw_aided"] = "3"
    msg, problems = _problems(df, expected_quarter="2010Q4")
    rules = {(p["column"], p["rule"]) for p in problems}
    assert {("ltr", "missing column"), ("sat_overall", "out of range"), ("city", "unknown code"),
            ("weight", "not positive"), ("aw_aided", "not 0/1")} <= rules
    assert msg.startswith(f"{FILE}: 5 problems")
    assert msg.count("header = row 1") == 1  # said once


def test_many_offending_rows_are_truncated():
    df = valid_survey(40)
    df.loc[::2, "sat_ideal"] = "11"
    msg, problems = _problems(df)
    p = _one(problems, "out of range")
    assert p["count"] == 20 and p["rows"] == [2, 4, 6, 8, 10]
    assert "(20 rows; rows 2, 4, 6, 8, 10, ...)" in msg


def test_validation_of_3000_rows_keeps_every_row():
    # (its speed is measured by make bench: validate_survey_seconds)
    df = valid_survey(3000)
    assert df.shape[1] >= len(SURVEY.required)
    out = schema.validate(df, "survey", file=FILE, expected_quarter="2010Q4")
    assert len(out) == 3000 and out["resp_id"].tolist() == df["resp_id"].tolist()


def test_resolve_table_rejects_unknown_kind():
    assert schema.resolve_table("kpi") is KPI
    with pytest.raises(KeyError, match="unknown table kind"):
        schema.resolve_table("sales")


# --- the panel in DuckDB ------------------------------------------------------------------------


def _write_panel(root, df):
    for month, part in df.groupby("month"):
        folder = root / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        part.to_parquet(folder / "part-0.parquet", index=False)


def test_panel_valid(tmp_path):
    _write_panel(tmp_path / "panel", valid_panel(10))
    info = schema.validate_panel(tmp_path / "panel")
    assert info["rows"] == 20 and info["files"] == 2
    assert info["months"] == ["2010-01", "2010-02"]


def test_panel_problems_counted_in_duckdb(tmp_path):
    df = valid_panel(10)
    df.loc[3, "churned"] = 2
    df.loc[4, "city"] = "beijing"
    df.loc[5, "arpu"] = -1.0
    df.loc[6, "tier"] = "mass"  # a gotone customer
    _write_panel(tmp_path / "panel", df)
    extra = df.iloc[[0]].copy()  # the same customer-month again, in another file
    extra.to_parquet(tmp_path / "panel" / "month=2010-01" / "part-1.parquet", index=False)
    with pytest.raises(DataError) as info:
        schema.validate_panel(tmp_path / "panel", file="panel/")
    msg, problems = str(info.value), info.value.problems
    rules = {p["rule"]: p for p in problems}
    assert rules["not 0/1"]["column"] == "churned" and rules["not 0/1"]["count"] == 1
    assert "cust_key=C0000003, month=2010-01" in rules["not 0/1"]["examples"][0]
    assert rules["unknown code"]["column"] == "city"
    assert rules["out of range"]["column"] == "arpu"
    assert rules["tier inconsistent with brand"]["count"] == 1
    dup = rules["duplicate key"]
    assert dup["column"] == "cust_key + month" and dup["count"] == 2
    assert "cust_key=C0000000, month=2010-01" in dup["examples"][0]
    assert "part-1.parquet" in msg and "panel/: column 'cust_key + month': duplicate key" in msg


def test_panel_partition_mismatch_and_missing_column(tmp_path):
    df = valid_panel(4, months=("2010-01",)).drop(columns=["segment"])
    folder = tmp_path / "panel" / "month=2010-02"
    folder.mkdir(parents=True)
    df.to_parquet(folder / "p.parquet", index=False)
    with pytest.raises(DataError) as info:
        schema.validate_panel(tmp_path / "panel", file="panel/")
    rules = {p["rule"]: p for p in info.value.problems}
    assert rules["partition mismatch"]["count"] == 4
    assert rules["missing column"]["column"] == "segment"


def test_panel_without_files(tmp_path):
    (tmp_path / "panel").mkdir()
    with pytest.raises(DataError, match="no Parquet files"):
        schema.validate_panel(tmp_path / "panel")


def test_panel_file_naming_a_column_twice_is_refused(tmp_path):
    # DuckDB would silently rename the copy to 'city_1' and report only a note
    import pyarrow as pa
    import pyarrow.parquet as pq

    _write_panel(tmp_path / "panel", valid_panel(4))
    df = valid_panel(4, months=("2010-01",))
    arrays = [pa.array(df[c]) for c in df.columns] + [pa.array(df["city"])]
    pq.write_table(pa.Table.from_arrays(arrays, names=[*df.columns, "city"]),
                   tmp_path / "panel" / "month=2010-01" / "part-1.parquet")
    with pytest.raises(DataError) as info:
        schema.validate_panel(tmp_path / "panel", file="panel/")
    p = info.value.problems[0]
    assert (p["file"], p["column"], p["rule"]) == ("panel/month=2010-01/part-1.parquet", "city",
                                                   "duplicate column")
    assert "2 times" in p["detail"]
