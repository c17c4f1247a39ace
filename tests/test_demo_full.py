"""Full provincial scale demo (about 80 million customer-months): generated and validated.

Large-scale: marked slow, deselected by ``make test`` and run by ``make test-all``. The
speed and memory figures of the same generation are measured by ``make bench``.
"""

from __future__ import annotations

import pytest

from gotone_analysis import demo, io, schema

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("full") / "demo"
    demo.generate(out, scale="full", seed=demo.DEFAULT_SEED)
    return out


def test_full_panel_is_provincial_scale_and_meets_the_contract(full_demo):
    summary = schema.validate_panel(full_demo / "panel")  # DuckDB, never pandas
    assert summary["months"][0] == "2009-01" and summary["months"][-1] == "2010-12"
    assert len(summary["months"]) == 24 and len(summary["cities"]) == 9
    assert 70_000_000 <= summary["rows"] <= 90_000_000


def test_full_scale_survey_and_counts_are_those_of_the_small_demo(full_demo, small_demo):
    full, small = io.open_dataset(full_demo), io.open_dataset(small_demo)
    assert full.synthetic and full.quarters() == small.quarters()
    # the scale parameter grows the panel only: survey and KPI counts are the same
    assert full.kpi().equals(small.kpi())
    assert full.survey(["2009Q4"]).equals(small.survey(["2009Q4"]))
