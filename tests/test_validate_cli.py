"""``gotone validate``: every bad input is reported (file, column, rule, rows), exit 2, and
nothing is written anywhere."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fixtures.frames import valid_benchmark, valid_kpi, valid_panel, valid_survey

from gotone_analysis import cli


def _snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder under ``root`` with its content hash and mtime."""
    out = {}
    for p in sorted(root.rglob("*")):
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        out[p.relative_to(root).as_posix()] = (digest, p.stat().st_mtime_ns)
    return out


def _write(root: Path, rel: str, df: pd.DataFrame, encoding: str = "utf-8") -> Path:
    f = root / rel
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(df.to_csv(index=False).encode(encoding))
    return f


def _survey(root: Path, change, name: str = "survey_2010Q4.csv", n: int = 12) -> Path:
    df = valid_survey(n)
    df = change(df)
    return _write(root, f"survey/{name}", df)


def _set(column, index, value):
    def change(df):
        df.loc[index, column] = value
        return df
    return change


# Each case writes its input under root and returns (paths to validate, fragments that the
# error output must contain: the file, the column, the rule and the first rows).

def case_missing_column(root):
    _survey(root, lambda df: df.drop(columns=["sat_overall"]))
    return ["survey"], ["survey_2010Q4.csv", "column 'sat_overall'", "missing column"]


def case_wrong_type(root):
    _survey(root, _set("img_2", 4, "abc"))
    return ["survey"], ["survey_2010Q4.csv", "column 'img_2'", "wrong type", "row 6"]


def case_likert_out_of_range(root):
    _survey(root, _set("sat_overall", 1, "12"))
    return ["survey"], ["survey_2010Q4.csv", "column 'sat_overall'", "out of range", "1-10",
                        "row 3"]


def case_duplicate_resp_id(root):
    _survey(root, _set("resp_id", 5, "000002"))
    return ["survey"], ["survey_2010Q4.csv", "column 'resp_id'", "duplicate key", "rows 4, 7"]


def case_negative_weight(root):
    _survey(root, _set("weight", 3, "-0.4"))
    return ["survey"], ["survey_2010Q4.csv", "column 'weight'", "not positive", "row 5"]


def case_missing_weight(root):
    _survey(root, _set("weight", 8, None))
    return ["survey"], ["survey_2010Q4.csv", "column 'weight'", "missing value", "row 10"]


def case_unknown_city(root):
    _survey(root, _set("city", 0, "beijing"))
    return ["survey"], ["survey_2010Q4.csv", "column 'city'", "unknown code", "'beijing'",
                        "row 2"]


def case_quarter_mismatch(root):
    _survey(root, _set("quarter", slice(None), "2010Q3"))
    return ["survey"], ["survey_2010Q4.csv", "column 'quarter'", "quarter mismatch",
                        "rows 2, 3, 4, 5, 6, ..."]


def case_empty_file(root):
    f = root / "survey" / "survey_2010Q4.csv"
    f.parent.mkdir(parents=True)
    f.write_bytes(b"")
    return ["survey"], ["survey_2010Q4.csv", "empty file", "0 bytes"]


def case_header_only(root):
    _survey(root, lambda df: df.iloc[:0])
    return ["survey"], ["survey_2010Q4.csv", "no data rows"]


def case_mixed_encodings(root):
    f = _survey(root, lambda df: df)
    lines = f.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"000002", "编号".encode(), 1)  # line 4: UTF-8
    lines[5] = lines[5].replace(b"000004", "编号".encode("gbk"), 1)  # line 6: GBK
    f.write_bytes(b"\n".join(lines))
    return ["survey"], ["survey_2010Q4.csv", "mixed encodings", "line 4 is UTF-8", "row 6"]


def case_binary_not_01(root):
    _survey(root, _set("use_points", 7, "2"))
    return ["survey"], ["survey_2010Q4.csv", "column 'use_points'", "not 0/1", "row 9"]


def case_tier_inconsistent(root):
    _survey(root, _set("tier", 0, "mid_high"))  # row 0 is a GoTone respondent
    return ["survey"], ["survey_2010Q4.csv", "column 'tier'", "tier inconsistent with brand",
                        "row 2"]


def case_kpi_numerator_above_denominator(root):
    df = valid_kpi()
    df.loc[2, "ebill_users"] = str(int(df.loc[2, "gotone_customers"]) + 5)
    _write(root, "kpi/kpi_2010.csv", df)
    return ["kpi"], ["kpi_2010.csv", "column 'ebill_users'", "numerator > denominator",
                     "'gotone_customers'", "row 4"]


def case_kpi_duplicate_month_city(root):
    df = valid_kpi()
    df.loc[3, ["month", "city"]] = df.loc[0, ["month", "city"]].to_numpy()
    _write(root, "kpi/kpi_2010.csv", df)
    return ["kpi"], ["kpi_2010.csv", "column 'month + city'", "duplicate key", "rows 2, 5"]


def case_bad_month_format(root):
    df = valid_kpi()
    df.loc[6, "month"] = "2010/03"
    _write(root, "kpi/kpi_2010.csv", df)
    return ["kpi"], ["kpi_2010.csv", "column 'month'", "bad month format", "'2010/03'", "row 8"]


def case_benchmark_above_100(root):
    df = valid_benchmark()
    df.loc[4, "value"] = "120"
    _write(root, "benchmark/benchmark.csv", df)
    return ["benchmark"], ["benchmark.csv", "column 'value'", "out of range", "0-100", "row 6"]


def case_panel_duplicate_key(root):
    df = valid_panel(5)
    df = pd.concat([df, df.iloc[[2]]], ignore_index=True)
    for month, part in df.groupby("month"):
        folder = root / "panel" / f"month={month}"
        folder.mkdir(parents=True)
        part.to_parquet(folder / "part-0.parquet", index=False)
    return ["panel"], ["panel", "column 'cust_key + month'", "duplicate key",
                       "cust_key=C0000002, month=2010-01"]


def _panel(root: Path, df: pd.DataFrame) -> None:
    for month, part in df.groupby("month"):
        folder = root / "panel" / f"month={month}"
        folder.mkdir(parents=True)
        part.to_parquet(folder / "part-0.parquet", index=False)


def case_panel_unknown_city(root):
    df = valid_panel(5)
    df.loc[3, "city"] = "beijing"
    _panel(root, df)
    return ["panel"], ["panel", "column 'city'", "unknown code", "fuzhou",
                       "cust_key=C0000003, month=2010-01, file=month=2010-01/part-0.parquet"]


def case_panel_missing_month(root):
    _panel(root, valid_panel(4, months=("2010-10", "2010-12")))
    return ["panel"], ["panel", "column 'month'", "gap in months", "no rows for 2010-11"]


def case_panel_arpu_implausible(root):
    df = valid_panel(5)
    df.loc[2, "arpu"] = 1e12
    _panel(root, df)
    return ["panel"], ["panel", "column 'arpu'", "out of range", "0-100000",
                       "cust_key=C0000002, month=2010-01"]


def case_survey_weight_implausible(root):
    _survey(root, _set("weight", 4, "1e300"))
    return ["survey"], ["survey_2010Q4.csv", "column 'weight'", "implausible value",
                        "1000 x the file's median", "1e+300", "row 6"]


def case_survey_psu_in_some_waves_only(root):
    _survey(root, lambda df: df, name="survey_2010Q4.csv")  # psu filled
    for q in ("2010Q2", "2010Q3"):
        _survey(root, lambda df, q=q: df.assign(quarter=q, psu=""), name=f"survey_{q}.csv")
    return ["survey"], ["survey_2010Q4.csv", "column 'psu'", "design column in some waves only",
                        "filled in 2010Q4 but empty in 2010Q2..2010Q3", "1 input failed"]


def case_corrupt_xlsx(root):
    f = root / "survey" / "survey_2010Q4.xlsx"
    f.parent.mkdir(parents=True)
    f.write_bytes(b"PK\x03\x04 truncated workbook")
    return ["survey"], ["survey_2010Q4.xlsx", "unreadable file", "Excel"]


def case_several_problems_in_several_files(root):
    def change(df):
        df.loc[2, "sat_overall"] = "0"
        df.loc[4, "city"] = "beijing"
        return df.drop(columns=["ltr"])
    _survey(root, change)
    df = valid_kpi()
    df.loc[1, "city"] = "shanghai"
    _write(root, "kpi/kpi_2010.csv", df)
    return ["survey", "kpi"], [
        "survey_2010Q4.csv: 3 problems", "column 'sat_overall': out of range", "row 4",
        "column 'city': unknown code: allowed", "row 6", "column 'ltr': missing column",
        "kpi_2010.csv: 1 problem", "'shanghai'", "row 3", "2 inputs failed"]


def case_vendor_mapping_absent_column(root):
    df = valid_survey(6).rename(columns={"city": "城市"})
    _write(root, "vendor/survey_2010Q4_vendor.csv", df, encoding="gbk")
    (root / "vendor" / "mapping.yaml").write_text(
        "columns:\n  城市: city\n  受访者编号: resp_id\n", encoding="utf-8")
    return ["vendor"], ["mapping.yaml", "column '受访者编号'", "mapping",
                        "survey_2010Q4_vendor.csv"]


def case_duplicate_column_csv(root):
    # pandas alone would rename the copy to 'city.1' and let the file pass
    _survey(root, lambda df: pd.concat([df, df[["city"]]], axis=1))
    return ["survey"], ["survey_2010Q4.csv", "column 'city'", "duplicate column",
                        "2 times", "columns C and BI", "row 1"]


def case_duplicate_code_column_xlsx(root):
    df = valid_survey(6)
    df = pd.concat([df, df[["brand"]]], axis=1)
    (root / "survey").mkdir(parents=True, exist_ok=True)
    df.to_excel(root / "survey" / "survey_2010Q4.xlsx", index=False, engine="openpyxl")
    return ["survey"], ["survey_2010Q4.xlsx", "column 'brand'", "duplicate column", "row 1"]


def case_duplicate_column_after_blank_strip(root):
    f = _survey(root, lambda df: pd.concat([df, df[["city"]]], axis=1))
    head, rest = f.read_bytes().split(b"\n", 1)
    f.write_bytes(head[: head.rindex(b",city")] + b", city\n" + rest)
    return ["survey"], ["survey_2010Q4.csv", "column 'city'", "duplicate column",
                        "spelled ' city', 'city'"]


def case_kind_not_inferable(root):
    _write(root, "misc/data.csv", valid_benchmark())
    return ["misc/data.csv"], ["data.csv", "cannot tell the kind", "--kind"]


CASES = [v for k, v in sorted(globals().items()) if k.startswith("case_")]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[5:] for c in CASES])
def test_bad_input_exits_2_names_everything_writes_nothing(case, tmp_path, capsys, monkeypatch):
    root = tmp_path / "in"
    root.mkdir()
    paths, fragments = case(root)
    monkeypatch.chdir(tmp_path)  # relative paths, and a place where stray files would show
    before = _snapshot(tmp_path)
    rc = cli.main(["validate", *(f"in/{p}" for p in paths)])
    out, err = capsys.readouterr()
    assert rc == 2
    for frag in fragments:
        assert frag in err, f"{frag!r} not in:\n{err}"
    assert "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_at_least_fifteen_bad_input_cases():
    assert len(CASES) >= 15


def _valid_tree(root: Path) -> None:
    df = valid_survey(10)
    df.loc[1, "sat_overall"] = "98"  # refused: missing, not an error
    _write(root, "survey/survey_2010Q4.csv", df)
    _write(root, "kpi/kpi_2010.csv", valid_kpi())
    _write(root, "benchmark/benchmark.csv", valid_benchmark())
    vendor = valid_survey(9).rename(columns={"city": "城市"})
    vendor["城市"] = ["福州", "厦门", "泉州", "漳州", "莆田", "三明", "南平", "龙岩", "宁德"]
    _write(root, "vendor/survey_2010Q4_vendor.csv", vendor, encoding="gbk")
    (root / "vendor" / "mapping.yaml").write_text("columns:\n  城市: city\n", encoding="utf-8")
    for month, part in valid_panel(4).groupby("month"):
        folder = root / "panel" / f"month={month}"
        folder.mkdir(parents=True)
        part.to_parquet(folder / "part-0.parquet", index=False)


def test_valid_inputs_exit_0_with_one_line_per_file(tmp_path, capsys, monkeypatch):
    root = tmp_path / "data"
    _valid_tree(root)
    monkeypatch.chdir(tmp_path)
    before = _snapshot(tmp_path)
    rc = cli.main(["validate", "data/survey", "data/kpi", "data/benchmark", "data/panel",
                   "data/vendor"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 5
    survey_line = lines[0].split("  ")
    assert survey_line[:4] == ["data/survey/survey_2010Q4.csv", "survey", "rows=10",
                               "quarter=2010Q4"]
    assert "cities=9" in lines[0] and "encoding=utf-8" in lines[0]
    assert "months=2010-01..2010-03" in lines[1]
    assert lines[3].startswith("data/panel  panel  rows=8")
    assert "encoding=gbk" in lines[4] and "survey" in lines[4]
    assert _snapshot(tmp_path) == before


def test_warnings_are_printed_and_do_not_fail(tmp_path, capsys, monkeypatch):
    root = tmp_path / "data"
    _valid_tree(root)
    f = root / "survey" / "survey_2010Q4.csv"
    df = pd.read_csv(f, dtype="str")
    df.loc[3, "weight"] = str(200 * pd.to_numeric(df["weight"]).median())
    f.write_text(df.to_csv(index=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    rc = cli.main(["validate", "data/survey", "data/panel"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert ("data/survey/survey_2010Q4.csv: warning: column 'weight': outlier: above 50 x "
            "the file's median") in err
    assert "(1 row; row 5)" in err and len(out.strip().splitlines()) == 2


def test_dataset_root_and_explicit_kind(tmp_path, capsys, monkeypatch):
    root = tmp_path / "data"
    _valid_tree(root)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "data"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 5
    f = _write(tmp_path, "elsewhere/numbers.csv", valid_benchmark())
    assert cli.main(["validate", "--kind", "benchmark", str(f)]) == 0
    assert "benchmark  rows=12" in capsys.readouterr().out


def test_explicit_mapping_option(tmp_path, capsys):
    df = valid_survey(6).rename(columns={"resp_id": "编号"})
    f = _write(tmp_path, "in/survey_2010Q4.csv", df, encoding="gbk")
    m = tmp_path / "map.yaml"
    m.write_text("columns:\n  编号: resp_id\n", encoding="utf-8")
    assert cli.main(["validate", "--kind", "survey", "--mapping", str(m), str(f)]) == 0
    assert "rows=6" in capsys.readouterr().out
    assert cli.main(["validate", "--kind", "survey", str(f)]) == 2
    assert "column 'resp_id': missing column" in capsys.readouterr().err


def test_missing_path_is_a_clear_message(tmp_path, capsys):
    rc = cli.main(["validate", str(tmp_path / "no_such_folder")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "no_such_folder: no such file or folder" in err and "Traceback" not in err


def test_console_script_exit_code(tmp_path):
    _survey(tmp_path, _set("sat_overall", 0, "11"))
    script = Path(sys.executable).with_name("gotone")
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    res = subprocess.run([str(script), "validate", str(tmp_path / "survey")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "column 'sat_overall': out of range" in res.stderr and "row 2" in res.stderr
    assert "Traceback" not in res.stderr


def test_unreadable_file_exits_2_with_the_reason(tmp_path, capsys, monkeypatch):
    f = _survey(tmp_path, lambda df: df)

    def refuse(self, *a, **k):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(f), "read_bytes", refuse)
    rc = cli.main(["validate", str(f)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "survey_2010Q4.csv: unreadable file:" in err and "Permission denied" in err
    assert "Traceback" not in err


def test_unlistable_folder_exits_2(tmp_path, capsys, monkeypatch):
    _survey(tmp_path, lambda df: df)
    real = Path.iterdir

    def refuse(self):
        if self.name == "survey":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    rc = cli.main(["validate", str(tmp_path / "survey")])
    err = capsys.readouterr().err
    assert rc == 2 and "unreadable folder" in err and "Permission denied" in err
    assert "Traceback" not in err


def test_per_file_mapping_beside_a_canonical_quarter(tmp_path, capsys):
    _write(tmp_path, "survey/survey_2010Q3.csv", valid_survey(8, quarter="2010Q3"))
    vendor = valid_survey(6).rename(columns={"city": "城市"})
    vendor["城市"] = ["福州", "厦门", "泉州", "漳州", "莆田", "三明"]
    _write(tmp_path, "survey/survey_2010Q4.csv", vendor, encoding="gbk")
    own = tmp_path / "survey" / "survey_2010Q4.mapping.yaml"
    own.write_text("columns:\n  城市: city\n", encoding="utf-8")
    assert cli.main(["validate", str(tmp_path / "survey")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and "encoding=gbk" in out[1] and "cities=6" in out[1]
    # the same mapping as the folder's mapping.yaml: skipped for the canonical quarter
    own.rename(tmp_path / "survey" / "mapping.yaml")
    assert cli.main(["validate", str(tmp_path / "survey")]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
