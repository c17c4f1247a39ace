"""The summary's rules: no sentence the published numbers do not support.

Metrics are written by hand as the other reports publish them, so each rule can be
broken one at a time: a move that is not significant, an interval spanning zero, a
suppressed base, a report that failed.
"""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from gotone_analysis import labels
from gotone_analysis.findings import COLUMNS, findings_records, findings_table, problems
from gotone_analysis.policy import Policy
from gotone_analysis.reports.summary import tables as summary
from gotone_analysis.reports.summary.page import summary_html
from gotone_analysis.reports.summary.sentences import SOURCES, href, summary_sentences


def _metrics(**over) -> dict[str, dict]:
    sat = {
        "quarter": "2010Q4", "compare_quarter": "2010Q3", "satisfaction": 78.2,
        "satisfaction_ci_low": 77.5, "satisfaction_ci_high": 78.9, "satisfaction_n": 2000.0,
        "satisfaction_suppressed": False, "satisfaction_network": 76.8,
        "satisfaction_lead": 1.4, "satisfaction_lead_ci_low": 0.6,
        "satisfaction_lead_ci_high": 2.2, "satisfaction_lead_significant": True,
        "satisfaction_change": -1.8, "satisfaction_change_ci_low": -2.6,
        "satisfaction_change_ci_high": -1.0, "satisfaction_change_p_adj": 0.001,
        "satisfaction_change_significant": True, "drivers_estimated": True,
        "endowments_image": -0.8, "endowments_image_ci_low": -1.2,
        "endowments_image_ci_high": -0.4, "endowments_image_share": 0.44,
        "endowments_image_share_ci_low": 0.21, "endowments_image_share_ci_high": 0.64,
        "endowments_value": -0.4, "endowments_value_ci_low": -0.7,
        "endowments_value_ci_high": -0.1,   # no share published: named without one
        "endowments_pq_network": -0.3, "endowments_pq_network_ci_low": -0.9,
        "endowments_pq_network_ci_high": 0.3,          # spans zero: not a driver
        "endowments_pq_hall": 0.2, "endowments_pq_hall_ci_low": 0.1,
        "endowments_pq_hall_ci_high": 0.3,              # the other way: not a driver
        "segments_tier_composition": 0.01, "segments_tier_composition_ci_low": -0.02,
        "segments_tier_composition_ci_high": 0.04,
        "segments_tier_composition_significant": False,
        "segments_tier_composition_suppressed": False,
        "segments_tier_within_regular": -1.2, "segments_tier_within_regular_ci_low": -1.9,
        "segments_tier_within_regular_ci_high": -0.5,
        "segments_tier_within_regular_share": 0.36,
        "segments_tier_within_regular_share_ci_low": 0.09,
        "segments_tier_within_regular_share_ci_high": 0.83,
        "segments_tier_within_regular_significant": True,
        "segments_tier_within_regular_suppressed": False,
        "segments_tier_within_diamond": -0.9, "segments_tier_within_diamond_ci_low": -1.5,
        "segments_tier_within_diamond_ci_high": -0.3,
        "segments_tier_within_diamond_significant": True,
        "segments_tier_within_diamond_suppressed": True,   # suppressed: never a finding
    }
    brand = {"quarter": "2010Q4", "compare_quarter": "2010Q3", "influence": 82.7,
             "influence_ci_low": 82.1, "influence_ci_high": 83.3, "influence_change": 0.4,
             "influence_change_p_adj": 0.30, "awareness": 90.0, "awareness_change": 2.0,
             "awareness_change_p_adj": 0.01, "loyalty": None, "loyalty_change": None,
             "loyalty_change_p_adj": None}
    effects = {"care_churn_att": -0.004, "care_churn_ci_low": -0.007,
               "care_churn_ci_high": -0.001, "care_churn_p_adj": 0.03,
               "care_churn_pretest_p": 0.7, "care_arpu_att": 1.0, "care_arpu_ci_low": -0.5,
               "care_arpu_ci_high": 2.5, "care_arpu_p_adj": 0.4, "care_arpu_pretest_p": 0.9,
               "points_arpu_adjusted": 4.0,
               "points_arpu_adjusted_ci_low": 2.0, "points_arpu_adjusted_ci_high": 6.0,
               "points_arpu_adjusted_p_adj": 0.001,
               "club_arpu_adjusted": 3.0, "club_arpu_adjusted_ci_low": -1.0,
               "club_arpu_adjusted_ci_high": 7.0, "club_arpu_adjusted_p_adj": 0.4,
               "family_arpu_adjusted": 2.0,
               # a survey comparison: claimed on its adjusted p
               "points_satisfaction_adjusted": 1.8,
               "points_satisfaction_adjusted_ci_low": 0.9,
               "points_satisfaction_adjusted_ci_high": 2.7,
               "points_satisfaction_adjusted_p_adj": 0.002,
               # its interval excludes zero, but not once the family is adjusted for
               "care_loyalty_adjusted": -5.1, "care_loyalty_adjusted_ci_low": -9.2,
               "care_loyalty_adjusted_ci_high": -0.9, "care_loyalty_adjusted_p_adj": 0.08,
               "effects_family_size": 13, "effects_p_adjust": "fdr_bh",
               "survey_adjusted_for": "tier,city"}
    card = {"quarter": "2010Q4", "scope": "province", "targets": 3, "compare_to": "2010Q3",
            "gotone_customers_actual": 2_765_000.0, "gotone_customers_status": "at_risk",
            "target_share_actual": 0.4728, "target_share_status": "on_track",
            "purity_actual": 0.6965, "purity_status": "off_track", "changed_worse": 1,
            "changed_better": 0, "changed_final": 2,
            **{f"lever_{lv}_status": "on_track" for lv in ("scale", "family", "roaming",
                                                            "info", "care", "points",
                                                            "club", "g3", "eservice")},
            **{f"lever_{lv}_light": "green" for lv in ("scale", "family", "roaming",
                                                        "info", "care", "points", "club",
                                                        "g3", "eservice")}}
    out = {"satisfaction": sat, "brand_equity": brand, "program_effects": effects,
           "scorecard_139": card}
    for path, value in over.items():
        report, key = path.split("__")
        out[report][key] = value
    return out


def _kinds(found):
    return [f.kind for f in found]


def _all_keys(metrics):
    return {f"{r}.{k}" for r, m in metrics.items() for k in m}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sentence_rests_on_published_keys(lang):
    metrics = _metrics()
    sentences = summary_sentences(summary.findings(metrics), lang)
    assert len(sentences) >= 8
    have = _all_keys(metrics)
    for s in sentences:
        assert s.keys, s
        assert set(s.keys) <= have, (s.sentence, set(s.keys) - have)


def test_significant_fall_with_its_drivers_and_segments():
    found = summary.findings(_metrics())
    kinds = _kinds(found)
    assert "satisfaction_moved" in kinds and "satisfaction_steady" not in kinds
    drivers = next(f for f in found if f.kind == "satisfaction_drivers")
    # image and value only: network's interval spans zero, halls point the other way
    assert drivers.fields["drivers"] == ["image", "value"]
    assert drivers.fields["shares"] == [(0.44, 0.21, 0.64), None]
    assert drivers.fields["main"] == []
    segs = next(f for f in found if f.kind == "satisfaction_segments")
    assert segs.fields["values"] == ["regular"]  # diamond is suppressed
    assert "satisfaction_mix" not in kinds       # the mix is not significant
    en = " ".join(s.sentence for s in summary_sentences(found, "en"))
    assert "Satisfaction fell 1.8 points since 2010Q3, outside sampling error" in en
    # a share is printed with its interval; a driver without a published share gets none
    assert ("weaker performance contributed significantly to the fall (terms of the "
            "decomposition whose interval excludes zero): Brand image (44% of the fall, 95% "
            "interval 21% to 64%) and Value for money.") in en
    assert "Regular (36% of the fall, 95% interval 9% to 83%)" in en
    assert "Diamond" not in en


def test_a_move_that_is_not_significant_is_never_described_as_a_move():
    metrics = _metrics(satisfaction__satisfaction_change_significant=False,
                       satisfaction__satisfaction_change_p_adj=0.4)
    found = summary.findings(metrics)
    kinds = _kinds(found)
    assert "satisfaction_steady" in kinds
    assert not {"satisfaction_moved", "satisfaction_drivers", "satisfaction_segments"} & set(kinds)
    for lang, words in (("en", r"\b(fell|rose|up|down)\b"), ("zh", "上升|下降")):
        text = " ".join(s.sentence for s in summary_sentences(found, lang)
                        if s.kind.startswith("satisfaction") or s.kind == "influence_level")
        assert not re.search(words, text), text
    # nor as "nothing moved": the data only fail to establish a change
    steady = next(s.sentence for s in summary_sentences(found, "en")
                  if s.kind == "satisfaction_steady")
    assert "do not establish a change" in steady and "where it was" not in steady
    # the influence index moved 0.4 with adjusted p 0.30: steady, not a move
    infl = next(f for f in found if f.kind == "influence_level")
    assert infl.fields["moved"] is False
    # awareness moved significantly: it is a finding
    assert any(f.kind == "component_moved" and f.fields["component"] == "awareness"
               for f in found)


def test_the_policy_alpha_decides_p_based_moves():
    strict = summary.findings(_metrics(), Policy(alpha=0.001))
    assert not any(f.kind == "component_moved" for f in strict)


def test_an_effect_is_claimed_only_on_its_family_adjusted_p():
    found = summary.findings(_metrics())
    claimed = {(f.fields.get("lever", "care"), f.fields["outcome"]) for f in found
               if f.kind in ("care_effect", "lever_effect")}
    assert claimed == {("care", "churn"), ("points", "arpu"), ("points", "satisfaction")}
    unclear = next(f for f in found if f.kind == "no_effect")
    # care on loyalty: its unadjusted interval excludes zero, its adjusted p (0.08) does not
    assert set(unclear.fields["items"]) == {("care", "arpu"), ("club", "arpu"),
                                            ("care", "loyalty")}
    # an estimate without an interval is neither claimed nor listed
    assert ("family", "arpu") not in claimed | set(unclear.fields["items"])
    en = [s.sentence for s in summary_sentences(found, "en")]
    assert not any("Clubs changed" in t for t in en)
    assert any(t.startswith("For these, the data do not establish an effect once adjusted")
               and "Clubs on ARPU" in t and "Customer-manager care on intention to stay" in t
               for t in en)
    family = next(s for s in summary_sentences(found, "en") if s.kind == "effects_family")
    assert "13 effects" in family.sentence and "Benjamini–Hochberg" in family.sentence
    # without an adjusted p an effect is never claimed, whatever its interval says
    bare = _metrics()
    del bare["program_effects"]["points_arpu_adjusted_p_adj"]
    assert not any(f.kind == "lever_effect" and f.fields["lever"] == "points"
                   and f.fields["outcome"] == "arpu" for f in summary.findings(bare))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_effects_are_worded_by_their_design(lang):
    said = {(s.kind, s.keys[0]): s.sentence for s in summary_sentences(
        summary.findings(_metrics()), lang)}
    survey = said[("lever_effect", "program_effects.points_satisfaction_adjusted")]
    panel = said[("lever_effect", "program_effects.points_arpu_adjusted")]
    care = said[("care_effect", "program_effects.care_churn_att")]
    if lang == "zh":
        assert survey.startswith("使用积分兑换的客户比客户层级和城市相同的未使用客户满意度高 1.8 分")
        assert "使" not in survey.replace("使用", "") and "已调整自选择" not in survey
        assert panel.startswith("参与积分兑换的月份，同一客户的ARPU比其未参与的月份高 4.0 元")
        assert care.startswith("客户经理关怀使月流失率平均变化") and "平行趋势" in care
        assert "p = 0.700" in care
    else:
        assert survey.startswith("Customers who use Points redemption score 1.8 points higher "
                                 "on satisfaction than non-users of the same tier and city")
        assert "changed" not in survey and "raised" not in survey and "made" not in survey
        assert "changed" not in panel
        assert care.startswith("Customer-manager care changed the monthly churn") and \
            "parallel trends" in care and "p = 0.700" in care


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_mainly_only_for_a_part_whose_share_and_its_interval_are_above_one_half(lang):
    mainly = "主要" if lang == "zh" else "mainly"
    # the demo's 2010Q4 province: Fuzhou carries 36 % of the rise (interval 9-83 %)
    m = _metrics()
    m["satisfaction"].update({
        "satisfaction_change": 0.96, "satisfaction_change_ci_low": 0.34,
        "satisfaction_change_ci_high": 1.57,
        "endowments_image": 0.4, "endowments_image_ci_low": 0.2,
        "endowments_image_ci_high": 0.6, "endowments_image_share": 0.41,
        "endowments_image_share_ci_low": 0.22, "endowments_image_share_ci_high": 1.29,
        "endowments_value": 0.0, "endowments_value_ci_low": -0.1,
        "endowments_value_ci_high": 0.1,
        "segments_tier_within_regular": 0.35, "segments_tier_within_regular_ci_low": 0.07,
        "segments_tier_within_regular_ci_high": 0.67,
        "segments_tier_within_regular_share": 0.36,
        "segments_tier_within_regular_share_ci_low": 0.09,
        "segments_tier_within_regular_share_ci_high": 0.83})
    text = " ".join(s.sentence for s in summary_sentences(summary.findings(m), lang))
    assert mainly not in text
    assert "36%" in text and "9%" in text and "83%" in text  # the share with its interval
    assert "41%" in text and "22%" in text and "129%" in text
    # above one half, but the interval reaches below it: still not "mainly"
    m["satisfaction"]["segments_tier_within_regular_share"] = 0.73
    m["satisfaction"]["segments_tier_within_regular_share_ci_low"] = 0.34
    assert mainly not in " ".join(s.sentence for s in summary_sentences(summary.findings(m), lang))
    # above one half and so is the lower bound of its interval: "mainly"
    m["satisfaction"]["segments_tier_within_regular_share_ci_low"] = 0.58
    found = summary.findings(m)
    segs = next(f for f in found if f.kind == "satisfaction_segments")
    assert segs.fields["main"] == ["regular"]
    assert mainly in " ".join(s.sentence for s in summary_sentences(found, lang))


def test_suppressed_bases_are_not_findings():
    metrics = _metrics(satisfaction__satisfaction_suppressed=True)
    kinds = _kinds(summary.findings(metrics))
    assert not any(k.startswith("satisfaction") for k in kinds)
    # a component published as None (suppressed) is never a finding
    assert not any(f.kind == "component_moved" and f.fields["component"] == "loyalty"
                   for f in summary.findings(_metrics()))
    numbers = summary.headline_numbers(metrics)
    assert pd.isna(numbers.set_index("name").loc["satisfaction", "estimate"])


def test_targets_needing_attention_and_lever_status():
    found = summary.findings(_metrics())
    targets = next(f for f in found if f.kind == "targets")
    assert targets.fields["items"] == [("purity", "off_track"), ("gotone_customers", "at_risk")]
    levers = summary.lever_status(_metrics()["scorecard_139"])
    assert list(levers["lever"]) == ["scale", "family", "roaming", "info", "care", "points",
                                     "club", "g3", "eservice"]
    assert set(levers["status"]) == {"on_track"}


def _sentence(metrics, kind, lang="en"):
    return next(s.sentence for s in summary_sentences(summary.findings(metrics), lang)
                if s.kind == kind)


def test_the_worse_count_counts_only_worse_and_says_how_many_became_final():
    # the 2010Q4 demo: every changed status was a forecast that became a verdict
    metrics = _metrics(scorecard_139__changed_worse=0, scorecard_139__changed_final=26)
    found = summary.findings(metrics)
    assert "targets_worse" not in _kinds(found)
    final = next(f for f in found if f.kind == "targets_final")
    assert final.fields == {"n": 0, "final": 26, "compare": "2010Q3"}
    assert set(final.keys) == {"scorecard_139.changed_worse", "scorecard_139.changed_final",
                               "scorecard_139.compare_to"}
    text = _sentence(metrics, "targets_final")
    assert text.startswith("Since 2010Q3, no target changed status for the worse.")
    assert "26 targets reached their deadline" in text and "neither better nor worse" in text
    zh = _sentence(metrics, "targets_final", "zh")
    assert "没有目标的状态变差" in zh and "26 项目标到期" in zh and "变差" in zh
    assert "16 项" not in zh
    text = _sentence(_metrics(), "targets_worse")
    assert text.startswith("Since 2010Q3, 1 targets changed status for the worse")
    assert "2 targets reached their deadline" in text
    # nothing changed: nothing said
    quiet = _metrics(scorecard_139__changed_worse=0, scorecard_139__changed_final=0)
    assert not {"targets_worse", "targets_final"} & set(_kinds(summary.findings(quiet)))


def test_the_summary_counts_the_status_changes_the_scorecard_published():
    import numpy as np

    from gotone_analysis.reports.scorecard_139 import status as rules
    from gotone_analysis.reports.scorecard_139 import tables as sc

    def card(statuses, actuals):
        n = len(statuses)
        return pd.DataFrame({
            "target_id": ["gotone_customers", "core_retention", "target_share"][:n],
            "lever": "goal", "label": ["a", "b", "c"][:n], "direction": ">=",
            "target": [2_800_000.0, 0.8, 0.55][:n], "deadline": "2010Q4", "actual": actuals,
            "actual_low": actuals, "actual_high": actuals, "gap": np.nan, "projected": np.nan,
            "projected_low": np.nan, "projected_high": np.nan, "status": statuses,
            "source": ""}, columns=list(sc.COLUMNS))

    # customers rose and were missed, retention fell and was met: both now final; the
    # target share's forecast crossed from on track to at risk: worse
    before = card(["at_risk", "on_track", "on_track"], [2_688_500.0, 0.886, 0.56])
    now = card(["missed", "met", "at_risk"], [2_765_000.0, 0.848, 0.55])
    report = sc.ScorecardReport(quarter="2010Q4", scope="province", compare_to="2010Q3",
                                card=now, targets=now, series=pd.DataFrame(),
                                fans=pd.DataFrame(), levers=rules.lever_summary(now),
                                reference=before, changes=rules.status_changes(now, before))
    head = report.headline()
    assert (head["changed_worse"], head["changed_better"], head["changed_final"]) == (1, 0, 2)
    metrics = _metrics()
    metrics["scorecard_139"] = head
    text = _sentence(metrics, "targets_worse")
    assert text.startswith("Since 2010Q3, 1 targets changed status for the worse")
    assert "2 targets reached their deadline" in text


def test_an_inconclusive_target_is_not_a_miss_and_is_named_apart():
    metrics = _metrics(scorecard_139__rights_awareness_status="inconclusive")
    found = summary.findings(metrics)
    bad = next(f for f in found if f.kind == "targets")
    assert "rights_awareness" not in [t for t, _ in bad.fields["items"]]
    unclear = next(f for f in found if f.kind == "targets_inconclusive")
    assert unclear.fields["items"] == ["rights_awareness"]
    assert unclear.keys == ("scorecard_139.rights_awareness_status",)
    assert "inconclusive, neither met nor missed" in _sentence(metrics, "targets_inconclusive")
    # without any target missed, off track or at risk it is still not "all met or on track"
    fine = _metrics(scorecard_139__gotone_customers_status="met",
                    scorecard_139__target_share_status="met",
                    scorecard_139__purity_status="inconclusive")
    kinds = _kinds(summary.findings(fine))
    assert "targets_fine" not in kinds and "targets" not in kinds
    assert "targets_inconclusive" in kinds
    page = summary_html(summary.headline_numbers(fine), summary_sentences(
        summary.findings(fine), "zh"), summary.lever_status(
        {**fine["scorecard_139"], "lever_g3_light": "blue",
         "lever_g3_status": "inconclusive"}), [], "zh")
    assert re.search(r'class="light light-blue"></span>G3体验 <span class="quiet">无定论</span>',
                     page) and ".light-blue{" in page


def test_headline_numbers_and_published_numbers():
    metrics = _metrics()
    numbers = summary.headline_numbers(metrics).set_index("name")
    assert numbers.loc["satisfaction_lead", "estimate"] == 1.4
    assert numbers.loc["satisfaction_lead", "ci_low"] == 0.6
    assert numbers.loc["purity", "estimate"] == 0.6965
    assert set(numbers["key"]) <= _all_keys(metrics)
    found = summary.findings(metrics)
    head = summary.headline(summary.headline_numbers(metrics), found, metrics)
    assert "findings" not in head   # the ledger is published beside, by report.publish
    assert sum(v for k, v in head.items() if k.startswith("findings_")) == len(found)
    assert head["lever_care_status"] == "on_track"
    assert head["quarter"] == "2010Q4"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_sentence_links_to_where_it_rests_and_shows_no_metric_key(lang):
    metrics = _metrics()
    sentences = summary_sentences(summary.findings(metrics), lang)
    page = summary_html(summary.headline_numbers(metrics), sentences,
                        summary.lever_status(metrics["scorecard_139"]),
                        [("satisfaction", "satisfaction.html")], lang)
    assert '<a href="satisfaction.html">' in page
    assert labels.text("summary.heading.changed", lang) in page
    # every sentence links to a section of a detailed report
    items = re.findall(r'<li class="finding[^>]*>.*?</li>', page)
    assert len(items) == len(sentences)
    for s in sentences:
        item = next(i for i in items if html.escape(s.sentence) in i)
        assert s.source in SOURCES.values() or s.kind == "lever_effect"
        assert f'href="{href(s.source)}"' in item
    assert 'href="program_effects.html#sec-program_effects-care_calls_event_study"' in page
    # the keys are in a data- attribute only: no key in the text, no tooltip, no column
    assert "program_effects.care_churn_ci_low" in page          # data-keys
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))
    keys = _all_keys(metrics) | {k for m in metrics.values() for k in m if "_" in k}
    assert not [k for k in keys
                if re.search(rf"(?<![A-Za-z0-9_.]){re.escape(k)}(?![A-Za-z0-9_])", visible)]
    assert "title=" not in page and "based-on" not in page and "<code>" not in page


def _publish(tmp_path, metrics, status=None, quarter="2010Q4", scope="province"):
    folder = tmp_path / quarter / scope
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    if status is not None:
        (folder / "status.json").write_text(json.dumps({"reports": status}), encoding="utf-8")
    return tmp_path


def test_read_metrics_of_the_same_quarter_and_scope(tmp_path):
    out = _publish(tmp_path, _metrics(), {"satisfaction": {"status": "ok"}})
    got = summary.published(out, "2010Q4", "province")
    assert got["satisfaction"]["satisfaction"] == 78.2
    with pytest.raises(summary.MissingMetrics, match="no published metrics"):
        summary.read_metrics(out, "2010Q4", "xiamen", "satisfaction")


def test_a_failed_or_missing_report_fails_the_summary_clearly(tmp_path):
    metrics = _metrics()
    del metrics["program_effects"]
    out = _publish(tmp_path, metrics, {"satisfaction": {"status": "failed",
                                                        "error": "cell 4: ValueError: boom"}})
    with pytest.raises(summary.MissingMetrics) as err:
        summary.published(out, "2010Q4", "province")
    message = str(err.value)
    assert "satisfaction report of 2010Q4/province, which failed: cell 4: ValueError" in message
    assert "program_effects" in message


def test_metrics_of_another_quarter_are_refused(tmp_path):
    metrics = _metrics(satisfaction__quarter="2010Q3")
    out = _publish(tmp_path, metrics)
    with pytest.raises(summary.MissingMetrics, match="of 2010Q3, not 2010Q4"):
        summary.read_metrics(out, "2010Q4", "province", "satisfaction")


def test_output_dir_follows_the_batch(monkeypatch, tmp_path):
    monkeypatch.setenv(summary.OUTPUT_DIR_ENV, str(tmp_path))
    assert summary.output_dir() == tmp_path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_ledger_of_the_summary(lang):
    metrics = _metrics()
    said = summary_sentences(summary.findings(metrics), lang)
    ledger = findings_table(said, scope="province", quarter="2010Q4")
    assert list(ledger.columns) == list(COLUMNS)
    assert list(ledger["sentence"]) == [s.sentence for s in said]
    assert problems(findings_records(ledger), metrics) == []
    # a claim whose direction contradicts its number, or names an unpublished key, fails
    bad = findings_records(ledger)[:1]
    bad[0] = {**bad[0], "direction": "up", "keys": ["satisfaction.satisfaction_change"]}
    assert problems(bad, metrics)
    assert problems([{**bad[0], "keys": ["satisfaction.nope"]}], metrics)
    assert {"up", "down", "level", "none"} >= set(ledger["direction"])
    assert {"beyond_sampling_error", "status_rule"} <= set(ledger["rule"])
    assert any(r.startswith("family_") for r in ledger["rule"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_screen_answers_headline_levers_key_points_and_where_to_act(lang):
    from gotone_analysis.reports.summary import act
    from gotone_analysis.reports.summary.page import KEY_POINTS, headline_table, key_points

    metrics = _metrics()
    metrics["scorecard_139"].update({"gotone_customers_previous": 2_700_000.0,
                                     "gotone_customers_target": 2_800_000.0,
                                     "purity_previous": 0.6965, "purity_target": 0.65})
    found = summary.findings(metrics)
    sentences = summary_sentences(found, lang)
    numbers = summary.headline_numbers(metrics).set_index("name")
    # a survey change is a move only beyond sampling error; an exact KPI count whenever it
    # changed; the gap is the actual less the target
    assert numbers.loc["satisfaction", "moved"] is True
    assert numbers.loc["gotone_customers", "change"] == 65_000
    assert numbers.loc["gotone_customers", "gap"] == -35_000
    assert numbers.loc["purity", "moved"] is False and numbers.loc["target_share", "moved"] is None
    table = headline_table(summary.headline_numbers(metrics), lang).set_index(
        labels.text("summary.column.measure", lang))
    change = labels.text("summary.column.change", lang)
    gap = labels.text("summary.column.gap", lang)
    if lang == "zh":
        assert table.loc["全球通客户数", change] == "+65,000"
        assert table.loc["全球通客户数", gap] == "-35,000"
        assert table.loc["全球通客户数", labels.text("summary.column.value", lang)] == "276.5 万"
        assert table.loc["目标市场纯度", gap] == "+4.6 个百分点"
    else:
        assert table.loc["GoTone customers", change] == "+65,000"
        assert table.loc["Purity", gap] == "+4.6 pp"
    key, rest = key_points(sentences)
    assert 3 <= len(key) <= KEY_POINTS and not set(map(id, key)) & set(map(id, rest))
    assert key[0].kind.startswith("satisfaction")
    page = summary_html(summary.headline_numbers(metrics), sentences,
                        summary.lever_status(metrics["scorecard_139"]), [], lang,
                        act=act.where_to_act(metrics, found), province=True)
    first = page[page.index('<section class="first">'):page.index("</section>")]
    for anchor in ("summary-headline", "summary-levers", "summary-key-points", "summary-act"):
        assert f'id="{anchor}"' in first
    assert first.count('class="finding') == len(key)
    assert "moved-down" in first or "moved-up" in first
    assert "@media print" in page and "size:A4" in page
