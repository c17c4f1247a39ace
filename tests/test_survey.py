"""Design-based survey estimates against R ``survey`` and against first principles."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.errors import DataError, UsageError
from gotone_analysis.policy import quantile
from gotone_analysis.survey import (
    RESULT_COLUMNS,
    design_vcov,
    estimate,
    estimate_many,
    influence,
    ratio,
)

DATA = Path(__file__).parent / "reference" / "data"
REL = 1e-5  # estimates and standard errors against R
REL_DEFF = 1e-4


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype={"cds": str})


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return _read("apistrat.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return _read("apiclus1.csv")


@pytest.fixture(scope="module")
def apisrs() -> pd.DataFrame:
    return _read("apisrs.csv")


STRAT = {"weight": "pw", "strata": "stype", "fpc": "fpc"}
CLUS1 = {"weight": "pw", "psu": "dnum", "fpc": "fpc"}


# --- R survey reference values (tests/reference/README.md) ------------------------------------


def test_reference_files_read_ids_as_text(apistrat, apiclus1):
    assert apistrat["cds"].map(type).eq(str).all()
    assert apistrat["cds"].str.len().eq(14).all()  # leading zeros kept
    assert len(apistrat) == 200 and len(apiclus1) == 183


def test_stratified_mean_with_fpc(apistrat):
    r = estimate(apistrat, "api00", **STRAT)
    assert list(r.columns) == list(RESULT_COLUMNS)
    assert len(r) == 1
    row = r.iloc[0]
    assert row["estimate"] == pytest.approx(662.2873632, rel=REL)
    assert row["se"] == pytest.approx(9.4089408, rel=REL)
    assert row["deff"] == pytest.approx(1.20446, rel=REL_DEFF)
    assert row["n"] == 200
    assert row["n_eff"] == pytest.approx(200 / row["deff"], rel=1e-12)


def test_stratified_mean_without_fpc(apistrat):
    row = estimate(apistrat, "api00", weight="pw", strata="stype").iloc[0]
    assert row["estimate"] == pytest.approx(662.2873632, rel=REL)
    assert row["se"] == pytest.approx(9.5361323, rel=REL)


def test_stratified_total(apistrat):
    row = estimate(apistrat, "enroll", stat="total", **STRAT).iloc[0]
    assert row["estimate"] == pytest.approx(3687177.53, rel=REL)
    assert row["se"] == pytest.approx(114641.72, rel=REL)


def test_stratified_domains(apistrat):
    r = estimate(apistrat, "api00", by="stype", **STRAT)
    assert list(r.columns) == ["stype", *RESULT_COLUMNS]
    assert r["stype"].tolist() == ["E", "H", "M"]
    np.testing.assert_allclose(r["estimate"], [674.43, 625.82, 636.60], rtol=REL)
    np.testing.assert_allclose(r["se"], [12.38247979, 14.93712919, 16.21470731], rtol=REL)
    assert r["n"].tolist() == [100, 50, 50]


def test_domains_that_are_strata_have_no_design_effect(apistrat):
    # within a stratum the design is SRS without replacement and sum(pw) = N_h, so the
    # domain deff of svyby(..., deff=TRUE) is 1 (up to the rounding of pw in the file)
    r = estimate(apistrat, "api00", by="stype", **STRAT)
    np.testing.assert_allclose(r["deff"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(r["n_eff"], r["n"], rtol=1e-6)


def test_cluster_mean(apiclus1):
    row = estimate(apiclus1, "api00", **CLUS1).iloc[0]
    assert row["estimate"] == pytest.approx(644.169399, rel=REL)
    assert row["se"] == pytest.approx(23.542241, rel=REL)
    assert row["deff"] == pytest.approx(9.34587, rel=REL_DEFF)
    assert row["n_eff"] == pytest.approx(183 / 9.34587, rel=REL_DEFF)


def test_cluster_total(apiclus1):
    row = estimate(apiclus1, "enroll", stat="total", **CLUS1).iloc[0]
    assert row["estimate"] == pytest.approx(3404940.13, rel=REL)
    assert row["se"] == pytest.approx(932235.03, rel=REL)


def test_cluster_domains_use_the_full_design(apiclus1):
    r = estimate(apiclus1, "api00", by="stype", **CLUS1)
    np.testing.assert_allclose(r["estimate"], [648.8680556, 618.5714286, 631.44], rtol=REL)
    np.testing.assert_allclose(r["se"], [22.36240889, 38.02024936, 31.60946523], rtol=REL)
    # Subsetting the rows instead (the wrong way) loses the districts without high
    # schools and gives a different standard error for H.
    high = apiclus1[apiclus1["stype"] == "H"]
    wrong = estimate(high, "api00", **CLUS1).iloc[0]
    assert wrong["estimate"] == pytest.approx(618.5714286, rel=REL)
    assert abs(wrong["se"] / 38.02024936 - 1) > 0.01


def test_confidence_interval_uses_normal_quantiles(apiclus1):
    for level in (0.95, 0.9):
        row = estimate(apiclus1, "api00", level=level, **CLUS1).iloc[0]
        q = quantile(level)
        assert row["ci_low"] == pytest.approx(644.169399 - q * 23.542241, rel=REL)
        assert row["ci_high"] == pytest.approx(644.169399 + q * 23.542241, rel=REL)


# --- properties ---------------------------------------------------------------------------------


def test_equal_weights_no_strata_give_the_srs_standard_error(apisrs):
    y = apisrs["api00"].to_numpy(float)
    n, big_n = len(y), apisrs["fpc"].iloc[0]
    srs_se = y.std(ddof=1) / np.sqrt(n)
    row = estimate(apisrs, "api00", weight="pw").iloc[0]
    assert row["estimate"] == pytest.approx(y.mean(), rel=1e-12)
    assert row["se"] == pytest.approx(srs_se, rel=1e-10)
    fpc_row = estimate(apisrs, "api00", weight="pw", fpc="fpc").iloc[0]
    assert fpc_row["se"] == pytest.approx(srs_se * np.sqrt(1 - n / big_n), rel=1e-10)
    # sum of weights equals N here, so the design is SRS without replacement: deff 1
    assert fpc_row["deff"] == pytest.approx(1.0, rel=1e-10)
    assert fpc_row["n_eff"] == pytest.approx(n, rel=1e-10)


def test_unit_weights_leave_deff_undefined():
    df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 7.0], "w": 1.0})
    row = estimate(df, "y", weight="w").iloc[0]
    assert row["se"] == pytest.approx(np.std([1, 2, 4, 7], ddof=1) / 2, rel=1e-12)
    assert np.isnan(row["deff"]) and np.isnan(row["n_eff"])


def test_fpc_as_sampling_fraction_equals_population_size(apistrat):
    frac = apistrat.assign(frac=apistrat.groupby("stype")["stype"].transform("size") / apistrat["fpc"])
    a = estimate(apistrat, "api00", **STRAT)
    b = estimate(frac, "api00", weight="pw", strata="stype", fpc="frac")
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_proportion_equals_mean_of_a_binary(apiclus1):
    df = apiclus1.assign(hi=(apiclus1["api00"] > 700).astype(int), hib=apiclus1["api00"] > 700)
    p = estimate(df, "hi", stat="proportion", by="stype", **CLUS1)
    m = estimate(df, "hi", stat="mean", by="stype", **CLUS1)
    b = estimate(df, "hib", stat="proportion", by="stype", **CLUS1)
    pd.testing.assert_frame_equal(p, m)
    pd.testing.assert_frame_equal(p, b)
    assert ((p["estimate"] > 0) & (p["estimate"] < 1)).all()


def test_missing_values_are_outside_the_domain(apiclus1):
    df = apiclus1.copy()
    df.loc[df.index[::7], "api00"] = np.nan
    got = estimate(df, "api00", **CLUS1).iloc[0]
    # the same as a domain "answered" estimated from the full design
    dom = estimate(df.assign(answered=df["api00"].notna()), "api00", by="answered", **CLUS1)
    # a domain whose values are all missing is kept, with base 0 and no estimate
    assert dom["answered"].tolist() == [False, True]
    assert dom["n"].iloc[0] == 0 and dom[["estimate", "se"]].iloc[0].isna().all()
    assert got["estimate"] == pytest.approx(dom["estimate"].iloc[1], rel=1e-12)
    assert got["se"] == pytest.approx(dom["se"].iloc[1], rel=1e-12)
    assert got["n"] == df["api00"].notna().sum()
    w = df["pw"].where(df["api00"].notna(), 0)
    assert got["estimate"] == pytest.approx((w * df["api00"].fillna(0)).sum() / w.sum())


def test_nullable_dtypes_and_missing_by_values(apistrat):
    df = apistrat.assign(
        y=apistrat["api00"].astype("Int64"),
        grp=apistrat["stype"].where(apistrat.index % 10 != 0),
    )
    df.loc[df.index[:3], "y"] = pd.NA
    r = estimate(df, "y", by="grp", **STRAT)
    assert r["grp"].tolist() == ["E", "H", "M"]
    in_domain = df["grp"].notna() & df["y"].notna()
    assert r["n"].sum() == in_domain.sum()


def test_two_by_columns(apiclus1):
    r = estimate(apiclus1, "api00", by=["stype", "sch.wide"], **CLUS1)
    assert list(r.columns[:2]) == ["stype", "sch.wide"]
    counts = apiclus1.groupby(["stype", "sch.wide"]).size()
    assert r["n"].tolist() == counts.tolist()
    assert r[["stype", "sch.wide"]].apply(tuple, axis=1).tolist() == counts.index.tolist()


def test_estimate_many_matches_estimate(apistrat):
    many = estimate_many(apistrat, ["api00", "api99", "enroll"], by="stype", **STRAT)
    assert many.columns[0] == "variable"
    assert many["variable"].tolist() == ["api00"] * 3 + ["api99"] * 3 + ["enroll"] * 3
    for v in ("api99", "enroll"):
        one = estimate(apistrat, v, by="stype", **STRAT)
        part = many[many["variable"] == v].drop(columns="variable").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, one)


def test_ratio_with_unit_denominator_is_the_mean(apiclus1):
    df = apiclus1.assign(one=1.0)
    r = ratio(df, "api00", "one", by="stype", **CLUS1)
    m = estimate(df, "api00", by="stype", **CLUS1)
    np.testing.assert_allclose(r["estimate"], m["estimate"], rtol=1e-12)
    np.testing.assert_allclose(r["se"], m["se"], rtol=1e-10)


def test_funnel_ratio_equals_domain_mean(apiclus1):
    """mean(a*b)/mean(a) is the mean of b in the domain a == 1, with the same SE."""
    a = (apiclus1["api99"] > 650).astype(float)
    b = (apiclus1["api00"] > 700).astype(float)
    df = apiclus1.assign(a=a, ab=a * b, b_if_a=b.where(a == 1))
    r = ratio(df, "ab", "a", **CLUS1).iloc[0]
    d = estimate(df, "b_if_a", stat="proportion", **CLUS1).iloc[0]
    assert r["estimate"] == pytest.approx(d["estimate"], rel=1e-12)
    assert r["se"] == pytest.approx(d["se"], rel=1e-10)
    assert r["n"] == len(df)


def test_ratio_against_brute_force(apiclus1):
    num, den, w, psu = (apiclus1[c].to_numpy(float) for c in ("api00", "api99", "pw", "dnum"))
    big_r = (w * num).sum() / (w * den).sum()
    z = w * (num - big_r * den) / (w * den).sum()
    totals = np.array([z[psu == p].sum() for p in np.unique(psu)])
    m = len(totals)
    var = (1 - m / 757) * m / (m - 1) * ((totals - totals.mean()) ** 2).sum()
    row = ratio(apiclus1, "api00", "api99", **CLUS1).iloc[0]
    assert row["estimate"] == pytest.approx(big_r, rel=1e-12)
    assert row["se"] == pytest.approx(np.sqrt(var), rel=1e-10)


def test_influence_values_reproduce_the_variances(apiclus1):
    inf = influence(apiclus1, "api00", weight="pw", by="stype")
    assert list(inf.columns) == ["E", "H", "M"]
    assert inf.index.equals(apiclus1.index)
    np.testing.assert_allclose(inf.sum(), 0, atol=1e-9)  # mean residuals sum to zero
    v = design_vcov(apiclus1, inf, psu="dnum", fpc="fpc")
    se = estimate(apiclus1, "api00", by="stype", **CLUS1)["se"].to_numpy()
    np.testing.assert_allclose(np.sqrt(np.diag(v)), se, rtol=1e-12)
    assert v.loc["E", "H"] != 0  # domains sharing districts are correlated
    np.testing.assert_allclose(v.to_numpy(), v.to_numpy().T)


def test_stratified_domain_vcov_is_diagonal_when_domains_are_strata(apistrat):
    inf = influence(apistrat, "api00", weight="pw", by="stype")
    v = design_vcov(apistrat, inf, strata="stype", fpc="fpc").to_numpy()
    assert np.allclose(v[~np.eye(3, dtype=bool)], 0, atol=1e-9)


# --- singleton strata -----------------------------------------------------------------------------


@pytest.fixture()
def lonely() -> pd.DataFrame:
    return pd.DataFrame({
        "y": [3.0, 5.0, 4.0, 8.0, 6.0, 9.0, 2.0],
        "w": [10.0, 12.0, 8.0, 9.0, 11.0, 10.0, 20.0],
        "h": ["a", "a", "b", "b", "b", "b", "c"],
        "psu": [1, 2, 3, 3, 4, 5, 6],
    })


def test_singleton_stratum_fails_by_default(lonely):
    with pytest.raises(DataError, match=r"only one PSU.*'c'.*lonely_psu='adjust'"):
        estimate(lonely, "y", weight="w", strata="h", psu="psu")


def _brute_force_var(df: pd.DataFrame, popsize: dict | None = None) -> float:
    """Variance of the weighted mean of y, stratum by stratum, PSU by PSU."""
    y, w = df["y"].to_numpy(), df["w"].to_numpy()
    z = w * (y - (w * y).sum() / w.sum()) / w.sum()
    var = 0.0
    for h, grp in df.assign(z=z).groupby("h"):
        t = grp.groupby("psu")["z"].sum().to_numpy()
        one_minus_f = 1.0 if popsize is None else 1 - len(t) / popsize[h]
        if len(t) > 1:
            var += one_minus_f * len(t) / (len(t) - 1) * ((t - t.mean()) ** 2).sum()
        else:
            var += one_minus_f * t[0] ** 2  # deviation from the grand mean of z, which is 0
    return var


def test_singleton_stratum_adjust_centres_at_the_grand_mean(lonely):
    row = estimate(lonely, "y", weight="w", strata="h", psu="psu", lonely_psu="adjust").iloc[0]
    assert row["se"] == pytest.approx(np.sqrt(_brute_force_var(lonely)), rel=1e-12)


def test_singleton_stratum_taken_with_certainty_adds_nothing(lonely):
    popsize = {"a": 50, "b": 40, "c": 1}
    df = lonely.assign(N=lonely["h"].map(popsize))
    got = estimate(df, "y", weight="w", strata="h", psu="psu", fpc="N").iloc[0]
    assert got["se"] == pytest.approx(np.sqrt(_brute_force_var(df, popsize)), rel=1e-12)
    with_c = _brute_force_var(df, {**popsize, "c": 10**9})
    assert got["se"] < np.sqrt(with_c)


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"var": "nope"}, r"\['nope'\].*not in the data"),
        ({"weight": "missing_w"}, r"missing_w"),
        ({"strata": "nope"}, r"nope"),
        ({"by": ["stype", "nope"]}, r"nope"),
        ({"stat": "median"}, r"stat must be one of"),
        ({"level": 95}, r"level must be"),
        ({"var": "name"}, r"must be numeric"),
        ({"var": "api00", "stat": "proportion"}, r"0/1 or boolean"),
        ({"lonely_psu": "certainty"}, r"lonely_psu"),
        ({"by": "n"}, r"clash with result column"),
    ],
)
def test_bad_arguments_raise_usage_errors(apistrat, kwargs, message):
    apistrat = apistrat.assign(n=1)
    args = {"var": "api00", "weight": "pw", "strata": "stype", **kwargs}
    var = args.pop("var")
    with pytest.raises(UsageError, match=message):
        estimate(apistrat, var, **args)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_bad_weights_raise(apistrat, bad):
    df = apistrat.copy()
    df.loc[df.index[5], "pw"] = bad
    with pytest.raises(UsageError, match=r"weight column 'pw' has 1 .*first rows \[5\]"):
        estimate(df, "api00", weight="pw")


def test_bad_fpc_and_design_columns_raise(apistrat):
    with pytest.raises(UsageError, match="smaller than the number of sampled"):
        estimate(apistrat.assign(fpc=10), "api00", **STRAT)
    with pytest.raises(UsageError, match="constant within each stratum"):
        estimate(apistrat.assign(fpc=apistrat["fpc"] + np.arange(200)), "api00", **STRAT)
    with pytest.raises(UsageError, match="strata column 'stype' has 1 missing"):
        estimate(apistrat.assign(stype=apistrat["stype"].where(apistrat.index != 0)), "api00",
                 **STRAT)
    with pytest.raises(UsageError, match="no rows"):
        estimate(apistrat.iloc[:0], "api00", **STRAT)


def test_input_is_not_modified(apiclus1):
    before = apiclus1.copy()
    estimate(apiclus1, "api00", by="stype", **CLUS1)
    design_vcov(apiclus1, influence(apiclus1, "api00", weight="pw"), psu="dnum")
    pd.testing.assert_frame_equal(apiclus1, before)


# --- independent implementation ---------------------------------------------------------------


def test_agrees_with_samplics_on_a_stratified_cluster_design():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # samplics announces on import that it is archived
        estimation = pytest.importorskip("samplics.estimation")
        types = pytest.importorskip("samplics.utils.types")
    rng = np.random.default_rng(7)
    n = 600
    df = pd.DataFrame({
        "h": rng.integers(0, 4, n),
        "psu": rng.integers(0, 8, n),
        "w": rng.uniform(5, 50, n),
        "y": rng.normal(50, 10, n),
        "city": rng.choice(["fuzhou", "xiamen", "putian"], n),
    })
    ours = estimate(df, "y", weight="w", strata="h", psu="psu", by="city")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = estimation.TaylorEstimator(types.PopParam.mean)
        est.estimate(y=df["y"], samp_weight=df["w"], stratum=df["h"], psu=df["psu"],
                     domain=df["city"])
    np.testing.assert_allclose(ours["estimate"], [est.point_est[c] for c in ours["city"]],
                               rtol=1e-10)
    np.testing.assert_allclose(ours["se"], [est.stderror[c] for c in ours["city"]], rtol=1e-8)


def test_bounded_interval_is_logit_at_satterthwaite_df(apistrat):
    """``bounds=``: the same estimate and standard error, the logit interval with the t
    quantile at the Satterthwaite degrees of freedom of the stratified variance (Cochran
    1977, eq. 5.16), computed here by hand."""
    from scipy import stats

    plain = estimate_many(apistrat, ["api00"], **STRAT).iloc[0]
    row = estimate_many(apistrat, ["api00"], bounds=(200.0, 1000.0), **STRAT).iloc[0]
    assert row["estimate"] == plain["estimate"] and row["se"] == plain["se"]
    w_sum = apistrat["pw"].sum()
    v, n_h = [], []
    for _, g in apistrat.groupby("stype"):
        n, f = len(g), len(g) / g["fpc"].iloc[0]
        z = g["pw"] * (g["api00"] - g["api00"].mean()) / w_sum
        v.append((1 - f) * n / (n - 1) * (z ** 2).sum())
        n_h.append(n)
    v, n_h = np.array(v), np.array(n_h)
    assert v.sum() == pytest.approx(plain["se"] ** 2, rel=1e-9)
    df = v.sum() ** 2 / (v ** 2 / (n_h - 1)).sum()
    p = (row["estimate"] - 200.0) / 800.0
    half = stats.t.ppf(0.975, df) * row["se"] / 800.0 / (p * (1 - p))
    logit = np.log(p / (1 - p))
    expect = [200.0 + 800.0 / (1 + np.exp(-(logit + s * half))) for s in (-1, 1)]
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(expect, rel=1e-9)
    # longer towards the middle of the scale than towards its nearer bound, and inside it
    assert row["estimate"] - row["ci_low"] > row["ci_high"] - row["estimate"]
    assert 200.0 < row["ci_low"] < row["ci_high"] < 1000.0


def test_bounded_interval_at_a_bound_and_t_quantile():
    from gotone_analysis.policy import bounded_interval, t_quantile

    assert t_quantile(0.95, np.inf) == quantile(0.95)
    assert t_quantile(0.95, 10) == pytest.approx(2.228139, abs=1e-6)  # t table, 10 df
    np.testing.assert_allclose(t_quantile(0.95, np.array([np.nan, 10.0])),
                               [quantile(0.95), 2.2281389])
    # every answer on the bound: standard error zero, the point interval
    assert bounded_interval(100.0, 0.0, 40, 0.0, 100.0) == (100.0, 100.0)
    low, high = bounded_interval(np.array([50.0, 98.0]), np.array([2.0, 1.0]),
                                 np.array([np.inf, 30.0]), 0.0, 100.0)
    assert low[0] == pytest.approx(100 - high[0])  # symmetric at the middle of the scale
    assert high[1] < 100.0 and 98.0 - low[1] > high[1] - 98.0
    # a mean a rounding error below the bound, with a standard error of rounding size
    # (Longyan's aided awareness of 2010Q3 in the demo): the interval still holds it
    est = 100.0 - 1.4210854715202004e-14
    low, high = bounded_interval(est, 6.587019e-31, 12.0, 0.0, 100.0)
    assert low <= est <= high and high == pytest.approx(100.0)
