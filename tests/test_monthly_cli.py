"""``gotone run --month``: bad months refused before anything is written, a month missing a
city's KPI rows refused naming the city, and a monthly batch published beside quarters."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from gotone_analysis import cli, findings
from gotone_analysis.io import open_dataset
from gotone_analysis.reports.scorecard_139 import tables as sc
from gotone_analysis.runner import EXIT_OK, EXIT_USAGE


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(["run", *argv])
    return code, capsys.readouterr().err


def test_the_run_help_explains_month(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--month" in text and "2010-05" in text and "2010-01:2010-12" in text
    assert "gotone run --month all --scope all" in text


@pytest.mark.parametrize("month, message", [
    ("2010-13", "month must look like 2010-05"),
    ("2010-5", "month must look like 2010-05"),
    ("2011-01", "no KPI counts for 2011-01"),
    ("2007-01:2007-12", "no KPI counts for any month of 2007-01:2007-12"),
    ("2010-06:2010-01", "a range is FIRST:LAST"),
])
def test_a_bad_month_exits_2_with_a_message_and_touches_nothing(small_demo, tmp_path, capsys,
                                                                month, message):
    out = tmp_path / "out"
    code, err = _run(capsys, "--month", month, "--data", str(small_demo), "--out", str(out))
    assert code == EXIT_USAGE
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_quarter_and_month_together_or_a_quarterly_only_report_are_refused(small_demo,
                                                                           tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["run", "--month", "2010-05", "--quarter", "2010Q2"])
    assert stop.value.code == EXIT_USAGE
    out = tmp_path / "out"
    code, err = _run(capsys, "--month", "2010-05", "--reports", "brand_equity", "--data",
                     str(small_demo), "--out", str(out))
    assert code == EXIT_USAGE and "brand_equity has no monthly run" in err
    code, err = _run(capsys, "--quarter", "2010Q4", "--reports", "monthly_summary", "--data",
                     str(small_demo), "--out", str(out))
    assert code == EXIT_USAGE and "monthly_summary runs with --month only" in err
    code, err = _run(capsys, "--month", "2010-05", "--compare-to", "2010Q1", "--data",
                     str(small_demo), "--out", str(out))
    assert code == EXIT_USAGE and "month YYYY-MM" in err
    assert not out.exists()


def test_a_month_missing_a_citys_kpi_rows_is_refused_before_any_kernel(small_demo, tmp_path,
                                                                       capsys):
    data = tmp_path / "data"
    shutil.copytree(small_demo, data, ignore=shutil.ignore_patterns("panel", "_truth"))
    f = data / "kpi" / "kpi_2010.csv"
    kpi = pd.read_csv(f)
    kpi.loc[~((kpi["month"] == "2010-05") & (kpi["city"] == "longyan"))].to_csv(f, index=False)
    out = tmp_path / "out"
    code, err = _run(capsys, "--month", "2010-05", "--scope", "province", "--data", str(data),
                     "--out", str(out))
    assert code == EXIT_USAGE
    assert "longyan (2010-05)" in err
    assert not out.exists()


def test_a_monthly_batch_publishes_beside_the_quarters(small_demo, tmp_path, capsys):
    out = tmp_path / "out"
    code, err = _run(capsys, "--month", "2010-05:2010-06", "--scope", "province,xiamen",
                     "--data", str(small_demo), "--out", str(out))
    assert code == EXIT_OK, err
    ds = open_dataset(small_demo)
    for month in ("2010-05", "2010-06"):
        for scope in ("province", "xiamen"):
            folder = out / month / scope
            for name in ("scorecard_139.html", "monthly_summary.html", "metrics.json",
                         "tables.xlsx", "status.json"):
                assert (folder / name).is_file(), (month, scope, name)
            metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
            assert sorted(metrics) == ["monthly_summary", "scorecard_139"]
            assert metrics["scorecard_139"]["month"] == month
            for report in metrics.values():
                assert findings.problems(report["findings"], metrics) == []
                assert {r["quarter"] for r in report["findings"]} == {month}
            html = (folder / "monthly_summary.html").read_text(encoding="utf-8")
            visible = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", html,
                             flags=re.S)
            assert not re.search(r"scorecard_139\.|kpi_\w+_|\w+_status\b", visible)
    # June, the quarter's last month: the statuses of the quarterly scorecard of 2010Q2
    june = json.loads((out / "2010-06" / "province" / "metrics.json").read_text("utf-8"))
    q2 = sc.scorecard(ds, quarter="2010Q2")
    for r in q2.itertuples(index=False):
        assert june["scorecard_139"][f"{r.target_id}_status"] == r.status, r.target_id
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index('id="q-2010-06"') < index.index('id="q-2010-05"')
    assert "2010-06/province/monthly_summary.html" in index
    sheets = pd.read_excel(out / "2010-05" / "province" / "tables.xlsx", sheet_name=None)
    about = sheets[next(iter(sheets))].to_string()
    assert "月份" in about and "上月" in about
