"""The monthly 139 scorecard and the monthly summary: actuals from the raw KPI counts,
milestones judged at their deadline month and projected before, a quarter's last month
scored as the quarter, and the summary's sentences within the claims rules."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import findings, labels
from gotone_analysis.errors import DataError, UsageError
from gotone_analysis.io import open_dataset
from gotone_analysis.params import check_parameters, parse_months, resolve_month_comparison
from gotone_analysis.reports.monthly_summary import page, sentences
from gotone_analysis.reports.monthly_summary import tables as monthly
from gotone_analysis.reports.scorecard_139 import actuals as act
from gotone_analysis.reports.scorecard_139 import sentences as nar
from gotone_analysis.reports.scorecard_139 import tables as sc
from gotone_analysis.reports.scorecard_139 import view
from gotone_analysis.reports.scorecard_139.status import FINALS, FORECASTS
from gotone_analysis.runner import check_month_inputs, monthly_reports, quarterly_reports
from gotone_analysis.targets import METRICS


@pytest.fixture(scope="module")
def ds(small_demo: Path):
    return open_dataset(small_demo)


def _raw_kpi(small_demo: Path) -> pd.DataFrame:
    # read the BI files as they are, without the package's readers
    return pd.concat([pd.read_csv(f) for f in sorted((small_demo / "kpi").glob("*.csv"))],
                     ignore_index=True)


@pytest.mark.parametrize("scope", ["province", "xiamen"])
def test_a_months_kpi_actuals_are_the_counts_summed_from_the_raw_file(ds, small_demo, scope):
    raw = _raw_kpi(small_demo)
    if scope != "province":
        raw = raw.loc[raw["city"] == scope]
    month = "2010-05"
    this = raw.loc[raw["month"] == month]
    ytd = raw.loc[(raw["month"] >= "2010-01") & (raw["month"] <= month)]
    got = act.actuals(ds, month=month, scope=scope).set_index("target_id")
    checked = set()
    for tid, row in got.iterrows():
        m = METRICS[row["metric"]]
        if m.source != "kpi" or row["as_of"] != month:
            continue
        if m.agg == "ytd_sum":
            num = ytd[m.num].sum()
        else:
            num = this[m.num].sum()
        want = num / this[m.den].sum() if m.den else num
        assert row["actual"] == pytest.approx(float(want), rel=1e-12), tid
        checked.add(m.agg)
    # rates as sums of numerators over sums of denominators, counts, and year-to-date sums
    assert checked == {"month", "ytd", "ytd_sum"}
    assert got.loc["new_vip", "as_of"] == "2010-04"  # judged at its own deadline month


def test_survey_targets_show_the_latest_wave_ended_by_the_month_labelled(ds):
    may = sc.report_tables(ds, month="2010-05", scope="province")
    survey = may.targets.loc[may.targets["wave"] != ""]
    assert set(survey["target_id"]) == {"points_satisfaction", "g3_awareness",
                                       "rights_awareness"}
    assert set(survey["wave"]) == {"2010Q1"}  # the Q2 wave is not over in May
    q1 = act.actuals(ds, quarter="2010Q1").set_index("target_id")
    for tid in survey["target_id"]:
        row = may.targets.set_index("target_id").loc[tid]
        assert row["actual"] == pytest.approx(q1.loc[tid, "actual"], rel=1e-12)
    head = may.headline()
    assert head["month"] == "2010-05" and "quarter" not in head
    assert head["g3_awareness_wave"] == "2010Q1"
    # the reader table and the sentence name the wave
    assert act.last_wave(pd.Period("2010-06", freq="M")) == pd.Period("2010Q2", freq="Q")
    row = survey.iloc[0]
    assert "2010Q1 survey wave" in nar.target_sentence(row, "en", quarter="2010-05")
    shown = view.reader_table(may.targets, lang="en").to_html()
    assert "(2010Q1 survey)" in shown


def test_a_milestone_is_projected_before_its_deadline_month_and_judged_at_it(ds):
    before = sc.scorecard(ds, month="2010-05").set_index("target_id")
    at = sc.scorecard(ds, month="2010-06").set_index("target_id")
    for tid in ("gotone_customers_q2", "bundling_q2", "family_coverage_q2"):
        assert before.loc[tid, "status"] in FORECASTS, tid
        assert np.isfinite(before.loc[tid, "projected_high"]), tid
        assert at.loc[tid, "status"] in ("met", "missed"), tid  # KPI counts are exact
        assert np.isnan(at.loc[tid, "projected"]), tid
        met = at.loc[tid, "actual"] >= at.loc[tid, "target"]
        assert (at.loc[tid, "status"] == "met") == met, tid
    # after the deadline the verdict stays, the actual frozen at the deadline month
    later = sc.scorecard(ds, month="2010-09").set_index("target_id")
    assert later.loc["gotone_customers_q2", "actual"] == at.loc["gotone_customers_q2", "actual"]
    assert later.loc["gotone_customers_q2", "status"] in FINALS


@pytest.mark.parametrize("quarter, month, scope", [("2010Q2", "2010-06", "province"),
                                                   ("2010Q4", "2010-12", "nanping")])
def test_a_quarters_last_month_scores_as_the_quarterly_scorecard(ds, quarter, month, scope):
    q = sc.scorecard(ds, quarter=quarter, scope=scope)
    m = sc.scorecard(ds, month=month, scope=scope)
    kpi = q["source"].str.startswith("KPI")
    assert kpi.sum() > 20
    assert q.loc[kpi, "status"].tolist() == m.loc[kpi, "status"].tolist()
    pd.testing.assert_frame_equal(q, m)  # and every other column, survey targets too


def test_bad_months_and_comparisons_are_refused(ds, small_demo):
    for bad in ("2010-13", "2010-5", "2011-01", "2010-06:2010-01", "2012-01:2012-03"):
        with pytest.raises(UsageError, match="parameter month"):
            parse_months(bad, small_demo)
    assert parse_months("2010-11:2011-02,2009-12", small_demo) == ["2009-12", "2010-11",
                                                                   "2010-12"]
    assert len(parse_months("all", small_demo)) == 36
    with pytest.raises(UsageError, match="month"):
        sc.scorecard(ds, month="2010-13")
    with pytest.raises(UsageError, match="not both"):
        sc.scorecard(ds, quarter="2010Q2", month="2010-05")
    with pytest.raises(UsageError, match="before"):
        sc.report_tables(ds, month="2010-05", compare_to="2010-05")
    assert resolve_month_comparison("2010-01", "previous", "en") == ("2009-12",
                                                                    "previous month")
    assert resolve_month_comparison("2010-05", "year_ago", "zh") == ("2009-05", "去年同月")
    with pytest.raises(UsageError, match="month YYYY-MM"):
        resolve_month_comparison("2010-05", "2010Q1")
    P = check_parameters(quarter="2010Q4", scope="province", data_dir=str(small_demo),
                         compare_to="previous", lang="zh", min_base=30, seed=1,
                         engine="duckdb", month="2010-05")
    assert (P.quarter, P.period, P.compare_to, P.as_of()) == ("2010Q2", "2010-05", "2010-04",
                                                              {"month": "2010-05"})


def test_a_month_missing_a_citys_kpi_rows_is_refused_naming_the_city(small_demo, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(small_demo / "kpi", data / "kpi")
    f = data / "kpi" / "kpi_2010.csv"
    kpi = pd.read_csv(f)
    kpi.loc[~((kpi["month"] == "2010-03") & (kpi["city"] == "putian"))].to_csv(f, index=False)
    with pytest.raises(DataError, match=r"putian \(2010-03\)"):
        check_month_inputs(data, ["2010-05"], ["province"])
    with pytest.raises(DataError, match="putian"):
        check_month_inputs(data, ["2010-03"], ["putian"])
    check_month_inputs(data, ["2010-05"], ["xiamen"])  # Xiamen's own counts are whole
    check_month_inputs(data, ["2010-02"], ["province"])  # before the gap


def test_the_monthly_reports_are_kept_apart_from_the_quarterly_ones():
    names = ["summary", "scorecard_139", "monthly_summary", "brand_equity"]
    assert quarterly_reports(names) == ["summary", "scorecard_139", "brand_equity"]
    assert monthly_reports(names) == ["monthly_summary", "scorecard_139"]
    with pytest.raises(UsageError, match="monthly_summary"):
        quarterly_reports(["monthly_summary"], chosen=True)
    with pytest.raises(UsageError, match="brand_equity"):
        monthly_reports(["brand_equity", "scorecard_139"], chosen=True)


# --- the monthly summary ------------------------------------------------------------------------


def test_kpi_moves_are_the_raw_differences_and_ytd_counts_restart_in_january(ds, small_demo):
    raw = _raw_kpi(small_demo)
    moves = monthly.kpi_moves(ds, month="2010-05", compare_to="2010-04").set_index("metric")
    may, april = (raw.loc[raw["month"] == m] for m in ("2010-05", "2010-04"))
    want = may["gotone_customers"].sum() - april["gotone_customers"].sum()
    assert moves.loc["gotone_customers", "change"] == pytest.approx(want)
    assert moves["comparable"].all()
    jan = monthly.kpi_moves(ds, month="2010-01", compare_to="2009-12").set_index("metric")
    assert not jan.loc["new_vip_customers", "comparable"]        # year to date: restarts
    assert np.isnan(jan.loc["new_vip_customers", "change"])
    assert jan.loc["gotone_customers", "comparable"]             # a stock: compared


def _summary(ds, month: str, compare_to: str, scope: str = "province"):
    R = sc.report_tables(ds, month=month, scope=scope, compare_to=compare_to)
    card = {k: v for k, v in R.headline().items()}
    S = monthly.MonthlySummary(
        month=month, scope=scope, compare_to=compare_to, scorecard=card,
        moves=monthly.kpi_moves(ds, month=month, compare_to=compare_to, scope=scope),
        due=monthly.milestones(card, month=month), changes=monthly.status_moves(card))
    return R, S


def test_the_monthly_summary_says_no_more_than_its_numbers(ds):
    R, S = _summary(ds, "2010-06", "2010-05")
    # the June milestones are judged this month; nothing is due in July to September
    assert set(S.due["due"]) == {"this_month"}
    assert {"gotone_customers_q2", "bundling_q2"} <= set(S.due["target_id"])
    # a forecast that became a verdict is "now final", never better or worse
    finals = S.changes.loc[S.changes["status_previous"].isin(FORECASTS)
                           & S.changes["status"].isin(FINALS)]
    assert len(finals) and set(finals["direction_of_change"]) == {"final"}
    for lang in ("zh", "en"):
        what = labels.text("params.compare.previous_month", lang)
        said = sentences.monthly_sentences(S, lang, what=what)
        metrics = {"scorecard_139": R.headline(), "monthly_summary": S.headline()}
        ledger = findings.findings_records(findings.findings_table(said, scope="province",
                                                                   quarter="2010-06"))
        assert findings.problems(ledger, metrics) == []
        kinds = [c.kind for c in said]
        assert "milestone_judged" in kinds and "changes_final" in kinds
        moved = [c for c in said if c.kind == "kpi_moved"]
        assert moved and all(c.rule == "census_count" for c in moved)
        final = next(c for c in said if c.kind == "changes_final")
        assert all(t not in final.keys for t in ("scorecard_139.changed_worse",
                                                 "scorecard_139.changed_better"))
        html = page.monthly_html(S, said, lang, what=what)
        visible = re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
        assert not re.search(r"scorecard_139\.|kpi_|_status|_actual|_change", visible)
        assert 'id="monthly-due"' in html and "data-keys=" in html


def test_milestones_due_in_the_next_three_months_are_forecasts(ds):
    _, S = _summary(ds, "2010-04", "2010-03")
    due = S.due.set_index("target_id")
    assert due.loc["new_vip", "due"] == "this_month"            # judged at April's end
    assert due.loc["gotone_customers_q2", "due"] == "next"
    assert due.loc["gotone_customers_q2", "status"] in FORECASTS
    assert "gotone_customers" not in due.index                  # December: not yet listed
    said = sentences.milestone_sentences(S, "en")
    forecast = next(c for c in said if "scorecard_139.gotone_customers_q2_status" in c.keys)
    assert "scorecard_139.gotone_customers_q2_projected" in forecast.keys
    assert forecast.kind in ("milestone_due", "milestone_attention")


def test_the_monthly_page_shows_a_label_with_markup_as_text(ds):
    from html.parser import HTMLParser

    _, S = _summary(ds, "2010-04", "2010-03")
    label = "<b>bold</b> & <i>co</i>"
    for frame in (S.moves, S.due):
        frame["label_en"] = label
    said = sentences.monthly_sentences(S, "en", what="previous month")
    html = page.monthly_html(S, said, "en", what="previous month")

    class Probe(HTMLParser):
        tags: set = set()
        text = ""

        def handle_starttag(self, tag, attrs):
            self.tags.add(tag)

        def handle_data(self, data):
            self.text += data

    probe = Probe(convert_charrefs=True)
    probe.feed(html)
    assert "b" not in probe.tags and "i" not in probe.tags
    assert probe.text.count(label) >= 3  # a table cell, a milestone row and a sentence


def test_both_summaries_colour_the_lever_lights_as_the_scorecard(ds, small_demo):
    """One home for the light colours: the monthly and quarterly summary pages take
    them from the scorecard's LIGHT_COLORS."""
    from gotone_analysis.reports.scorecard_139.view import LIGHT_COLORS
    from gotone_analysis.reports.summary.page import summary_html

    _, S = _summary(ds, "2010-04", "2010-03")
    said = sentences.monthly_sentences(S, "en", what="previous month")
    from test_summary import _metrics

    from gotone_analysis.reports.summary import tables as summary

    metrics = _metrics()
    quarterly = summary_html(summary.headline_numbers(metrics), [],
                             summary.lever_status(metrics["scorecard_139"]), [], "en")
    for page_html, cls in ((page.monthly_html(S, said, "en", what="previous month"),
                            "gotone-monthly"), (quarterly, "gotone-summary")):
        rules = dict(re.findall(rf"\.{cls} \.light-(\w+)\{{background:(#[0-9a-f]+)\}}",
                                page_html))
        assert rules == LIGHT_COLORS, cls
