"""City survey comparisons as small-area estimates (partial pooling across the cities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import config
from gotone_analysis.policy import Policy, quantile
from gotone_analysis.reports.program_effects import pooling, sentences
from gotone_analysis.reports.program_effects.survey_levers import survey_lever_effects

# BCG vaccine trials (metafor's dat.bcg): tpos, tneg, cpos, cneg per trial.
BCG = np.array([[4, 119, 11, 128], [6, 300, 29, 274], [3, 228, 11, 209],
                [62, 13536, 248, 12619], [33, 5036, 47, 5761], [180, 1361, 372, 1079],
                [8, 2537, 10, 619], [505, 87886, 499, 87892], [29, 7470, 45, 7232],
                [17, 1699, 65, 1600], [186, 50448, 141, 27197], [5, 2493, 3, 2338],
                [27, 16886, 29, 17825]], dtype=float)


def test_random_effects_mean_matches_metafor_dersimonian_laird():
    # metafor: rma(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg,
    # data = dat.bcg, method = "DL") -> estimate -0.7141, se 0.1787, tau^2 0.3088
    a, b, c, d = BCG.T
    yi = np.log(a / (a + b)) - np.log(c / (c + d))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    out = pooling.shrink(yi, np.sqrt(vi))
    assert out["mean"] == pytest.approx(-0.7141, abs=5e-5)
    assert out["mean_se"] == pytest.approx(0.1787, abs=5e-5)
    assert out["tau2"] == pytest.approx(0.3088, abs=5e-5)
    # each trial moves towards the mean, by the share of its variance that is noise
    assert np.all(np.abs(out["estimate"] - out["mean"]) <= np.abs(yi - out["mean"]))
    np.testing.assert_allclose(out["shrinkage"], vi / (vi + out["tau2"]))


def test_homogeneous_estimates_pool_to_their_mean_and_never_go_negative():
    # scatter smaller than the sampling error: the between variance is truncated at 0
    y, se = np.array([1.0, 1.1, 0.9, 1.05, 0.95]), np.full(5, 1.0)
    out = pooling.shrink(y, se, seed=1)
    assert out["tau2"] == 0.0
    np.testing.assert_allclose(out["estimate"], out["mean"])
    # the plug-in posterior sd is the mean's standard error (no Morris term)
    np.testing.assert_allclose(out["sd"], out["mean_se"])
    assert np.all(np.isfinite(out["se"]))
    # the interval is symmetric, c * sd either side, and se is its half-width over z
    half = out["ci_high"] - out["estimate"]
    np.testing.assert_allclose(out["estimate"] - out["ci_low"], half)
    np.testing.assert_allclose(half, out["factor"] * out["sd"])
    np.testing.assert_allclose(out["se"] * quantile(), half)


def test_bootstrap_interval_is_seeded_and_calibrated_under_the_model():
    se = np.array([3.0, 4.0, 4.5, 5.0, 5.0, 6.0, 6.5, 7.0, 8.0])
    rng = np.random.default_rng(7)
    y = rng.normal(0, se)
    # the same seed gives the same interval, another seed another one
    one, same = pooling.shrink(y, se, seed=3), pooling.shrink(y, se, seed=3)
    np.testing.assert_array_equal(one["ci_low"], same["ci_low"])
    assert not np.array_equal(one["ci_low"], pooling.shrink(y, se, seed=4)["ci_low"])
    # under the model (one common effect, k = 9) the interval covers it about 95 % of the
    # time; Morris's delta-method term covered about 99 % here
    covered = []
    for _ in range(300):
        out = pooling.shrink(rng.normal(0, se), se, seed=5, draws=400)
        covered.append((out["ci_low"] <= 0) & (0 <= out["ci_high"]))
    assert 0.93 <= np.mean(covered) <= 0.975


def test_a_city_comparison_is_pooled_and_the_province_is_not(small_demo):
    from gotone_analysis.io import open_dataset

    survey = open_dataset(small_demo).survey("2010Q4")
    pol = Policy(seed=20100330)
    prov, _, _ = pooling.pooled_lever_effects(survey, quarter="2010Q4", scope="province",
                                              policy=pol)
    direct, _, _ = survey_lever_effects(survey, quarter="2010Q4", scope="province")
    pd.testing.assert_frame_equal(prov, direct)
    assert prov.attrs["pooled"] == 0 and sentences.pooling_note(prov, "en") == ""

    by_city = {c: pooling.pooled_lever_effects(survey, quarter="2010Q4", scope=c, policy=pol)[0]
               for c in config.CITY_CODES}
    rows = pd.concat([t.assign(city=c) for c, t in by_city.items()], ignore_index=True)
    sat = rows[(rows["kind"] == "adjusted") & (rows["outcome"] == "satisfaction")]
    assert (sat["cities_pooled"] == len(config.CITY_CODES)).all()
    # the city furthest from the cities' mean moves towards it, and its interval is the
    # normal interval of the calibrated standard error around the pooled estimate
    club = sat[sat["lever"] == "club"]
    far = club.loc[(club["direct_estimate"] - club["direct_estimate"].mean()).abs().idxmax()]
    assert abs(far["estimate"] - club["direct_estimate"].mean()) < abs(
        far["direct_estimate"] - club["direct_estimate"].mean())
    assert far["ci_high"] - far["estimate"] == pytest.approx(quantile() * far["se"])
    # the nine pooled estimates scatter less than the nine direct ones, and their
    # intervals are narrower (how often they cover the planted effects across waves and
    # seeds is measured by benchmarks/bench_coverage.py, not on one wave: the pooled
    # intervals of a wave miss together when the cities' mean misses)
    rows = sat
    spread = rows.groupby("lever")[["estimate", "direct_estimate"]].std()
    assert (spread["estimate"] < 0.8 * spread["direct_estimate"]).all()
    width = (rows["ci_high"] - rows["ci_low"]).mean()
    assert width < 2 * quantile() * rows["direct_se"].mean()
    note = sentences.pooling_note(by_city["nanping"], "en")
    assert "small-area estimates" in note and "9 cities" in note


def test_the_cities_comparisons_are_made_once_per_batch(small_demo, tmp_path, monkeypatch):
    """Every city page pools the same nine direct comparisons: a batch makes them once."""
    from gotone_analysis import cache, provenance
    from gotone_analysis.io import open_dataset

    ds = open_dataset(small_demo)
    survey = ds.survey("2010Q4")
    pol = Policy(seed=20100330)
    alone = pooling.pooled_lever_effects(survey, quarter="2010Q4", scope="xiamen", policy=pol)

    made: list[str] = []
    real = pooling.survey_lever_effects

    def counted(*args, **kwargs):
        made.append(kwargs["scope"])
        return real(*args, **kwargs)

    monkeypatch.setattr(pooling, "survey_lever_effects", counted)
    monkeypatch.setenv(provenance.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    for city in ("xiamen", "nanping"):
        got = pooling.pooled_lever_effects(survey, quarter="2010Q4", scope=city, policy=pol,
                                           dataset=ds)
        if city == "xiamen":  # the same tables as without the batch's cache
            for a, b in zip(got, alone, strict=True):
                pd.testing.assert_frame_equal(a, b)
                assert a.attrs == b.attrs
    assert sorted(made) == sorted(config.CITY_CODES)  # once each, for both pages
    entry = cache.entries().set_index("name").loc["survey_lever_cities"]
    assert "survey/survey_2010Q4.csv" in entry["depends"]
    assert "survey_2010Q3" not in entry["depends"]
    # another wave is another entry
    pooling.pooled_lever_effects(ds.survey("2010Q3"), quarter="2010Q3", scope="xiamen",
                                 policy=pol, dataset=ds)
    assert len(made) == 2 * len(config.CITY_CODES)
