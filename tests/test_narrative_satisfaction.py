"""The satisfaction narrative says only what the tables support; reader tables use the catalog."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import labels, tables
from gotone_analysis.policy import Policy
from gotone_analysis.reports.satisfaction import view
from gotone_analysis.reports.satisfaction.sentences import (
    driver_model_note,
    satisfaction_narrative,
)
from gotone_analysis.reports.satisfaction.view import reader_table

MOVE_WORDS = ("rose", "fell", "显著上升", "显著下降")


def _trend(suppressed=False, lead_sig=True):
    t = pd.DataFrame({"quarter": ["2010Q3", "2010Q4"], "estimate": [78.0, 77.2],
                      "se": [0.4, 0.4], "ci_low": [77.2, 76.4], "ci_high": [78.8, 78.0],
                      "n": [900, 880], "network": [76.0, 75.9], "lead": [2.0, 1.3],
                      "lead_significant": [True, lead_sig], "suppressed": [False, suppressed]})
    if suppressed:
        t.loc[1, ["estimate", "ci_low", "ci_high", "lead"]] = np.nan
    t.attrs["level"] = 0.95
    return t


def _moved(diff=-0.8, p_adj=0.01, drivers_sig=(True, False), suppressed=False):
    variables = ["satisfaction", "image", "value"]
    out = pd.DataFrame({"variable": variables, "quarter": "2010Q4", "compare_quarter": "2010Q3",
                        "estimate": [77.2, 75.0, 66.0], "diff": [diff, -1.5, 0.3],
                        "p_value": [p_adj / 2, 0.001, 0.6], "p_adj": [p_adj, 0.003, 0.6]})
    out["significant"] = [p_adj < 0.05, *drivers_sig]
    out["suppressed"] = suppressed
    if suppressed:
        out[["estimate", "diff", "p_value", "p_adj"]] = np.nan
        out["significant"] = False
    return out


def _decomposition(image_ci=(-0.9, -0.2)):
    rows = [("gap", "total", -0.8, -1.3, -0.3), ("endowments", "total", -0.7, -1.1, -0.3),
            ("endowments", "image", -0.5, *image_ci), ("endowments", "value", 0.05, -0.1, 0.2),
            ("endowments", "(controls)", -0.25, -0.6, 0.1),
            ("coefficients", "total", -0.1, -0.9, 0.7), ("interaction", "total", 0.0, -0.1, 0.1)]
    d = pd.DataFrame(rows, columns=["part", "term", "estimate", "ci_low", "ci_high"])
    d.insert(0, "status", "estimated")
    return d


def _not_estimated():
    return pd.DataFrame({"status": ["not_estimated"], "reason": ["base_below_minimum"],
                         "min_base": [250], "n_before": [180], "n_after": [170]})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_change_within_sampling_error_is_not_called_a_rise_or_fall(lang):
    text = satisfaction_narrative(_trend(), _moved(diff=-0.8, p_adj=0.20, drivers_sig=(False, False)),
                                  _decomposition(), lang=lang)
    assert not any(w in text for w in MOVE_WORDS)
    assert labels.text("narrative.satisfaction.drivers_steady", lang) in text
    # the decomposition is not used to explain a move that is not there
    assert labels.code_label("image", lang) not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_significant_fall_is_stated_and_explained_by_significant_drivers_only(lang):
    text = satisfaction_narrative(_trend(), _moved(), _decomposition(), lang=lang)
    assert labels.text("narrative.satisfaction.fell", lang) in text
    assert labels.text("narrative.satisfaction.rose", lang) not in text
    why = [line for line in text.splitlines()
           if line.startswith("- " + labels.text("narrative.satisfaction.explained_by", lang)[:6])]
    assert len(why) == 1
    assert labels.code_label("image", lang) in why[0]
    assert labels.code_label("value", lang) not in why[0]  # interval covers 0
    assert labels.code_label("(controls)", lang) not in why[0]  # not a driver
    # the lead over the network is stated as significant
    assert "1.3" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_driver_share_comes_with_its_interval_and_mainly_only_above_one_half(lang):
    mainly = "mainly" if lang == "en" else "主要"
    d = _decomposition()
    d["change_share"] = d["estimate"] / -0.8
    d["change_share_ci_low"] = d["change_share"] - 0.2
    d["change_share_ci_high"] = d["change_share"] + 0.2
    d.loc[d["term"] == "image", ["change_share", "change_share_ci_low",
                                 "change_share_ci_high"]] = [0.42, 0.21, 0.64]
    text = satisfaction_narrative(_trend(), _moved(), d, lang=lang)
    assert mainly not in text  # 42 %: a contribution, not the main part
    share = "(42% of the change, 95% interval 21% to 64%)" if lang == "en" else \
        "（占变化的 42%，95% 区间 21%–64%）"
    assert share in text
    # above one half, but the interval reaches below it: not "mainly" either
    d.loc[d["term"] == "image", ["change_share", "change_share_ci_low"]] = [0.62, 0.45]
    assert mainly not in satisfaction_narrative(_trend(), _moved(), d, lang=lang)
    d.loc[d["term"] == "image", ["change_share", "change_share_ci_low"]] = [0.72, 0.55]
    text = satisfaction_narrative(_trend(), _moved(), d, lang=lang)
    assert mainly in text and labels.code_label("image", lang) in text


def test_no_explanation_when_no_driver_interval_excludes_zero():
    text = satisfaction_narrative(_trend(), _moved(), _decomposition(image_ci=(-1.0, 0.1)),
                                  lang="en")
    assert labels.text("narrative.satisfaction.explained_none", "en") in text


def test_a_lead_within_sampling_error_is_not_a_lead():
    text = satisfaction_narrative(_trend(lead_sig=False), _moved(), _decomposition(), lang="en")
    assert "above the network" not in text and "within sampling error" in text


def test_suppressed_base_is_never_a_finding():
    pol = Policy(min_base=1000)
    text = satisfaction_narrative(_trend(suppressed=True), _moved(suppressed=True),
                                  _not_estimated(), lang="en", policy=pol)
    assert "below 1000" in text
    assert not any(w in text for w in MOVE_WORDS)
    assert "77.2" not in text
    assert len(text.splitlines()) == 1


def test_driver_model_not_estimated_is_said_so():
    text = satisfaction_narrative(_trend(), _moved(), _not_estimated(), lang="en")
    assert "not estimated" in text
    note = driver_model_note(_not_estimated(), "zh")
    assert "250" in note and "170" in note and "180" in note
    assert driver_model_note(_decomposition(), "en") == labels.text(
        "note.satisfaction.controls", "en")


def test_segment_sentence_only_for_a_real_move_and_counts_suppressed_segments():
    seg = pd.DataFrame({"segment": "tier", "part": ["change", "composition", "within",
                                                    "composition", "within"],
                        "term": ["total", "total", "total", "diamond", "diamond"],
                        "estimate": [-0.8, -0.1, -0.7, np.nan, np.nan],
                        "ci_low": [-1.3, -0.3, -1.2, np.nan, np.nan],
                        "ci_high": [-0.3, 0.1, -0.2, np.nan, np.nan],
                        "suppressed": [False, False, False, True, True]})
    text = satisfaction_narrative(_trend(), _moved(), _decomposition(), [seg], lang="en",
                                  policy=Policy(min_base=50))
    assert "(the change within segments is significant)" in text
    assert "1 Tier segment(s) with a base below 50" in text
    quiet = satisfaction_narrative(_trend(), _moved(p_adj=0.3), _decomposition(), [seg],
                                   lang="en")
    assert "By Tier" not in quiet


def test_reader_table_translates_codes_and_keeps_numbers():
    d = _decomposition()
    out = tables.reader_frame(d, ["term", "part", "estimate"], lang="zh",
                              formats={**tables.standard_formats(["estimate"]),
                                       **view.cell_formats(d)})
    assert out.iloc[2, 0] == labels.code_label("image", "zh")
    assert out.iloc[4, 0] == labels.code_label("(controls)", "zh")
    assert out.iloc[0, 1] == labels.code_label("gap", "zh")
    assert out.iloc[:, 2].tolist() == [f"{v:.1f}" for v in d["estimate"]]
    assert d.loc[2, "term"] == "image"  # input untouched
    html = reader_table(d, "zh", columns=["term", "part", "estimate", "ci"]).to_html()
    assert labels.code_label("image", "zh") in html and ">image<" not in html
