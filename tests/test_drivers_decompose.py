"""Oaxaca–Blinder against Stata ``oaxaca`` (ccard) and R ``oaxaca`` (chicago); Kitagawa."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.datasets.ccard as ccard

from gotone_analysis.drivers import decompose_change, segment_mix
from gotone_analysis.errors import UsageError

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
