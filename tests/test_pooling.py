"""City survey comparisons as small-area estimates (partial pooling across the cities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import config
from gotone_analysis.policy import quantile
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
    out = pooling.shrink(y, se)
    assert out["tau2"] == 0.0
    np.testing.assert_allclose(out["estimate"], out["mean"])
    np.testing.assert_allclose(out["se"] ** 2, out["mean_se"] ** 2 + 2 / 2 * (y - 1.0) ** 2)
    assert np.all(np.isfinite(out["se"]))


def test_a_city_comparison_is_pooled_and_the_province_is_not(small_demo):
    from gotone_analysis.io import open_dataset

    survey = open_dataset(small_demo).survey("2010Q4")
    prov, _, _ = pooling.pooled_lever_effects(survey, quarter="2010Q4", scope="province")
    direct, _, _ = survey_lever_effects(survey, quarter="2010Q4", scope="province")
    pd.testing.assert_frame_equal(prov, direct)
    assert prov.attrs["pooled"] == 0 and sentences.pooling_note(prov, "en") == ""

    by_city = {c: pooling.pooled_lever_effects(survey, quarter="2010Q4", scope=c)[0]
               for c in config.CITY_CODES}
    rows = pd.concat([t.assign(city=c) for c, t in by_city.items()], ignore_index=True)
    sat = rows[(rows["kind"] == "adjusted") & (rows["outcome"] == "satisfaction")]
    assert (sat["cities_pooled"] == len(config.CITY_CODES)).all()
    # the city furthest from the cities' mean moves towards it, and its interval is the
    # policy's around the pooled estimate
    club = sat[sat["lever"] == "club"]
    far = club.loc[(club["direct_estimate"] - club["direct_estimate"].mean()).abs().idxmax()]
    assert abs(far["estimate"] - club["direct_estimate"].mean()) < abs(
        far["direct_estimate"] - club["direct_estimate"].mean())
    assert far["ci_high"] - far["estimate"] == pytest.approx(quantile() * far["se"])
    # the nine pooled estimates scatter less than the nine direct ones, and their intervals
    # cover the planted satisfaction effects at least as often
    rows = sat
    spread = rows.groupby("lever")[["estimate", "direct_estimate"]].std()
    assert (spread["estimate"] < 0.8 * spread["direct_estimate"]).all()
    planted = rows["lever"].map({"care": 2.5, "points": 1.2, "club": 0.8, "family": 0.8})
    half = quantile() * rows["direct_se"]
    direct_covers = ((rows["direct_estimate"] - half < planted)
                     & (planted < rows["direct_estimate"] + half)).sum()
    pooled_covers = ((rows["ci_low"] < planted) & (planted < rows["ci_high"])).sum()
    assert pooled_covers >= direct_covers
    note = sentences.pooling_note(by_city["nanping"], "en")
    assert "small-area estimates" in note and "9 cities" in note
