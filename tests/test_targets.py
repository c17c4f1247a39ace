"""The targets file: every target of the deck, validated on load."""

from __future__ import annotations

import pandas as pd
import pytest

from gotone_analysis.errors import DataError
from gotone_analysis.targets import METRICS, TARGET_FIELDS, deadline_month, load_targets, targets

#: Every target of the digest's tables and the Q2 milestones: id -> (value, deadline).
DIGEST = {
    # goal 1 (slide 12)
    "core_retention": (0.80, "2010Q4"), "bundling": (0.75, "2010Q4"),
    "kpi_midhigh_customers": (3_000_000, "2010Q4"), "gotone_customers": (2_800_000, "2010Q4"),
    "target_share": (0.55, "2010Q4"), "purity": (0.65, "2010Q4"),
    # lever 1 (16-17)
    "target_share_arpu200": (0.70, "2010Q2"), "target_share_arpu120": (0.60, "2010Q4"),
    "new_vip": (41_000, "2010Q2"),
    # levers 2-4
    "family_coverage": (0.50, "2010Q4"), "roaming_business_coverage": (0.50, "2010Q4"),
    "roaming_business_coverage_q1": (0.30, "2010Q1"),
    "roaming_service_coverage": (0.40, "2010Q4"), "roaming_airport_club": (0.20, "2010Q4"),
    "roaming_12580_travel": (0.30, "2010Q4"), "info_two_products": (1_200_000, "2010Q4"),
    "info_coverage": (0.50, "2010Q4"),
    # lever 5
    "care_coverage": (1.00, "2010Q4"), "care_frequency": (1.00, "2010Q4"),
    "care_coverage_non_gotone": (0.80, "2010Q4"),
    # lever 6
    "points_redeemed": (3_000_000_000, "2010Q4"), "points_redemption_coverage": (0.80, "2010Q4"),
    "e_redemption_share": (0.50, "2010Q4"), "points_expiry_rate": (0.005, "2010Q4"),
    "points_satisfaction": (80, "2010Q4"),
    # levers 7-9
    "club_experience": (0.60, "2010Q4"), "g3_awareness": (0.70, "2010Q4"),
    "g3_experience": (0.20, "2010Q4"), "ebill_coverage": (0.90, "2010Q4"),
    "e_transaction_share": (0.80, "2010Q4"),
    # goal 3 (slide 14)
    "brand_influence_rank": (1, "2010Q4"), "rights_awareness": (0.80, "2010Q4"),
    # Q2 milestones (slides 42-49)
    "bundling_q2": (0.70, "2010Q2"), "gotone_customers_q2": (2_600_000, "2010Q2"),
    "family_coverage_q2": (0.30, "2010Q2"), "address_book_q2": (60_000, "2010Q2"),
    "mailbox_q2": (1_000_000, "2010Q2"), "ebill_coverage_q2": (0.90, "2010Q2"),
    "care_vip_quarterly_q2": (1.00, "2010Q2"), "care_midhigh_quarterly_q2": (1.00, "2010Q2"),
}

GOOD = """
[[target]]
id = "t1"
lever = "family"
metric = "family_coverage"
direction = ">="
value = 0.5
unit = "rate"
deadline = "2010Q4"
source = "18-20"
label_zh = "亲情"
label_en = "Family"
"""


def test_shipped_targets_hold_every_target_of_the_digest():
    t = load_targets().set_index("id")
    assert t.index.is_unique
    missing = set(DIGEST) - set(t.index)
    assert not missing
    for tid, (value, deadline) in DIGEST.items():
        assert t.loc[tid, "value"] == pytest.approx(value), tid
        assert t.loc[tid, "deadline"] == deadline, tid
        assert t.loc[tid, "source"], tid


def test_targets_delegates_to_the_validated_loader():
    pd.testing.assert_frame_equal(targets(), load_targets())
    assert tuple(targets().columns) == TARGET_FIELDS


def test_deck_contradictions_say_which_value_is_kept():
    t = load_targets().set_index("id")
    for tid in ("family_coverage", "roaming_business_coverage", "info_coverage",
                "club_experience", "ebill_coverage"):
        assert "slide 9" in t.loc[tid, "note"] and "kept" in t.loc[tid, "note"], tid
    assert "2.55" in t.loc["gotone_customers_q2", "note"]
    assert "kept" in t.loc["gotone_customers_q2", "note"]


def test_units_agree_with_the_metric_catalogue():
    t = load_targets()
    for row in t.itertuples():
        assert METRICS[row.metric].unit == row.unit, row.id


def test_as_of_month_moves_the_judging_month_inside_the_quarter():
    t = load_targets().set_index("id")
    assert t.loc["new_vip", "as_of"] == "2010-04"
    assert deadline_month("2010Q2", "2010-04") == "2010-04"
    assert deadline_month("2010Q4") == "2010-12"


@pytest.mark.parametrize(
    ("old", "new", "rule", "words"),
    [
        ('metric = "family_coverage"', 'metric = "family_cover"', "unknown metric",
         "unknown metric 'family_cover'"),
        ('lever = "family"', 'lever = "families"', "unknown lever", "unknown lever"),
        ('unit = "rate"', 'unit = "percent"', "unknown unit", "unknown unit 'percent'"),
        ('unit = "rate"', 'unit = "customers"', "unit of the metric", "measured in 'rate'"),
        ('deadline = "2010Q4"', 'deadline = "2010-12"', "unknown deadline",
         "not a quarter"),
        ('deadline = "2010Q4"', 'deadline = "2010Q4"\nas_of = "2010-04"',
         "inside the deadline quarter", "not a month of the deadline"),
        ('direction = ">="', 'direction = "=>"', "unknown direction", "unknown direction"),
        ("value = 0.5", "value = 50", "rate in (0, 1]", "fraction"),
        ('source = "18-20"', 'source = "18-20"\nslide = 3', "unknown field",
         "unknown field 'slide'"),
    ],
)
def test_a_bad_target_is_refused_naming_it(tmp_path, old, new, rule, words):
    f = tmp_path / "targets.toml"
    f.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_targets(f)
    assert "target t1" in str(err.value)
    assert words in str(err.value)
    assert [p["rule"] for p in err.value.problems] == [rule]
    assert err.value.problems[0]["target"] == "t1"


def test_every_problem_is_reported_at_once(tmp_path):
    text = GOOD + GOOD.replace('id = "t1"', 'id = "t2"').replace(
        'lever = "family"', 'lever = "x"').replace('unit = "rate"', 'unit = "y"') + GOOD
    f = tmp_path / "targets.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_targets(f)
    rules = sorted(p["rule"] for p in err.value.problems)
    assert rules == ["duplicate id", "unknown lever", "unknown unit"]
    assert "target t2" in str(err.value) and "id 't1' is used twice" in str(err.value)


def test_a_missing_field_and_bad_toml_are_refused(tmp_path):
    f = tmp_path / "targets.toml"
    f.write_text(GOOD.replace('label_en = "Family"\n', ""), encoding="utf-8")
    with pytest.raises(DataError, match="target t1: field 'label_en' is missing"):
        load_targets(f)
    f.write_text("[[target]\nid=", encoding="utf-8")
    with pytest.raises(DataError, match="not valid TOML"):
        load_targets(f)
    f.write_text("title = 'x'\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"no \[\[target\]\] tables"):
        load_targets(f)


def test_a_good_file_loads():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "t.toml"
        f.write_text(GOOD, encoding="utf-8")
        t = load_targets(f)
    assert list(t["id"]) == ["t1"] and t.loc[0, "value"] == 0.5 and t.loc[0, "as_of"] == ""
