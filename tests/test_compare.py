"""Comparisons, NPS and the significance / minimum-base policy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from gotone_analysis.compare import (
    COMPARISON_COLUMNS,
    MARK_DOWN,
    MARK_UP,
    compare_domains,
    difference,
    nps,
    significance_marks,
    suppress,
    vs_constant,
)
from gotone_analysis.errors import UsageError
from gotone_analysis.policy import (
    ALPHA,
    DEFAULT_POLICY,
    MIN_BASE,
    P_ADJUST_METHOD,
    Policy,
    adjust_pvalues,
    resolve_policy,
)
from gotone_analysis.survey import estimate

DATA = Path(__file__).parent / "reference" / "data"


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return pd.read_csv(DATA / "apistrat.csv", dtype={"cds": str})


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "apiclus1.csv", dtype={"cds": str})


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """A small stratified cluster sample whose domains cut across PSUs."""
    rng = np.random.default_rng(2010)
    n = 240
    df = pd.DataFrame({
        "h": rng.integers(0, 3, n),
        "psu": rng.integers(0, 6, n),
        "w": rng.uniform(10, 60, n),
        "city": rng.choice(["fuzhou", "xiamen", "quanzhou"], n),
        "y": rng.normal(7, 2, n).round(1),
    })
    df.loc[rng.random(n) < 0.1, "y"] = np.nan
    return df


# --- multiple comparisons -----------------------------------------------------------------------


P = [0.01, 0.04, 0.03, 0.005, np.nan]


def test_policy_defaults():
    assert P_ADJUST_METHOD == "fdr_bh" and ALPHA == 0.05


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # sorted 0.005, 0.01, 0.03, 0.04: p * 4 / rank = .02 .02 .04 .04, running min from top
        ("fdr_bh", [0.02, 0.04, 0.04, 0.02, np.nan]),
        # p * (4 - rank + 1) = .02 .03 .06 .04, running max
        ("holm", [0.03, 0.06, 0.06, 0.02, np.nan]),
        ("bonferroni", [0.04, 0.16, 0.12, 0.02, np.nan]),
        ("none", P),
    ],
)
def test_adjust_pvalues_by_hand(method, expected):
    np.testing.assert_allclose(adjust_pvalues(P, method), expected, rtol=1e-12)


def test_adjust_pvalues_keeps_series_index_and_checks_input():
    s = pd.Series(P, index=list("abcde"), name="p")
    out = adjust_pvalues(s)
    assert isinstance(out, pd.Series) and list(out.index) == list("abcde") and out.name == "p"
    assert out["a"] == pytest.approx(0.02) and np.isnan(out["e"])
    with pytest.raises(UsageError, match="method must be one of"):
        adjust_pvalues(P, "fdr_by")
    with pytest.raises(UsageError, match=r"\[0, 1\]"):
        adjust_pvalues([0.5, 1.2])


def test_significance_marks():
    t = pd.DataFrame({"diff": [2.0, -1.5, 3.0, -0.1, 1.0],
                      "p_adj": [0.01, 0.049, 0.2, 0.001, np.nan],
                      "p_value": [0.01, 0.01, 0.01, 0.01, 0.01]})
    marks = significance_marks(t)
    assert marks.name == "mark"
    assert marks.tolist() == [MARK_UP, MARK_DOWN, "", MARK_DOWN, ""]
    assert significance_marks(t, alpha=0.01).tolist() == ["", "", "", MARK_DOWN, ""]
    assert significance_marks(t, p_col="p_value").tolist() == [MARK_UP, MARK_DOWN, MARK_UP,
                                                              MARK_DOWN, MARK_UP]
    with pytest.raises(UsageError, match="p_raw"):
        significance_marks(t, p_col="p_raw")


# --- two waves ------------------------------------------------------------------------------------


def _wave(est, se, n):
    return pd.DataFrame({"variable": "sat", "city": ["fuzhou", "xiamen", "putian"][:len(est)],
                         "estimate": est, "se": se, "ci_low": 0.0, "ci_high": 1.0, "n": n,
                         "n_eff": n, "deff": 1.0})


def test_difference_of_independent_waves():
    cur = _wave([7.4, 6.9, 7.0], [0.10, 0.12, 0.30], [400, 350, 40])
    prev = _wave([7.1, 7.0, 7.5], [0.11, 0.10, 0.25], [380, 360, 45])
    d = difference(cur, prev)
    assert list(d.columns) == ["variable", "city", *COMPARISON_COLUMNS]
    diff = np.array([0.3, -0.1, -0.5])
    se = np.sqrt(np.array([0.10, 0.12, 0.30]) ** 2 + np.array([0.11, 0.10, 0.25]) ** 2)
    np.testing.assert_allclose(d["diff"], diff, rtol=1e-12)
    np.testing.assert_allclose(d["diff_se"], se, rtol=1e-12)
    np.testing.assert_allclose(d["z"], diff / se, rtol=1e-12)
    np.testing.assert_allclose(d["p_value"], 2 * norm.sf(np.abs(diff / se)), rtol=1e-12)
    np.testing.assert_allclose(d["diff_ci_low"], diff - norm.ppf(0.975) * se, rtol=1e-12)
    np.testing.assert_allclose(d["p_adj"], adjust_pvalues(d["p_value"].to_numpy()), rtol=1e-12)
    assert d["n_ref"].tolist() == [380, 360, 45]
    # fuzhou: p = 0.044 alone, but 3 x 0.044 = 0.13 after BH over the three cities
    assert d["p_value"].iloc[0] < ALPHA < d["p_adj"].iloc[0]
    assert significance_marks(d, p_col="p_value").tolist() == [MARK_UP, "", ""]
    assert significance_marks(d).tolist() == ["", "", ""]


def test_difference_matches_rows_by_key_and_keeps_unmatched():
    cur = _wave([7.4, 6.9, 7.0], [0.1, 0.1, 0.1], [400, 350, 40])
    prev = _wave([7.1, 7.0], [0.1, 0.1], [380, 360]).assign(city=["xiamen", "fuzhou"])
    d = difference(cur, prev, on=["variable", "city"])
    np.testing.assert_allclose(d["diff"].iloc[:2], [7.4 - 7.0, 6.9 - 7.1], rtol=1e-12)
    assert np.isnan(d["diff"].iloc[2]) and np.isnan(d["p_adj"].iloc[2])
    with pytest.raises(UsageError, match="duplicate"):
        difference(cur, pd.concat([prev, prev]))
    # a key that differs between the waves (the quarter) must not silently match nothing
    with pytest.raises(UsageError, match="no row of the current table matches"):
        difference(cur.assign(quarter="2010Q2"), prev.assign(quarter="2010Q1"))
    d = difference(cur.assign(quarter="2010Q2"), prev.assign(quarter="2010Q1"),
                   on=["variable", "city"])
    assert d["diff"].notna().sum() == 2


def test_difference_from_estimates_of_two_samples(apistrat, apiclus1):
    a = estimate(apistrat, "api00", weight="pw", strata="stype", fpc="fpc")
    b = estimate(apiclus1, "api00", weight="pw", psu="dnum", fpc="fpc")
    d = difference(a, b).iloc[0]
    assert d["diff"] == pytest.approx(662.2873632 - 644.169399, rel=1e-6)
    assert d["diff_se"] == pytest.approx(np.hypot(9.4089408, 23.542241), rel=1e-6)
    assert d["p_adj"] == pytest.approx(d["p_value"])  # one comparison: nothing to adjust


def test_vs_constant():
    t = _wave([7.4, 6.9, 7.0], [0.10, 0.12, 0.30], [400, 350, 40]).assign(net=[7.0, 7.0, 7.2])
    for value in (7.0, [7.0, 7.0, 7.0]):
        r = vs_constant(t, value)
        np.testing.assert_allclose(r["diff"], [0.4, -0.1, 0.0], atol=1e-12)
        np.testing.assert_allclose(r["diff_se"], t["se"], rtol=1e-12)
        np.testing.assert_allclose(r["p_value"], 2 * norm.sf(np.abs(r["diff"] / t["se"])))
    r = vs_constant(t, "net")
    assert "net" not in r.columns and list(r.columns[:2]) == ["variable", "city"]
    np.testing.assert_allclose(r["estimate_ref"], [7.0, 7.0, 7.2])
    assert r["se_ref"].eq(0).all() and r["n_ref"].isna().all()
    with pytest.raises(UsageError, match="2 entries"):
        vs_constant(t, [1.0, 2.0])


# --- domains of one sample --------------------------------------------------------------------


def _brute_force_mean(df, rows):
    """Weighted mean over ``rows`` and its linearised values (zero elsewhere)."""
    y = df["y"].fillna(0).to_numpy()
    w = df["w"].to_numpy()
    keep = rows & df["y"].notna().to_numpy()
    big_w = w[keep].sum()
    m = (w * y)[keep].sum() / big_w
    z = np.where(keep, w * (y - m) / big_w, 0.0)
    return m, z


def _brute_force_var(df, z):
    var = 0.0
    for _, grp in df.assign(z=z).groupby("h"):
        t = grp.groupby("psu")["z"].sum().to_numpy()
        var += len(t) / (len(t) - 1) * ((t - t.mean()) ** 2).sum()
    return var


@pytest.mark.parametrize("reference", ["total", "rest"])
def test_compare_domains_against_brute_force(sample, reference):
    r = compare_domains(sample, "y", weight="w", strata="h", psu="psu", by="city",
                        reference=reference)
    assert list(r.columns) == ["city", *COMPARISON_COLUMNS]
    assert r["city"].tolist() == ["fuzhou", "quanzhou", "xiamen"]
    everyone = np.ones(len(sample), bool)
    for _, row in r.iterrows():
        in_d = (sample["city"] == row["city"]).to_numpy()
        m_d, z_d = _brute_force_mean(sample, in_d)
        m_r, z_r = _brute_force_mean(sample, everyone if reference == "total" else ~in_d)
        assert row["estimate"] == pytest.approx(m_d, rel=1e-12)
        assert row["estimate_ref"] == pytest.approx(m_r, rel=1e-12)
        assert row["diff_se"] == pytest.approx(np.sqrt(_brute_force_var(sample, z_d - z_r)),
                                               rel=1e-10)
        assert row["se_ref"] == pytest.approx(np.sqrt(_brute_force_var(sample, z_r)), rel=1e-10)
        n_ref = sample["y"].notna() & (True if reference == "total" else ~in_d)
        assert row["n_ref"] == n_ref.sum()
    # the covariance matters: ignoring it gives other standard errors
    naive = np.hypot(r["se"], r["se_ref"])
    assert (np.abs(r["diff_se"] / naive - 1) > 1e-3).all()


def test_domain_vs_rest_in_separate_strata_is_independent(apistrat):
    r = compare_domains(apistrat, "api00", weight="pw", strata="stype", fpc="fpc", by="stype",
                        reference="rest")
    np.testing.assert_allclose(r["diff_se"], np.hypot(r["se"], r["se_ref"]), rtol=1e-9)
    t = compare_domains(apistrat, "api00", weight="pw", strata="stype", fpc="fpc", by="stype")
    assert t["estimate_ref"].iloc[0] == pytest.approx(662.2873632, rel=1e-6)
    assert t["se_ref"].iloc[0] == pytest.approx(9.4089408, rel=1e-6)
    # a domain is part of the whole: positive covariance, smaller SE than independence
    assert (t["diff_se"] < np.hypot(t["se"], t["se_ref"])).all()


def test_compare_domains_rows_without_a_domain_count_in_the_whole(sample):
    df = sample.assign(city=sample["city"].where(sample.index % 9 != 0))
    r = compare_domains(df, "y", weight="w", strata="h", psu="psu", by="city")
    assert r["n_ref"].iloc[0] == df["y"].notna().sum()
    assert r["n"].sum() == (df["y"].notna() & df["city"].notna()).sum()
    rest = compare_domains(df, "y", weight="w", strata="h", psu="psu", by="city",
                           reference="rest")
    np.testing.assert_array_equal(rest["n"] + rest["n_ref"], df["y"].notna().sum())


def test_compare_domains_arguments(sample):
    with pytest.raises(UsageError, match="reference"):
        compare_domains(sample, "y", weight="w", by="city", reference="others")
    with pytest.raises(UsageError, match="by="):
        compare_domains(sample, "y", weight="w", by=None)


# --- NPS ----------------------------------------------------------------------------------------


def test_nps_of_a_hand_example_under_srs():
    ltr = [10, 9, 9, 8, 7, 6, 0, 10, 3, 9]  # 5 promoters, 2 passives, 3 detractors
    df = pd.DataFrame({"ltr": ltr, "w": 1.0})
    r = nps(df, weight="w").iloc[0]
    assert r["estimate"] == pytest.approx(20.0)
    assert r["promoters"] == pytest.approx(50.0) and r["detractors"] == pytest.approx(30.0)
    # scores 100 x5, 0 x2, -100 x3 around 20: sum of squares 76000; SRS SE = s / sqrt(n)
    assert r["se"] == pytest.approx(np.sqrt(76000 / 9 / 10), rel=1e-12)
    assert r["n"] == 10
    assert r["ci_low"] == pytest.approx(20 - norm.ppf(0.975) * r["se"], rel=1e-12)
    # a missing answer is outside the base but its row stays a PSU of the design (as R's
    # na.rm=TRUE): 11 PSUs, the same linearised values, factor 11/10 instead of 10/9
    with_missing = nps(pd.DataFrame({"ltr": [*ltr, np.nan], "w": 1.0}), weight="w").iloc[0]
    assert with_missing["estimate"] == pytest.approx(20.0) and with_missing["n"] == 10
    assert with_missing["se"] == pytest.approx(np.sqrt(11 / 10 * 76000 / 100), rel=1e-12)


def test_nps_by_domain_with_design(apiclus1):
    df = apiclus1.assign(ltr=(apiclus1["api00"] // 100).clip(0, 10))
    r = nps(df, weight="pw", psu="dnum", fpc="fpc", by="stype")
    assert r["stype"].tolist() == ["E", "H", "M"]
    np.testing.assert_allclose(r["estimate"], r["promoters"] - r["detractors"], atol=1e-9)
    assert ((r["estimate"] >= -100) & (r["estimate"] <= 100)).all() and (r["se"] > 0).all()


@pytest.mark.parametrize("bad", [98, 11, -1, 7.5])
def test_nps_rejects_values_outside_0_10(bad):
    df = pd.DataFrame({"ltr": [1, 9, bad], "w": 1.0})
    with pytest.raises(UsageError, match="0-10"):
        nps(df, weight="w")


# --- minimum base -------------------------------------------------------------------------------


def test_suppress_an_estimate_table(apiclus1):
    t = estimate(apiclus1, "api00", weight="pw", psu="dnum", fpc="fpc", by="stype")
    s = suppress(t)  # H has 14 schools, M 25: below the default 30
    assert MIN_BASE == 30
    assert s["suppressed"].tolist() == [False, True, True]
    assert s["note"].tolist() == ["", "base 14 < 30", "base 25 < 30"]
    for col in ("estimate", "se", "ci_low", "ci_high", "n_eff", "deff"):
        assert s[col].iloc[1:].isna().all() and s[col].iloc[0] == t[col].iloc[0]
    assert s["n"].tolist() == [144, 14, 25]  # the base itself stays visible
    assert not t["estimate"].isna().any()  # input untouched
    assert suppress(t, min_base=10)["suppressed"].sum() == 0


def test_suppress_a_comparison_table():
    cur = _wave([7.4, 6.9, 7.0], [0.10, 0.12, 0.30], [400, 12, 40])
    prev = _wave([7.1, 7.0, 7.5], [0.11, 0.10, 0.25], [380, 360, 20])
    d = difference(cur, prev)
    d["mark"] = significance_marks(d, p_col="p_value")
    d["note"] = ["", "", "fieldwork late"]
    s = suppress(d)
    assert s["suppressed"].tolist() == [False, True, True]
    assert s["note"].tolist() == ["", "base 12 < 30", "fieldwork late; reference base 20 < 30"]
    # current base fine, reference too small: the estimate stays, the comparison goes
    assert s["estimate"].iloc[2] == 7.0 and np.isnan(s["estimate"].iloc[1])
    for col in ("diff", "diff_se", "z", "p_value", "p_adj", "estimate_ref"):
        assert s[col].iloc[1:].isna().all() and not np.isnan(s[col].iloc[0])
    assert s["mark"].iloc[1:].tolist() == ["", ""]
    with pytest.raises(UsageError, match="min_base"):
        suppress(d, min_base=-1)


def test_rounding_noise_standard_error_gives_no_test():
    cur = pd.DataFrame({"item": ["const", "moved"], "estimate": [50.0, 50.0],
                        "se": [1e-14, 1.0], "n": [100, 100]})
    prev = pd.DataFrame({"item": ["const", "moved"], "estimate": [50.0 - 1e-12, 48.0],
                         "se": [1e-14, 1.0], "n": [100, 100]})
    out = difference(cur, prev, on=["item"])
    assert np.isnan(out.loc[0, "p_value"]) and np.isnan(out.loc[0, "z"])
    assert out.loc[1, "p_value"] == pytest.approx(2 * norm.sf(2 / np.sqrt(2)))


def test_marks_and_comparison_columns_are_defined_once():
    import ast

    import gotone_analysis
    from gotone_analysis import compare, tables
    from gotone_analysis.plots import style

    root = Path(gotone_analysis.__file__).parent
    for path in sorted(root.rglob("*.py")):
        if (path.name == "compare.py" and path.parent == root) or path.parent.name == "labels" \
                or path.name == "catalog.py":
            continue  # the definition, and the catalog's sentences for readers
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
                and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        code_strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                        and isinstance(n.value, str) and id(n) not in docs]
        assert not any(m in v for v in code_strings for m in compare.MARKS), path.name
        assert "_COMPARE_COLS = (\"" not in text, path.name
    assert compare.MARKS == (compare.MARK_UP, compare.MARK_DOWN)
    assert set(tables.MARK_STYLES) == set(style.MARK_COLORS) == set(compare.MARKS)
    assert compare.REFERENCE_COLUMNS == tuple(c for c in compare.COMPARISON_COLUMNS
                                              if c not in ("estimate", "se", "n"))


def test_policy_checks_its_values():


    assert DEFAULT_POLICY.min_base is None and DEFAULT_POLICY.level == 0.95
    assert resolve_policy(Policy(min_base=40), min_base=None, alpha=0.1) == Policy(
        min_base=40, alpha=0.1)
    for bad in ({"level": 1.5}, {"alpha": 0}, {"p_adjust": "sidak"}, {"min_base": -1}):
        with pytest.raises(UsageError):
            Policy(**bad)
    with pytest.raises(UsageError, match="policy must be"):
        resolve_policy({"min_base": 3})
