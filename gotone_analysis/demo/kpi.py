"""Synthetic monthly BI-system counts by city (KPI) and the network benchmark."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import CITY_CODES
from ..contract import BENCHMARK_METRICS, KPI
from . import model

#: Exact province facts for December 2009 (slide 3).
SHARE_DEC_2009 = 0.4728
PURITY_DEC_2009 = 0.6965
#: Province rate paths: knots (month -> value), linear between, flat outside.
RATE_PATHS: dict[str, dict[str, float]] = {
    "purity": {"2008-01": 0.728, "2008-12": 0.721, "2009-12": PURITY_DEC_2009,
               "2010-06": 0.688, "2010-12": 0.676},
    "share": {"2008-01": 0.497, "2008-12": 0.489, "2009-12": SHARE_DEC_2009,
              "2010-06": 0.500, "2010-12": 0.527},
    "in_target": {"2008-01": 0.975, "2010-12": 0.975},  # of the GoTone mid/high
    "share200": {"2008-01": 0.640, "2009-12": 0.615, "2010-06": 0.702, "2010-12": 0.725},
    "share120": {"2008-01": 0.520, "2009-12": 0.500, "2010-06": 0.545, "2010-12": 0.585},
    "arpu200_of_target": {"2008-01": 0.26, "2010-12": 0.27},
    "arpu120_of_target": {"2008-01": 0.34, "2010-12": 0.35},
    "midhigh_all": {"2008-01": 2_700_000, "2009-12": 2_690_000, "2010-12": 2_960_000},
    "bundling": {"2008-01": 0.54, "2008-12": 0.57, "2009-12": 0.61, "2010-06": 0.705,
                 "2010-12": 0.742},
    "family": {"2008-01": 0.09, "2008-12": 0.12, "2009-12": 0.18, "2010-06": 0.31,
               "2010-12": 0.46},
    "roaming_business": {"2008-01": 0.16, "2009-12": 0.22, "2010-03": 0.31, "2010-12": 0.52},
    "roaming_service": {"2008-01": 0.10, "2009-12": 0.15, "2010-12": 0.37},
    "info": {"2008-01": 0.25, "2009-12": 0.31, "2010-12": 0.48},
    "info_two": {"2008-01": 420_000, "2009-12": 640_000, "2010-06": 900_000,
                 "2010-12": 1_250_000},
    "g3": {"2008-01": 0.0, "2009-04": 0.005, "2009-12": 0.03, "2010-12": 0.22},
    "ebill": {"2008-01": 0.55, "2009-12": 0.72, "2010-06": 0.905, "2010-12": 0.93},
    "e_transactions": {"2008-01": 0.38, "2009-12": 0.50, "2010-12": 0.78},
    "e_redemption": {"2008-01": 0.20, "2009-12": 0.31, "2010-12": 0.53},
    "expiry_rate": {"2008-01": 0.011, "2009-12": 0.008, "2010-03": 0.0045, "2010-12": 0.0035},
    "other_midhigh": {"2008-01": 880_000, "2010-12": 900_000},
}
#: Year-to-date coverage reached in December (cumulative within the year).
YTD_DECEMBER: dict[str, dict[int, float]] = {
    "redeemers": {2008: 0.30, 2009: 0.45, 2010: 0.72},
    "club": {2008: 0.25, 2009: 0.25, 2010: 0.55},
}
#: Points redeemed in the month, province (2010 sums to about 3 billion).
POINTS_MONTHLY: dict[int, float] = {2008: 120e6, 2009: 170e6, 2010: 250e6}
SEASON = np.array([1.25, 1.15, 0.95, 0.9, 0.9, 0.9, 0.95, 0.95, 0.95, 1.0, 1.0, 1.1])
#: Share of the VIP, silver and regular GoTone base covered by care calls by month end,
#: from each segment's roll-out month on (2010); before 2010 only VIP managers call.
CARE_COVER_RAMP = (0.45, 0.75, 0.90, 0.95, 0.97)


def _path(name: str, month: str) -> float:
    knots = RATE_PATHS[name]
    xs = [model.month_index(m) for m in knots]
    return float(np.interp(model.month_index(month), xs, list(knots.values())))


def _alloc(total: int, shares: np.ndarray) -> np.ndarray:
    """Integer split of ``total`` by ``shares`` summing exactly to ``total``."""
    raw = total * shares / shares.sum()
    out = np.floor(raw).astype(np.int64)
    rest = int(total - out.sum())
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


def _care_cover(month: str) -> tuple[float, float]:
    """(covered share, attained share of covered) of the GoTone base, year to date."""
    year, mon = int(month[:4]), int(month[5:7])
    if year < 2010:
        return 0.10 * min(1.0, mon / 10), 0.70
    shares = model.TIER_MIX
    seg = {"2010-03": shares["diamond"] + shares["gold"], "2010-06": shares["silver"],
           "2010-09": shares["regular"]}
    cover = 0.10 * min(1.0, mon / 10) * (1 - shares["diamond"] - shares["gold"])
    for start, share in seg.items():
        k = mon - int(start[5:7])
        if k >= 0:
            cover += share * CARE_COVER_RAMP[min(k, len(CARE_COVER_RAMP) - 1)]
        elif start == "2010-03":
            cover += share * 0.10 * min(1.0, mon / 10)
    return min(cover, 0.99), 0.78 + 0.01 * mon


def simulate_kpi(seed: int) -> pd.DataFrame:
    """Monthly counts by city, 2008-01..2010-12, every column of the KPI contract.

    GoTone customers follow the deterministic path of :mod:`~gotone_analysis.demo.model`
    (the survey's stratum populations); other counts carry small seeded city
    differences. December 2009 province totals give the exact target share (47.28 %)
    and purity (69.65 %) of the deck.

    Parameters
    ----------
    seed : int
        Seed of the city-level noise.

    Returns
    -------
    pandas.DataFrame
        One row per ``month, city`` with the columns of
        :data:`gotone_analysis.contract.KPI`, all counts ``int64``.
    """
    rng = np.random.default_rng([int(seed), 11])
    ncity = len(CITY_CODES)
    city_share = np.array([model.CITY_SHARE[c] for c in CITY_CODES])
    # persistent city differences in rates, times small monthly wobble
    city_bias = {k: rng.normal(0.0, 0.035, ncity) for k in RATE_PATHS}
    rows = []
    ytd_prev: dict[str, np.ndarray] = {}
    for month in model.MONTHS:
        year, mon = int(month[:4]), int(month[5:7])
        if mon == 1:
            ytd_prev = {}
            core_base = None
        g = np.array([model.gotone_by_city(month)[c] for c in CITY_CODES], dtype=np.int64)

        def rate(name: str, cap: float = 0.995, _g=g, _m=month) -> np.ndarray:
            # city differences around the province path, which they average to exactly
            level = _path(name, _m)
            if level <= 0.0:
                return np.zeros(ncity)
            r = level * (1 + city_bias[name] + rng.normal(0.0, 0.004, ncity))
            r = r * level * _g.sum() / float((_g * r).sum())
            return np.clip(r, 0.0, cap)

        def scaled(name: str, _m=month) -> np.ndarray:
            return _alloc(int(round(_path(name, _m))), city_share * (1 + city_bias[name]))

        row: dict[str, np.ndarray] = {"gotone_customers": g}
        row["gotone_midhigh"] = np.minimum(np.round(g * rate("purity")).astype(np.int64), g)
        row["gotone_in_target"] = np.round(row["gotone_midhigh"] * rate("in_target", 1.0)
                                           ).astype(np.int64)
        other = scaled("other_midhigh")
        target = np.round(row["gotone_in_target"] / rate("share")).astype(np.int64)
        row["target_customers"] = np.maximum(target, row["gotone_in_target"] + other // 2)
        if month == "2009-12":
            _exact_december(row)
        t = row["target_customers"]
        for band in ("200", "120"):
            tb = np.round(t * rate(f"arpu{band}_of_target")).astype(np.int64)
            row[f"target_arpu{band}"] = tb
            row[f"gotone_arpu{band}"] = np.minimum(np.round(tb * rate(f"share{band}")), tb
                                                   ).astype(np.int64)
        mh = scaled("midhigh_all")
        row["midhigh_customers"] = mh
        row["midhigh_bundled"] = np.round(mh * rate("bundling")).astype(np.int64)
        if core_base is None:
            core_base = np.round(g * 0.5).astype(np.int64)
        retention = 1 - (0.0175 if year < 2010 else 0.0125) * mon * (1 + city_bias["g3"])
        row["core_base"] = core_base
        row["core_retained"] = np.round(core_base * np.clip(retention, 0, 1)).astype(np.int64)
        new_vip = {2008: 5000, 2009: 4200, 2010: 10_600 if mon <= 4 else 5200}[year]
        row["new_vip"] = _alloc(int(new_vip * (1 + rng.normal(0, 0.03))), city_share)
        for name, col in (("family", "family_users"), ("roaming_business",
                          "roaming_business_users"), ("roaming_service",
                          "roaming_service_users"), ("info", "info_users"),
                          ("g3", "g3_users"), ("ebill", "ebill_users")):
            row[col] = np.round(g * rate(name)).astype(np.int64)
        row["info_two_users"] = np.minimum(scaled("info_two"), row["info_users"])
        cover, attained = _care_cover(month)
        row["care_target"] = g
        covered = np.round(g * np.clip(cover * (1 + 0.3 * city_bias["info"]), 0, 0.995))
        row["care_covered"] = covered.astype(np.int64)
        row["care_attained"] = np.round(covered * min(attained, 0.99)).astype(np.int64)
        calls_rate = 0.02 if year < 2010 else 0.02 + 0.30 * cover
        row["care_calls"] = np.round(g * calls_rate).astype(np.int64)
        row["care_other_target"] = other
        other_cover = 0.0 if year < 2010 else (0.004 * mon if mon < 12 else 0.24)
        row["care_other_covered"] = np.round(other * other_cover).astype(np.int64)
        redeemed = POINTS_MONTHLY[year] * SEASON[mon - 1]
        row["points_redeemed"] = _alloc(int(round(redeemed)), city_share * (1 + city_bias["e_redemption"]))
        row["points_redeemed_e"] = np.round(row["points_redeemed"] * rate("e_redemption")
                                            ).astype(np.int64)
        due = _alloc(int(round(redeemed * 0.55)), city_share)
        row["points_due"] = due
        row["points_expired"] = np.round(due * rate("expiry_rate", 1.0)).astype(np.int64)
        for key, col in (("redeemers", "redeemers_ytd"), ("club", "club_users_ytd")):
            frac = YTD_DECEMBER[key][year] * (1 - (1 - mon / 12) ** 1.6)
            frac = frac * (1 + 0.5 * city_bias["ebill" if key == "club" else "family"])
            row[col] = np.round(g * np.clip(frac, 0, 0.99)).astype(np.int64)
        row["transactions"] = _alloc(int(4_000_000 * (1 + 0.01 * (year - 2008))), city_share)
        row["e_transactions"] = np.round(row["transactions"] * rate("e_transactions")
                                         ).astype(np.int64)
        # year-to-date counts never fall within a year (and stay within their bases)
        for col, base in (("redeemers_ytd", "gotone_customers"),
                          ("club_users_ytd", "gotone_customers"),
                          ("care_covered", "care_target"),
                          ("care_other_covered", "care_other_target")):
            if col in ytd_prev:
                row[col] = np.maximum(row[col], ytd_prev[col])
            row[col] = np.minimum(row[col], row[base])
            ytd_prev[col] = row[col]
        row["care_attained"] = np.minimum(row["care_attained"], row["care_covered"])
        if "care_attained" in ytd_prev:
            row["care_attained"] = np.minimum(np.maximum(row["care_attained"],
                                                         ytd_prev["care_attained"]),
                                              row["care_covered"])
        ytd_prev["care_attained"] = row["care_attained"]
        frame = pd.DataFrame(row)
        frame.insert(0, "city", list(CITY_CODES))
        frame.insert(0, "month", month)
        rows.append(frame)
    out = pd.concat(rows, ignore_index=True)
    out = out[list(KPI.names)]
    for col in KPI.names[2:]:
        out[col] = out[col].astype("int64")
    out["month"] = out["month"].astype("str")
    out["city"] = out["city"].astype("str")
    return out


def _exact_december(row: dict[str, np.ndarray]) -> None:
    """Adjust the largest city so province purity and share hit the deck's figures."""
    g = row["gotone_customers"]
    mid = row["gotone_midhigh"]
    mid[0] += int(round(PURITY_DEC_2009 * g.sum())) - int(mid.sum())
    it = np.minimum(row["gotone_in_target"], mid)
    row["gotone_in_target"] = it
    tgt = row["target_customers"]
    tgt[0] += int(round(it.sum() / SHARE_DEC_2009)) - int(tgt.sum())


def province_rates(kpi: pd.DataFrame, month: str) -> dict[str, float]:
    """Province purity, target share and GoTone customers at ``month`` from KPI counts."""
    s = kpi[kpi["month"] == month].drop(columns=["month", "city"]).sum()
    return {"purity": s["gotone_midhigh"] / s["gotone_customers"],
            "share": s["gotone_in_target"] / s["target_customers"],
            "gotone_customers": int(s["gotone_customers"])}


#: Network-wide GoTone component averages by year (points), before the quarterly drift.
NETWORK: dict[str, dict[int, float]] = {
    "awareness": {2008: 93.6, 2009: 92.4, 2010: 92.6},
    "association": {2008: 76.4, 2009: 74.2, 2010: 74.6},
    "preference": {2008: 74.0, 2009: 72.2, 2010: 72.8},
    "loyalty": {2008: 76.0, 2009: 73.2, 2010: 73.6},
}
#: Within-year quarterly drift of the network averages (points).
NETWORK_DRIFT = np.array([0.45, 0.15, -0.15, -0.45])
#: Network satisfaction relative to Fujian's 2008 level, by year (points).
NETWORK_SAT_2008_GAP = 1.2


def benchmark() -> pd.DataFrame:
    """Network-wide GoTone averages by quarter (deterministic).

    Influence is the mean of the four components (the suite's composite); it falls
    by 2 points from 2008 to 2009 (pooled over the four waves) while Fujian's rises
    by 0.02. Network satisfaction in 2009 (mean of the four waves) is exactly
    :data:`~gotone_analysis.demo.model.SAT_ABOVE_NETWORK_2009` points below Fujian's
    pooled 2009 truth.

    Returns
    -------
    pandas.DataFrame
        Columns ``quarter, metric, value``, one row per quarter and metric.
    """
    scores = model.component_means(model.expectations(model.cells()))
    fj_q = model.pooled(scores, by="quarter")["satisfaction"]
    fj_y = model.pooled(scores)["satisfaction"]
    sat_2009 = fj_y.loc[2009] - model.SAT_ABOVE_NETWORK_2009
    rows = []
    for qi, q in enumerate(model.QUARTERS):
        year = int(q[:4])
        comps = {k: v[year] + NETWORK_DRIFT[qi % 4] for k, v in NETWORK.items()}
        comps["influence"] = float(np.mean(list(comps.values())))
        # network satisfaction moves half as much as Fujian's around its own level
        fj_dev = fj_q.loc[q] - fj_q.loc[fj_q.index.str.startswith(str(year))].mean()
        level = {2008: fj_y.loc[2008] - NETWORK_SAT_2008_GAP, 2009: sat_2009,
                 2010: fj_y.loc[2010] - 1.8}[year]
        comps["satisfaction"] = level + 0.5 * fj_dev
        for metric in BENCHMARK_METRICS:
            rows.append((q, metric, round(float(comps[metric]), 6)))
    return pd.DataFrame(rows, columns=["quarter", "metric", "value"]).astype(
        {"quarter": "str", "metric": "str", "value": "float64"})
