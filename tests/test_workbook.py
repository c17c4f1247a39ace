"""The scope workbook: what it is on its first sheet, then one labelled sheet per table.

Checked on small tables written with :func:`gotone_analysis.workbook.write` and on the
workbooks of the demo batches (``demo_batches``: Chinese province, English Xiamen).
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from gotone_analysis import workbook


def _tables():
    comp = pd.DataFrame({
        "component": ["influence", "awareness"], "city": ["xiamen", "ningde"],
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
