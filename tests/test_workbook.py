"""The scope workbook: what it is on its first sheet, then one labelled sheet per table.

Checked on small tables written with :func:`gotone_analysis.workbook.write` and on the
workbooks of the demo batches (``demo_batches``: Chinese province, English Xiamen).
"""

from __future__ import annotations

import math
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from gotone_analysis import config, workbook
from gotone_analysis.findings import COLUMNS


def _tables():
    comp = pd.DataFrame({
        "component": ["awareness", "influence"], "city": ["xiamen", "ningde"],
        "estimate": [82.7, np.nan], "se": [0.4, 0.9], "n": [412, 12], "p_adj": [0.0123, 0.5],
        "mark": ["▲", ""], "suppressed": [False, True]})
    return {"brand_equity.synthetic": pd.DataFrame({"note": ["x"]}),
            "brand_equity.components": comp,
            "summary.findings": pd.DataFrame({"kind": ["a"], "sentence": ["s"],
                                              "based_on": ["satisfaction.satisfaction"]})}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_written_workbook(tmp_path, lang):
    path = tmp_path / "tables.xlsx"
    names = workbook.write(path, _tables(), lang=lang, quarter="2010Q4",
                           scope_label="Xiamen", synthetic=True,
                           statuses={"brand_equity": {"status": "ok", "finished": "t"}},
                           parameters={"compare_to": "previous", "min_base": 30, "seed": 1},
                           code_version="abc123")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == names and len(names) == 3   # the report's own note dropped
    about = book[names[0]]
    text = " ".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
    assert "2010Q4" in text and "Xiamen" in text and "abc123" in text
    assert ("合成演示数据" if lang == "zh" else "Synthetic demo data") in text
    sheet = book[names[1]]
    assert names[1] == ("品牌 · 四要素及变化" if lang == "zh" else "Brand · Components")
    assert sheet.freeze_panes == "A2"
    head = [c.value for c in sheet[1]]
    assert head[2] == ("得分" if lang == "zh" else "Score")
    assert head[1] == ("城市" if lang == "zh" else "City")
    row2 = [c.value for c in sheet[2]]
    row3 = [c.value for c in sheet[3]]
    assert row2[1] == ("厦门" if lang == "zh" else "Xiamen")          # codes as names
    assert row2[2] == 82.7 and isinstance(row2[4], int)                 # numbers as numbers
    assert sheet.cell(2, 3).number_format == "#,##0.00"
    assert sheet.cell(2, 6).number_format == "0.000"                    # p-values
    assert row2[6] == "▲"                                               # marks as shown
    assert row3[2] == workbook.DASH and row3[3] == workbook.DASH        # suppressed
    assert row3[4] == 12                                                # its base is shown


def test_identical_tables_give_an_identical_file(tmp_path):
    kw = dict(lang="en", quarter="2010Q4", scope_label="Province", synthetic=False,
              statuses={}, parameters={})
    workbook.write(tmp_path / "a.xlsx", _tables(), **kw)
    workbook.write(tmp_path / "b.xlsx", _tables(), **kw)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


@pytest.mark.parametrize("lang,scope", [("zh", "province"), ("en", "xiamen")])
def test_batch_workbook(demo_batches, lang, scope):
    path = demo_batches[lang] / "2010Q4" / scope / "tables.xlsx"
    book = openpyxl.load_workbook(path, read_only=False)
    first = book.sheetnames[0]
    assert first == ("说明" if lang == "zh" else "About")
    text = " ".join(str(c.value) for row in book[first].iter_rows() for c in row if c.value)
    assert "2010Q4" in text and "SHA-256" in text and "survey/survey_2010Q4.csv" in text
    prefixes = {n.split(" · ")[0] for n in book.sheetnames[1:]}
    want = ({"概览", "数据质量", "品牌", "满意度", "成效", "记分卡"} if lang == "zh"
            else {"Summary", "Quality", "Brand", "Satisfaction", "Effects", "Scorecard"})
    assert want <= prefixes
    for name in book.sheetnames[1:]:
        assert book[name].freeze_panes == "A2", name
    sheet = book["品牌 · 四要素及变化" if lang == "zh" else "Brand · Components"]
    head = [c.value for c in sheet[1]]
    assert ("得分" if lang == "zh" else "Score") in head
    col = head.index("得分" if lang == "zh" else "Score") + 1
    assert all(isinstance(sheet.cell(r, col).value, float) for r in range(2, sheet.max_row + 1))


def test_sheet_numbers_do_not_carry_an_engines_last_bits():
    # two runs of a parallel engine sum in different orders: 93.53159362504192 in one,
    # 93.53159362504445 in the other; the workbook must be the same for both
    from gotone_analysis.workbook import reader_sheet

    one = reader_sheet(pd.DataFrame({"estimate": [93.53159362504192, float("nan")]}),
                       "program_effects", "en")
    two = reader_sheet(pd.DataFrame({"estimate": [93.53159362504445, float("nan")]}),
                       "program_effects", "en")
    assert one.equals(two)
    assert one.iloc[0, 0] == 93.5315936 and pd.isna(one.iloc[1, 0])


# --- reader-grade sheets: no machine names, codes, formula terms, "nan" or "-0" -------------

#: Headings allowed although they look like machine names: "p" is the reader tables' own
#: heading of a p-value in English (the statistic's usual name, as on the pages).
ALLOWED_HEADINGS = {"p"}
#: Codes of the data contract and of the reports that a reader cell must never show.
CONTRACT_CODES = {
    *config.CITY_CODES, *config.TIER_CODES, *config.BRAND_CODES, *config.LEVER_CODES,
    config.PROVINCE, "goal", "met", "on_track", "inconclusive", "at_risk", "off_track",
    "missed", "not_measurable", "naive", "adjusted", "treated", "control", "churn", "arpu",
    "not_estimated", "base_below_minimum", "better", "worse", "same", "final", "red", "amber",
    "green", "blue", "grey", "overall", "all", "users", "awareness", "association",
    "preference", "loyalty", "influence", "aware", "reach", "conversion", "total"}
_REPORT_KEY = re.compile(rf"^({'|'.join(config.REPORTS)})\.[a-z0-9_]+")


def _sheet_problems(book) -> list[tuple[str, str, object]]:
    out = []
    for name in book.sheetnames:
        ws = book[name]
        if ws.max_row > 1:
            for head in (c.value for c in ws[1]):
                if (isinstance(head, str) and re.fullmatch(r"[a-z0-9_]+", head)
                        and head not in ALLOWED_HEADINGS):
                    out.append((name, "machine heading", head))
        for row in ws.iter_rows(min_row=2):
            for c in row:
                v = c.value
                if isinstance(v, bool):
                    out.append((name, "TRUE/FALSE", c.coordinate))
                elif isinstance(v, float) and v == 0 and math.copysign(1, v) < 0:
                    out.append((name, "-0", c.coordinate))
                elif isinstance(v, str):
                    if name.endswith(_LEDGER_SHEETS) and c.column in _LEDGER_REFERENCES:
                        continue  # a ledger's kind and keys: its reference to metrics.json
                    if v in CONTRACT_CODES:
                        out.append((name, "code", v))
                    if "C(" in v:
                        out.append((name, "formula term", v))
                    if v.strip().lower() == "nan" or re.fullmatch(r"-0(\.0+)?", v.strip()):
                        out.append((name, "nan/-0", v))
                    # a findings ledger names its metric keys (the reference to metrics.json)
                    if _REPORT_KEY.match(v) and not name.endswith(_LEDGER_SHEETS):
                        out.append((name, "metric key", v))
    return out


_LEDGER_SHEETS = ("结论与依据", "Findings")
#: The ledger's columns (1-based) naming what a finding is and the keys it rests on.
_LEDGER_REFERENCES = (COLUMNS.index("kind") + 1, COLUMNS.index("keys") + 1)


def _column(ws, heading):
    heads = [c.value for c in ws[1]]
    j = heads.index(heading) + 1
    return [ws.cell(r, j) for r in range(2, ws.max_row + 1)]


@pytest.mark.parametrize("lang,scope", [("zh", "province"), ("en", "xiamen")])
def test_batch_workbook_is_reader_grade(demo_batches, lang, scope):
    book = openpyxl.load_workbook(demo_batches[lang] / "2010Q4" / scope / "tables.xlsx")
    problems = _sheet_problems(book)
    assert not problems, problems[:20]
    zh = lang == "zh"
    # rates stored as fractions with a percent format
    ws = book["数据质量 · 缺失值" if zh else "Quality · Missingness"]
    cells = _column(ws, "缺失比例" if zh else "Share missing")
    assert cells and all("%" in c.number_format for c in cells if c.value is not None)
    assert all(0 <= c.value <= 1 for c in cells)
    ws = book["记分卡 · 目标" if zh else "Scorecard · Targets"]
    target = _column(ws, "目标值" if zh else "Target value")
    assert any("%" in c.number_format for c in target)              # rate targets
    assert any("%" not in c.number_format for c in target)          # counts stay counts
    # care cohorts and months as YYYY-MM
    ws = book["成效 · 关怀-流失-分组" if zh else "Effects · Care churn ATT(g,t)"]
    for heading in (("推广月份", "月份", "基期月份") if zh
                    else ("Roll-out month", "Month", "Base month")):
        assert all(re.fullmatch(r"\d{4}-\d{2}", c.value) for c in _column(ws, heading))
    assert all("%" in c.number_format for c in _column(
        ws, "对月流失率的效应（百分点）" if zh else "Effect on monthly churn (percentage points)"))
    # covariates in words, tiers in the deck's order
    ws = book["成效 · 平衡" if zh else "Effects · Balance"]
    covariates = {c.value for c in _column(ws, "协变量" if zh else "Covariate")}
    assert ("金卡 vs 钻石卡" if zh else "Gold vs Diamond") in covariates
    ws = book["品牌 · 分层级" if zh else "Brand · Tiers"]
    tiers = list(dict.fromkeys(c.value for c in _column(ws, "客户层级" if zh else "Tier")))
    want = [config.TIERS[t][0 if zh else 1] for t in config.GOTONE_TIERS]
    assert [t for t in tiers if t in want] == want
    # no empty sheet: an empty table says why
    assert all(book[n].max_row >= 2 for n in book.sheetnames)
    # the first sheet's parameters in words
    about = [c.value for row in book[book.sheetnames[0]].iter_rows() for c in row]
    assert "previous" not in about and ("上季度" if zh else "previous quarter") in about
    assert lang not in about and ("中文" if zh else "English") in about


def test_reader_sheet_words_months_and_order():
    balance = pd.DataFrame({"lever": ["care", "care"],
                            "covariate": ["C(tier)[T.gold]", "C(tier)[T.silver]"],
                            "smd_raw": [0.2, -0.0]})
    shown = workbook.reader_sheet(balance, "program_effects", "zh", "balance")
    assert shown["协变量"].tolist() == ["金卡 vs 钻石卡", "银卡 vs 钻石卡"]
    assert math.copysign(1, shown.iloc[1, 2]) > 0                       # no "-0"
    care = pd.DataFrame({"cohort": [26], "time": [24], "estimate": [0.01], "base": [23],
                         "post": [False]})
    shown = workbook.reader_sheet(care, "program_effects", "en", "care_att_gt_churn")
    assert shown.iloc[0].tolist()[:2] == ["2010-03", "2010-01"]
    assert shown["Base month"].tolist() == ["2009-12"] and shown["After roll-out"][0] == "No"
    tiers = pd.DataFrame({"tier": ["diamond", "gold", "regular", "silver"], "n": [1, 2, 3, 4]})
    shown = workbook.reader_sheet(tiers, "brand_equity", "zh")
    assert shown["客户层级"].tolist() == ["钻石卡", "金卡", "银卡", "普通"]
    empty = pd.DataFrame(columns=["target_id", "period", "horizon", "estimate"])
    shown = workbook.reader_sheet(empty, "scorecard_139", "en", "projections")
    assert len(shown) == 1 and "deadline" in shown.iloc[0, 0]
    levers = pd.DataFrame({"lever": ["goal"], "met": [2], "worst": ["missed"], "light": ["red"]})
    shown = workbook.reader_sheet(levers, "scorecard_139", "en", "levers")
    assert list(shown.columns) == ["Lever", "Met", "Worst status", "Light"]
    assert shown.iloc[0].tolist()[2:] == ["Missed", "Red"]


def test_rates_get_a_percent_format(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook.write(path, {"data_quality.bases": pd.DataFrame({"tier": ["gold"], "n": [3],
                                                              "share": [0.25]})},
                   lang="zh", quarter="2010Q4", scope_label="x", synthetic=True, statuses={},
                   parameters={"compare_to": "previous"})
    book = openpyxl.load_workbook(path)
    cell = book[book.sheetnames[1]].cell(2, 3)
    assert cell.value == 0.25 and cell.number_format == "0.00%"
    about = [c.value for row in book[book.sheetnames[0]].iter_rows() for c in row]
    assert "上季度" in about and "previous" not in about and "中文" in about


def test_every_finding_rule_and_direction_has_words():
    from gotone_analysis import labels
    from gotone_analysis.findings import DIRECTIONS, RULES

    for lang in ("zh", "en"):
        for rule in RULES:
            assert labels.text(f"workbook.value.rule.{rule}", lang) != rule
        for way in DIRECTIONS:
            assert labels.text(f"workbook.value.direction.{way}", lang) != way


def _write(path, tables):
    return workbook.write(path, tables, lang="en", quarter="2010Q4", scope_label="Xiamen",
                          synthetic=True, statuses={}, parameters={}, code_version="abc")


def test_cells_are_written_as_pandas_writes_them(tmp_path):
    """The sheets' cells, written without pandas' per-cell formatter, are those
    ``DataFrame.to_excel`` writes for the same sheet: missing values empty, numpy numbers
    as numbers, dates as dates, the rest as text."""
    import datetime as dt

    table = pd.DataFrame({
        "item": ["a", None, "=1+1"], "n": np.array([1, 2, 3], dtype="int64"),
        "estimate": [1.5, np.nan, np.inf], "whole": pd.array([4, None, 6], dtype="Int64"),
        "flag": [True, False, True], "when": pd.to_datetime(["2010-01-31", None, "2010-03-31"]),
        "day": [dt.date(2010, 1, 1)] * 3, "gap": pd.to_timedelta([1, 2, 3], unit="D"),
        "mixed": [1, "1", 2.5]})
    ours = tmp_path / "ours.xlsx"
    _write(ours, {"brand_equity.t": table})
    shown = workbook.reader_sheet(table, "brand_equity", "en", "t")
    theirs = tmp_path / "theirs.xlsx"
    shown.to_excel(theirs, index=False, header=False, startrow=1)
    a = openpyxl.load_workbook(ours).worksheets[1]
    b = openpyxl.load_workbook(theirs).worksheets[0]
    got = [[c.value for c in row] for row in a.iter_rows(min_row=2)]
    want = [[c.value for c in row] for row in b.iter_rows(min_row=2)]
    assert got == want
    assert got[0][:4] == ["a", 1, 1.5, 4] and got[1][0] is None and got[1][2] is None
    assert got[0][5].year == 2010 and got[1][5] is None  # dates as dates, NaT empty
    assert [row[-1] for row in got] == [1, "1", 2.5]  # each cell keeps its own type


def test_a_table_laid_out_once_is_reused_only_for_the_same_content(tmp_path):
    same = pd.DataFrame({"item": ["x", "y"], "value": pd.Series([1, "1"], dtype=object)})
    other = pd.DataFrame({"item": ["x", "y"], "value": pd.Series(["1", 1], dtype=object)})
    first, second, third = (tmp_path / f"{i}.xlsx" for i in range(3))
    _write(first, {"brand_equity.t": same})
    _write(second, {"brand_equity.t": same.copy()})
    _write(third, {"brand_equity.t": other})  # pandas hashes 1 and "1" alike: not we
    assert first.read_bytes() == second.read_bytes()
    values = [[c.value for c in row] for row in
              openpyxl.load_workbook(third).worksheets[1].iter_rows(min_row=2)]
    assert [row[1] for row in values] == ["1", 1]
