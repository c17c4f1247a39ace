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
        # plausibility: hard bounds from the domain and from the wave's own weights
        ("arpu", 3, "1e12", "out of range", "0-100000"),
        ("weight", 5, "1e300", "implausible value", "1000 x the file's median"),
        ("weight", 4, "inf", "wrong type", "finite"),
        # a design column is filled on every row of a wave or on none
        ("psu", 2, "", "design column partly filled", "every row of the wave or on none"),
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


def test_a_weight_far_above_the_waves_median_is_a_warning_not_an_error():
    df = valid_survey(40)
    median = pd.to_numeric(df["weight"]).median()
    df.loc[6, "weight"] = str(60 * median)
    frame, problems = schema.check(df, "survey", file=FILE)
    (warning,) = [p for p in problems if p.severity == "warning"]
    assert (warning.column, warning.rule, warning.rows) == ("weight", "outlier", [8])
    assert "50 x the file's median" in warning.detail
    assert warning.line().startswith(f"{FILE}: warning: column 'weight': outlier: ")
    out = schema.validate(df, "survey", file=FILE)  # passes, the warning kept with it
    assert [n["rule"] for n in out.attrs["notes"] if n["severity"] == "warning"] == ["outlier"]
    # the hard bound wins over the soft one: 1000 x the median is an error, no warning
    df.loc[6, "weight"] = str(1001 * median)
    msg, problems = _problems(df)
    assert _one(problems, "implausible value")["rows"] == [8]
    assert not [p for p in problems if p["severity"] == "warning"]


def test_survey_waves_read_together_share_one_design():
    q3 = schema.validate(valid_survey(8, quarter="2010Q3").assign(psu=""), "survey")
    q4 = schema.validate(valid_survey(8), "survey")
    q2 = schema.validate(valid_survey(8, quarter="2010Q2").assign(psu=""), "survey")
    assert schema.check_waves({"a.csv": q3, "b.csv": q3.copy()}) == []
    (p,) = schema.check_waves({"survey_2010Q2.csv": q2, "survey_2010Q3.csv": q3,
                               "survey_2010Q4.csv": q4})
    assert (p.file, p.column, p.rule, p.severity) == (
        "survey_2010Q4.csv", "psu", "design column in some waves only", "error")
    assert "filled in 2010Q4 but empty in 2010Q2..2010Q3" in p.detail
    assert "psu = resp_id" in p.detail  # what to do about it
    # stratum_pop is a design column too; a column absent from a file is empty there
    (p,) = schema.check_waves({"x.csv": q4, "y.csv": q2.drop(columns=["stratum_pop", "psu"])
                               .assign(psu="psu_1")})
    assert (p.column, p.file) == ("stratum_pop", "x.csv")


def test_data_readme_documents_the_plausibility_and_design_rules():
    from pathlib import Path

    from gotone_analysis import contract

    text = (Path(__file__).resolve().parent.parent / "data" / "README.md").read_text("utf-8")
    section = text.split("## Plausibility, design and continuity rules", 1)[1].split("\n## ")[0]
    for name in ("ARPU_MAX", "ARPU_WARN_QUANTILE", "WEIGHT_MAX_MEDIAN_MULTIPLE",
                 "WEIGHT_WARN_MEDIAN_MULTIPLE", "Table.gapless"):
        assert f"`{name}`" in section, name
    q, k = contract.ARPU_WARN_QUANTILE
    for number in (f"0 – {contract.ARPU_MAX}", f"{contract.WEIGHT_MAX_MEDIAN_MULTIPLE} ×",
                   f"{contract.WEIGHT_WARN_MEDIAN_MULTIPLE} ×", f"{k:g} ×", f"{100 * q:g}th"):
        assert number in section, number
    for name in contract.SURVEY.design:
        assert f"`{name}`" in section


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


def test_panel_quick_check_names_unknown_codes_and_skips_the_costly_scans(tmp_path):
    df = valid_panel(10)
    df.loc[[4, 14], "city"] = "beijing"
    df.loc[5, "cust_key"] = None  # text column with many values: full validation only
    _write_panel(tmp_path / "panel", df)
    for quick in (True, False):
        with pytest.raises(DataError) as info:
            schema.validate_panel(tmp_path / "panel", file="panel/", quick=quick)
        rules = {(p["column"], p["rule"]): p for p in info.value.problems}
        city = rules[("city", "unknown code")]
        assert city["count"] == 2 and city["file"] == "panel/"
        assert "cust_key=C0000004, month=2010-01, file=month=2010-01/part-0.parquet" in \
            city["examples"][0]
        assert (("cust_key", "missing value") in rules) is not quick


def test_panel_months_run_without_a_gap(tmp_path):
    months = ("2010-01", "2010-02", "2010-04", "2010-07")
    _write_panel(tmp_path / "panel", valid_panel(3, months=months))
    for quick in (True, False):
        with pytest.raises(DataError) as info:
            schema.validate_panel(tmp_path / "panel", file="panel/", quick=quick)
        (p,) = info.value.problems
        assert (p["file"], p["column"], p["rule"]) == ("panel/", "month", "gap in months")
        assert "no rows for 2010-03, 2010-05, 2010-06" in p["detail"]
        assert "(2010-01)" in p["detail"] and "(2010-07)" in p["detail"]
    _write_panel(tmp_path / "panel", valid_panel(3, months=("2010-03", "2010-05", "2010-06")))
    info = schema.validate_panel(tmp_path / "panel", quick=True)
    assert info["months"] == [f"2010-{m:02d}" for m in range(1, 8)]


@pytest.mark.parametrize(("value", "rule", "words"), [
    (1e12, "out of range", "0-100000"),
    (float("inf"), "wrong type", "finite"),
    (float("nan"), "missing value", "may not be empty"),
])
def test_panel_arpu_must_be_a_plausible_monthly_spend(tmp_path, value, rule, words):
    df = valid_panel(10)
    df.loc[7, "arpu"] = value
    _write_panel(tmp_path / "panel", df)
    for quick in (True, False):
        with pytest.raises(DataError) as info:
            schema.validate_panel(tmp_path / "panel", file="panel/", quick=quick)
        (p,) = [p for p in info.value.problems if p["severity"] == "error"]
        assert (p["column"], p["rule"], p["count"]) == ("arpu", rule, 1)
        assert words in p["detail"] and "cust_key=C0000007" in p["examples"][0]


def test_panel_arpu_outlier_is_a_warning_of_the_full_validation(tmp_path):
    df = valid_panel(5000)  # 10,000 customer-months, ARPU 100..5099
    df.loc[17, "arpu"] = 99_000.0  # below the hard bound, far above the 99.99th percentile
    _write_panel(tmp_path / "panel", df)
    assert schema.validate_panel(tmp_path / "panel", quick=True)["notes"] == []
    info = schema.validate_panel(tmp_path / "panel", file="panel/")
    (w,) = info["notes"]
    assert (w["column"], w["rule"], w["severity"], w["count"]) == ("arpu", "outlier",
                                                                   "warning", 1)
    assert "10 x the panel's 99.99th percentile" in w["detail"] and "99000" in w["detail"]
    assert "cust_key=C0000017, month=2010-01" in w["examples"][0]


def test_panel_full_validation_after_a_quick_one_adds_only_what_it_left_out(tmp_path):
    df = valid_panel(5000)
    df.loc[17, "arpu"] = 99_000.0  # an outlier: a warning of the full validation only
    df["vendor_note"] = "x"  # an unknown column: a note of both
    _write_panel(tmp_path / "panel", df)
    quick = schema.validate_panel(tmp_path / "panel", file="panel/", quick=True)
    after = schema.validate_panel(tmp_path / "panel", file="panel/", checked=quick)
    assert after == schema.validate_panel(tmp_path / "panel", file="panel/")
    assert [n["rule"] for n in after["notes"]] == ["outlier", "unknown column"]
    # the key and the text columns are still checked after the quick validation
    df.loc[3, "cust_key"] = " "
    extra = df.iloc[[0]].copy()
    _write_panel(tmp_path / "panel", df)
    extra.to_parquet(tmp_path / "panel" / "month=2010-01" / "part-1.parquet", index=False)
    quick = schema.validate_panel(tmp_path / "panel", file="panel/", quick=True)
    with pytest.raises(DataError) as info:
        schema.validate_panel(tmp_path / "panel", file="panel/", checked=quick)
    rules = {p["rule"]: p for p in info.value.problems}
    assert rules["duplicate key"]["count"] == 2
    assert rules["missing value"]["column"] == "cust_key"
