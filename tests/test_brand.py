"""Brand-equity scores and tables: hand-computable examples, suppression, demo facts, coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gotone_analysis import params, survey
from gotone_analysis.config import BRAND_INDEX_SPEC
from gotone_analysis.errors import DataError, UsageError
from gotone_analysis.policy import Policy
from gotone_analysis.reports.brand_equity import scores
from gotone_analysis.reports.brand_equity import tables as brand
from gotone_analysis.reports.brand_equity.sentences import brand_narrative

# --- small hand-made surveys -------------------------------------------------------------------


def _rows(quarter: str, city: str, brand_: str, n: int, *, pref: float, weight: float = 10.0,
          stratum: str | None = None, seed: int = 0) -> pd.DataFrame:
    """``n`` respondents with constant items except ``pref_score`` spread around ``pref``."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "resp_id": [f"{quarter}-{city}-{brand_}-{i}" for i in range(n)],
        "quarter": quarter, "city": city, "brand": brand_,
        "tier": "regular" if brand_ == "gotone" else "mass",
        "stratum": stratum or f"{city}_{brand_}",
        "weight": weight,
        "aw_unaided": 1.0, "aw_aided": 1.0,
        **{f"img_{k}": 8.0 for k in range(1, 6)},
        "pref_score": np.clip(np.round(pref + rng.normal(0, 1.5, n)), 1, 10),
        "loy_stay": 9.0, "ltr": 9.0,
    })
    return df


def _scores(df: pd.DataFrame) -> pd.DataFrame:
    return scores.respondent_scores(df)


@pytest.fixture
def two_cities() -> pd.DataFrame:
    """One wave, two cities, each city one stratum of GoTone customers; equal weights."""
    return pd.concat([
        _rows("2010Q4", "fuzhou", "gotone", 60, pref=7.0, seed=1),
        _rows("2010Q4", "xiamen", "gotone", 40, pref=5.0, weight=30.0, seed=2),
    ], ignore_index=True)


def test_respondent_scores_follow_the_spec():
    df = pd.DataFrame({"aw_unaided": [1, 0], "aw_aided": [1, 1],
                       "img_1": [10, 1], "img_2": [10, 1], "img_3": [10, np.nan],
                       "img_4": [10, np.nan], "img_5": [10, np.nan],
                       "pref_score": [10, 1], "loy_stay": [10, 1], "ltr": [10, 0]})
    s = scores.respondent_scores(df)
    assert s.loc[0].tolist() == pytest.approx([100, 100, 100, 100, 100])
    assert s.loc[1, "awareness"] == pytest.approx(60.0)
    assert np.isnan(s.loc[1, "association"])  # only 2 of 5 image items answered
    assert np.isnan(s.loc[1, "influence"])


def test_components_single_stratum_equal_weights_is_srs(two_cities):
    """All GoTone, equal weights within one stratum: mean and s/sqrt(n) (no fpc)."""
    one = two_cities.loc[two_cities["city"] == "fuzhou"]
    tab = scores.components(one, quarter="2010Q4")
    assert tab["component"].tolist() == list(scores.COMPONENTS)
    pref = _scores(one)["preference"]
    row = tab.set_index("component").loc["preference"]
    assert row["estimate"] == pytest.approx(pref.mean(), abs=1e-9)
    assert row["se"] == pytest.approx(pref.std(ddof=1) / np.sqrt(len(pref)), rel=1e-9)
    assert row["n"] == len(pref)
    # the interval of a 0-100 score: logit, with the t quantile at n - 1 degrees of
    # freedom (one stratum: Satterthwaite's df is n - 1)
    p = row["estimate"] / 100.0
    half = stats.t.ppf(0.975, len(pref) - 1) * row["se"] / 100.0 / (p * (1 - p))
    logit = np.log(p / (1 - p))
    expect = [100.0 / (1 + np.exp(-(logit + s * half))) for s in (-1, 1)]
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(expect, rel=1e-9)
    infl = _scores(one)["influence"]
    assert tab.set_index("component").loc["influence", "estimate"] == pytest.approx(infl.mean())


def test_components_city_domain_and_weighted_province(two_cities):
    sc = _scores(two_cities)
    tab = scores.components(two_cities, quarter="2010Q4", scope="xiamen").set_index("component")
    x = two_cities["city"] == "xiamen"
    assert tab.loc["preference", "estimate"] == pytest.approx(sc.loc[x, "preference"].mean())
    assert tab.loc["preference", "n"] == 40
    prov = scores.components(two_cities, quarter="2010Q4").set_index("component")
    w = two_cities["weight"]
    expected = (w * sc["preference"]).sum() / w.sum()
    assert prov.loc["preference", "estimate"] == pytest.approx(expected)


def test_components_other_brand_is_a_domain(two_cities):
    data = pd.concat([two_cities, _rows("2010Q4", "fuzhou", "mzone", 50, pref=3.0, seed=5)],
                     ignore_index=True)
    gt = scores.components(data, quarter="2010Q4").set_index("component")
    mz = scores.components(data, quarter="2010Q4", brand="mzone").set_index("component")
    assert gt.loc["preference", "n"] == 100
    assert mz.loc["preference", "n"] == 50
    assert mz.loc["preference", "estimate"] < gt.loc["preference", "estimate"]


def test_components_rejects_bad_scope_and_missing_quarter(two_cities):
    from gotone_analysis.errors import UsageError

    with pytest.raises(UsageError, match="scope"):
        scores.components(two_cities, quarter="2010Q4", scope="beijing")
    with pytest.raises(UsageError, match="2009Q1"):
        scores.components(two_cities, quarter="2009Q1")


def test_changes_independent_waves(two_cities):
    later = two_cities.assign(quarter="2011Q1")
    later["pref_score"] = np.clip(later["pref_score"] + 2, 1, 10)
    data = pd.concat([two_cities, later], ignore_index=True)
    ch = brand.changes(data, quarter="2011Q1", compare_to="previous").set_index("component")
    cur = scores.components(data, quarter="2011Q1").set_index("component")
    prev = scores.components(data, quarter="2010Q4").set_index("component")
    r = ch.loc["preference"]
    assert r["compare_quarter"] == "2010Q4"
    assert r["diff"] == pytest.approx(cur.loc["preference", "estimate"]
                                            - prev.loc["preference", "estimate"])
    assert r["diff_se"] == pytest.approx(np.hypot(cur.loc["preference", "se"],
                                                  prev.loc["preference", "se"]))
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(abs(r["diff"] / r["diff_se"])))
    assert r["mark"] == "▲"
    # constant items do not move: zero difference, no mark
    assert ch.loc["awareness", "mark"] == ""
    assert ch.loc["awareness", "diff"] == pytest.approx(0.0)


def test_changes_without_comparison_wave_has_no_marks(two_cities):
    ch = brand.changes(two_cities, quarter="2010Q4", compare_to="year_ago")
    assert ch["compare_quarter"].eq("2009Q4").all()
    assert ch["diff"].isna().all()
    assert ch["mark"].eq("").all()
    text = brand_narrative(ch, "en")
    assert "No comparable data" in text


def test_by_city_difference_from_province_hand_computed(two_cities):
    """Each city one stratum: city - province = (W_other / W) (ybar_A - ybar_B)."""
    bc = brand.by_city(two_cities, quarter="2010Q4")
    assert set(bc["city"]) == {"fuzhou", "xiamen"}
    sc = _scores(two_cities)["preference"]
    fz = two_cities["city"] == "fuzhou"
    w = two_cities["weight"]
    share_x = w[~fz].sum() / w.sum()
    se_f = sc[fz].std(ddof=1) / np.sqrt(fz.sum())
    se_x = sc[~fz].std(ddof=1) / np.sqrt((~fz).sum())
    r = bc.set_index(["city", "component"]).loc[("fuzhou", "preference")]
    assert r["diff"] == pytest.approx(share_x * (sc[fz].mean() - sc[~fz].mean()))
    assert r["diff_se"] == pytest.approx(share_x * np.hypot(se_f, se_x), rel=1e-9)
    assert r["estimate_ref"] == pytest.approx((w * sc).sum() / w.sum())
    assert r["mark"] == "▲"  # 7 vs 5 on a 1-10 scale with 100 respondents


def test_funnel_hand_computed():
    df = _rows("2010Q4", "fuzhou", "gotone", 10, pref=9.0)
    df["aw_aided"] = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    df["img_1"] = df["img_2"] = df["img_3"] = df["img_4"] = df["img_5"] = \
        [9, 9, 9, 9, 9, 9, 3, 3, np.nan, np.nan]
    df["pref_score"] = [9, 9, 9, 2, 2, 2, 9, 9, 9, 9]
    df["loy_stay"] = [9, 2, 2, 9, 9, 9, 9, 9, 9, 9]
    st = scores.funnel_stages(df)
    # not aware: every later stage is 0 although the image items are missing
    assert st.loc[8].tolist() == [0, 0, 0, 0]
    assert st.loc[0].tolist() == [1, 1, 1, 1]
    tab = brand.funnel(df, quarter="2010Q4").set_index(["stage", "measure"])
    assert tab.loc[("aware", "reach"), "estimate"] == pytest.approx(80.0)
    assert tab.loc[("associated", "reach"), "estimate"] == pytest.approx(60.0)
    assert tab.loc[("preferring", "reach"), "estimate"] == pytest.approx(30.0)
    assert tab.loc[("loyal", "reach"), "estimate"] == pytest.approx(10.0)
    assert tab.loc[("associated", "conversion"), "estimate"] == pytest.approx(75.0)
    assert tab.loc[("preferring", "conversion"), "estimate"] == pytest.approx(50.0)
    assert tab.loc[("loyal", "conversion"), "estimate"] == pytest.approx(100 / 3)
    assert tab.loc[("loyal", "conversion"), "n"] == 3
    assert ("aware", "conversion") not in tab.index
    # a proportion's SE on one stratum with equal weights: sqrt(p(1-p)/(n-1)) in %
    assert tab.loc[("aware", "reach"), "se"] == pytest.approx(100 * np.sqrt(0.8 * 0.2 / 9))


def test_annual_is_mean_of_waves_even_with_unequal_weight_totals(two_cities):
    q1 = two_cities.assign(quarter="2010Q1")
    q2 = two_cities.assign(quarter="2010Q2", weight=two_cities["weight"] * 3)
    q2["pref_score"] = np.clip(q2["pref_score"] + 1, 1, 10)
    data = pd.concat([q1, q2], ignore_index=True)
    year = scores.annual(data, 2010).set_index("component")
    e1 = scores.components(data, quarter="2010Q1").set_index("component")["estimate"]
    e2 = scores.components(data, quarter="2010Q2").set_index("component")["estimate"]
    assert year["waves"].eq(2).all()
    assert year["estimate"].to_numpy() == pytest.approx(((e1 + e2) / 2).to_numpy())
    assert data["weight"].iloc[-1] == pytest.approx(90.0)  # input untouched


def test_suppression_hides_small_cells_and_says_so(two_cities):
    tab = scores.components(two_cities, quarter="2010Q4", by=["city"], min_base=50)
    small = tab["city"] == "xiamen"  # 40 respondents
    assert tab.loc[small, "suppressed"].all()
    assert tab.loc[small, "estimate"].isna().all()
    assert tab.loc[~small, "estimate"].notna().all()
    assert tab.loc[small, "note"].astype(str).str.len().gt(0).all()
    ch = brand.changes(pd.concat([two_cities, two_cities.assign(quarter="2011Q1")]),
                       quarter="2011Q1", by=["city"], min_base=50)
    assert ch.loc[ch["city"] == "xiamen", "diff"].isna().all()
    assert ch.loc[ch["city"] == "xiamen", "mark"].eq("").all()
    zh = brand_narrative(ch, "zh", min_base=50)
    assert "样本量不足 50" in zh
    assert "显著上升" not in zh and "显著下降" not in zh


def test_narrative_only_states_significant_moves(two_cities):
    later = two_cities.assign(quarter="2011Q1")
    later["pref_score"] = np.clip(later["pref_score"] + 2, 1, 10)
    ch = brand.changes(pd.concat([two_cities, later]), quarter="2011Q1")
    zh = brand_narrative(ch, "zh")
    en = brand_narrative(ch, "en")
    assert "偏好" in zh and "显著上升" in zh
    assert "认知" not in zh  # awareness did not move: not named as a change
    assert "Preference" in en and "rose significantly" in en
    # the constant items have no sampling variation: said to be untested, not "not significant"
    assert "3 cell(s) could not be tested" in en and "not significant" not in en


def test_vs_benchmark_one_sample(two_cities):
    comp = scores.components(two_cities, quarter="2010Q4")
    bench = pd.DataFrame({"quarter": "2010Q4", "metric": ["influence", "loyalty"],
                          "value": [50.0, 88.0]})
    vb = brand.vs_benchmark(comp, bench).set_index("component")
    assert list(vb.index) == ["loyalty", "influence"]
    infl = comp.set_index("component").loc["influence"]
    assert vb.loc["influence", "diff"] == pytest.approx(infl["estimate"] - 50.0)
    assert vb.loc["influence", "mark"] == "▲"
    # constant loyalty of (8/9 + 9/10) / 2 x 100 = 89.44 with zero SE: no test, no mark
    assert vb.loc["loyalty", "mark"] == ""


def test_trend_marks_first_quarter_empty(two_cities):
    later = two_cities.assign(quarter="2011Q1")
    later["pref_score"] = np.clip(later["pref_score"] - 3, 1, 10)
    tr = brand.trend(pd.concat([two_cities, later]))
    first = tr["quarter"] == "2010Q4"
    assert tr.loc[first, "p_value"].isna().all() and tr.loc[first, "mark"].eq("").all()
    pref = tr.loc[(~first) & (tr["component"] == "preference")].iloc[0]
    assert pref["mark"] == "▼"


def test_headline_is_flat_and_deterministic(two_cities):
    ch = brand.changes(pd.concat([two_cities, two_cities.assign(quarter="2011Q1")]),
                       quarter="2011Q1")
    h1, h2 = brand.headline(ch), brand.headline(ch)
    assert h1 == h2
    assert h1["influence"] == pytest.approx(ch.set_index("component").loc["influence",
                                                                          "estimate"])
    assert all(not isinstance(v, (dict, list, pd.Series)) for v in h1.values())


# --- the demo data set ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_survey(small_demo) -> pd.DataFrame:
    from gotone_analysis import io

    return io.open_dataset(small_demo).survey()


def test_demo_2009_index_and_component_moves(demo_survey):
    y2009 = scores.annual(demo_survey, 2009).set_index("component")
    assert abs(y2009.loc["influence", "estimate"] - 82.7) <= 0.3
    ch = brand.annual_changes(demo_survey, 2009).set_index("component")
    assert ch.loc["awareness", "diff"] < 0
    assert ch.loc["association", "diff"] < 0
    assert ch.loc["preference", "diff"] > 0
    assert ch.loc["loyalty", "diff"] > 0


# --- coverage of the intervals against the generator's truth ---------------------------------------

N_REPS = 50
#: With correct 95 % intervals the number of the 50 repetitions covering the truth is
#: Binomial(50, 0.95): P(X <= 42) = 0.003, so each measure must cover in at least
#: 43/50 = 0.86 of them (a false alarm over the five measures below 2 %). Intervals far
#: too wide would cover always: the mean rate over the five measures must stay below
#: 0.995 (all but one of 250 covering has probability well below 1 % for correct
#: intervals, even allowing for the correlation between the measures).
MIN_COVERAGE, MAX_MEAN_COVERAGE = 0.86, 0.995


def _true_components(truth: pd.DataFrame, quarter: str, brand_: str = "gotone") -> pd.Series:
    cells = truth.loc[(truth["quarter"] == quarter) & (truth["brand"] == brand_)]
    scored = scores.respondent_scores(cells, BRAND_INDEX_SPEC)
    w = cells["N"].astype("float64")
    return pd.Series({c: float((w * scored[c]).sum() / w.sum()) for c in scores.COMPONENTS})


def test_intervals_cover_the_true_values_at_the_nominal_rate():
    from gotone_analysis import demo

    quarter = "2010Q4"
    truth = _true_components(demo.survey_truth([quarter]), quarter)
    hits = []
    for rep in range(N_REPS):
        sample = demo.simulate_survey(quarter, seed=1000 + rep)
        tab = scores.components(sample, quarter=quarter).set_index("component")
        hits.append({c: tab.loc[c, "ci_low"] <= truth[c] <= tab.loc[c, "ci_high"]
                     for c in scores.COMPONENTS})
    rates = pd.DataFrame(hits).mean()
    assert (rates >= MIN_COVERAGE).all(), rates.to_dict()
    assert rates.mean() <= MAX_MEAN_COVERAGE, rates.to_dict()


# --- the notebook ----------------------------------------------------------------------------------


def test_brand_equity_notebook_runs_for_a_city_and_marks_suppressed_cells(small_demo, tmp_path):
    """End to end on the demo for one city with a base high enough to suppress tier cells."""
    import json
    from pathlib import Path

    import papermill

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "brand_equity.ipynb"
    out = tmp_path / "brand_equity.ipynb"
    papermill.execute_notebook(
        str(notebook), str(out), kernel_name="python3", cwd=str(tmp_path), progress_bar=False,
        parameters={"data_dir": str(small_demo), "scope": "ningde", "min_base": 200,
                    "lang": "zh"},
    )
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "样本量不足 200，不予显示" in html and ">—<" in html
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 4  # trend, component changes, city heat map, funnel


def test_year_to_date_pools_only_the_quarters_through(demo_survey):
    survey_data = demo_survey
    full = scores.annual(survey_data, 2010)
    ytd = scores.annual(survey_data, 2010, through=2)
    assert set(full["waves"]) == {4} and set(ytd["waves"]) == {2}
    # the year to date is the mean of its two waves' estimates (pooled design; exact up to
    # the waves' different item non-response, hence the small tolerance)
    waves = [scores.components(survey_data, quarter=q) for q in ("2010Q1", "2010Q2")]
    mean = (waves[0].set_index("component")["estimate"]
            + waves[1].set_index("component")["estimate"]) / 2
    got = ytd.set_index("component")["estimate"]
    np.testing.assert_allclose(got.loc[mean.index], mean, atol=0.01)
    assert not np.allclose(got.loc[mean.index], full.set_index("component")["estimate"]
                           .loc[mean.index], atol=0.01)
    ch = brand.annual_changes(survey_data, 2010, through=2)
    assert set(ch["compare_year"]) == {"2009"}
    with pytest.raises(UsageError, match="through"):
        scores.annual(survey_data, 2010, through=5)


def test_funnel_stages_nest_when_an_earlier_stage_is_unknown():
    nan = np.nan
    df = pd.DataFrame({
        # unknown awareness, passes every later rule -> undecided from the first stage on
        # unknown awareness, fails preference        -> decided: not preferring, not loyal
        # aware, image battery unanswered, loyal     -> undecided from association on
        # fully known, passes everything             -> 1 at every stage
        "aw_aided": [nan, nan, 1, 1],
        **{f"img_{i}": [9, 9, nan, 9] for i in range(1, 6)},
        "pref_score": [9, 2, 9, 9],
        "loy_stay": [9, 9, 9, 9],
    })
    st = scores.funnel_stages(df)
    assert st.iloc[0].isna().all()
    assert np.isnan(st.iloc[1]["aware"]) and np.isnan(st.iloc[1]["associated"])
    assert st.iloc[1]["preferring"] == 0 and st.iloc[1]["loyal"] == 0
    assert st.iloc[2]["aware"] == 1 and st.iloc[2][["associated", "preferring", "loyal"]].isna().all()
    assert (st.iloc[3] == 1).all()
    # a later stage's base never exceeds the decided base of a stage that includes it
    reached = st.notna() & (st == 1)
    assert (reached["loyal"] <= reached["preferring"]).all()


def test_partly_filled_psu_is_refused_and_fpc_not_used_with_clusters(two_cities):
    from gotone_analysis.errors import DataError

    data = two_cities.copy()
    data["psu"] = [f"p{i % 7}" if i % 2 else None for i in range(len(data))]
    with pytest.raises(DataError, match="psu"):
        scores.components(data, quarter="2010Q4")
    data["psu"] = [f"p{i}" for i in range(len(data))]  # every respondent its own PSU
    data["stratum_pop"] = 1000.0
    clustered = scores.components(data, quarter="2010Q4")
    # one respondent per PSU and no fpc: the stratified with-replacement SE exactly
    plain = scores.components(data.drop(columns=["psu", "stratum_pop"]), quarter="2010Q4")
    np.testing.assert_allclose(clustered["se"], plain["se"], rtol=1e-12)


def test_trend_marks_each_wave_as_changes_does(demo_survey):
    waves = survey.trend_quarters(demo_survey, "2010Q4")
    tr = brand.trend(demo_survey, quarters=waves)
    ch = brand.changes(demo_survey, quarter="2010Q4")
    last = tr[tr["quarter"] == "2010Q4"].set_index("component")
    now = ch.set_index("component")
    np.testing.assert_allclose(last.loc[now.index, "p_adj"], now["p_adj"], rtol=1e-12)
    assert (last.loc[now.index, "mark"] == now["mark"]).all()


def test_narrative_names_the_domain_and_counts_untested_cells():
    table = pd.DataFrame({
        "quarter": "2010Q4", "brand": "gotone", "city": ["longyan", "xiamen", "ningde"],
        "component": "influence", "estimate": [84.0, 83.0, 82.0],
        "compare_quarter": "2009Q4", "diff": [2.5, 0.1, np.nan],
        "p_value": [0.001, 0.9, np.nan], "p_adj": [0.002, 0.9, np.nan],
        "mark": ["▲", "", ""], "suppressed": False,
    })
    en = brand_narrative(table, "en")
    assert "Longyan – Influence" in en and "rose significantly by 2.5" in en
    assert "1 cell(s) could not be tested" in en and "other changes are not significant" in en
    zh = brand_narrative(table, "zh")
    assert "龙岩 · 影响力" in zh and "1 个单元格无法检验" in zh


def test_annual_changes_compare_like_for_like_or_not_at_all(demo_survey):
    first_year = brand.annual_changes(demo_survey, 2008, through=2)  # no 2007 waves
    assert first_year["p_value"].isna().all() and (first_year["mark"] == "").all()
    assert "No comparable data" in brand_narrative(first_year, "en")
    gap = demo_survey[demo_survey["quarter"] != "2009Q2"]  # 2009 lacks Q2
    ytd = brand.annual_changes(gap, 2010, through=3)
    assert ytd["p_value"].isna().all()
    full = brand.annual_changes(demo_survey, 2010, through=3)
    assert full["p_value"].notna().all() and set(full["waves"]) == {3}


# --- one resolver, one design rule, one policy (issue 7) -----------------------------------------


def test_changes_refuse_a_later_comparison_quarter_as_params_does(two_cities):
    data = pd.concat([two_cities, two_cities.assign(quarter="2011Q1")], ignore_index=True)
    with pytest.raises(UsageError, match="quarter before 2010Q4"):
        brand.changes(data, quarter="2010Q4", compare_to="2011Q1")
    with pytest.raises(UsageError, match="quarter before 2010Q4"):
        params.resolve_comparison("2010Q4", "2011Q1")
    back = brand.changes(data, quarter="2011Q1", compare_to="2010Q4")
    assert (back["compare_quarter"] == "2010Q4").all()


def test_brand_estimates_use_the_one_design_rule_of_survey():
    rng = np.random.default_rng(3)
    frame = pd.concat([_rows("2010Q4", c, "gotone", 24, pref=6.0, seed=k)
                       for k, c in enumerate(("fuzhou", "xiamen"))], ignore_index=True)
    frame["pref_score"] = rng.integers(1, 11, len(frame)).astype(float)
    frame["psu"] = frame["city"] + "-" + (np.arange(len(frame)) % 6).astype(str)
    frame["stratum_pop"] = 5000.0
    design = survey.design_of(frame)
    assert design == {"weight": "weight", "strata": "stratum", "psu": "psu"}
    got = scores.components(frame, quarter="2010Q4").set_index("component")
    scored = pd.concat([frame, scores.respondent_scores(frame)], axis=1)
    want = survey.estimate(scored.loc[scored["brand"] == "gotone"], "preference", **design)
    assert got.loc["preference", "se"] == pytest.approx(want["se"].iloc[0], rel=1e-12)
    with pytest.raises(DataError, match="filled on 1 of"):
        survey.design_of(frame.assign(psu=[None] * (len(frame) - 1) + ["x"]))


def test_policy_supplies_level_base_and_marks_and_explicit_values_win(two_cities):
    pol = Policy(min_base=50, level=0.90)
    by_policy = scores.components(two_cities, by=["city"], policy=pol)
    by_hand = scores.components(two_cities, by=["city"], level=0.90, min_base=50)
    pd.testing.assert_frame_equal(by_policy, by_hand)
    assert by_policy.attrs["level"] == 0.90
    assert by_policy.loc[by_policy["city"] == "xiamen", "suppressed"].all()  # base 40 < 50
    assert not scores.components(two_cities, by=["city"], policy=pol, min_base=10)[
        "suppressed"].any()
    wide = scores.components(two_cities, by=["city"], policy=pol.with_(level=0.99))

    def width(t: pd.DataFrame) -> float:
        row = t.loc[(t["city"] == "fuzhou") & (t["component"] == "preference")].iloc[0]
        return float(row["ci_high"] - row["ci_low"])

    assert width(wide) > width(by_policy) > 0


def test_the_city_table_is_made_once_per_batch(small_demo, tmp_path, monkeypatch):
    """Every scope's page shows the same cities table: a batch makes it once per wave."""
    from gotone_analysis import cache, provenance
    from gotone_analysis.io import open_dataset

    ds = open_dataset(small_demo)
    data = ds.survey()
    pol = Policy(seed=1, min_base=30)
    alone = brand.by_city(data, quarter="2010Q4", policy=pol)
    made: list[int] = []
    real = brand.domain_means

    def counted(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(brand, "domain_means", counted)
    monkeypatch.setenv(provenance.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    for _ in range(3):
        got = brand.by_city(data, quarter="2010Q4", policy=pol, dataset=ds)
        pd.testing.assert_frame_equal(got, alone)
    assert len(made) == 1
    entry = cache.entries().set_index("name").loc["brand_by_city"]
    assert "survey/survey_2010Q4.csv" in entry["depends"]
    # another policy (the base below which a cell is suppressed) is another table
    brand.by_city(data, quarter="2010Q4", policy=pol.with_(min_base=100), dataset=ds)
    assert len(made) == 2


def test_every_funnel_interval_holds_its_estimate_on_a_bound(small_demo):
    """Longyan 2010Q3 in the demo: every respondent aware, the mean a rounding error off
    100; its interval held it only up to rounding, and the funnel figure refused it."""
    from gotone_analysis.io import open_dataset
    from gotone_analysis.reports.brand_equity import figures

    f = brand.funnel(open_dataset(small_demo).survey(), quarter="2010Q3", scope="longyan",
                     policy=Policy(seed=1, min_base=30))
    aware = f[(f["stage"] == "aware") & (f["measure"] == "reach")].iloc[0]
    assert aware["estimate"] == pytest.approx(100.0)
    assert ((f["ci_low"] <= f["estimate"]) & (f["estimate"] <= f["ci_high"])).all()
    ax = figures.funnel_plot(f, lang="en")
    assert ax is not None
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
