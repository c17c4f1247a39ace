"""Oaxaca–Blinder against Stata ``oaxaca`` (ccard) and R ``oaxaca`` (chicago); Kitagawa."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.datasets.ccard as ccard

from gotone_analysis.drivers import decompose_change, segment_mix
from gotone_analysis.errors import UsageError
from gotone_analysis.replicates import bootstrap_weights

DATA = Path(__file__).parent / "reference" / "data"
CHICAGO_X = ["age", "female", "LTHS", "some.college", "college", "advanced.degree"]


def _totals(out: pd.DataFrame) -> pd.Series:
    return out[out["term"] == "total"].set_index("part")["estimate"]


@pytest.fixture(scope="module")
def card() -> tuple[pd.DataFrame, pd.DataFrame]:
    df = ccard.load_pandas().data
    return df[df["OWNRENT"] == 0], df[df["OWNRENT"] == 1]  # before = lower mean group


@pytest.fixture(scope="module")
def chicago() -> tuple[pd.DataFrame, pd.DataFrame]:
    ch = pd.read_csv(DATA / "chicago.csv")
    ch["real.wage"] = np.exp(ch["ln.real.wage"])
    # R oaxaca: group A = natives (foreign.born 0) = after, group B = reference = before
    return ch[ch["foreign.born"] == 1], ch[ch["foreign.born"] == 0]


def test_ccard_matches_stata(card):
    # Stata oaxaca (Jann 2008) numbers recorded in statsmodels' tests
    before, after = card
    x = ["AGE", "INCOME", "INCOMESQ"]
    t = _totals(decompose_change(before, after, "AVGEXP", x, replicates=None))
    assert t["gap"] == pytest.approx(158.7504, abs=1e-4)
    assert t["endowments"] == pytest.approx(321.7482, abs=1e-4)
    assert t["coefficients"] == pytest.approx(75.45371, abs=1e-5)
    assert t["interaction"] == pytest.approx(-238.4515, abs=1e-4)
    two = _totals(decompose_change(before, after, "AVGEXP", x, twofold="pooled", replicates=None))
    assert two["explained"] == pytest.approx(130.8095, abs=1e-4)
    assert two["unexplained"] == pytest.approx(27.94091, abs=1e-5)


def test_chicago_matches_r_oaxaca_vignette(chicago):
    # Hlavac, "oaxaca: Blinder-Oaxaca Decomposition in R", vignette section 4
    before, after = chicago
    out = decompose_change(before, after, "real.wage", CHICAGO_X, replicates=None)
    assert out.attrs["n_before"] == 379 and out.attrs["n_after"] == 287
    t = _totals(out)
    assert t["gap"] == pytest.approx(3.015574, abs=1e-6)
    assert t["endowments"] == pytest.approx(1.6165339, abs=1e-6)
    assert t["coefficients"] == pytest.approx(2.8333261, abs=1e-6)
    assert t["interaction"] == pytest.approx(-1.4342857, abs=1e-6)
    # twofold: (group.weight, explained, unexplained, unexplained A, unexplained B)
    ref = {0.0: (1.6165339, 1.399040, 1.399040, 0.0),
           1.0: (0.1822482, 2.833326, 0.0, 2.8333261),
           "reimers": (0.8993911, 2.116183, 0.6995202, 1.4166630),
           "cotton": (0.9984559, 2.017118, 0.7961506, 1.2209678),
           "neumark": (1.3557222, 1.659852, 0.9445705, 0.7152816),
           "pooled": (0.9525717, 2.063003, 0.0, 2.0630026)}
    for weight, (expl, unexpl, ua, ub) in ref.items():
        got = _totals(decompose_change(before, after, "real.wage", CHICAGO_X, twofold=weight,
                                       replicates=None))
        assert got["explained"] == pytest.approx(expl, abs=1e-6), weight
        assert got["unexplained"] == pytest.approx(unexpl, abs=1e-6), weight
        assert got["unexplained_after"] == pytest.approx(ua, abs=1e-6), weight
        assert got["unexplained_before"] == pytest.approx(ub, abs=1e-6), weight
    neu = decompose_change(before, after, "real.wage", CHICAGO_X, twofold="neumark",
                           replicates=None).set_index(["part", "term"])["estimate"]
    assert neu[("unexplained_after", "age")] == pytest.approx(4.3191008, abs=1e-6)
    assert neu[("unexplained_before", "age")] == pytest.approx(2.3980443, abs=1e-6)
    assert neu[("unexplained_after", "female")] == pytest.approx(-0.8285489, abs=1e-6)


def test_chicago_bootstrap_se_within_ten_percent(chicago):
    # R oaxaca, R = 1000 bootstrap replicates: 0.6565025 / 0.8936198 / 0.7953771
    before, after = chicago
    out = decompose_change(before, after, "real.wage", CHICAGO_X, replicates=1000, seed=1)
    se = out[out["term"] == "total"].set_index("part")["se"]
    assert se["endowments"] == pytest.approx(0.6565025, rel=0.10)
    assert se["coefficients"] == pytest.approx(0.8936198, rel=0.10)
    assert se["interaction"] == pytest.approx(0.7953771, rel=0.10)


def test_parts_add_up_and_detail_adds_to_totals(chicago):
    before, after = chicago
    out = decompose_change(before, after, "real.wage", CHICAGO_X, replicates=50)
    t = _totals(out)
    assert t[["endowments", "coefficients", "interaction"]].sum() == pytest.approx(
        t["gap"], abs=1e-12)
    for part in ("endowments", "coefficients", "interaction"):
        detail = out[(out["part"] == part) & (out["term"] != "total")]["estimate"].sum()
        assert detail == pytest.approx(t[part], abs=1e-12)
    assert "(intercept)" not in set(out[out["part"] == "endowments"]["term"])
    assert list(out.columns[:6]) == ["part", "term", "estimate", "se", "ci_low", "ci_high"]
    with pytest.raises(UsageError):
        decompose_change(before, after, "real.wage", CHICAGO_X, twofold="blinder")


def test_sampling_weights_are_not_frequencies(chicago):
    before, after = chicago
    a = decompose_change(before.assign(w=2.0), after.assign(w=2.0), "real.wage", CHICAGO_X,
                         weight="w", replicates=None)
    b = decompose_change(before, after, "real.wage", CHICAGO_X, replicates=None)
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)


def test_kitagawa_adds_up_exactly():
    rng = np.random.default_rng(4)
    seg_b = rng.choice(["a", "b", "c"], 600, p=[0.5, 0.3, 0.2])
    seg_a = rng.choice(["a", "b", "c", "d"], 700, p=[0.3, 0.3, 0.3, 0.1])
    shift = {"a": 0.0, "b": 1.0, "c": 2.0, "d": 3.0}
    before = pd.DataFrame({"s": seg_b, "y": [shift[s] for s in seg_b] + rng.normal(size=600),
                           "w": rng.uniform(1, 2, 600)})
    after = pd.DataFrame({"s": seg_a, "y": [shift[s] + 0.5 for s in seg_a] + rng.normal(size=700),
                          "w": rng.uniform(1, 2, 700)})
    out = segment_mix(before, after, "y", "s", weight="w", replicates=100, seed=1)
    t = out[out["term"] == "total"].set_index("part")["estimate"]
    change = np.average(after["y"], weights=after["w"]) - np.average(before["y"], weights=before["w"])
    assert t["change"] == pytest.approx(change, abs=1e-12)
    assert t["composition"] + t["within"] == pytest.approx(change, abs=1e-12)
    seg = out[out["term"] == "d"].set_index("part")["estimate"]
    assert seg["within"] == 0.0  # absent before: all composition
    has_var = ~((out["part"] == "within") & (out["term"] == "d"))
    assert (out.loc[has_var, "se"] > 0).all()
    assert out.loc[~has_var, "se"].iloc[0] == 0.0


def test_chicago_normalised_dummies_match_r_vignette(chicago):
    # Hlavac, oaxaca vignette section 4: the education dummies are normalised (formula part
    # after the second |); results$twofold$variables[[5]] (Neumark) for age, female, college
    before, after = chicago
    edu = CHICAGO_X[2:]
    out = decompose_change(before, after, "real.wage", CHICAGO_X, twofold="neumark",
                           normalize={"high.school": edu}, replicates=None)
    est = out.set_index(["part", "term"])["estimate"]
    ref = {"age": (4.3191008, 2.3980443), "female": (-0.8285489, -0.4832824),
           "college": (0.3777076, 0.3428246)}
    for term, (ua, ub) in ref.items():
        assert est[("unexplained_after", term)] == pytest.approx(ua, abs=1e-6), term
        assert est[("unexplained_before", term)] == pytest.approx(ub, abs=1e-6), term
    # without the normalisation the college detail differs (the omitted-category problem)
    raw = decompose_change(before, after, "real.wage", CHICAGO_X, twofold="neumark",
                           replicates=None).set_index(["part", "term"])["estimate"]
    assert abs(raw[("unexplained_after", "college")] - 0.3777076) > 0.01
    # totals unchanged; the omitted category is a term, so the detail adds up to each part
    t = _totals(out)
    assert t["unexplained_after"] == pytest.approx(0.9445705, abs=1e-6)
    for part in ("explained", "unexplained_after", "unexplained_before"):
        detail = out[(out["part"] == part) & (out["term"] != "total")]["estimate"].sum()
        assert detail == pytest.approx(t[part], abs=1e-10)
    assert "high.school" in set(out["term"])


def test_normalised_detail_does_not_depend_on_the_omitted_category(chicago):
    edu = ["LTHS", "some.college", "college", "advanced.degree"]
    before, after = (f.assign(**{"high.school": 1 - f[edu].sum(axis=1)}) for f in chicago)
    a = decompose_change(before, after, "real.wage", ["age", "female", *edu],
                         normalize={"high.school": edu}, replicates=None)
    alt = ["high.school", "some.college", "college", "advanced.degree"]  # LTHS omitted
    b = decompose_change(before, after, "real.wage", ["age", "female", *alt],
                         normalize={"LTHS": alt}, replicates=None)
    ea, eb = (x.set_index(["part", "term"])["estimate"] for x in (a, b))
    for part in ("endowments", "coefficients", "interaction"):
        for term in ("(intercept)", "age", "LTHS", "high.school", "college"):
            if part == "endowments" and term == "(intercept)":
                continue
            assert ea[(part, term)] == pytest.approx(eb[(part, term)], abs=1e-9), (part, term)
    with pytest.raises(UsageError):
        decompose_change(before, after, "real.wage", CHICAGO_X, normalize={"x": ["nope"]})


def _segmented(seed: int):
    rng = np.random.default_rng(seed)

    def wave(n, shift):
        seg = rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1])
        reg = rng.choice(["n", "s"], n)
        level = pd.Series(seg).map({"a": 0.0, "b": 1.0, "c": 2.5, "d": -1.0}).to_numpy()
        x1 = rng.normal(size=n) + level
        x2 = rng.normal(size=n) - 0.5 * level + shift
        y = 1 + 0.8 * x1 - 0.4 * x2 + 2 * level + (reg == "s") + rng.normal(size=n)
        return pd.DataFrame({"seg": seg, "reg": reg, "x1": x1, "x2": x2, "y": y,
                             "w": rng.uniform(1, 3, n), "st": seg})

    return wave(800, 0.0), wave(900, 0.7)


def test_controls_equal_an_explicit_normalised_dummy_regression():
    before, after = _segmented(5)
    for frame in (before, after):
        for lev in ("b", "c", "d"):
            frame[f"seg_{lev}"] = (frame["seg"] == lev).astype(float)
    rb = bootstrap_weights(before, weight="w", strata="st", replicates=60, seed=1)
    ra = bootstrap_weights(after, weight="w", strata="st", replicates=60, seed=2)
    dummies = ["seg_b", "seg_c", "seg_d"]
    for twofold in (None, "pooled", "neumark", "reimers"):
        got = decompose_change(before, after, "y", ["x1", "x2"], weight="w", controls=["seg"],
                               twofold=twofold, replicates=(rb, ra))
        ref = decompose_change(before, after, "y", ["x1", "x2", *dummies], weight="w",
                               normalize={"seg_a": dummies}, twofold=twofold,
                               replicates=(rb, ra))
        g = got.set_index(["part", "term"])
        r = ref.set_index(["part", "term"])
        for part in got["part"].unique():
            for term in ("total", "x1", "x2", "(intercept)"):
                if (part, term) not in r.index:
                    continue
                np.testing.assert_allclose(g.loc[(part, term), ["estimate", "se"]].to_numpy(float),
                                           r.loc[(part, term), ["estimate", "se"]].to_numpy(float),
                                           atol=1e-9, err_msg=f"{twofold} {part} {term}")
            if part == "gap":
                continue
            folded = r.loc[part].loc[[*dummies, "seg_a"], "estimate"].sum()
            assert g.loc[(part, "(controls)"), "estimate"] == pytest.approx(folded, abs=1e-9)
    assert got.attrs["cells"] == 4 and got.attrs["controls"] == ["seg"]


def test_controls_cross_classify_and_parts_add_up_with_a_cell_missing_in_one_wave():
    before, after = _segmented(6)
    before = before[~((before["seg"] == "d") & (before["reg"] == "s"))]  # absent before
    out = decompose_change(before, after, "y", ["x1", "x2"], weight="w", controls=["seg", "reg"],
                           strata="st", replicates=50, seed=3)
    assert out.attrs["cells"] == 8
    t = _totals(out)
    gap = np.average(after["y"], weights=after["w"]) - np.average(before["y"], weights=before["w"])
    assert t["gap"] == pytest.approx(gap, abs=1e-12)
    assert t[["endowments", "coefficients", "interaction"]].sum() == pytest.approx(gap, abs=1e-12)
    for part in ("endowments", "coefficients", "interaction"):
        detail = out[(out["part"] == part) & (out["term"] != "total")]["estimate"].sum()
        assert detail == pytest.approx(t[part], abs=1e-10)
    assert np.isfinite(out["se"]).all()
    # within-cell slopes recover the planted ones that an uncontrolled fit gets wrong
    coef = decompose_change(before, after, "y", ["x1", "x2"], weight="w", controls=["seg", "reg"],
                            replicates=None).set_index(["part", "term"])["estimate"]
    naive = decompose_change(before, after, "y", ["x1", "x2"], weight="w",
                             replicates=None).set_index(["part", "term"])["estimate"]
    dx2 = (np.average(after["x2"], weights=after["w"])
           - np.average(before["x2"], weights=before["w"]))
    assert coef[("endowments", "x2")] == pytest.approx(-0.4 * dx2, abs=0.05)
    assert abs(naive[("endowments", "x2")] - (-0.4 * dx2)) > 0.1
