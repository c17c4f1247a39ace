"""Reading files in every supported format and encoding, column mapping, the Dataset."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from fixtures.frames import valid_benchmark, valid_kpi, valid_panel, valid_survey

from gotone_analysis import io
from gotone_analysis.config import CITIES
from gotone_analysis.errors import DataError, UsageError

CITY_ZH = {code: zh for code, (zh, _en) in CITIES.items()}


def _csv_bytes(df: pd.DataFrame, encoding: str) -> bytes:
    return df.to_csv(index=False, lineterminator="\r\n").encode(encoding)


# --- formats and encodings -----------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "detected"),
                         [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"),
                          ("gb18030", "gb18030"), ("utf-16", "utf-16")])
def test_csv_encodings_read_the_same(tmp_path, encoding, detected):
    df = valid_survey(8)
    df["note_zh"] = "福州移动全球通"
    if encoding == "gb18030":
        df["note_zh"] = "福州€"  # the euro sign is in GB18030 but not in GBK
    f = tmp_path / "survey_2010Q4.csv"
    f.write_bytes(_csv_bytes(df, encoding))
    got = io.read_table(f)
    assert got.attrs["encoding"] == detected
    assert list(got.columns) == list(df.columns)  # BOM not glued to the first header
    assert got["resp_id"].tolist() == df["resp_id"].tolist()  # leading zeros survive
    assert got["note_zh"].iloc[0] == df["note_zh"].iloc[0]


def test_detect_encoding_prefers_utf8_then_gbk():
    text = "城市,满意度\n福州,9\n厦门,8\n"
    assert io.detect_encoding(text.encode("utf-8")) == "utf-8"
    assert io.detect_encoding(text.encode("gbk")) == "gbk"
    assert io.detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"


def test_mixed_encodings_are_refused_with_the_first_bad_line(tmp_path):
    lines = ["resp_id,city", "1,福州", "2,厦门", "3,泉州"]
    data = b"\n".join(
        line.encode("gbk" if i == 3 else "utf-8") for i, line in enumerate(lines)) + b"\n"
    f = tmp_path / "survey_2010Q4.csv"
    f.write_bytes(data)
    with pytest.raises(DataError) as info:
        io.read_table(f)
    p = info.value.problems[0]
    assert p["rule"] == "mixed encodings" and p["rows"] == [4]
    assert "survey_2010Q4.csv" in str(info.value) and "line 2 is UTF-8 but line 4" in str(info.value)


def test_xlsx_reads_as_text(tmp_path):
    df = valid_survey(6)
    typed = df.copy()
    typed["sat_overall"] = pd.to_numeric(typed["sat_overall"])  # real numbers in cells
    f = tmp_path / "survey_2010Q4.xlsx"
    typed.to_excel(f, index=False, engine="openpyxl")
    got = io.read_table(f)
    assert got.attrs["format"] == "xlsx"
    assert got["resp_id"].tolist() == df["resp_id"].tolist()
    assert got["sat_overall"].tolist() == df["sat_overall"].tolist()  # "7", not "7.0"
    out = io.load(f, "survey")
    assert out["sat_overall"].tolist() == pd.to_numeric(df["sat_overall"]).tolist()


def test_parquet_survey(tmp_path):
    df = valid_survey(6)
    typed = df.astype({"weight": "float64", "sat_overall": "int64"})
    f = tmp_path / "survey_2010Q4.parquet"
    typed.to_parquet(f, index=False)
    out = io.load(f, "survey")
    assert out["weight"].tolist() == typed["weight"].tolist()
    assert io.read_table(f).attrs["encoding"] is None


def test_sav_value_labels_for_codes_numeric_codes_for_items(tmp_path):
    df = valid_survey(9)
    sav = df.drop(columns=["city"]).copy()
    for c in ("sat_overall", "weight", "aw_aided", "ltr"):
        sav[c] = pd.to_numeric(sav[c])
    sav["sat_overall"] = [10.0, 98.0, 5.0, 7.0, 99.0, 1.0, 2.0, 3.0, 4.0]
    sav["城市"] = np.arange(1, 10, dtype="float64")
    labels = {"城市": {float(i): CITY_ZH[c] for i, c in enumerate(CITIES, start=1)},
              "sat_overall": {10.0: "非常满意", 1.0: "非常不满意", 98.0: "拒答", 99.0: "不知道"}}
    f = tmp_path / "survey_2010Q4.sav"
    pyreadstat.write_sav(sav, str(f), variable_value_labels=labels)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  城市: city\n", encoding="utf-8")
    raw = io.read_table(f, mapping=mapping)
    assert raw["city"].tolist() == list(CITIES)  # label -> Chinese name -> code
    assert raw["sat_overall"].tolist()[:3] == [10.0, 98.0, 5.0]  # items keep numeric codes
    out = io.load(f, "survey", mapping=mapping)
    assert out["sat_overall"].isna().tolist()[:5] == [False, True, False, False, True]
    assert out["sat_overall"].iloc[0] == 10.0
    assert out["resp_id"].tolist() == df["resp_id"].tolist()


def test_empty_and_unreadable_files(tmp_path):
    empty = tmp_path / "kpi_2010.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r"kpi_2010.csv: empty file: the file is empty \(0 bytes\)"):
        io.read_table(empty)
    bad = tmp_path / "survey_2010Q4.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(DataError, match="survey_2010Q4.xlsx: unreadable file"):
        io.read_table(bad)
    other = tmp_path / "survey.xls"
    other.write_bytes(b"x")
    with pytest.raises(DataError, match="unsupported format"):
        io.read_table(other)


def test_trailing_blank_rows_dropped_inner_blank_rows_kept(tmp_path):
    df = valid_benchmark()
    text = df.to_csv(index=False)
    lines = text.splitlines()
    lines.insert(3, ",,")
    f = tmp_path / "benchmark.csv"
    f.write_text("\n".join(lines) + "\n,,\n,,\n", encoding="utf-8")
    got = io.read_table(f)
    assert len(got) == len(df) + 1
    with pytest.raises(DataError) as info:
        io.load(f, "benchmark")
    assert {p["rows"][0] for p in info.value.problems} == {4}  # the blank line is row 4


# --- mapping -------------------------------------------------------------------------------------

VENDOR_MAPPING = """\
columns:        # vendor column -> canonical column
  受访者编号: resp_id
  城市: city
  品牌: brand
  总体满意度: sat_overall
values:
  city: {榕城: fuzhou}
"""


def _vendor_frame(n: int = 9) -> pd.DataFrame:
    df = valid_survey(n)
    df["city"] = [CITY_ZH[c] for c in df["city"]]
    df.loc[0, "city"] = "榕城"  # a vendor nickname, mapped in the values section
    df.loc[1, "city"] = "Xiamen"  # English labels work too
    df["brand"] = df["brand"].map({"gotone": "全球通", "mzone": "动感地带",
                                   "easyown": "神州行", "competitor": "竞争对手"})
    df.loc[2, "sat_overall"] = "98"
    return df.rename(columns={"resp_id": "受访者编号", "city": "城市", "brand": "品牌",
                              "sat_overall": "总体满意度"})


def test_gbk_vendor_file_with_mapping(tmp_path):
    vendor = _vendor_frame()
    f = tmp_path / "survey_2010Q4_vendor.csv"
    f.write_bytes(_csv_bytes(vendor, "gbk"))
    (tmp_path / "mapping.yaml").write_text(VENDOR_MAPPING, encoding="utf-8")
    out = io.load(f, "survey")  # the folder's mapping.yaml applies
    assert out["city"].iloc[:3].tolist() == ["fuzhou", "xiamen", "quanzhou"]
    assert set(out["brand"]) <= {"gotone", "mzone", "easyown", "competitor"}
    assert np.isnan(out.loc[2, "sat_overall"])
    assert out["resp_id"].iloc[0] == "000000"


@pytest.mark.parametrize(
    ("yaml_text", "words"),
    [
        ("columns:\n  不存在的列: resp_id\n", "mapped vendor column (-> 'resp_id') is not in"),
        ("columns:\n  受访者编号: resp_id\n  城市: resp_id\n", "both map to 'resp_id'"),
        ("columns:\n  城市: town\n", "'town', which is not a survey contract column"),
        ("columns: [a, b]\n", "expected a mapping with a 'columns:' section"),
        ("colums:\n  城市: city\n", "unknown section 'colums'"),
    ],
)
def test_mapping_problems_name_the_mapping_file(tmp_path, yaml_text, words):
    f = tmp_path / "survey_2010Q4_vendor.csv"
    f.write_bytes(_csv_bytes(_vendor_frame(), "gbk"))
    m = tmp_path / "vendor_mapping.yaml"
    m.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.load(f, "survey", mapping=m)
    assert str(m) in str(info.value) and words in str(info.value)
    assert info.value.problems[0]["rule"] == "mapping"


def test_mapping_values_are_read_as_text(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("columns:\n  sex: gender\nvalues:\n  gender: {no: M, 01: F}\n", encoding="utf-8")
    mapping = io.load_mapping(m)
    assert mapping.values == {"gender": {"no": "M", "01": "F"}}
    got = io.apply_mapping(pd.DataFrame({"sex": ["no", "01", "M"]}, dtype="str"), mapping)
    assert got["gender"].tolist() == ["M", "F", "M"]


# --- load, file_record ---------------------------------------------------------------------------


def test_load_checks_quarter_from_file_name(tmp_path):
    f = tmp_path / "survey_2010Q4.csv"
    valid_survey(5, quarter="2010Q3").to_csv(f, index=False)
    with pytest.raises(DataError, match="quarter mismatch: the file name says 2010Q4"):
        io.load(f, "survey")
    assert io.quarter_from_name("survey_2010q2_vendor.csv") == "2010Q2"
    assert io.quarter_from_name("benchmark.csv") is None
    with pytest.raises(UsageError, match="panel is not loaded into pandas"):
        io.load(f, "panel")


def test_file_record(tmp_path):
    f = tmp_path / "kpi" / "kpi_2010.csv"
    f.parent.mkdir()
    data = _csv_bytes(valid_kpi(), "gbk")
    f.write_bytes(data)
    rec = io.file_record(f, root=tmp_path)
    assert rec["path"] == "kpi/kpi_2010.csv"
    assert rec["sha256"] == hashlib.sha256(data).hexdigest()
    assert rec["rows"] == 27 and rec["bytes"] == len(data)
    assert rec["encoding"] == "utf-8"  # plain ASCII: UTF-8 is tried first


# --- the dataset ---------------------------------------------------------------------------------


def _dataset(root, quarters=("2010Q3", "2010Q4")):
    (root / "survey").mkdir(parents=True)
    for i, q in enumerate(quarters):
        valid_survey(20, quarter=q, seed=i).to_csv(root / "survey" / f"survey_{q}.csv", index=False)
    (root / "kpi").mkdir()
    valid_kpi(2010).to_csv(root / "kpi" / "kpi_2010.csv", index=False)
    (root / "benchmark").mkdir()
    valid_benchmark().to_csv(root / "benchmark" / "benchmark.csv", index=False)
    for month, part in valid_panel(6).groupby("month"):
        folder = root / "panel" / f"month={month}"
        folder.mkdir(parents=True)
        part.to_parquet(folder / "part-0.parquet", index=False)
    (root / "MANIFEST.json").write_text(json.dumps({"synthetic": True, "seed": 1}))
    return root


def test_dataset_tables_cache_and_sources(tmp_path):
    ds = io.open_dataset(_dataset(tmp_path / "d"))
    assert ds.synthetic is True and ds.manifest["seed"] == 1
    assert ds.quarters() == ["2010Q3", "2010Q4"]
    both = ds.survey()
    assert len(both) == 40 and both["quarter"].tolist() == ["2010Q3"] * 20 + ["2010Q4"] * 20
    q4 = ds.survey(["2010Q4"])
    assert set(q4["quarter"]) == {"2010Q4"}
    # cached: a later change of the file is not seen by this object
    (tmp_path / "d" / "survey" / "survey_2010Q4.csv").write_text("garbage")
    assert ds.survey("2010Q4").equals(q4)
    assert len(ds.kpi()) == 27 and len(ds.benchmark()) == 12
    assert ds.panel_path() == tmp_path / "d" / "panel"
    src = ds.sources()
    assert src["path"].tolist() == ["survey/survey_2010Q3.csv", "survey/survey_2010Q4.csv",
                                    "kpi/kpi_2010.csv", "benchmark/benchmark.csv", "panel/"]
    assert src["rows"].tolist() == [20, 20, 27, 12, 12]
    assert src["sha256"].str.len().eq(64).all()


def test_dataset_unknown_quarter(tmp_path):
    ds = io.open_dataset(_dataset(tmp_path / "d"))
    with pytest.raises(UsageError, match="2009Q1.*available quarters: 2010Q3, 2010Q4"):
        ds.survey(["2009Q1"])


def test_dataset_same_quarter_in_two_formats(tmp_path):
    root = _dataset(tmp_path / "d")
    valid_survey(5).to_parquet(root / "survey" / "survey_2010Q4.parquet", index=False)
    with pytest.raises(DataError, match="duplicate quarter: 2 survey files for 2010Q4"):
        io.open_dataset(root)


def test_dataset_reports_every_bad_survey_file_at_once(tmp_path):
    root = _dataset(tmp_path / "d")
    for q in ("2010Q3", "2010Q4"):
        f = root / "survey" / f"survey_{q}.csv"
        df = pd.read_csv(f, dtype="str")
        df.loc[0, "sat_overall"] = "42"
        df.to_csv(f, index=False)
    ds = io.open_dataset(root)
    with pytest.raises(DataError) as info:
        ds.survey()
    files = {p["file"] for p in info.value.problems}
    assert files == {"survey/survey_2010Q3.csv", "survey/survey_2010Q4.csv"}
    assert ds.sources().empty  # nothing recorded for files that failed


def test_dataset_refuses_waves_of_two_designs_read_together(tmp_path):
    root = _dataset(tmp_path / "d", quarters=("2010Q2", "2010Q3", "2010Q4"))
    for q in ("2010Q2", "2010Q3"):  # psu empty before 2010Q4 (filled there)
        f = root / "survey" / f"survey_{q}.csv"
        pd.read_csv(f, dtype="str").assign(psu="").to_csv(f, index=False)
    ds = io.open_dataset(root)
    assert len(ds.survey("2010Q4")) == 20 and len(ds.survey(["2010Q2", "2010Q3"])) == 40
    with pytest.raises(DataError) as info:
        ds.survey()
    (p,) = info.value.problems
    assert (p["file"], p["column"], p["rule"]) == ("survey/survey_2010Q4.csv", "psu",
                                                   "design column in some waves only")
    assert "filled in 2010Q4 but empty in 2010Q2..2010Q3" in p["detail"]
    with pytest.raises(DataError, match="design column in some waves only"):
        ds.survey(["2010Q3", "2010Q4"])


def test_dataset_keeps_the_warnings_of_what_it_read(tmp_path):
    root = _dataset(tmp_path / "d")
    f = root / "survey" / "survey_2010Q4.csv"
    df = pd.read_csv(f, dtype="str")
    df.loc[2, "weight"] = str(200 * pd.to_numeric(df["weight"]).median())
    df.to_csv(f, index=False)
    ds = io.open_dataset(root)
    assert ds.warnings() == []
    ds.survey("2010Q3")
    assert ds.warnings() == []
    ds.survey("2010Q4")
    (w,) = ds.warnings()
    assert (w["file"], w["column"], w["rule"], w["rows"]) == ("survey/survey_2010Q4.csv",
                                                              "weight", "outlier", [4])
    ds.panel_path()  # a valid panel: no warning added
    assert len(ds.warnings()) == 1


def test_dataset_kpi_duplicates_across_files(tmp_path):
    root = _dataset(tmp_path / "d")
    valid_kpi(2010, months=1).to_csv(root / "kpi" / "kpi_2010_extra.csv", index=False)
    with pytest.raises(DataError, match="month \\+ city repeated across files"):
        io.open_dataset(root).kpi()


def test_dataset_missing_folder_and_non_synthetic(tmp_path):
    with pytest.raises(UsageError, match="data folder not found"):
        io.open_dataset(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    ds = io.open_dataset(tmp_path / "empty")
    assert ds.synthetic is False and ds.quarters() == []
    with pytest.raises(DataError, match="no kpi files"):
        ds.kpi()


def test_mapping_optional_sections_missing_codes_and_encoding(tmp_path):
    vendor = _vendor_frame()
    f = tmp_path / "survey_2010Q4_vendor.csv"
    f.write_bytes(_csv_bytes(vendor, "gbk"))
    m = tmp_path / "mapping.yaml"
    m.write_text(VENDOR_MAPPING + "missing_codes: [98, 99]\nencoding: GBK\n", encoding="utf-8")
    mapping = io.load_mapping(m, kind="survey")
    assert mapping.encoding == "gbk"
    out = io.load(f, "survey", mapping=mapping)
    assert out.attrs["encoding"] == "gbk" and len(out) == 9
    m.write_text(VENDOR_MAPPING + "missing_codes: [97]\nencoding: klingon\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.load_mapping(m)
    assert len(info.value.problems) == 2
    assert "missing_codes ['97'] differ" in str(info.value)
    assert "unknown encoding 'klingon'" in str(info.value)


def test_undecodable_files_are_refused(tmp_path):
    rng = np.random.default_rng(0)
    noise = tmp_path / "survey_2010Q4.csv"
    noise.write_bytes(bytes(rng.integers(128, 256, 4000, dtype=np.uint8)))
    with pytest.raises(DataError) as info:
        io.read_table(noise)
    assert info.value.problems[0]["rule"] == "encoding"
    assert "survey_2010Q4.csv: encoding: the file is not text" in str(info.value)
    binary = tmp_path / "kpi_2010.csv"
    binary.write_bytes(b"month,city\n\x00\x01\x02\xff\xfe\n")
    with pytest.raises(DataError, match="kpi_2010.csv: encoding: the file holds binary data"):
        io.read_table(binary)
    assert io.detect_encoding("a,b\n1,café\n2,crème brûlée\n".encode("cp1252")) == "cp1252"


def test_panel_record_and_invalid_panel_in_dataset(tmp_path):
    root = _dataset(tmp_path / "d")
    rec = io.file_record(root / "panel", root=root)
    assert rec["path"] == "panel" and rec["rows"] == 12 and rec["files"] == 2
    assert rec["encoding"] is None and len(rec["sha256"]) == 64
    assert io.file_record(root / "panel", root=root)["sha256"] == rec["sha256"]  # stable
    bad = valid_panel(6, months=("2010-01",))
    bad.loc[0, "segment"] = "platinum"
    bad.to_parquet(root / "panel" / "month=2010-01" / "part-0.parquet", index=False)
    assert io.file_record(root / "panel", root=root)["sha256"] != rec["sha256"]
    ds = io.open_dataset(root)
    with pytest.raises(DataError) as info:
        ds.panel_path()
    p = info.value.problems[0]
    assert (p["file"], p["column"], p["rule"], p["count"]) == ("panel/", "segment",
                                                               "unknown code", 1)
    assert "cust_key=C0000000, month=2010-01" in p["examples"][0]
    assert ds.panel_path(validate=False) == root / "panel"


# --- review fixes: encodings, duplicate headers, unreadable files, per-file mappings -----------

GENDER_MAPPING = "columns:\n  性别: gender\nvalues:\n  gender: {男: M, 女: F}\n"


def test_gbk_file_whose_only_chinese_is_male_female_is_gbk_not_mixed(tmp_path):
    # In GBK 女 is C5 AE, which is also valid UTF-8 (Ů); 男 (C4 D0) is not. A plain GBK
    # file with only these two non-ASCII cells must not be taken for mixed encodings.
    df = valid_survey(6)
    df["gender"] = ["女", "男", "女", "男", "女", "男"]
    df = df.rename(columns={"gender": "性别"})
    f = tmp_path / "survey_2010Q4.csv"
    data = _csv_bytes(df, "gbk")
    f.write_bytes(data)
    assert io.detect_encoding(data) == "gbk"
    m = tmp_path / "m.yaml"
    m.write_text(GENDER_MAPPING, encoding="utf-8")
    out = io.load(f, "survey", mapping=m)
    assert out.attrs["encoding"] == "gbk"
    assert out["gender"].tolist() == ["F", "M", "F", "M", "F", "M"]


def test_mixed_encodings_found_even_when_the_bytes_also_decode_as_gb18030():
    # UTF-8 两字 cells are 6 bytes, which GBK/GB18030 also decode (as mojibake): trying
    # GBK first must not hide a file that mixes UTF-8 and GBK lines.
    data = "a,b\n1,编号\n".encode() + "2,编号\n".encode("gbk")
    data.decode("gb18030")  # the trap: the whole file decodes
    with pytest.raises(DataError, match="line 2 is UTF-8 but line 3 is not UTF-8"):
        io.detect_encoding(data, file="x.csv")


def _with_duplicate(df: pd.DataFrame, name: str, header: str) -> pd.DataFrame:
    out = df.copy()
    out.insert(len(out.columns), "__dup__", out[name])
    return out.rename(columns={"__dup__": header})


@pytest.mark.parametrize(
    ("fmt", "header"),
    [("csv", "city"), ("csv", " city"), ("tsv", "city "), ("xlsx", "city"),
     ("xlsx", "brand"), ("parquet", "city")],
)
def test_duplicate_header_columns_are_refused_before_mapping(tmp_path, fmt, header):
    name = header.strip()
    df = _with_duplicate(valid_survey(5), name, header)
    f = tmp_path / f"survey_2010Q4.{fmt}"
    if fmt == "csv":
        f.write_bytes(_csv_bytes(df, "utf-8"))
    elif fmt == "tsv":
        f.write_bytes(df.to_csv(index=False, sep="\t").encode("utf-8"))
    elif fmt == "xlsx":
        df.to_excel(f, index=False, engine="openpyxl")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq
        pq.write_table(pa.Table.from_arrays([pa.array(df.iloc[:, i]) for i in range(df.shape[1])],
                                            names=list(df.columns)), f)
    for call in (lambda: io.read_table(f), lambda: io.load(f, "survey")):
        with pytest.raises(DataError) as info:
            call()
        p = info.value.problems[0]
        assert (p["file"], p["column"], p["rule"]) == (str(f), name, "duplicate column")
        assert "survey_2010Q4" in str(info.value) and "2 times" in str(info.value)


def test_duplicate_columns_after_a_mapping_rename_are_a_data_error():
    df = pd.DataFrame([["fuzhou", "xiamen"]], columns=["city", "city"], dtype="str")
    with pytest.raises(DataError, match="t.csv: column 'city': duplicate column"):
        io.apply_mapping(df, None, file="t.csv")


def test_unreadable_file_is_a_data_error_not_a_traceback(tmp_path, monkeypatch):
    f = tmp_path / "survey_2010Q4.csv"
    valid_survey(3).to_csv(f, index=False)

    def refuse(self, *a, **k):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(f), "read_bytes", refuse)
    with pytest.raises(DataError) as info:
        io.read_table(f)
    p = info.value.problems[0]
    assert p["rule"] == "unreadable file" and p["file"] == str(f)
    assert "Permission denied" in p["detail"]


def test_unreadable_mapping_file_is_a_data_error(tmp_path, monkeypatch):
    m = tmp_path / "mapping.yaml"
    m.write_text("columns:\n  城市: city\n", encoding="utf-8")

    def refuse(self, *a, **k):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(m), "read_text", refuse)
    with pytest.raises(DataError, match="mapping.yaml: mapping: .*Permission denied"):
        io.load_mapping(m)


def test_per_file_mapping_beside_canonical_quarters(tmp_path):
    root = tmp_path / "d"
    (root / "survey").mkdir(parents=True)
    valid_survey(7, quarter="2010Q3").to_csv(root / "survey" / "survey_2010Q3.csv", index=False)
    (root / "survey" / "survey_2010Q4.csv").write_bytes(_csv_bytes(_vendor_frame(), "gbk"))
    (root / "survey" / "survey_2010Q4.mapping.yaml").write_text(VENDOR_MAPPING, encoding="utf-8")
    ds = io.open_dataset(root)
    assert ds.quarters() == ["2010Q3", "2010Q4"]
    both = ds.survey()
    assert both["quarter"].tolist() == ["2010Q3"] * 7 + ["2010Q4"] * 9
    assert both["city"].iloc[7:10].tolist() == ["fuzhou", "xiamen", "quanzhou"]
    assert ds.sources()["encoding"].tolist() == ["utf-8", "gbk"]
    # io.load finds the per-file mapping too
    assert len(io.load(root / "survey" / "survey_2010Q4.csv", "survey")) == 9


def test_per_file_mapping_takes_precedence_over_the_folder_mapping(tmp_path):
    folder = tmp_path / "survey"
    folder.mkdir()
    f = folder / "survey_2010Q4.csv"
    f.write_bytes(_csv_bytes(_vendor_frame(), "gbk"))
    (folder / "mapping.yaml").write_text("columns:\n  旧城市列: city\n", encoding="utf-8")
    with pytest.raises(DataError, match="mapped vendor column"):
        io.load(f, "survey")
    (folder / "survey_2010Q4.mapping.yaml").write_text(VENDOR_MAPPING, encoding="utf-8")
    assert len(io.load(f, "survey")) == 9


def test_folder_mapping_skipped_for_a_file_already_in_canonical_layout(tmp_path):
    root = tmp_path / "d"
    (root / "survey").mkdir(parents=True)
    valid_survey(7, quarter="2010Q3").to_csv(root / "survey" / "survey_2010Q3.csv", index=False)
    (root / "survey" / "survey_2010Q4.csv").write_bytes(_csv_bytes(_vendor_frame(), "gbk"))
    (root / "survey" / "mapping.yaml").write_text(VENDOR_MAPPING, encoding="utf-8")
    assert len(io.open_dataset(root).survey()) == 16
    # a file with none of the vendor columns and not all canonical ones is still an error
    df = valid_survey(4, quarter="2010Q3").drop(columns=["city"])
    df.to_csv(root / "survey" / "survey_2010Q3.csv", index=False)
    with pytest.raises(DataError) as info:
        io.open_dataset(root).survey("2010Q3")
    assert "mapped vendor column (-> 'city') is not in survey/survey_2010Q3.csv" in str(info.value)
    # an explicit mapping is never skipped
    valid_survey(4, quarter="2010Q3").to_csv(root / "survey" / "survey_2010Q3.csv", index=False)
    with pytest.raises(DataError, match="mapped vendor column"):
        io.load(root / "survey" / "survey_2010Q3.csv", "survey",
                mapping=root / "survey" / "mapping.yaml")


def test_unlistable_folder_is_a_data_error(tmp_path, monkeypatch):
    root = _dataset(tmp_path / "d")
    real = type(root).iterdir

    def refuse(self):
        if self.name == "survey":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(type(root), "iterdir", refuse)
    with pytest.raises(DataError, match="survey: unreadable folder: cannot list the folder: "
                                        "Permission denied"):
        io.open_dataset(root)
