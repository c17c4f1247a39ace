"""The demo data's generating model: populations, survey cell parameters and exact truth.

Everything here is deterministic (no seed): populations, item expectations and the
calibration to the 2009 facts of the source deck. The seeded draws live in
:mod:`gotone_analysis.demo.survey`, :mod:`~gotone_analysis.demo.kpi` and
:mod:`~gotone_analysis.demo.panel`.

Survey items follow a latent model with exactly known expectations:

* a Likert item ``x`` on 1..10 is ``1 + Binomial(9, p)``; ``ltr`` (0..10) is
  ``Binomial(10, p)``; binary items are ``Bernoulli(p)``;
* opinion items share a bounded respondent "halo" ``u`` with mean 0:
  ``p = mu + lam * u + sum_l gamma_l * use_l`` (never clipped: checked when the
  parameters are built), so ``E[x] = 1 + 9 * (mu + sum_l gamma_l * P(use_l))``;
* the three satisfaction items are linear in the respondent's own driver draws:
  ``p_sat = a + sum_k beta_k * (x_k - 1) / 9 + sum_l delta_l * use_l``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ..config import CITY_CODES, GOTONE_TIERS, PRODUCT_LEVERS
from ..contract import IMAGE_ITEMS, PERFORMANCE_ITEMS

# --- calendar ----------------------------------------------------------------------------

QUARTERS: tuple[str, ...] = tuple(f"{y}Q{q}" for y in (2008, 2009, 2010) for q in (1, 2, 3, 4))
MONTHS: tuple[str, ...] = tuple(f"{y}-{m:02d}" for y in (2008, 2009, 2010) for m in range(1, 13))
PANEL_MONTHS: tuple[str, ...] = MONTHS[12:]


def quarter_end_month(quarter: str) -> str:
    """The last month (``YYYY-MM``) of ``quarter`` (``YYYYQn``)."""
    return f"{quarter[:4]}-{int(quarter[-1]) * 3:02d}"


# --- populations ---------------------------------------------------------------------------

#: GoTone customers in the province at month end: knots (month -> customers), linear between.
GOTONE_PATH: dict[str, int] = {
    "2008-01": 2_700_000, "2008-12": 2_720_000, "2009-06": 2_640_000,
    "2009-12": 2_520_000, "2010-03": 2_552_000, "2010-06": 2_612_000,
    "2010-12": 2_765_000,
}

#: City shares of the GoTone base: Quanzhou and Fuzhou largest, then Xiamen and Zhangzhou;
#: no two cities alike (a demo whose cities share one size reads as invented).
CITY_SHARE: dict[str, float] = {
    "fuzhou": 0.214, "xiamen": 0.142, "quanzhou": 0.226, "zhangzhou": 0.104, "putian": 0.072,
    "sanming": 0.057, "nanping": 0.053, "longyan": 0.069, "ningde": 0.063,
}
#: City VIP richness (multiplies the diamond/gold share): Xiamen richest, the mountain
#: cities of the north-west poorest.
CITY_VIP: dict[str, float] = {
    "fuzhou": 1.12, "xiamen": 1.28, "quanzhou": 1.08, "zhangzhou": 0.92, "putian": 0.96,
    "sanming": 0.84, "nanping": 0.82, "longyan": 0.88, "ningde": 0.86,
}
#: Province GoTone tier mix.
TIER_MIX: dict[str, float] = {"diamond": 0.02, "gold": 0.08, "silver": 0.20, "regular": 0.70}
#: Other brands' mid/high-end customers in the province, 2008Q1, and yearly growth.
OTHER_POP: dict[str, tuple[int, float]] = {
    "mzone": (350_000, 0.00), "easyown": (550_000, -0.01), "competitor": (1_050_000, 0.03),
}
#: City effects (points on 0-100) on opinion items.
CITY_EFFECT: dict[str, float] = {
    "fuzhou": 0.5, "xiamen": 1.0, "quanzhou": 0.3, "zhangzhou": -0.3, "putian": -0.5,
    "sanming": -0.8, "nanping": -0.6, "longyan": -0.4, "ningde": -0.9,
}


def month_index(month: str) -> int:
    """Months since 2008-01 (0-based)."""
    return (int(month[:4]) - 2008) * 12 + int(month[5:7]) - 1


def gotone_province(month: str) -> int:
    """GoTone customers in the province at the end of ``month`` (deterministic path)."""
    xs = [month_index(m) for m in GOTONE_PATH]
    return int(round(float(np.interp(month_index(month), xs, list(GOTONE_PATH.values())))))


def gotone_by_city(month: str) -> dict[str, int]:
    """GoTone customers by city at the end of ``month``; sums exactly to the province."""
    total = gotone_province(month)
    out = {c: int(round(total * s)) for c, s in CITY_SHARE.items()}
    out["fuzhou"] += total - sum(out.values())
    return out


def tier_shares(city: str) -> dict[str, float]:
    """GoTone tier mix in ``city`` (VIP-rich cities hold more diamond and gold cards)."""
    m = CITY_VIP[city]
    d, g = TIER_MIX["diamond"] * m, TIER_MIX["gold"] * m
    s = TIER_MIX["silver"] * (1 + (m - 1) / 2)
    return {"diamond": d, "gold": g, "silver": s, "regular": 1.0 - d - g - s}


def other_population(brand: str, city: str, quarter: str) -> int:
    """Mid/high-end customers of another brand in ``city`` during ``quarter``."""
    base, growth = OTHER_POP[brand]
    years = QUARTERS.index(quarter) / 4.0
    return int(round(base * (1 + growth) ** years * CITY_SHARE[city]))


# --- survey cell parameters -----------------------------------------------------------------

#: Levers whose use raises satisfaction (delta, p-scale) and intention to stay (gamma).
SAT_USE_EFFECT: dict[str, float] = {"care": 0.025, "points": 0.012, "club": 0.008,
                                    "family": 0.008}
LOY_USE_EFFECT: dict[str, float] = {"points": 0.010, "club": 0.010, "family": 0.015}
#: Satisfaction drivers (p-scale coefficients): the image battery mean, value, performance.
SAT_DRIVERS: dict[str, float] = {
    "img_mean": 0.18, "val_price": 0.09, "val_quality": 0.09, "pq_network": 0.04,
    "pq_tariff": 0.03, "pq_hall": 0.01, "pq_hotline": 0.01,
}
#: Intercept offsets of the three satisfaction items (p-scale).
SAT_ITEM_OFFSET: dict[str, float] = {"sat_overall": 0.0, "sat_expect": -0.02, "sat_ideal": -0.04}
#: Half-width of the respondent halo (p-scale) and each opinion item's loading on it.
HALO = 0.10
HALO_LOADING: dict[str, float] = {
    **{i: 1.0 for i in IMAGE_ITEMS}, "pref_score": 1.0, "loy_stay": 1.0, "ltr": 1.0,
    "exp_overall": 0.6, "val_price": 0.8, "val_quality": 0.8,
    **{i: 0.6 for i in PERFORMANCE_ITEMS},
}
LIKERT_ITEMS: tuple[str, ...] = (*IMAGE_ITEMS, "pref_score", "loy_stay", "ltr", "exp_overall",
                                 "val_price", "val_quality", *PERFORMANCE_ITEMS)
SAT_ITEMS: tuple[str, ...] = tuple(SAT_ITEM_OFFSET)
IMAGE_OFFSET = np.array([3.0, 1.0, 0.0, -1.5, -2.5])

#: GoTone province paths by quarter (2008Q1..2010Q4), points on 0-100 (p-scale x 100).
GOTONE_Q: dict[str, list[float]] = {
    "aw_unaided": [90.0, 90.0, 89.5, 89.0, 88.5, 87.5, 87.0, 86.5, 87.0, 88.0, 88.5, 89.0],
    "aw_aided": [98.6, 98.5, 98.5, 98.4, 97.9, 97.8, 97.7, 97.6, 97.8, 98.0, 98.1, 98.2],
    "img": [79.2, 79.1, 79.0, 78.9, 78.5, 77.9, 77.2, 76.6, 77.0, 77.8, 78.5, 79.2],
    "pref": [76.0, 76.1, 76.2, 76.3, 77.0, 77.5, 77.9, 78.2, 78.3, 78.5, 78.7, 78.9],
    "loy": [77.6, 77.7, 77.8, 77.9, 78.6, 79.1, 79.5, 79.8, 80.0, 80.2, 80.4, 80.6],
    "val_price": [70.0, 70.0, 70.0, 70.0, 69.0, 66.0, 63.0, 60.0, 61.5, 63.0, 64.5, 66.0],
    "val_quality": [76.0, 76.0, 76.0, 76.0, 75.0, 72.5, 70.0, 67.0, 68.0, 69.5, 71.0, 72.5],
    "exp_overall": [80.0] * 12,
    "rights": [30.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 40.0, 44.0, 48.0, 52.0],
}
#: Attribute performance (flat through 2009: the fall of satisfaction is image and value).
PQ_LEVEL: dict[str, float] = {
    "pq_network": 82.0, "pq_tariff": 68.0, "pq_hall": 80.0, "pq_hotline": 79.0,
    "pq_manager": 84.0, "pq_points": 76.0, "pq_club": 75.0, "pq_family": 77.0,
    "pq_roaming": 74.0, "pq_info": 76.0, "pq_eservice": 78.0,
}
#: Lever awareness and use, GoTone province base path by quarter (probabilities).
LEVER_AW: dict[str, list[float]] = {
    "family": [0.44, 0.45, 0.45, 0.46, 0.47, 0.48, 0.49, 0.50, 0.55, 0.60, 0.65, 0.70],
    "roaming": [0.48, 0.49, 0.50, 0.50, 0.51, 0.52, 0.53, 0.54, 0.60, 0.65, 0.70, 0.75],
    "info": [0.58, 0.59, 0.60, 0.60, 0.61, 0.62, 0.63, 0.64, 0.68, 0.72, 0.76, 0.80],
    "care": [0.28, 0.28, 0.29, 0.29, 0.30, 0.30, 0.31, 0.31, 0.45, 0.60, 0.75, 0.85],
    "points": [0.54, 0.55, 0.55, 0.56, 0.60, 0.66, 0.71, 0.75, 0.78, 0.81, 0.83, 0.85],
    "club": [0.35, 0.35, 0.35, 0.35, 0.35, 0.35, 0.35, 0.35, 0.40, 0.45, 0.50, 0.55],
    "g3": [0.05, 0.08, 0.12, 0.18, 0.25, 0.32, 0.38, 0.44, 0.52, 0.60, 0.66, 0.72],
    "eservice": [0.48, 0.49, 0.50, 0.51, 0.53, 0.55, 0.57, 0.59, 0.66, 0.72, 0.78, 0.84],
}
LEVER_USE: dict[str, list[float]] = {
    "family": [0.14, 0.14, 0.15, 0.15, 0.16, 0.16, 0.17, 0.18, 0.24, 0.31, 0.38, 0.45],
    "roaming": [0.24, 0.24, 0.25, 0.25, 0.26, 0.26, 0.27, 0.28, 0.32, 0.38, 0.44, 0.50],
    "info": [0.33, 0.34, 0.34, 0.35, 0.35, 0.36, 0.36, 0.37, 0.40, 0.43, 0.46, 0.49],
    "care": [0.0] * 12,
    "points": [0.20, 0.21, 0.22, 0.22, 0.26, 0.30, 0.33, 0.36, 0.40, 0.45, 0.50, 0.55],
    "club": [0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.16, 0.22, 0.28, 0.34],
    "g3": [0.00, 0.01, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.09, 0.13, 0.17, 0.21],
    "eservice": [0.28, 0.29, 0.30, 0.31, 0.33, 0.35, 0.37, 0.39, 0.48, 0.56, 0.63, 0.70],
}
#: Self-selection in the survey: use multiplier by tier (VIPs take part more).
USE_TIER: dict[str, float] = {"diamond": 1.6, "gold": 1.35, "silver": 1.1, "regular": 0.85}
AW_TIER: dict[str, float] = {"diamond": 1.15, "gold": 1.08, "silver": 1.0, "regular": 0.97}
#: Care calls: share of a tier reached in the roll-out quarter and afterwards.
CARE_QUARTER: dict[str, str] = {"diamond": "2010Q1", "gold": "2010Q1", "silver": "2010Q2",
                                "regular": "2010Q3"}
CARE_REACH: dict[str, tuple[float, float]] = {
    "diamond": (0.45, 0.90), "gold": (0.40, 0.85), "silver": (0.35, 0.75),
    "regular": (0.30, 0.60),
}
#: Tier effects (points) on: awareness, image, preference, loyalty, drivers, satisfaction.
TIER_EFFECT: dict[str, tuple[float, ...]] = {
    "diamond": (2.0, 4.0, 5.0, 5.0, 3.0, 0.030),
    "gold": (1.5, 3.0, 3.5, 3.5, 2.4, 0.022),
    "silver": (0.5, 1.0, 1.0, 1.0, 0.8, 0.008),
    "regular": (-0.5, -1.0, -1.0, -1.0, -0.8, -0.008),
}
#: Other brands (mid/high-end): offsets to GoTone's 2008 level (points) and sat intercept.
OTHER_BRAND: dict[str, dict[str, float]] = {
    "mzone": {"aw_unaided": -12.0, "aw_aided": -1.5, "img": -8.0, "pref": -10.0, "loy": -9.0,
              "drv": -5.0, "sat": -0.015, "trend": 0.10},
    "easyown": {"aw_unaided": -8.0, "aw_aided": -1.0, "img": -12.0, "pref": -13.0,
                "loy": -10.0, "drv": -6.0, "sat": -0.010, "trend": 0.00},
    "competitor": {"aw_unaided": -20.0, "aw_aided": -4.0, "img": -10.0, "pref": -12.0,
                   "loy": -14.0, "drv": -4.0, "sat": -0.020, "trend": 0.25},
}
#: Base satisfaction intercept (p-scale) and the probability of having a customer manager.
SAT_INTERCEPT = 0.455
MANAGER: dict[str, float] = {"diamond": 0.95, "gold": 0.90, "silver": 0.50, "regular": 0.10,
                             "mid_high": 0.05}

#: Calibration targets from the deck (GoTone, province, pooled yearly waves).
INFLUENCE_TARGET: dict[int, float] = {2008: 82.68, 2009: 82.70}
#: Fujian satisfaction above the network average in 2009 (pooled), points.
SAT_ABOVE_NETWORK_2009 = 1.4

_LO, _HI = 0.02, 0.98  # bounds every item probability stays within


def _cells_base() -> pd.DataFrame:
    rows = []
    for qi, q in enumerate(QUARTERS):
        g = gotone_by_city(quarter_end_month(q))
        for city in CITY_CODES:
            shares = tier_shares(city)
            tiers_n = {t: int(round(g[city] * shares[t])) for t in GOTONE_TIERS}
            tiers_n["regular"] += g[city] - sum(tiers_n.values())
            for tier in GOTONE_TIERS:
                rows.append((qi, q, city, "gotone", tier, tiers_n[tier]))
            for brand in OTHER_POP:
                rows.append((qi, q, city, brand, "mid_high", other_population(brand, city, q)))
    return pd.DataFrame(rows, columns=["qi", "quarter", "city", "brand", "tier", "N"])


def _build_cells(pref_shift: dict[int, float]) -> pd.DataFrame:
    """All survey cells with their generating parameters (p-scale) for given pref shifts."""
    c = _cells_base()
    qi = c["qi"].to_numpy()
    year = 2008 + qi // 4
    gotone = (c["brand"] == "gotone").to_numpy()
    city_eff = c["city"].map(CITY_EFFECT).to_numpy()
    teff = np.array([TIER_EFFECT.get(t, (0.0,) * 6) for t in c["tier"]])
    oth = {k: np.array([OTHER_BRAND.get(b, {}).get(k, 0.0) for b in c["brand"]])
           for k in ("aw_unaided", "aw_aided", "img", "pref", "loy", "drv", "sat", "trend")}

    def path(name: str) -> np.ndarray:
        vals = np.asarray(GOTONE_Q[name])
        # other brands: flat at GoTone's 2008 average plus their own small trend
        other = np.mean(vals[:4]) + oth["trend"] * qi
        return np.where(gotone, vals[qi], other)

    p = {}
    p["aw_unaided"] = (path("aw_unaided") + teff[:, 0] + 0.3 * city_eff + oth["aw_unaided"]) / 100
    p["aw_aided"] = np.minimum(path("aw_aided") + 0.3 * teff[:, 0] + oth["aw_aided"], 99.6) / 100
    img = path("img") + teff[:, 1] + city_eff + oth["img"]
    for k, item in enumerate(IMAGE_ITEMS):
        p[item] = (img + IMAGE_OFFSET[k]) / 100
    shift = np.array([pref_shift.get(int(y), 0.0) for y in year])
    p["pref_score"] = (path("pref") + teff[:, 2] + city_eff + oth["pref"]
                       + np.where(gotone, shift, 0.0)) / 100
    loy = path("loy") + teff[:, 3] + city_eff + oth["loy"]
    p["loy_stay"] = (loy + 1.0) / 100
    p["ltr"] = (loy - 1.0) / 100
    drv = teff[:, 4] + 0.5 * city_eff + oth["drv"]
    p["val_price"] = (path("val_price") + drv) / 100
    p["val_quality"] = (path("val_quality") + drv) / 100
    p["exp_overall"] = (path("exp_overall") + drv) / 100
    for item, lvl in PQ_LEVEL.items():
        p[item] = (lvl + drv) / 100
    p["rights"] = np.where(gotone, (path("rights") + 2 * teff[:, 0]) / 100, np.nan)
    p["manager"] = c["tier"].map(MANAGER).to_numpy()
    for lv in PRODUCT_LEVERS:
        aw = np.asarray(LEVER_AW[lv])[qi] * c["tier"].map(AW_TIER).fillna(np.nan).to_numpy()
        use = np.asarray(LEVER_USE[lv])[qi] * c["tier"].map(USE_TIER).fillna(np.nan).to_numpy()
        if lv == "care":
            use = np.zeros(len(c))
            for tier, q0 in CARE_QUARTER.items():
                first, later = CARE_REACH[tier]
                i0 = QUARTERS.index(q0)
                m = (c["tier"] == tier).to_numpy()
                use[m & (qi == i0)] = first
                use[m & (qi > i0)] = later
        aw = np.clip(aw, 0.0, 0.97)
        use = np.minimum(np.clip(use, 0.0, 0.95), aw)
        p[f"aw_{lv}"] = np.where(gotone, aw, np.nan)
        p[f"use_{lv}"] = np.where(gotone, use, np.nan)
    p["sat_a"] = SAT_INTERCEPT + teff[:, 5] + city_eff / 300 + oth["sat"]
    for item in LIKERT_ITEMS:  # keep every respondent probability inside (0, 1)
        lam = HALO_LOADING[item] * HALO
        extra = sum(LOY_USE_EFFECT.values()) if item == "loy_stay" else 0.0
        p[item] = np.clip(p[item], _LO + lam, _HI - lam - extra)
    out = pd.concat([c, pd.DataFrame(p, index=c.index)], axis=1)
    # no clipping anywhere: every respondent probability stays inside (0, 1)
    _check_bounds(out)
    return out


def _use(cells: pd.DataFrame, lever: str) -> np.ndarray:
    return cells[f"use_{lever}"].fillna(0.0).to_numpy()


def _check_bounds(cells: pd.DataFrame) -> None:
    for item in LIKERT_ITEMS:
        lam = HALO_LOADING[item] * HALO
        up = cells[item].to_numpy() + lam
        if item == "loy_stay":
            up = up + sum(LOY_USE_EFFECT.values())
        lo = cells[item].to_numpy() - lam
        if up.max() > _HI or lo.min() < _LO:
            raise AssertionError(f"demo model: item {item} leaves (0, 1): {lo.min()}..{up.max()}")
    top = cells["sat_a"] + sum(SAT_DRIVERS.values()) + sum(SAT_USE_EFFECT.values())
    for off in SAT_ITEM_OFFSET.values():
        if (top + off).max() > 1.0 or (cells["sat_a"] + off).min() < 0.0:
            raise AssertionError("demo model: satisfaction probabilities leave (0, 1)")


def expectations(cells: pd.DataFrame) -> pd.DataFrame:
    """Exact expected value of every scored item in each cell (item units).

    Binary items: probability. Likert 1..10: ``1 + 9 p``. ``ltr``: ``10 p``.
    ``rights_aware``: ``9 p``. Expectations are among valid answers (missingness is
    completely at random); ``pq_<lever>`` among users, ``pq_manager`` among
    respondents with a manager.
    """
    e = cells[["quarter", "city", "brand", "tier", "N"]].copy()
    e["aw_unaided"] = cells["aw_unaided"]
    e["aw_aided"] = cells["aw_aided"]
    for item in LIKERT_ITEMS:
        p = cells[item].to_numpy()
        if item == "loy_stay":
            p = p + sum(g * _use(cells, lv) for lv, g in LOY_USE_EFFECT.items())
        e[item] = 10 * p if item == "ltr" else 1 + 9 * p
    drivers = sum(b * _driver_mean(cells, k) for k, b in SAT_DRIVERS.items())
    effects = sum(d * _use(cells, lv) for lv, d in SAT_USE_EFFECT.items())
    for item, off in SAT_ITEM_OFFSET.items():
        e[item] = 1 + 9 * (cells["sat_a"].to_numpy() + off + drivers + effects)
    for lv in PRODUCT_LEVERS:
        e[f"aw_{lv}"] = cells[f"aw_{lv}"]
        e[f"use_{lv}"] = cells[f"use_{lv}"]
    e["rights_aware"] = 9 * cells["rights"]
    order = ["quarter", "city", "brand", "tier", "N", "aw_unaided", "aw_aided", *IMAGE_ITEMS,
             "pref_score", "loy_stay", "ltr", *SAT_ITEMS, "exp_overall", "val_price",
             "val_quality", *PERFORMANCE_ITEMS,
             *(f"aw_{lv}" for lv in PRODUCT_LEVERS), *(f"use_{lv}" for lv in PRODUCT_LEVERS),
             "rights_aware"]
    return e[order].reset_index(drop=True)


def _driver_mean(cells: pd.DataFrame, key: str) -> np.ndarray:
    if key == "img_mean":
        return cells[list(IMAGE_ITEMS)].to_numpy().mean(axis=1)
    return cells[key].to_numpy()


def component_means(exp: pd.DataFrame) -> pd.DataFrame:
    """Exact component and satisfaction scores (0-100) per cell from item expectations."""
    out = exp[["quarter", "city", "brand", "tier", "N"]].copy()
    out["awareness"] = 100 * (0.4 * exp["aw_unaided"] + 0.6 * exp["aw_aided"])
    out["association"] = (exp[list(IMAGE_ITEMS)].mean(axis=1) - 1) / 9 * 100
    out["preference"] = (exp["pref_score"] - 1) / 9 * 100
    out["loyalty"] = 0.5 * (exp["loy_stay"] - 1) / 9 * 100 + 0.5 * exp["ltr"] * 10
    out["influence"] = out[["awareness", "association", "preference", "loyalty"]].mean(axis=1)
    out["satisfaction"] = (exp[list(SAT_ITEMS)].mean(axis=1) - 1) / 9 * 100
    return out


def pooled(scores: pd.DataFrame, by: str = "year", brand: str = "gotone") -> pd.DataFrame:
    """Population-weighted (``N``) means of the scores of ``brand`` by year or quarter."""
    s = scores[scores["brand"] == brand].copy()
    s["year"] = s["quarter"].str[:4].astype(int)
    cols = ["awareness", "association", "preference", "loyalty", "influence", "satisfaction"]
    w = s["N"].astype(float)
    num = s[cols].mul(w, axis=0).groupby(s[by]).sum()
    return num.div(w.groupby(s[by]).sum(), axis=0)


@cache
def cells() -> pd.DataFrame:
    """Calibrated survey cells: ``quarter, city, brand, tier, N`` and generating parameters.

    The preference level of GoTone is shifted per year so that the pooled influence
    index of 2008 and 2009 equals :data:`INFLUENCE_TARGET` exactly (2010 keeps the
    2009 shift).
    """
    shift = {2008: 0.0, 2009: 0.0, 2010: 0.0}
    for _ in range(50):
        c = _build_cells(shift)
        yearly = pooled(component_means(expectations(c)))
        gap = {y: INFLUENCE_TARGET[y] - yearly.loc[y, "influence"] for y in INFLUENCE_TARGET}
        if max(abs(v) for v in gap.values()) < 1e-10:
            return c
        for y, v in gap.items():
            shift[y] += 4 * v
        shift[2010] = shift[2009]
    raise AssertionError("demo model: influence calibration did not converge")
