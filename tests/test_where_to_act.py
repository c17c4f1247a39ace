"""The summary's "where to act" block and the scorecard's worst city per shortfall."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gotone_analysis import config
from gotone_analysis.policy import Policy
from gotone_analysis.reports.scorecard_139.tables import worst_cities
from gotone_analysis.reports.summary import act
from gotone_analysis.reports.summary import tables as summary

LEVERS = config.LEVER_CODES


def _metrics() -> dict[str, dict]:
    card = {**{f"lever_{lv}_status": "met" for lv in LEVERS},
            **{f"lever_{lv}_light": "green" for lv in LEVERS}}
    # care: missed, far from its coverage target; points: at risk; clubs: missed, closer
    card.update({
        "lever_care_status": "missed", "lever_care_light": "red",
        "care_coverage_status": "missed", "care_coverage_actual": 0.60,
        "care_coverage_target": 1.0, "care_frequency_status": "missed",
        "care_frequency_actual": 0.90, "care_frequency_target": 1.0,
        "care_coverage_worst_city": "nanping",
        "lever_points_status": "at_risk", "lever_points_light": "amber",
        "points_redemption_coverage_status": "at_risk",
        "points_redemption_coverage_actual": 0.50, "points_redemption_coverage_target": 0.8,
        "lever_club_status": "missed", "lever_club_light": "red",
        "club_experience_status": "missed", "club_experience_actual": 0.55,
        "club_experience_target": 0.6,
        # a lever whose status needs attention but no evaluation exists
        "lever_g3_status": "off_track", "lever_g3_light": "red",
        "g3_awareness_status": "off_track", "g3_awareness_actual": 0.5,
        "g3_awareness_target": 0.7,
    })
    effects = {
        # care calls: ARPU effect claimed after the family adjustment
        "care_arpu_att": 3.9, "care_arpu_ci_low": 3.6, "care_arpu_ci_high": 4.1,
        "care_arpu_p_adj": 0.0001, "care_arpu_pretest_p": 0.9,
        # clubs: evaluated, not established (adjusted p above alpha)
        "club_arpu_adjusted": 1.0, "club_arpu_adjusted_ci_low": -1.0,
        "club_arpu_adjusted_ci_high": 3.0, "club_arpu_adjusted_p_adj": 0.6,
        # points: a survey comparison claimed, lower than non-users
        "points_satisfaction_adjusted": -1.5, "points_satisfaction_adjusted_ci_low": -2.5,
        "points_satisfaction_adjusted_ci_high": -0.5,
        "points_satisfaction_adjusted_p_adj": 0.01,
        "effects_family_size": 3, "effects_p_adjust": "holm"}
    return {"scorecard_139": card, "program_effects": effects}


def test_levers_needing_attention_worst_first_with_their_evidence():
    m = _metrics()
    table = act.where_to_act(m, summary.findings(m, policy=Policy()), limit=4)
    # missed before off track before at risk; within missed, the larger shortfall first
    assert table["lever"].tolist() == ["care", "club", "g3", "points"]
    assert len(act.where_to_act(m, summary.findings(m))) == act.ACT_LIMIT == 3
    care = table.iloc[0]
    assert care["target_id"] == "care_coverage" and care["shortfall"] == pytest.approx(0.4)
    assert care["city"] == "nanping"
    assert care["evidence"] == "effect" and care["effects"][0]["method"] == "did"
    assert table.set_index("lever").loc["club", "evidence"] == "not_established"
    assert table.set_index("lever").loc["g3", "evidence"] == "none"
    assert len(act.where_to_act(m, summary.findings(m), limit=2)) == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_block_words_the_evidence_within_the_claims_rules(lang):
    m = _metrics()
    table = act.where_to_act(m, summary.findings(m), limit=4)
    page = act.act_html(table, lang, province=True)
    text = re.sub(r"<[^>]+>", " ", page)
    if lang == "en":
        assert "Customer-manager care changed ARPU by 3.9 yuan" in text  # causal: DiD only
        assert "1.5 points below comparable non-users" in text and "not a cause" in text
        assert "no effect established" in text and "No evidence yet" in text
        assert "Nanping" in text and "60.0% (target 100.0%)" in text
    else:
        assert "客户经理关怀使ARPU平均变化 3.9 元" in text
        assert "比可比未使用者低 1.5 分" in text and "比较而非因果" in text
        assert "南平" in text
    # causal words never for a comparison or a panel contrast
    assert text.count("care changed") + text.count("关怀使") == 1
    assert "nan" not in text and "-0.0" not in text
    # a city's page has no city column
    assert "<th>" + ("City adding most to the gap" if lang == "en" else "差距最大的城市") \
        not in act.act_html(table, lang)


def test_nothing_to_act_on_says_so():
    m = _metrics()
    for lv in LEVERS:
        m["scorecard_139"][f"lever_{lv}_status"] = "on_track"
    table = act.where_to_act(m, summary.findings(m))
    assert table.empty
    assert "none needs acting on first" in act.act_html(table, "en")


def test_worst_city_is_the_one_adding_most_to_a_shortfall():
    contributions = pd.DataFrame({
        "target_id": ["a"] * 3 + ["b"] * 2 + ["c"] * 2,
        "scope": ["fuzhou", "xiamen", "nanping", "fuzhou", "xiamen", "fuzhou", "xiamen"],
        "contribution": [-0.01, 0.002, -0.03, 0.01, 0.02, 0.001, 0.004],
        "gap": [-0.038] * 3 + [0.03] * 2 + [0.005] * 2})
    targets = pd.DataFrame({"target_id": ["a", "b", "c"], "direction": [">=", ">=", "<"]})
    # a: short, Nanping adds most; b: above target, no worst city; c: a "<" target above
    # its value, Xiamen adds most
    assert worst_cities(contributions, targets) == {"a_worst_city": "nanping",
                                                    "c_worst_city": "xiamen"}
