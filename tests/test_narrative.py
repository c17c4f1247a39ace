"""Tests for gotone_analysis.narrative: sentences from comparison tables, words from the catalog."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.compare import MARK_DOWN, MARK_UP
from gotone_analysis.errors import UsageError
from gotone_analysis.policy import Policy
from gotone_analysis.reports.brand_equity import sentences as narrative


@pytest.fixture
def changes() -> pd.DataFrame:
    return pd.DataFrame({
        "quarter": "2010Q4", "component": ["awareness", "loyalty", "influence"],
        "estimate": [90.0, 70.0, 80.0], "compare_quarter": "2010Q3",
        "diff": [2.5, -1.5, 0.2], "p_value": [0.001, 0.01, 0.6],
        "p_adj": [0.003, 0.015, 0.6], "mark": [MARK_UP, MARK_DOWN, ""],
        "suppressed": [False, False, True], "n": [500, 400, 12],
    })


def test_brand_narrative_states_the_marked_moves_in_both_languages(changes):
    en = narrative.brand_narrative(changes, "en", policy=Policy(min_base=30))
    assert "**Awareness** 90.0, rose significantly by 2.5 points since 2010Q3" in en
    assert "**Loyalty** 70.0, fell significantly by 1.5 points" in en
    assert "1 cell(s) with a base below 30 are not shown" in en
    zh = narrative.brand_narrative(changes, "zh", policy=Policy(min_base=30))
    assert "**认知** 90.0，较 2010Q3 显著上升 2.5 分" in zh and "忠诚" in zh
    assert all(line.startswith("- ") for line in en.splitlines())


def test_the_policy_supplies_alpha_and_base_and_explicit_values_win(changes):
    quiet = changes.assign(mark="", suppressed=False)
    text = narrative.brand_narrative(quiet, "en", policy=Policy(alpha=0.10))
    assert "At the 10% level" in text
    assert "At the 1% level" in narrative.brand_narrative(quiet, "en",
                                                          policy=Policy(alpha=0.10), alpha=0.01)
    hidden = changes.assign(suppressed=True, p_value=np.nan)
    assert "base below 50" in narrative.brand_narrative(hidden, "en", min_base=50)


def test_unknown_languages_and_tables_are_refused(changes):
    with pytest.raises(UsageError, match="lang must be one of"):
        narrative.brand_narrative(changes, "fr")
    with pytest.raises(UsageError, match="comparison table"):
        narrative.brand_narrative(changes.drop(columns=["compare_quarter"]), "en")
