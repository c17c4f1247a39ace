"""The scorecard_139 report: its tables, its narrative's words, and the notebook end to end."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import labels
from gotone_analysis.io import open_dataset
from gotone_analysis.reports.scorecard_139 import sentences as nar
from gotone_analysis.reports.scorecard_139 import status as rules
from gotone_analysis.reports.scorecard_139 import tables as sc
from gotone_analysis.reports.scorecard_139 import view

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "scorecard_139.ipynb"


# --- the narrative: never a stronger word than the status ------------------------------------


def _row(status, *, actual=0.45, target=0.5, projected=np.nan, low=np.nan, high=np.nan,
         direction=">=", unit="rate", deadline="2010Q4", actual_low=None, actual_high=None):
    return pd.Series({
        "target_id": "t", "lever": "family", "label": "Coverage", "direction": direction,
        "target": target, "deadline": deadline, "deadline_month": "2010-12",
        "actual": actual, "actual_low": actual if actual_low is None else actual_low,
        "actual_high": actual if actual_high is None else actual_high,
        "gap": actual - target, "projected": projected, "projected_low": low,
        "projected_high": high, "status": status, "source": "", "unit": unit})


def _word(status, lang):
    return f"**{labels.text(f'scorecard.status.{status}', lang)}**"


STRONGER = {"met": [], "on_track": ["met"], "at_risk": ["met", "on_track"],
            "off_track": ["met", "on_track", "at_risk"], "missed": ["met", "on_track"],
            "inconclusive": ["met", "missed", "on_track"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("kw", "low", "high"),
    [  # the interval at the target exactly, just below it, straddling, short of it
        ({}, 0.5, 0.6), ({}, 0.4999, 0.6), ({}, 0.45, 0.5), ({}, 0.40, 0.4999),
        ({"direction": ">"}, 0.5, 0.6), ({"direction": "<", "target": 0.005}, 0.003, 0.005),
        ({"direction": "<", "target": 0.005}, 0.003, 0.0049),
    ])
def test_a_boundary_case_gets_no_stronger_word_than_its_status(kw, low, high, lang):
    args = {"direction": ">=", "target": 0.5, **kw}
    st = rules.status(actual=0.45, projected_low=low, projected_high=high,
                      deadline_reached=False, **args)
    row = _row(st, projected=(low + high) / 2, low=low, high=high, **args)
    text = nar.target_sentence(row, lang, quarter="2010Q3")
    assert _word(st, lang) in text
    for stronger in STRONGER[st]:
        assert _word(stronger, lang) not in text, (st, stronger, text)


def test_the_words_follow_the_rules_at_the_boundary():
    # interval touching the target from above: on track; a hair below: at risk
    st_on = rules.status(direction=">=", target=0.5, actual=0.45, projected_low=0.5,
                         projected_high=0.6, deadline_reached=False)
    st_risk = rules.status(direction=">=", target=0.5, actual=0.45, projected_low=0.4999,
                           projected_high=0.6, deadline_reached=False)
    assert (st_on, st_risk) == ("on_track", "at_risk")
    text = nar.target_sentence(_row("at_risk", projected=0.55, low=0.4999, high=0.6), "en")
    assert "straddles" in text and "may or may not be met" in text
    assert "[50.0%, 60.0%]" in text  # the numbers it rests on


def test_a_100_percent_target_on_track_says_why_and_quotes_its_interval():
    row = _row("on_track", target=1.0, projected=1.0, low=0.93, high=1.0)
    text = nar.target_sentence(row, "en")
    assert "**on track**" in text and "end of the scale" in text and "[93.0%, 100.0%]" in text
    # the same numbers short of reaching 100 %: at risk, and said so
    st = rules.status(direction=">=", target=1.0, actual=0.7, projected=0.99, projected_low=0.93,
                      projected_high=1.0, deadline_reached=False, unit="rate")
    assert st == "at_risk"
    text = nar.target_sentence(_row(st, target=1.0, projected=0.99, low=0.93, high=1.0), "en")
    assert "reaches the target of 100.0% but the projection itself does not" in text
    assert "**at risk**" in text and "**on track**" not in text


def test_a_survey_verdict_within_sampling_error_is_inconclusive_and_says_so():
    st = rules.status(direction=">=", target=0.70, actual=0.712, actual_low=0.689,
                      actual_high=0.736, deadline_reached=True)
    assert st == "inconclusive"
    row = _row(st, actual=0.712, target=0.70, actual_low=0.689, actual_high=0.736,
               deadline="2010Q4")
    for lang in ("zh", "en"):
        text = nar.target_sentence(row, lang, quarter="2010Q4")
        assert _word("inconclusive", lang) in text and "[68.9%, 73.6%]" in text
        assert _word("met", lang) not in text and _word("missed", lang) not in text
    assert "within sampling error" in nar.target_sentence(row, "en", quarter="2010Q4")
    clear = _row("met", actual=0.75, target=0.70, actual_low=0.73, actual_high=0.77)
    assert "sampling error" not in nar.target_sentence(clear, "en", quarter="2010Q4")
    card = pd.DataFrame([row, clear.rename(None)]).assign(label=["Survey", "KPI"])
    text = nar.scorecard_narrative(card, "en", quarter="2010Q4", scope_label="Province")
    assert "1 met, 1 inconclusive" in text
    assert "- **Met**: KPI." in text and "- **Survey**" in text


def test_an_apportioned_city_target_within_its_tolerance_says_why():
    row = _row("inconclusive", actual=167_383_643.0, target=167_383_649.0, unit="points")
    en = nar.target_sentence(row, "en", quarter="2010Q4")
    assert "**inconclusive**" in en and "within ±1%" in en and "the suite's assumption" in en
    assert "167,383,649" in en and "-6" in en and "**missed**" not in en
    zh = nar.target_sentence(row, "zh", quarter="2010Q4")
    assert "**无定论**" in zh and "±1%" in zh and "**未达成**" not in zh
    assert "±1%" in nar.table_note("nanping", "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rules_table_prints_every_rule_of_status_rules_in_its_words(lang):
    assert list(rules.STATUS_RULES) == ["not_measurable", "inconclusive", "met", "missed",
                                        "on_track", "off_track", "at_risk"]
    assert set(rules.STATUS_RULES) == set(rules.STATUSES)
    html = view.rules_table(lang).to_html()
    for s in rules.STATUS_RULES:
        assert labels.text(f"scorecard.status.{s}", lang) in html
        assert labels.has(f"scorecard.rule.{s}")
    assert "1%" in html and "95%" in html and "90%" in html
    assert "within 1% of" in rules.STATUS_RULES["inconclusive"]


def test_narrative_counts_and_lists_not_measurable():
    card = pd.DataFrame([_row("missed", actual=0.4), _row("not_measurable", actual=np.nan),
                         _row("on_track", projected=0.55, low=0.51, high=0.6)])
    card["label"] = ["A", "B", "C"]
    text = nar.scorecard_narrative(card, "en", quarter="2010Q3", scope_label="Province")
    assert text.startswith("2010Q3, Province: 3 targets (2 measurable) – 1 on track, "
                           "1 missed, 1 not measurable.")
    assert text.index("**A**") < text.index("**C**")   # problems first
    assert "1 target(s) cannot be measured from the data: B" in text
    zh = nar.scorecard_narrative(card, "zh", quarter="2010Q3", scope_label="全省")
    assert "共 3 项目标（其中 2 项可衡量）" in zh and "**未达成**" in zh


def test_changes_and_cities_narratives():
    now = pd.DataFrame({"target_id": ["a", "b", "c", "d"], "label": ["A", "B", "C", "D"],
                        "status_ref": ["at_risk", "met", "at_risk", "at_risk"],
                        "status": ["on_track", "met", "missed", "inconclusive"],
                        "changed": [True, False, True, True],
                        "direction_of_change": ["better", "same", "final", "final"]})
    text = nar.changes_narrative(now, "en", what="previous quarter")
    assert text.splitlines() == [
        "Since previous quarter, 3 target(s) changed status:", "",
        "- **better** (1; the forecast crossed a boundary, or the actual moved beyond "
        "sampling error): A (at risk → on track).",
        "- **now final** (2; the deadline passed and a forecast became a verdict, which are "
        "not alike, so neither better nor worse): C (at risk → missed); "
        "D (at risk → inconclusive)."]
    assert "worse" not in nar.changes_narrative(now, "en", what="2010Q3").replace(
        "better nor worse", "")
    assert "no target changed" in nar.changes_narrative(now.assign(changed=False), "en",
                                                        what="2010Q2")
    att = pd.DataFrame({"scope": ["fuzhou", "xiamen", "ningde"], "lever": "family",
                        "missed": [0, 2, 1], "off_track": [0, 1, 0], "measurable": [3, 3, 3]})
    text = nar.cities_narrative(att, "en", top=1)
    assert text == ("Cities with the most targets missed or off track: Xiamen (3 of 3 "
                    "measurable targets).")
    assert "No city" in nar.cities_narrative(att.assign(missed=0, off_track=0), "en")


def test_a_city_alone_is_counted_not_ranked_and_its_counts_agree():
    att = pd.DataFrame({"scope": "nanping", "lever": ["family", "care"],
                        "targets": [5, 3], "missed": [2, 0], "off_track": [1, 0],
                        "measurable": [4, 2]})
    en = nar.cities_narrative(att, "en")
    assert en == ("Nanping: 3 of its 6 measurable targets missed or off track. "
                  "2 more of its 8 targets cannot be measured.")
    zh = nar.cities_narrative(att, "zh")
    assert "最多" not in zh and zh.startswith("南平：6 项可衡量目标中 3 项未达成或进度落后。")
    none = nar.cities_narrative(att.assign(missed=0, off_track=0, targets=[4, 2]), "en")
    assert none == "Nanping: none of its 6 measurable targets missed or off track."


def test_contributions_narrative_names_the_cities_adding_to_a_gap():
    targets = pd.DataFrame([_row("missed", actual=0.45, target=0.5),
                            _row("met", actual=0.55, target=0.5).rename(None)])
    targets["target_id"] = ["a", "b"]
    targets["label"] = ["A", "B"]
    con = pd.DataFrame({"target_id": ["a"] * 3 + ["b"] * 3,
                        "scope": ["fuzhou", "xiamen", "ningde"] * 2,
                        "contribution": [-0.04, 0.01, -0.02, 0.02, 0.02, 0.01]})
    text = nar.contributions_narrative(con, targets, "en", top=3)
    assert text.startswith("- **A** (province gap now -5.0 pp): the cities adding most to it "
                           "are Fuzhou -4.0 pp, Ningde -2.0 pp.")
    assert "**B**" not in text and "Xiamen" not in text   # met; offsetting city not named
    assert nar.contributions_narrative(None, targets, "en") == ""
    assert "No province target" in nar.contributions_narrative(con, targets.iloc[[1]], "en")


# --- the report tables on the demo --------------------------------------------------------------


@pytest.fixture(scope="module")
def q3(small_demo):
    return sc.report_tables(open_dataset(small_demo), quarter="2010Q3", scope="ningde",
                            compare_to="2010Q2", lang="en")


def test_report_tables_agree_with_the_single_calls(q3, small_demo):
    ds = open_dataset(small_demo)
    card = sc.scorecard(ds, quarter="2010Q3", scope="ningde", lang="en")
    pd.testing.assert_frame_equal(q3.card, card)
    ref = sc.scorecard(ds, quarter="2010Q2", scope="ningde", lang="en")
    assert list(q3.reference["status"]) == list(ref["status"])
    assert list(q3.targets["target_id"]) == list(card["target_id"])
    assert set(q3.targets["unit"]) <= {"rate", "customers", "points", "score", "rank",
                                       "accounts"}
    # every projected target has its fan ending at the deadline, equal to the card
    projected = q3.card.loc[q3.card["projected"].notna()]
    last = q3.fans.groupby("target_id").tail(1).set_index("target_id")
    assert set(last.index) == set(projected["target_id"])
    p = projected.set_index("target_id")
    assert np.allclose(last.loc[p.index, "ci_high"], p["projected_high"])
    # series end at the quarter; a city's lever table is its own, without city cards
    kpi = q3.series.loc[q3.series["target_id"] == "bundling", "period"]
    assert str(kpi.max()) == "2010-09" and str(kpi.min()) == "2009-01"
    assert set(q3.attainment["scope"]) == {"ningde"} and q3.cities is None
    assert len(q3.attainment) == card["lever"].nunique()
    h = q3.headline()
    assert sum(h[f"status_{s}"] for s in rules.STATUSES) == h["targets"] == len(card)
    assert h["compare_to"] == "2010Q2"
    ways = q3.changes.loc[q3.changes["changed"], "direction_of_change"]
    assert (h["changed_better"], h["changed_worse"], h["changed_final"]) == (
        int((ways == "better").sum()), int((ways == "worse").sum()),
        int((ways == "final").sum()))
    assert set(ways) <= set(rules.CHANGES)
    assert set(q3.tables()) == {"scorecard", "levers", "series", "projections", "reference",
                                "status_changes", "city_lever"}


def test_reader_table_formats_by_unit(q3):
    html = view.reader_table(q3.targets, lang="en").to_html()
    assert "Target value" in html and "90% prediction interval" in html
    for s in set(q3.card["status"]):
        assert f">{labels.text(f'scorecard.status.{s}', 'en')}<" in html
    assert "≥ 75.0%" in html  # bundling, a rate target as the province's
    # large round counts in the reader's units, other counts to the unit
    assert view.format_value(2_800_000, "customers", lang="en") == "2.8 million"
    assert view.format_value(3_000_000_000, "points") == "30 亿"
    assert view.format_value(2_801_234, "customers") == "2,801,234"
    assert view.format_value(0.7423, "rate") == "74.2%"
    # percentage points: "个百分点" in Chinese, "pp" in English; never a negative zero
    assert view.format_value(-0.0076, "rate", signed=True, lang="en") == "-0.8 pp"
    assert view.format_value(-0.0076, "rate", signed=True) == "-0.8 个百分点"
    assert view.format_value(-0.0004, "rate", signed=True, lang="en") == "0.0 pp"
    assert view.format_interval(-0.0004, 0.01, "score") == "[0.0, 0.0]"
    assert view.format_value(np.nan, "rate") == "—"


# --- the notebook --------------------------------------------------------------------------------


def _run(small_demo, tmp_path, monkeypatch, **parameters):
    import papermill

    publish = tmp_path / "published"
    monkeypatch.setenv("GOTONE_PUBLISH_DIR", str(publish))
    out = tmp_path / "scorecard_139.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(tmp_path),
        progress_bar=False, parameters={"data_dir": str(small_demo), **parameters})
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    metrics = json.loads((publish / "scorecard_139.metrics.json").read_text(encoding="utf-8"))
    return outputs, metrics, publish


def test_notebook_runs_for_the_province_and_publishes_counts_by_status(small_demo, tmp_path,
                                                                        monkeypatch):
    outputs, metrics, publish = _run(small_demo, tmp_path, monkeypatch, lang="en")
    assert metrics["scope"] == "province" and metrics["quarter"] == "2010Q4"
    counts = [metrics[f"status_{s}"] for s in rules.STATUSES]
    assert sum(counts) == metrics["targets"] == 40
    assert metrics["bundling_status"] in rules.STATUSES and "bundling_actual" in metrics
    assert metrics["compare_to"] == "2010Q3"
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 3  # lights, series, city x lever
    text = "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "2010Q4, Province: 40 targets (" in text and "Since previous quarter" in text
    assert "Cities with the most targets missed or off track" in text
    assert "the cities adding most to it" in text
    html = unescape("".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs))
    assert labels.text("scorecard.rules_caption", "en") in html  # the rules table
    assert labels.text("scorecard.rule.inconclusive", "en", actual_level="95%",
                       tolerance="1%") in html
    sheets = pd.ExcelFile(publish / "scorecard_139.tables.xlsx").sheet_names
    assert {"scorecard", "city_lever", "status_changes", "series"} <= set(sheets)


def test_notebook_runs_for_a_city(small_demo, tmp_path, monkeypatch):
    outputs, metrics, _ = _run(small_demo, tmp_path, monkeypatch, scope="ningde",
                               quarter="2010Q3", lang="zh")
    assert metrics["scope"] == "ningde" and metrics["targets"] == 40
    assert sum(metrics[f"status_{s}"] for s in rules.STATUSES) == 40
    # before the year-end deadline some targets are projected, none judged met/missed
    # except milestones already due and year-to-date counts
    assert metrics["status_on_track"] + metrics["status_at_risk"] \
        + metrics["status_off_track"] > 0
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "城市目标" in html  # the note on how a city's targets are derived
    # a city's page: no one-row city x lever heat map, no ranking of one city, and the
    # counts of targets on the page agree ("n targets (m measurable)" and "k of m")
    assert len([o for o in outputs if "image/png" in o.get("data", {})]) == 2
    text = "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "最多的城市" not in text
    measurable = 40 - metrics["status_not_measurable"]
    assert f"共 40 项目标（其中 {measurable} 项可衡量）" in text
    assert f"宁德：{measurable} 项可衡量目标中" in text


def test_figures_return_axes_draw_from_the_tables_and_leave_them_alone(q3):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    from gotone_analysis.reports.scorecard_139 import figures as plots

    before = [t.copy() for t in (q3.levers, q3.targets, q3.series, q3.fans)]
    ax = plots.lever_lights(q3.levers, q3.targets, lang="zh", title="t")
    assert isinstance(ax, Axes)
    texts = [t.get_text() for t in ax.texts]
    assert labels.code_label("care", "zh") in texts  # every lever named from the catalog
    assert len(ax.collections) == len(q3.levers) + len(q3.targets)  # a light each
    plt.close(ax.figure)
    axes = plots.target_grid(q3.series, q3.fans, q3.targets, lang="en")
    drawn = [i for i in q3.targets["target_id"] if i in set(q3.series["target_id"])]
    assert len(axes) == len(drawn) and all(isinstance(a, Axes) for a in axes)
    legend = [t.get_text() for t in axes[0].figure.legends[0].get_texts()]
    assert "90% prediction interval" in legend and "target" in legend
    plt.close(axes[0].figure)
    one = plots.target_plot(q3.series, q3.fans, q3.targets, "bundling", lang="en")
    assert one.get_title(loc="left").startswith(
        q3.targets.set_index("target_id").loc["bundling", "label"])
    fan = q3.fans.loc[q3.fans["target_id"] == "bundling"]
    band = one.collections[-1].get_paths()[0].vertices[:, 1]  # the fan, in per cent
    assert np.isclose(band.max(), 100 * fan["ci_high"].max())
    plt.close(one.figure)
    assert plots.city_lever_heatmap(q3.attainment, lang="zh") is None  # one city: no map
    two = pd.concat([q3.attainment, q3.attainment.assign(scope="xiamen")], ignore_index=True)
    grid = plots.city_lever_heatmap(two, lang="en")
    assert [t.get_text() for t in grid.get_yticklabels()] == ["Ningde", "Xiamen"]
    plt.close(grid.figure)
    after = (q3.levers, q3.targets, q3.series, q3.fans)
    for b, a in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(b, a)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_demo_sentence_uses_its_own_status_word_and_no_stronger(q3, lang):
    for _, row in q3.targets.iterrows():
        text = nar.target_sentence(row, lang, quarter=q3.quarter)
        if row["status"] == "not_measurable":
            assert text == ""
            continue
        assert _word(row["status"], lang) in text, row["target_id"]
        for stronger in STRONGER[row["status"]]:
            assert _word(stronger, lang) not in text, (row["target_id"], stronger)
