"""Synthetic quarterly survey samples drawn from :mod:`gotone_analysis.demo.model`."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ..config import CITY_CODES, GOTONE_TIERS, MISSING_CODES, PRODUCT_LEVERS
from ..contract import IMAGE_ITEMS, PERFORMANCE_ITEMS, SURVEY, VALUE_ITEMS
from . import model

#: Share of the GoTone sample by tier within a city (VIP tiers oversampled).
TIER_ALLOCATION: dict[str, float] = {"diamond": 0.15, "gold": 0.20, "silver": 0.25,
                                     "regular": 0.40}
GOTONE_SAMPLE_SHARE = 0.72
#: Minimum respondents per main GoTone stratum (small cities), at n = 3000.
STRATUM_FLOOR = 35
#: Don't know (99) and refused (98) rates on opinion items.
DK_RATE, REFUSED_RATE = 0.015, 0.005
#: Pay-per-use levers with a performance item asked of users only.
LEVER_PQ: dict[str, str] = {"points": "pq_points", "club": "pq_club", "family": "pq_family",
                            "roaming": "pq_roaming", "info": "pq_info",
                            "eservice": "pq_eservice"}
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")
#: Age mix by tier group, and median ARPU (yuan) by tier.
AGE_MIX: dict[str, tuple[float, ...]] = {
    "vip": (0.03, 0.22, 0.38, 0.27, 0.10), "gotone": (0.08, 0.32, 0.32, 0.20, 0.08),
    "other": (0.25, 0.35, 0.22, 0.13, 0.05),
}
ARPU_MEDIAN: dict[str, float] = {"diamond": 650.0, "gold": 380.0, "silver": 210.0,
                                 "regular": 105.0, "mid_high": 150.0, "mass": 45.0}


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    rest = total - out.sum()
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


@cache
def allocation(n: int = 3000) -> dict[str, int]:
    """Respondents per stratum (``city_tier``) for a sample of about ``n``.

    GoTone: city totals proportional to the square root of the city's size, split by
    :data:`TIER_ALLOCATION`, with a floor per stratum; other brands' mid/high-end: one
    stratum per city, proportional to the square root of its size.
    """
    floor = max(2, round(STRATUM_FLOOR * n / 3000))
    sq = np.sqrt(np.array([model.CITY_SHARE[c] for c in CITY_CODES]))
    gt = _largest_remainder(round(n * GOTONE_SAMPLE_SHARE), sq)
    ot = _largest_remainder(n - int(gt.sum()), sq)
    out: dict[str, int] = {}
    for city, n_city, n_other in zip(CITY_CODES, gt, ot, strict=True):
        for tier in GOTONE_TIERS:
            out[f"{city}_{tier}"] = max(floor, int(round(n_city * TIER_ALLOCATION[tier])))
        out[f"{city}_mid_high"] = max(floor, int(n_other))
    return out


def _cell_rows(quarter: str, n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The quarter's cells and, per respondent, the index of its cell."""
    c = model.cells()
    c = c[c["quarter"] == quarter].reset_index(drop=True)
    if c.empty:
        raise ValueError(f"quarter {quarter!r} is outside the demo's range "
                         f"{model.QUARTERS[0]}..{model.QUARTERS[-1]}")
    alloc = allocation(n)
    idx = []
    strata = (c["city"] + "_" + c["tier"]).to_numpy()
    for stratum, n_h in alloc.items():
        members = np.flatnonzero(strata == stratum)
        # within the mid/high stratum, brands proportional to their population
        counts = _largest_remainder(n_h, c.loc[members, "N"].to_numpy(dtype=float))
        idx.append(np.repeat(members, counts))
    return c, np.concatenate(idx)


def _likert(rng: np.random.Generator, p: np.ndarray, top: int = 9, base: int = 1) -> np.ndarray:
    return base + rng.binomial(top, np.clip(p, 0.0, 1.0))


def simulate_survey(quarter: str, *, seed: int, n: int = 3000, raw: bool = False,
                    ) -> pd.DataFrame:
    """Draw one quarter's survey sample from the demo's generating model.

    Parameters
    ----------
    quarter : str
        Survey wave ``YYYYQn`` between 2008Q1 and 2010Q4.
    seed : int
        Seed; the same ``(quarter, seed, n)`` always gives the same sample.
    n : int, default 3000
        Approximate sample size (stratum floors may add a few respondents).
    raw : bool, default False
        ``True``: keep the 98/99 (refused / don't know) codes exactly as the demo's
        CSV files hold them. ``False``: read them as missing, as the data layer does.

    Returns
    -------
    pandas.DataFrame
        One row per respondent, the columns of :data:`gotone_analysis.contract.SURVEY`
        in contract order. ``weight = N_h / n_h`` with ``N_h`` the stratum population
        (``stratum_pop``); ``cust_key`` is empty here (the files link 2009-2010
        GoTone respondents to panel keys); ``psu`` is empty.
    """
    c, ci = _cell_rows(quarter, n)
    m = len(ci)
    qi = model.QUARTERS.index(quarter)
    rng = np.random.default_rng([int(seed), 7, qi, int(n)])
    cell = c.iloc[ci].reset_index(drop=True)
    tier = cell["tier"].to_numpy()
    gotone = (cell["brand"] == "gotone").to_numpy()
    stratum = (cell["city"] + "_" + cell["tier"]).to_numpy()
    alloc = allocation(n)
    n_h = np.array([alloc[s] for s in stratum], dtype=float)
    pop = c.assign(stratum=c["city"] + "_" + c["tier"]).groupby("stratum")["N"].sum()
    N_h = pop.reindex(stratum).to_numpy(dtype=float)

    def col(name: str) -> np.ndarray:
        return cell[name].to_numpy(dtype=float)

    out: dict[str, object] = {
        "resp_id": [f"{quarter}-{i + 1:05d}" for i in range(m)],
        "quarter": np.full(m, quarter, dtype=object),
        "city": cell["city"].to_numpy(), "brand": cell["brand"].to_numpy(), "tier": tier,
        "stratum": stratum, "weight": N_h / n_h, "stratum_pop": N_h,
        "psu": np.full(m, None, dtype=object), "cust_key": np.full(m, None, dtype=object),
        "phone": _phones(m, [int(seed), 11, qi, int(n)]),
    }
    # demographics
    vip = np.isin(tier, ("diamond", "gold"))
    out["gender"] = np.where(rng.random(m) < np.where(vip, 0.64, 0.55), "M", "F")
    group = np.where(vip, "vip", np.where(gotone, "gotone", "other"))
    cum = {g: np.cumsum(v) for g, v in AGE_MIX.items()}
    u = rng.random(m)
    age_idx = np.zeros(m, dtype=int)
    for g, cs in cum.items():
        sel = group == g
        age_idx[sel] = np.minimum(np.searchsorted(cs, u[sel], side="right"), len(AGE_BANDS) - 1)
    out["age_band"] = np.asarray(AGE_BANDS, dtype=object)[age_idx]
    ten_mean = np.where(vip, 9.0, np.where(gotone, 6.0, 3.5))
    tenure = np.minimum(rng.poisson(ten_mean), 30).astype(float)
    tenure[rng.random(m) < 0.005] = np.nan
    out["tenure_years"] = tenure
    med = np.array([ARPU_MEDIAN[t] for t in tier])
    out["arpu"] = np.round(med * np.exp(rng.normal(0.0, 0.35, m)), 2)

    # lever awareness and use (GoTone only); use implies awareness
    use: dict[str, np.ndarray] = {}
    for lv in PRODUCT_LEVERS:
        p_aw = np.nan_to_num(col(f"aw_{lv}"))
        p_use = np.nan_to_num(col(f"use_{lv}"))
        aw = rng.random(m) < p_aw
        cond = np.divide(p_use, p_aw, out=np.zeros(m), where=p_aw > 0)
        us = aw & (rng.random(m) < cond)
        use[lv] = us.astype(float)
        out[f"aw_{lv}"] = np.where(gotone, aw.astype(float), np.nan)
        out[f"use_{lv}"] = np.where(gotone, us.astype(float), np.nan)

    # opinion items: bounded halo with mean 0
    halo = model.HALO * (2 * rng.beta(2.0, 2.0, m) - 1)
    draws: dict[str, np.ndarray] = {}
    for item in model.LIKERT_ITEMS:
        p = col(item) + model.HALO_LOADING[item] * halo
        if item == "loy_stay":
            p = p + sum(g * use[lv] for lv, g in model.LOY_USE_EFFECT.items())
        draws[item] = (rng.binomial(10, p) if item == "ltr" else _likert(rng, p)).astype(float)
    drivers = sum(b * (_driver(draws, k) - 1) / 9 for k, b in model.SAT_DRIVERS.items())
    effects = sum(d * use[lv] for lv, d in model.SAT_USE_EFFECT.items())
    for item, off in model.SAT_ITEM_OFFSET.items():
        draws[item] = _likert(rng, col("sat_a") + off + drivers + effects).astype(float)

    out["aw_unaided"] = (rng.random(m) < col("aw_unaided")).astype(float)
    out["aw_aided"] = np.maximum(out["aw_unaided"], rng.random(m) < _aided_given(cell))
    # missing where not applicable
    has_manager = rng.random(m) < col("manager")
    draws["pq_manager"][~has_manager] = np.nan
    for lv, item in LEVER_PQ.items():
        draws[item][use[lv] == 0] = np.nan
    # 98/99 completely at random; the image battery as a whole
    battery = _dk_codes(rng, m)
    for item in IMAGE_ITEMS:
        draws[item] = np.where(np.isnan(battery), draws[item], battery)
    for item in (*model.SAT_ITEMS, "pref_score", "loy_stay", "ltr", "exp_overall",
                 *VALUE_ITEMS, *PERFORMANCE_ITEMS):
        codes = _dk_codes(rng, m)
        draws[item] = np.where(np.isnan(codes) | np.isnan(draws[item]), draws[item], codes)
    out.update(draws)
    out["complaint"] = (rng.random(m) < np.where(gotone, 0.07, 0.09)).astype(float)
    rights = rng.binomial(9, np.nan_to_num(col("rights"))).astype(float)
    rights[rng.random(m) < 0.01] = 99
    out["rights_aware"] = np.where(gotone, rights, np.nan)
    return _frame(out, raw)


def _aided_given(cell: pd.DataFrame) -> np.ndarray:
    """P(aided | not unaided) so that P(aided) is the cell's value."""
    pu, pa = cell["aw_unaided"].to_numpy(), cell["aw_aided"].to_numpy()
    return (pa - pu) / (1 - pu)


def _driver(draws: dict[str, np.ndarray], key: str) -> np.ndarray:
    if key == "img_mean":
        return np.mean([draws[i] for i in IMAGE_ITEMS], axis=0)
    return draws[key]


def _dk_codes(rng: np.random.Generator, m: int) -> np.ndarray:
    u = rng.random(m)
    return np.where(u < DK_RATE, 99.0, np.where(u < DK_RATE + REFUSED_RATE, 98.0, np.nan))


def _phones(m: int, seed: list[int]) -> np.ndarray:
    """Invented 11-digit mobile numbers (1[3-9] and nine digits), from their own seed so
    that no other column changes: personal data the reports must never publish."""
    rng = np.random.default_rng(seed)
    second = rng.integers(3, 10, m)
    rest = rng.integers(0, 10**9, m)
    return np.array([f"1{a}{b:09d}" for a, b in zip(second, rest, strict=True)], dtype=object)


def _frame(out: dict[str, object], raw: bool) -> pd.DataFrame:
    df = pd.DataFrame({name: out[name] for name in SURVEY.names})
    for column in SURVEY.columns:
        if column.type in ("likert", "binary") or column.name in ("rights_aware", "tenure_years"):
            s = df[column.name].astype("float64")
            if not raw and column.missing_codes:
                s = s.where(~s.isin(MISSING_CODES))
            df[column.name] = s.astype("Int64")
        elif column.type in ("str", "code", "quarter"):
            df[column.name] = pd.Series(np.asarray(out[column.name], dtype=object), dtype="str")
    return df


def survey_truth(quarters: list[str] | tuple[str, ...] | str | None = None) -> pd.DataFrame:
    """Exact expected item values per survey cell, the truth the survey samples estimate.

    Parameters
    ----------
    quarters : str or sequence of str, optional
        Waves ``YYYYQn`` to return; all of 2008Q1..2010Q4 by default.

    Returns
    -------
    pandas.DataFrame
        One row per ``quarter, city, brand, tier`` cell with ``N`` (the cell's
        population; a survey stratum ``city_tier`` is the sum of its cells) and the exact
        expectation of each item: binary items as probabilities (``aw_unaided``,
        ``aw_aided``, ``aw_<lever>``, ``use_<lever>``), Likert items as the expected
        value among valid answers on their own scale (``img_1``..``img_5``,
        ``pref_score``, ``loy_stay``, ``sat_*``, ``val_*``, ``pq_*``, ``exp_overall`` on
        1-10, ``ltr`` on 0-10), ``rights_aware`` on 0-9. Lever items are NaN for other
        brands. ``pq_manager`` is among respondents with a manager and ``pq_<lever>``
        among the lever's users.

    Notes
    -----
    Every brand component and the satisfaction score are linear in these items and
    missing answers are missing completely at random (the image battery as a whole),
    so the true component value of any domain is the ``N``-weighted mean of the
    linear score of the cells' expectations, e.g. true awareness =
    ``sum(N * 100 * (0.4 * aw_unaided + 0.6 * aw_aided)) / sum(N)``; pooled yearly
    values weight the four waves' cells by their ``N`` alike.
    """
    exp = _truth_all()
    if quarters is None:
        return exp.copy()
    qs = [quarters] if isinstance(quarters, str) else list(quarters)
    unknown = sorted(set(qs) - set(model.QUARTERS))
    if unknown:
        raise ValueError(f"quarters outside the demo's range: {unknown}")
    return exp[exp["quarter"].isin(qs)].reset_index(drop=True)


@cache
def _truth_all() -> pd.DataFrame:
    return model.expectations(model.cells())
