"""Staggered DiD against R ``did`` on ``mpdta``; per-cohort moments against unit rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.effects import moments_from_frame, staggered_did

DATA = Path(__file__).parent / "reference" / "data" / "mpdta.csv"
KW = dict(unit="countyreal", time="year", cohort="first.treat", outcome="lemp")

# R did 2.x: att_gt(yname="lemp", tname="year", idname="countyreal",
# gname="first.treat", data=mpdta, bstrap=FALSE) (never treated, varying base)
R_ATT = {
    (2004, 2004): -0.0105032462, (2004, 2005): -0.0704231581,
    (2004, 2006): -0.1372587389, (2004, 2007): -0.1008113631,
    (2006, 2004): 0.0065201124, (2006, 2005): -0.0027508188,
    (2006, 2006): -0.0045946070, (2006, 2007): -0.0412244715,
    (2007, 2004): 0.0305066556, (2007, 2005): -0.0027258929,
    (2007, 2006): -0.0310871194, (2007, 2007): -0.0260544107,
}
R_SE_2004_2004 = 0.0232510364
R_SIMPLE = (-0.0399512752, 0.0120340128)

# did's printed aggte() output (docs/reference/aggte.md), estimates to 4 decimals
R_DYNAMIC = {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199, 1: -0.0510, 2: -0.1373,
             3: -0.1008, "overall": -0.0772}
R_GROUP = {2004: -0.0797, 2006: -0.0229, 2007: -0.0261, "overall": -0.031}
R_CALENDAR = {2004: -0.0105, 2005: -0.0704, 2006: -0.0488, 2007: -0.0371,
              "overall": -0.0417}
# did's printed att_gt() with xformla=~lpop (docs/reference/att_gt.md), 4 decimals;
# never treated, then not yet treated
R_LPOP = {
    "never_treated": ([-0.0145, -0.0764, -0.1404, -0.1069, -0.0005, -0.0062, 0.0010,
                       -0.0413, 0.0267, -0.0046, -0.0284, -0.0288], 0.23267),
    "not_yet_treated": ([-0.0212, -0.0816, -0.1382, -0.1069, -0.0075, -0.0046, 0.0087,
                         -0.0413, 0.0269, -0.0042, -0.0284, -0.0288], 0.23326),
}
R_PRETEST_P = 0.16812  # "P-value for pre-test of parallel trends assumption"


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(DATA)


def _check_reference(res) -> None:
    tab = res.att_gt.set_index(["cohort", "time"])
    assert len(tab) == len(R_ATT)
    for key, value in R_ATT.items():
        assert tab.loc[key, "estimate"] == pytest.approx(value, abs=1e-6)
    assert tab.loc[(2004, 2004), "se"] == pytest.approx(R_SE_2004_2004, abs=1e-6)
    simple = res.aggregate("simple")
    assert list(simple["effect"]) == ["overall"]
    assert simple["estimate"].iloc[0] == pytest.approx(R_SIMPLE[0], abs=1e-6)
    assert simple["se"].iloc[0] == pytest.approx(R_SIMPLE[1], abs=1e-6)


def test_mpdta_from_pandas_matches_r(mpdta):
    res = staggered_did(mpdta, **KW)
    _check_reference(res)
    tab = res.att_gt
    assert list(tab.columns[:7]) == ["cohort", "time", "estimate", "se", "ci_low",
                                     "ci_high", "n"]
    row = tab.set_index(["cohort", "time"]).loc[(2004, 2004)]
    assert row["n"] == 309 + 20  # never treated + the 2004 cohort
    assert row["ci_low"] == pytest.approx(row["estimate"] - 1.959964 * row["se"], abs=1e-6)
    assert res.n_units == 500


@pytest.mark.parametrize("kind,ref", [("dynamic", R_DYNAMIC), ("group", R_GROUP),
                                      ("calendar", R_CALENDAR)])
def test_mpdta_aggregates_match_r(mpdta, kind, ref):
    agg = staggered_did(mpdta, **KW).aggregate(kind)
    key = agg.columns[0]
    assert key == {"dynamic": "event_time", "group": "cohort", "calendar": "time"}[kind]
    assert agg[key].iloc[-1] == "overall"
    got = dict(zip(agg[key], agg["estimate"], strict=True))
    assert set(got) == set(ref)
    for k, v in ref.items():
        assert got[k] == pytest.approx(v, abs=5.1e-5), (kind, k)
    assert agg["se"].gt(0).all()


def test_pre_trend_wald_test_matches_r(mpdta):
    # the Wald pre-test uses the full influence-function covariance of the pre-periods
    p = staggered_did(mpdta, **KW).pre_trend_test()["p_value"].iloc[0]
    assert p == pytest.approx(R_PRETEST_P, abs=5e-6)


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
def test_doubly_robust_with_covariate_matches_r(mpdta, control):
    est, p_ref = R_LPOP[control]
    res = staggered_did(mpdta, **KW, covariates=["lpop"], control=control)
    assert res.att_gt["estimate"].to_numpy() == pytest.approx(est, abs=5.1e-5)
    assert res.pre_trend_test()["p_value"].iloc[0] == pytest.approx(p_ref, abs=5e-6)
    # a formula right-hand side gives the same numbers as the column list
    same = staggered_did(mpdta, **KW, covariates="lpop", control=control)
    np.testing.assert_allclose(same.att_gt["estimate"], res.att_gt["estimate"], atol=1e-12)


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_moments_equal_unit_level_influence_functions(mpdta, control, base_period):
    kw = dict(KW, control=control, base_period=base_period)
    fast = staggered_did(mpdta, **kw, computation="moments")
    slow = staggered_did(mpdta, **kw, computation="units")
    cols = ["estimate", "se", "ci_low", "ci_high"]
    np.testing.assert_allclose(fast.att_gt[cols], slow.att_gt[cols], atol=1e-9, rtol=0)
    assert (fast.att_gt["n"] == slow.att_gt["n"]).all()
    np.testing.assert_allclose(fast.vcov(), slow.vcov(), atol=1e-12, rtol=0)
    for kind in ("simple", "dynamic", "group", "calendar"):
        a, b = fast.aggregate(kind), slow.aggregate(kind)
        assert list(a.iloc[:, 0]) == list(b.iloc[:, 0])
        np.testing.assert_allclose(a[cols], b[cols], atol=1e-9, rtol=0, err_msg=kind)


def test_universal_base_period_normalises_g_minus_one(mpdta):
    res = staggered_did(mpdta, **KW, base_period="universal")
    tab = res.att_gt.set_index(["cohort", "time"])
    assert tab.loc[(2006, 2005), "estimate"] == 0
    assert np.isnan(tab.loc[(2006, 2005), "se"])
    # post-treatment cells do not depend on the base-period choice
    varying = staggered_did(mpdta, **KW).att_gt.set_index(["cohort", "time"])
    post = tab[tab["post"]].index
    np.testing.assert_allclose(tab.loc[post, "estimate"], varying.loc[post, "estimate"],
                               atol=1e-12)
    # pre-periods compare with g-1: ATT(2007, 2004) = -(change 2004 -> 2006 gap)
    assert tab.loc[(2007, 2004), "base"] == 2006


def test_unbalanced_units_dropped_and_counted(mpdta):
    short = mpdta[~((mpdta["countyreal"] == mpdta["countyreal"].iloc[0])
                    & (mpdta["year"] == 2005))]
    res = staggered_did(short, **KW)
    assert res.n_units == 499
    assert res.dropped_units == 1
    m = moments_from_frame(short, **KW)
    assert m.attrs["dropped_units"] == 1
    assert list(m.columns) == ["cohort", "time_a", "time_b", "n", "sum_a", "sum_b", "sum_ab"]
    assert m.groupby("cohort")["n"].first().sum() == 499


def test_bad_arguments_are_refused(mpdta):
    with pytest.raises(ValueError, match="control"):
        staggered_did(mpdta, **KW, control="everyone")
    with pytest.raises(ValueError, match="kind"):
        staggered_did(mpdta, **KW).aggregate("weekly")
    with pytest.raises(ValueError, match="comparison"):
        staggered_did(mpdta[mpdta["first.treat"] > 0], **KW)


def test_mpdta_from_duckdb_table_matches_r(mpdta):
    from gotone_analysis import panel

    con = panel.connect("duckdb")
    table = con.create_table("mpdta", mpdta.rename(columns={"first.treat": "first_treat"}))
    kw = dict(KW, cohort="first_treat")
    res = staggered_did(table, **kw)
    _check_reference(res)
    ref = staggered_did(mpdta.rename(columns={"first.treat": "first_treat"}), **kw,
                        computation="units")
    cols = ["estimate", "se"]
    np.testing.assert_allclose(res.att_gt[cols], ref.att_gt[cols], atol=1e-9, rtol=0)
    for kind in ("dynamic", "group", "calendar"):
        np.testing.assert_allclose(res.aggregate(kind)[cols], ref.aggregate(kind)[cols],
                                   atol=1e-9, rtol=0)


def test_did_from_moments_equals_staggered_did_and_reads_text_months(mpdta):
    """Moments computed once (here: years written as 'YYYY-01' text) give the same result."""
    from gotone_analysis import panel
    from gotone_analysis.effects import did_from_moments, moments_from_frame

    ref = staggered_did(mpdta, **KW)
    m = moments_from_frame(mpdta, **KW)
    got = did_from_moments(m)
    pd.testing.assert_frame_equal(got.att_gt, ref.att_gt)
    assert got.dropped_units == ref.dropped_units
    # periods as month text: year y becomes 'y-01', numbered as panel.month_number
    text = m.assign(time_a=[f"{int(y)}-01" for y in m["time_a"]],
                    time_b=[f"{int(y)}-01" for y in m["time_b"]],
                    cohort=[f"{int(c)}-01" if c else "0" for c in m["cohort"]])
    res = did_from_moments(text)
    assert sorted(set(res.att_gt["time"])) == [panel.month_number(f"{y}-01")
                                              for y in (2004, 2005, 2006, 2007)]
    np.testing.assert_allclose(res.att_gt["estimate"], ref.att_gt["estimate"], atol=1e-12)
    np.testing.assert_allclose(res.aggregate("simple")["se"], ref.aggregate("simple")["se"],
                               atol=1e-12)
    # one group's rows of cohort_moments(by=...): its dropped_units column counts
    res2 = did_from_moments(m.assign(dropped_units=7))
    assert res2.dropped_units == 7
