"""The shipped configuration: cities, levers, and the 139 targets from the deck."""

import pandas as pd
import pytest

from gotone_analysis import config, labels
from gotone_analysis.targets import targets


def test_nine_cities_with_chinese_and_english_labels():
    assert len(config.CITIES) == 9
    assert config.CITIES["fuzhou"] == ("福州", "Fuzhou")
    assert config.SCOPES[0] == "province" and len(config.SCOPES) == 10
    assert labels.code_label("xiamen", "zh") == "厦门"
    assert labels.code_label("province", "en") == "Province"


def test_nine_levers_numbered_in_order():
    assert [lv.number for lv in config.LEVERS] == list(range(1, 10))
    assert len(set(config.LEVER_CODES)) == 9
    assert "scale" not in config.PRODUCT_LEVERS and len(config.PRODUCT_LEVERS) == 8


def test_targets_are_well_formed():
    t = targets()
    assert t["id"].is_unique
    assert set(t["lever"]) <= set(config.LEVER_CODES) | {"goal"}
    assert set(t["direction"]) <= {">=", ">", "<=", "<"}
    for q in t["deadline"]:
        config.parse_quarter(q)  # raises on a malformed quarter
    rates = t[t["unit"] == "rate"]
    assert ((rates["value"] > 0) & (rates["value"] <= 1)).all()
    # every lever of the plan has at least one target
    assert set(config.LEVER_CODES) <= set(t["lever"])


@pytest.mark.parametrize(
    ("target_id", "value", "deadline"),
    [
        ("core_retention", 0.80, "2010Q4"),
        ("bundling", 0.75, "2010Q4"),
        ("gotone_customers", 2_800_000, "2010Q4"),
        ("target_share", 0.55, "2010Q4"),
        ("purity", 0.65, "2010Q4"),
        # the detailed lever slides win where the overview slide disagrees
        ("family_coverage", 0.50, "2010Q4"),
        ("roaming_business_coverage", 0.50, "2010Q4"),
        ("info_coverage", 0.50, "2010Q4"),
        ("club_experience", 0.60, "2010Q4"),
        ("points_redeemed", 3_000_000_000, "2010Q4"),
        ("points_expiry_rate", 0.005, "2010Q4"),
        ("ebill_coverage", 0.90, "2010Q4"),
        ("g3_awareness", 0.70, "2010Q4"),
        ("rights_awareness", 0.80, "2010Q4"),
    ],
)
def test_targets_match_the_deck(target_id, value, deadline):
    row = targets().set_index("id").loc[target_id]
    assert row["value"] == pytest.approx(value)
    assert row["deadline"] == deadline
    assert row["source"]


def test_contradictions_in_the_deck_are_noted():
    t = targets().set_index("id")
    for tid in ("family_coverage", "roaming_business_coverage", "info_coverage",
                "club_experience"):
        assert "slide 9" in t.loc[tid, "note"]


@pytest.mark.parametrize("bad", ["2010Q5", "2010-Q4", "10Q4", "", None, "2010q4"])
def test_parse_quarter_rejects_malformed(bad):
    with pytest.raises(ValueError, match="YYYYQn"):
        config.parse_quarter(bad)


def test_quarter_arithmetic():
    assert config.shift_quarter("2010Q1", -1) == "2009Q4"
    assert config.shift_quarter("2010Q4", -4) == "2009Q4"
    assert isinstance(config.parse_quarter("2010Q2"), pd.Period)


def test_data_readme_documents_every_contract_column():
    from pathlib import Path

    from gotone_analysis.contract import TABLES

    text = (Path(__file__).resolve().parent.parent / "data" / "README.md").read_text("utf-8")
    for table in TABLES.values():
        assert f"## {table.kind}" in text
        for col in table.columns:
            assert f"`{col.name}`" in text, f"{table.kind}.{col.name} undocumented"
