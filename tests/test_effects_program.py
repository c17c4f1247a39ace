"""Program effects on the demo data: planted truth recovered, naive comparisons biased."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.reports.program_effects import survey_levers
from gotone_analysis.reports.program_effects import tables as program

QUARTER = "2010Q4"


def _truth(demo) -> dict:
    return json.loads((demo / "_truth" / "ground_truth.json").read_text())


def _true_aggregate(res, demo, outcome: str, kind: str = "simple") -> pd.DataFrame:
    """The estimator's own aggregation weights applied to the planted ATT(g,t)."""
    from gotone_analysis import panel

    att = pd.read_csv(demo / "_truth" / "care_att.csv")
    att["g"] = [panel.month_number(m) for m in att["cohort"]]
    att["t"] = [panel.month_number(m) for m in att["month"]]
    planted = att.set_index(["g", "t"])[f"att_{outcome}"]
    tab = res.att_gt.copy()
    tab["estimate"] = [planted.get((g, t), 0.0) if post else 0.0
                       for g, t, post in zip(tab["cohort"], tab["time"], tab["post"],
                                             strict=True)]
    return dataclasses.replace(res, att_gt=tab).aggregate(kind)


@pytest.fixture(scope="module")
def table(small_demo):
    from gotone_analysis import panel

    return panel.panel_table(small_demo)


@pytest.mark.parametrize("outcome", ["churn", "arpu"])
def test_care_call_att_recovered_within_interval(table, small_demo, outcome):
    res = program.care_did(table, outcome=outcome, quarter=QUARTER)
    est = res.aggregate("simple").iloc[0]
    true = _true_aggregate(res, small_demo, outcome).iloc[0]["estimate"]
    assert est["ci_low"] <= true <= est["ci_high"], (outcome, true, est.to_dict())
    # the event study: pre-periods present (the parallel-trends check) and post effects
    dyn = res.aggregate("dynamic")
    keys = [k for k in dyn["event_time"] if k != "overall"]
    assert min(keys) < 0 < max(keys)
    if outcome == "arpu":  # ramp-up: the effect at e=2 exceeds the one on impact
        d = dyn.set_index("event_time")["estimate"]
        assert d[2] > d[0] > 0
        assert est["ci_low"] > 0


def test_care_call_cohorts_are_the_rollout_months(table):
    res = program.care_did(table, outcome="arpu", quarter=QUARTER)
    cohorts = program.month_labels(res.att_gt)["cohort"].unique().tolist()
    assert cohorts == ["2010-03", "2010-06", "2010-09", "2010-12"]
    # an earlier quarter ends the window earlier: later cohorts are not yet treated
    early = program.care_did(table, outcome="arpu", quarter="2010Q2")
    assert program.month_labels(early.att_gt)["cohort"].unique().tolist() == [
        "2010-03", "2010-06"]


def test_panel_lever_effects_recovered_and_naive_biased_upwards(table, small_demo):
    eff = program.panel_lever_effects(table, quarter=QUARTER).set_index(["lever", "kind"])
    truth = _truth(small_demo)["panel"]["levers"]
    for lv in program.PANEL_LEVERS:
        true = truth[lv]["effect_arpu"]
        adj, naive = eff.loc[(lv, "adjusted")], eff.loc[(lv, "naive")]
        assert adj["ci_low"] <= true <= adj["ci_high"], lv
        assert naive["estimate"] > adj["ci_high"] > true  # participants already spend more


def test_survey_lever_effects_recovered_and_naive_biased(small_demo):
    from gotone_analysis.io import Dataset

    survey = Dataset(small_demo).survey()
    eff, overlap, balance = survey_levers.survey_lever_effects(survey, quarter=QUARTER)
    truth = _truth(small_demo)["survey"]
    sat = truth["satisfaction_model"]["use_delta_points"]
    loy = {k: v * 100 for k, v in truth["loyalty_model"]["loy_stay_use_gamma_p_scale"].items()}
    e = eff.set_index(["lever", "outcome", "kind"])
    for lv in survey_levers.SURVEY_LEVERS:
        for outcome, true in (("satisfaction", sat[lv]), ("loyalty", loy.get(lv, 0.0))):
            # recovered: within 3.3 standard errors of the planted effect (a 95 % interval
            # misses one of eight effects in a third of the draws)
            adj = e.loc[(lv, outcome, "adjusted")]
            assert abs(adj["estimate"] - true) <= 3.3 * adj["se"], (lv, outcome)
        # users are more often VIPs, who are more satisfied: naive > adjusted
        assert e.loc[(lv, "satisfaction", "naive"), "estimate"] > \
            e.loc[(lv, "satisfaction", "adjusted"), "estimate"]
    assert set(overlap["arm"]) == {"treated", "control"}
    assert {"smd_raw", "smd_weighted"} <= set(balance.columns)
    tiers = balance[balance["covariate"].str.contains("tier")]
    assert tiers["smd_weighted"].abs().max() < tiers["smd_raw"].abs().max()


def test_city_scope_runs_fast(table, small_demo):
    import time

    start = time.perf_counter()
    res = program.care_did(table, outcome="arpu", quarter=QUARTER, scope="xiamen")
    churn = program.care_did(table, outcome="churn", quarter=QUARTER, scope="xiamen")
    levers = program.panel_lever_effects(table, quarter=QUARTER, scope="xiamen")
    elapsed = time.perf_counter() - start
    assert res.n_units < program.care_did(table, outcome="arpu", quarter=QUARTER).n_units
    assert churn.n_units == 5 * 16
    assert len(levers) == 6
    assert elapsed < 20


def test_headline_metrics(table):
    care = program.care_summary({o: program.care_did(table, outcome=o, quarter=QUARTER)
                                 for o in program.CARE_OUTCOMES})
    levers = program.panel_lever_effects(table, quarter=QUARTER)
    m = program.headline(care, levers, pd.DataFrame())
    assert m["care_arpu_ci_low"] < m["care_arpu_att"] < m["care_arpu_ci_high"]
    assert m["points_arpu_naive"] > m["points_arpu_adjusted"]
    assert all(isinstance(v, float) for v in m.values())


@pytest.mark.slow
def test_interval_coverage_over_demo_seeds(tmp_path):
    """Coverage of the 95 % intervals of the planted effects over several demo seeds."""
    from gotone_analysis import demo, panel
    from gotone_analysis.io import Dataset

    hits: dict[str, list[bool]] = {}
    for seed in range(1, 9):
        root = tmp_path / f"demo_{seed}"
        demo.generate(root, scale="small", seed=seed)
        table = panel.panel_table(root)
        truth = _truth(root)
        for outcome in program.CARE_OUTCOMES:
            res = program.care_did(table, outcome=outcome, quarter=QUARTER)
            est = res.aggregate("simple").iloc[0]
            true = _true_aggregate(res, root, outcome).iloc[0]["estimate"]
            hits.setdefault(f"care_{outcome}", []).append(est["ci_low"] <= true <= est["ci_high"])
        eff = program.panel_lever_effects(table, quarter=QUARTER).set_index(["lever", "kind"])
        for lv in program.PANEL_LEVERS:
            r = eff.loc[(lv, "adjusted")]
            true = truth["panel"]["levers"][lv]["effect_arpu"]
            hits.setdefault(f"{lv}_arpu", []).append(r["ci_low"] <= true <= r["ci_high"])
        s_eff, _, _ = survey_levers.survey_lever_effects(Dataset(root).survey(), quarter=QUARTER,
                                                   outcomes=["satisfaction"])
        delta = truth["survey"]["satisfaction_model"]["use_delta_points"]
        for _, r in s_eff[s_eff["kind"] == "adjusted"].iterrows():
            hits.setdefault(f"{r['lever']}_satisfaction", []).append(
                r["ci_low"] <= delta[r["lever"]] <= r["ci_high"])
    coverage = {k: float(np.mean(v)) for k, v in hits.items()}
    overall = float(np.mean([x for v in hits.values() for x in v]))
    print("coverage over 8 demo seeds:", json.dumps(coverage), f"overall={overall:.3f}")
    assert overall >= 0.85


@pytest.mark.parametrize("scope,lang", [("province", "en"), ("xiamen", "zh")])
def test_program_effects_notebook_runs(small_demo, tmp_path, scope, lang):
    """End to end on the demo: no error, four figures, the narrative and published tables."""
    from pathlib import Path

    import papermill

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "program_effects.ipynb"
    out = tmp_path / "program_effects.ipynb"
    papermill.execute_notebook(
        str(notebook), str(out), kernel_name="python3", cwd=str(tmp_path), progress_bar=False,
        parameters={"data_dir": str(small_demo), "scope": scope, "lang": lang})
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 5  # two event studies, ARPU levers, satisfaction, loyalty
    text = "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert ("Customer-manager care" in text) if lang == "en" else ("客户经理关怀" in text)
    assert "关怀回访" not in text and "亲情" not in text and "Care calls" not in text


def _page_tables():
    """A page's three effects tables, by hand: care, panel levers, survey levers."""
    from gotone_analysis.policy import quantile

    care = pd.DataFrame({"outcome": ["churn", "arpu"], "estimate": [-0.002, 3.9],
                         "se": [0.003, 0.14], "ci_low": [-0.008, 3.6],
                         "ci_high": [0.004, 4.2], "n_units": [180, 39000],
                         "pretest_p": [0.7, 0.01]})
    panel = pd.DataFrame({
        "lever": ["club"] * 2, "outcome": ["arpu"] * 2, "kind": ["naive", "adjusted"],
        "estimate": [150.0, 6.0], "se": [1.0, 0.1], "ci_low": [148.0, 5.8],
        "ci_high": [152.0, 6.2], "n": [5000, 300]})
    rows = []
    for lever, sat, loy in (("care", (2.3, 0.46), (-5.07, 2.115)), ("points", (1.8, 0.46),
                                                                        (0.5, 0.7)),
                            ("club", (0.5, 0.5), (0.5, 0.8)), ("family", (0.6, 0.47),
                                                               (1.6, 0.73))):
        for outcome, (est, se) in (("satisfaction", sat), ("loyalty", loy)):
            for kind, shift in (("naive", 1.0), ("adjusted", 0.0)):
                rows.append({"lever": lever, "outcome": outcome, "kind": kind,
                             "estimate": est + shift, "se": se,
                             "ci_low": est + shift - quantile() * se,
                             "ci_high": est + shift + quantile() * se})
    survey = pd.DataFrame(rows)
    survey.attrs["adjusted_for"] = ("tier", "city")
    return care, panel, survey


def test_the_page_s_effects_are_one_family_adjusted_together():
    from statsmodels.stats.multitest import multipletests

    from gotone_analysis.policy import Policy
    from gotone_analysis.reports.program_effects import claims

    care, panel, survey = _page_tables()
    c, p, s = claims.effect_family(care, panel, survey)
    members = pd.concat([c, p[p["kind"] == "adjusted"], s[s["kind"] == "adjusted"]])
    assert len(members) == 2 + 1 + 8 == claims.family_size(c, p, s)["total"]
    np.testing.assert_allclose(members["p_adj"],
                               multipletests(members["p_value"], method="holm")[1])
    # the naive comparisons are never claims: not members, never significant
    assert p.loc[p["kind"] == "naive", "p_adj"].isna().all()
    assert not s.loc[s["kind"] == "naive", "significant"].any()
    # an unadjusted interval excluding zero is not enough: family on loyalty (raw p 0.03)
    fam = s.set_index(["lever", "outcome", "kind"]).loc[("family", "loyalty", "adjusted")]
    assert fam["ci_low"] > 0 and fam["p_value"] < 0.05 and fam["p_adj"] > 0.05
    assert not fam["significant"]
    assert (members["significant"] == (members["p_adj"] < 0.05)).all()
    assert s.attrs["adjusted_for"] == ("tier", "city")  # attrs kept
    # the page's family-wise (Holm) adjustment drops care on loyalty (raw p 0.017), which a
    # false-discovery-rate adjustment would still claim; a table's marks keep their own rule
    care_loy = ("care", "loyalty", "adjusted")
    assert not s.set_index(["lever", "outcome", "kind"]).loc[care_loy, "significant"]
    _, _, lax = claims.effect_family(care, panel, survey,
                                     policy=Policy(effect_adjust="fdr_bh", p_adjust="holm"))
    assert lax.set_index(["lever", "outcome", "kind"]).loc[care_loy, "significant"]
    assert lax.attrs["p_adjust"] == "fdr_bh"
    m = claims.claim_metrics(c, p, s)
    assert m["effects_family_size"] == 11 and m["effects_p_adjust"] == "holm"
    assert m["survey_adjusted_for"] == "tier,city"
    assert m["care_arpu_pretest_p"] == 0.01
    assert m["family_loyalty_adjusted_p_adj"] == pytest.approx(fam["p_adj"])
    assert "club_arpu_naive_p_adj" not in m and "club_arpu_adjusted_p_adj" in m


def test_narrative_claims_an_effect_only_when_its_adjusted_p_is_below_alpha():
    from gotone_analysis.errors import UsageError
    from gotone_analysis.reports.program_effects import claims
    from gotone_analysis.reports.program_effects.sentences import (
        care_narrative,
        family_note,
        lever_narrative,
    )

    care, panel, survey = _page_tables()
    with pytest.raises(UsageError, match="as one family"):
        care_narrative(care, "en")  # never on the unadjusted intervals
    c, p, s = claims.effect_family(care, panel, survey)
    en = care_narrative(c, "en").splitlines()
    assert "No effect of customer-manager care on the monthly churn hazard can be claimed" \
        in en[0]
    assert "-0.20 pp" in en[0]
    # the one causal verb, with its assumption and the pre-trend test
    assert en[1].startswith("- Customer-manager care changed the ARPU") and \
        "adjusted p < 0.001" in en[1]
    assert "Caution: reading this as caused by the calls rests on parallel trends" in en[1]
    zh = care_narrative(c, "zh").splitlines()
    assert "平行趋势假设" in zh[1] and "p = 0.010" in zh[1]
    # percentage points: 个百分点 in Chinese, pp in English
    assert "-0.20 个百分点" in zh[0] and " pp" not in zh[0]
    text = lever_narrative(p, "en")
    assert "Clubs: in the months customers take part, their ARPU is 6.00 yuan higher" in text
    assert "overstate" in text
    text = lever_narrative(s, "en")
    assert ("Customers who use Points redemption score 1.80 points higher on satisfaction "
            "than non-users of the same tier and city") in text
    assert ("Family products: no difference in intention to stay between users and "
            "non-users of the same tier and city can be claimed") in text
    assert " changed " not in text and "effect on" not in text
    zh = lever_narrative(s, "zh")
    assert "使用积分兑换的客户比客户层级、城市相同的未使用客户满意度高 1.80 分" in zh
    assert "使" not in zh.replace("使用", "")
    note = family_note(c, p, s, "en")
    assert note.startswith("The 11 effects above (customer-manager care 2, panel levers 1, "
                           "survey levers 8)")
    assert "Holm, controlling the family-wise error rate" in note and "below 0.05" in note


@pytest.mark.slow
def test_care_and_lever_effects_same_on_spark(small_demo):
    """The report's engine-side queries give the same numbers on Spark as on DuckDB."""
    pytest.importorskip("pyspark")
    from gotone_analysis import panel

    res = {}
    for engine in ("duckdb", "spark"):
        tab = panel.panel_table(small_demo, engine=engine)
        res[engine] = ([program.care_did(tab, outcome=o, quarter=QUARTER, scope="xiamen")
                        for o in program.CARE_OUTCOMES],
                       program.panel_lever_effects(tab, quarter=QUARTER, scope="xiamen"))
    for a, b in zip(res["duckdb"][0], res["spark"][0], strict=True):
        np.testing.assert_allclose(a.att_gt[["estimate", "se"]], b.att_gt[["estimate", "se"]],
                                   atol=1e-9, rtol=0)
    np.testing.assert_allclose(res["duckdb"][1]["estimate"], res["spark"][1]["estimate"],
                               atol=1e-9, rtol=0)


def test_care_arpu_shared_for_every_city_equals_each_scope_alone(small_demo, tmp_path,
                                                                 monkeypatch):
    """One batch query of every city's ARPU moments gives each scope's own estimate."""
    from gotone_analysis import cache, panel, provenance

    table = panel.panel_table(small_demo)
    monkeypatch.delenv(provenance.CACHE_DIR_ENV, raising=False)
    alone = {s: program.care_did(table, outcome="arpu", quarter=QUARTER, scope=s)
             for s in ("province", "xiamen", "ningde")}
    monkeypatch.setenv(provenance.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    calls = []
    real = program.care_arpu_moments
    monkeypatch.setattr(program, "care_arpu_moments",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    for scope, ref in alone.items():
        got = program.care_did(table, outcome="arpu", quarter=QUARTER, scope=scope)
        pd.testing.assert_frame_equal(got.att_gt, ref.att_gt, rtol=1e-10)
        assert (got.n_units, got.dropped_units) == (ref.n_units, ref.dropped_units)
        np.testing.assert_allclose(got.aggregate("dynamic")["se"],
                                   ref.aggregate("dynamic")["se"], rtol=1e-10)
    assert len(calls) == 1  # computed once, read by every scope


# --- sparse cells never crash: early waves, tiers a lever has not reached --------------------


def test_common_support_drops_a_level_without_users_and_says_so():
    d = pd.DataFrame({"use": [1, 0, 1, 0, 0, 0, 1, 1], "tier": list("ddggrrss"),
                      "city": ["x"] * 8})
    d.loc[d["tier"] == "s", "use"] = 1  # everybody in s uses it
    kept, dropped = survey_levers.common_support(d, "use", ["tier", "city"])
    assert set(kept["tier"]) == {"d", "g"}
    assert {(g["level"], g["n"], g["users"]) for g in dropped} == {("r", 2, 0), ("s", 2, 2)}


@pytest.mark.parametrize("quarter", ["2010Q1", "2010Q2"])
def test_survey_levers_of_an_early_wave_drop_the_tiers_care_has_not_reached(small_demo,
                                                                            quarter):
    from gotone_analysis.io import open_dataset
    from gotone_analysis.reports.program_effects import sentences

    survey = open_dataset(small_demo).survey(quarter)
    for scope in ("province", "nanping"):
        effects, overlap, balance = survey_levers.survey_lever_effects(survey, quarter=quarter,
                                                                 scope=scope)
        care = effects[effects["lever"] == "care"]
        assert len(care) == 4 and care["estimate"].notna().all()
        dropped = {g["level"] for g in effects.attrs["dropped"] if g["lever"] == "care"}
        assert "regular" in dropped  # the care calls reached the regular tier in September
        note = sentences.support_note(effects, "en")
        assert "Regular" in note and "left out of the comparison" in note


def test_before_the_roll_out_care_is_not_evaluated_and_the_page_says_why(table):
    from gotone_analysis.reports.program_effects import figures, sentences

    assert not program.care_started("2009Q4") and program.care_started("2010Q1")
    care = program.care_effects(table, quarter="2009Q4")
    assert care == {}
    summary = program.care_summary(care)
    assert summary.empty and list(summary.columns)[:2] == ["outcome", "estimate"]
    assert "had not begun" in sentences.care_narrative(summary, "en")
    dynamic = program.care_table(care, "churn", "dynamic")
    assert dynamic.empty and "event_time" in dynamic.columns
    ax = figures.event_study_plot(dynamic, outcome="churn", lang="en")
    assert any("nothing to evaluate" in t.get_text() for t in ax.texts)


def test_a_quarter_before_the_panel_gives_no_panel_lever_effect(table):
    out = program.panel_lever_effects(table, quarter="2008Q1")
    assert out.empty and list(out.columns)[:3] == ["lever", "outcome", "kind"]
    assert {g["reason"] for g in out.attrs["not_estimable"]} == {"no_panel_contrast"}
    assert program.headline(program.care_summary({}), out, out) == {}


def test_effects_are_headed_as_effects_in_their_units_and_covariates_in_words():
    from gotone_analysis.reports.program_effects import view

    table = pd.DataFrame({"outcome": ["churn", "arpu"], "estimate": [-0.0025, 3.85],
                          "se": [0.0031, 0.14], "ci_low": [-0.0086, 3.57],
                          "ci_high": [0.00001, 4.12], "pretest_p": [0.7282, 0.9]})
    zh = view.reader_table(table, lang="zh").data
    assert list(zh.columns[:2]) == ["结果指标", "效应"] and "得分" not in zh.columns
    assert zh.iloc[0].tolist()[:4] == ["月流失率（个百分点）", "-0.25", "0.31", "[-0.86, 0.00]"]
    en = view.reader_table(table, lang="en").data
    assert en.columns[1] == "Effect" and en.iloc[1, 0] == "ARPU (yuan)"
    assert en.iloc[0, 0] == "Monthly churn hazard (pp)" and en.iloc[0, -1] == "0.728"
    assert view.covariate_text("C(tier)[T.gold]", "zh") == "客户层级：金卡"
    assert view.covariate_text("C(city)[T.xiamen]", "en") == "City: Xiamen"


def test_a_city_page_claims_only_what_survives_its_whole_family(table, small_demo):
    """A city's page tests its pooled survey comparisons, its panel levers and the care
    DiD as one family: a claim is a member whose family-adjusted p is below alpha, and
    the p-values are those of the pooled estimates the page prints."""
    from scipy import stats

    from gotone_analysis.io import Dataset
    from gotone_analysis.policy import Policy
    from gotone_analysis.reports.program_effects import claims
    from gotone_analysis.reports.program_effects.pooling import pooled_lever_effects
    from gotone_analysis.reports.program_effects.sentences import lever_narrative

    pol = Policy(seed=20100330)
    care = program.care_summary(program.care_effects(table, quarter="2010Q4",
                                                     scope="nanping"))
    panel_lv = program.panel_lever_effects(table, quarter="2010Q4", scope="nanping",
                                           policy=pol)
    survey, _, _ = pooled_lever_effects(Dataset(small_demo).survey("2010Q4"),
                                        quarter="2010Q4", scope="nanping", policy=pol)
    assert survey.attrs["pooled"] == 9
    c, p, s = claims.effect_family(care, panel_lv, survey, policy=pol)
    size = claims.family_size(c, p, s)
    adjusted = s[s["kind"] == "adjusted"]
    assert size["total"] == len(c) + (p["kind"] == "adjusted").sum() + len(adjusted)
    # each survey member is tested on its pooled estimate and standard error
    z = adjusted["estimate"] / adjusted["se"]
    np.testing.assert_allclose(adjusted["p_value"], 2 * stats.norm.sf(np.abs(z)))
    assert (adjusted["p_adj"] >= adjusted["p_value"] - 1e-15).all()
    members = pd.concat([c, p[p["kind"] == "adjusted"], adjusted])
    assert (members["significant"] == (members["p_adj"] < pol.alpha)).all()
    # the page's sentences name exactly the survey comparisons that survive the family
    said: list = []
    lever_narrative(s, "en", policy=pol, claims=said)
    claimed = {f.keys[0] for f in said if f.kind == "survey_effect"}
    kept = adjusted[adjusted["significant"]]
    assert claimed == {f"program_effects.{lv}_{out}_adjusted"
                       for lv, out in zip(kept["lever"], kept["outcome"], strict=True)}
    assert all(f.rule == "family_holm" for f in said if f.kind.startswith("survey_"))
    # planted zero: care calls on loyalty is never claimed
    assert not kept[(kept["lever"] == "care") & (kept["outcome"] == "loyalty")].size
