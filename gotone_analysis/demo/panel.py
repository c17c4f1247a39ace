"""Synthetic customer-month panel, 2009-01..2010-12, streamed month by month to Parquet.

Planted effects (recorded in the ground truth):

* **Care calls** (staggered roll-out by segment, :data:`gotone_analysis.config.CARE_ROLLOUT`):
  from its segment's roll-out month on, every customer's monthly churn probability falls
  and ARPU rises by a known amount that ramps up over the first three months
  (intention to treat by segment cohort: ATT(g, t) = full effect x min(1, (t - g + 1) / 3)).
* **Points, clubs, family products**: taking part in a month lowers that month's churn
  probability and raises its ARPU by a known amount. Participation is self-selected:
  its probability rises with the customer's baseline ARPU and is higher for VIPs, who
  also spend more and churn less, so a naive participant vs non-participant
  comparison is biased. Participation is stationary over time and the untreated
  outcomes share a common time shock, so untreated trends are parallel across
  segments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..config import CARE_ROLLOUT, CITY_CODES
from ..contract import PANEL, PANEL_SEGMENTS
from . import model

SEGMENTS = PANEL_SEGMENTS
#: Monthly churn probability by segment (before effects and the common shock).
CHURN_BASE: dict[str, float] = {"vip": 0.009, "gotone_midhigh": 0.012,
                                "gotone_regular": 0.016, "other_midhigh": 0.018,
                                "other_mass": 0.030}
#: Full care effects by segment cohort: (churn, probability points; ARPU, yuan).
CARE_EFFECT: dict[str, tuple[float, float]] = {
    "vip": (-0.0015, 8.0), "gotone_midhigh": (-0.0020, 5.0),
    "gotone_regular": (-0.0025, 3.0), "other_midhigh": (-0.0020, 2.0),
}
CARE_RAMP_MONTHS = 3
#: Monthly probability of a care call once the segment is rolled out.
CARE_CALL_RATE: dict[str, float] = {"vip": 0.75, "gotone_midhigh": 0.50,
                                    "gotone_regular": 0.33, "other_midhigh": 0.25}
#: Effects of taking part in the month: (churn, ARPU yuan).
LEVER_EFFECT: dict[str, tuple[float, float]] = {
    "points": (-0.0008, 4.0), "club": (-0.0010, 6.0), "family": (-0.0015, 5.0),
}
#: Participation model: logit P = a + b * log(base_arpu / 100) + c * vip (+ brand offset).
PARTICIPATION: dict[str, dict[str, float]] = {
    "points": {"a": -1.6, "b": 0.9, "c": 0.6, "other_brand": -0.8},
    "club": {"a": -2.8, "b": 1.1, "c": 0.8, "other_brand": -9.0},
    "family": {"a": -1.7, "b": 0.7, "c": 0.3, "other_brand": -0.6},
}
#: Family products persist: monthly probability of dropping the product.
FAMILY_DROP = 0.05
#: Baseline ARPU: median by tier (yuan) and log-sd; monthly noise sd as a share of base.
ARPU_MEDIAN: dict[str, float] = {"diamond": 650.0, "gold": 380.0, "silver": 210.0,
                                 "regular": 105.0, "mid_high": 150.0, "mass": 45.0}
ARPU_SIGMA, ARPU_NOISE = 0.35, 0.06
#: Common monthly shocks (all segments alike): ARPU (yuan) and churn (probability points).
ARPU_SEASON = np.array([-2.0, -6.0, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 0.0, 1.0, 2.0, 5.0])
CHURN_SHOCK: dict[int, float] = {2009: 0.0015, 2010: 0.0005}
#: Panel composition in January 2009 (customers, full scale) besides GoTone.
OTHER_SEGMENT_SIZE: dict[str, int] = {"other_midhigh": 550_000, "other_mass": 100_000}
OTHER_BRAND_MIX: dict[str, float] = {"mzone": 0.4, "easyown": 0.6}

TIERS = ("diamond", "gold", "silver", "regular", "mid_high", "mass")
BRANDS = ("gotone", "mzone", "easyown")
_SEG = {s: i for i, s in enumerate(SEGMENTS)}
_KEY_MULT = np.uint64(0x9E3779B97F4A7C15)
_KEY_MASK = np.uint64((1 << 40) - 1)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def care_effect(segment: str, month: str) -> tuple[float, float]:
    """Planted care effect (churn, ARPU) for ``segment``'s cohort in ``month``."""
    start = CARE_ROLLOUT.get(segment)
    if start is None or month < start:
        return 0.0, 0.0
    e = model.month_index(month) - model.month_index(start)
    w = min(1.0, (e + 1) / CARE_RAMP_MONTHS)
    churn, arpu = CARE_EFFECT[segment]
    return churn * w, arpu * w


def care_att() -> pd.DataFrame:
    """ATT(g, t) of the care roll-out: one row per cohort (segment) and treated month.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment, cohort`` (roll-out month), ``month``, ``exposure`` (months
        since roll-out), ``att_churn`` (probability points) and ``att_arpu`` (yuan).
    """
    rows = []
    for seg, start in CARE_ROLLOUT.items():
        for month in model.PANEL_MONTHS:
            if month >= start:
                c, a = care_effect(seg, month)
                rows.append((seg, start, month,
                             model.month_index(month) - model.month_index(start), c, a))
    return pd.DataFrame(rows, columns=["segment", "cohort", "month", "exposure", "att_churn",
                                       "att_arpu"])


def _key_bytes(ids: np.ndarray, salt: int) -> np.ndarray:
    """Pseudonymous fixed-width keys ``C`` + 10 hex digits (a bijection of the id)."""
    k = (ids.astype(np.uint64) * _KEY_MULT + np.uint64(salt)) & _KEY_MASK
    shifts = np.arange(36, -1, -4, dtype=np.uint64)
    out = np.empty((len(ids), 11), dtype=np.uint8)
    out[:, 0] = ord("C")
    out[:, 1:] = _HEX[((k[:, None] >> shifts) & np.uint64(15)).astype(np.uint8)]
    return out


def _key_array(keys: np.ndarray) -> pa.Array:
    n = len(keys)
    buf = pa.py_buffer(np.ascontiguousarray(keys).tobytes())
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(11), n, [None, buf])
    return fixed.cast(pa.binary()).cast(pa.string())


def _labels(codes: np.ndarray, labels: tuple[str, ...], mask: np.ndarray | None = None
            ) -> pa.Array:
    arr = pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int8), mask=mask), pa.array(list(labels), pa.string()))
    return arr.dictionary_decode()


class _Population:
    """Active customers as parallel numpy arrays."""

    def __init__(self) -> None:
        self.cols: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.cols["id"]) if self.cols else 0

    def add(self, new: dict[str, np.ndarray]) -> None:
        if not self.cols:
            self.cols = new
        else:
            self.cols = {k: np.concatenate([v, new[k]]) for k, v in self.cols.items()}

    def keep(self, mask: np.ndarray) -> None:
        self.cols = {k: v[mask] for k, v in self.cols.items()}


def _segment_targets(month: str, factor: float) -> dict[str, int]:
    g = model.gotone_province(month) * factor
    mix = model.TIER_MIX
    return {"vip": int(round(g * (mix["diamond"] + mix["gold"]))),
            "gotone_midhigh": int(round(g * mix["silver"])),
            "gotone_regular": int(round(g * mix["regular"])),
            **{s: int(round(n * factor)) for s, n in OTHER_SEGMENT_SIZE.items()}}


def _new_customers(rng: np.random.Generator, counts: dict[str, int], next_id: int, salt: int
                   ) -> dict[str, np.ndarray]:
    seg = np.concatenate([np.full(n, _SEG[s], np.int8) for s, n in counts.items()])
    n = len(seg)
    city_p = np.array([model.CITY_SHARE[c] for c in CITY_CODES])
    city = rng.choice(len(CITY_CODES), size=n, p=city_p / city_p.sum()).astype(np.int8)
    tier = np.empty(n, np.int8)
    brand = np.zeros(n, np.int8)
    u = rng.random(n)
    vip_gold = model.TIER_MIX["gold"] / (model.TIER_MIX["gold"] + model.TIER_MIX["diamond"])
    tier[seg == _SEG["vip"]] = np.where(u[seg == _SEG["vip"]] < vip_gold, 1, 0)
    tier[seg == _SEG["gotone_midhigh"]] = 2
    tier[seg == _SEG["gotone_regular"]] = 3
    other = seg >= _SEG["other_midhigh"]
    tier[seg == _SEG["other_midhigh"]] = 4
    tier[seg == _SEG["other_mass"]] = 5
    brand[other] = np.where(u[other] < OTHER_BRAND_MIX["mzone"], 1, 2)
    med = np.array([ARPU_MEDIAN[t] for t in TIERS])[tier]
    base = med * np.exp(rng.normal(0.0, ARPU_SIGMA, n))
    ids = np.arange(next_id, next_id + n, dtype=np.int64)
    fam_p = _participation_p("family", base, tier, brand)
    return {"id": ids, "key": _key_bytes(ids, salt), "city": city, "seg": seg, "tier": tier,
            "brand": brand, "base": base, "family": rng.random(n) < fam_p}


def _participation_p(lever: str, base: np.ndarray, tier: np.ndarray, brand: np.ndarray
                     ) -> np.ndarray:
    c = PARTICIPATION[lever]
    z = (c["a"] + c["b"] * np.log(base / 100.0) + c["c"] * (tier <= 1)
         + c["other_brand"] * (brand != 0))
    return _expit(z)


def write_panel(folder: Path, *, seed: int, customers: int,
                survey_links: dict[str, pd.DataFrame] | None = None) -> dict:
    """Simulate the panel and write ``folder/month=YYYY-MM/part-0.parquet``, one month at a time.

    Parameters
    ----------
    folder : pathlib.Path
        The ``panel`` folder (created).
    seed : int
        Random seed.
    customers : int
        Panel size in January 2009 (the full province is about 3.35 million).
    survey_links : dict of str to pandas.DataFrame, optional
        Survey waves (quarter -> canonical frame) whose GoTone respondents get the
        ``cust_key`` of a panel customer of the same city and tier active in the
        quarter's last month; the frames are updated in place.

    Returns
    -------
    dict
        Ground truth of the panel (JSON-serialisable) plus ``_rows`` (file -> rows).
    """
    rng = np.random.default_rng([int(seed), 23])
    salt = int(np.random.default_rng([int(seed), 29]).integers(0, 1 << 40))
    full = model.gotone_province("2009-01") + sum(OTHER_SEGMENT_SIZE.values())
    factor = customers / full
    pop = _Population()
    next_id = 0
    rows: dict[str, int] = {}
    naive = {lv: np.zeros((2, 2)) for lv in LEVER_EFFECT}  # [part][sum arpu, n]
    naive_churn = {lv: np.zeros((2, 2)) for lv in LEVER_EFFECT}
    start_idx = np.array([model.month_index(CARE_ROLLOUT[s]) if s in CARE_ROLLOUT else 10**6
                          for s in SEGMENTS])
    care_labels = tuple(CARE_ROLLOUT.get(s, "") for s in SEGMENTS)
    total_customers = 0
    for month in model.PANEL_MONTHS:
        k = model.month_index(month)
        targets = _segment_targets(month, factor)
        have = np.bincount(pop.cols["seg"], minlength=len(SEGMENTS)) if len(pop) else \
            np.zeros(len(SEGMENTS), int)
        need = {s: max(0, targets[s] - int(have[_SEG[s]])) for s in SEGMENTS}
        if sum(need.values()):
            new = _new_customers(rng, need, next_id, salt)
            next_id += len(new["id"])
            pop.add(new)
        c = pop.cols
        n = len(pop)
        total_customers = next_id
        # participation (self-selected, stationary)
        part = {}
        part["points"] = rng.random(n) < _participation_p("points", c["base"], c["tier"],
                                                          c["brand"])
        part["club"] = rng.random(n) < _participation_p("club", c["base"], c["tier"],
                                                        c["brand"])
        # family: Markov chain whose stationary share is the participation probability
        pi = _participation_p("family", c["base"], c["tier"], c["brand"])
        up = FAMILY_DROP * pi / (1 - pi)
        u = rng.random(n)
        fam = np.where(c["family"], u >= FAMILY_DROP, u < up)
        c["family"] = fam
        part["family"] = fam
        treated = start_idx[c["seg"]] <= k
        call_rate = np.array([CARE_CALL_RATE.get(s, 0.0) for s in SEGMENTS])[c["seg"]]
        part_care = treated & (rng.random(n) < call_rate)
        # outcomes
        care_c = np.array([care_effect(s, month)[0] for s in SEGMENTS])[c["seg"]]
        care_a = np.array([care_effect(s, month)[1] for s in SEGMENTS])[c["seg"]]
        p_churn = (np.array([CHURN_BASE[s] for s in SEGMENTS])[c["seg"]]
                   + CHURN_SHOCK[int(month[:4])] + care_c)
        arpu = (c["base"] + ARPU_SEASON[int(month[5:7]) - 1] + 0.2 * (k - 12) + care_a
                + rng.normal(0.0, 1.0, n) * ARPU_NOISE * c["base"])
        for lv, (dc, da) in LEVER_EFFECT.items():
            p_churn = p_churn + dc * part[lv]
            arpu = arpu + da * part[lv]
        churned = rng.random(n) < p_churn
        arpu = np.round(np.maximum(arpu, 1.0), 2)
        for lv in LEVER_EFFECT:
            for flag in (0, 1):
                sel = part[lv] == bool(flag)
                naive[lv][flag] += (arpu[sel].sum(), sel.sum())
                naive_churn[lv][flag] += (churned[sel].sum(), sel.sum())
        table = pa.table({
            "cust_key": _key_array(c["key"]),
            "month": _labels(np.zeros(n, np.int8), (month,)),
            "city": _labels(c["city"], CITY_CODES),
            "brand": _labels(c["brand"], BRANDS),
            "tier": _labels(c["tier"], TIERS),
            "segment": _labels(c["seg"], SEGMENTS),
            "arpu": pa.array(arpu, pa.float64()),
            "churned": pa.array(churned.astype(np.int8)),
            "care_start": _labels(c["seg"], care_labels,
                                  mask=c["seg"] == _SEG["other_mass"]),
            "part_care": pa.array(part_care.astype(np.int8)),
            "part_points": pa.array(part["points"].astype(np.int8)),
            "part_club": pa.array(part["club"].astype(np.int8)),
            "part_family": pa.array(part["family"].astype(np.int8)),
        })
        assert tuple(table.column_names) == PANEL.names
        out = folder / f"month={month}"
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, out / "part-0.parquet", compression="zstd",
                       compression_level=1,
                       use_dictionary=[x for x in PANEL.names if x not in ("cust_key", "arpu")])
        rows[f"panel/month={month}/part-0.parquet"] = n
        quarter = f"{month[:4]}Q{(int(month[5:7]) - 1) // 3 + 1}"
        if survey_links and quarter in survey_links and int(month[5:7]) % 3 == 0:
            _link(rng, survey_links[quarter], c)
        del table
        pop.keep(~churned)
    return _truth(naive, naive_churn, total_customers, sum(rows.values()), rows)


def _link(rng: np.random.Generator, wave: pd.DataFrame, c: dict[str, np.ndarray]) -> None:
    """Give each GoTone respondent the key of an active panel customer of its city and tier."""
    keys = np.full(len(wave), None, dtype=object)
    city_idx = wave["city"].map({x: i for i, x in enumerate(CITY_CODES)}).to_numpy()
    tier_idx = wave["tier"].map({x: i for i, x in enumerate(TIERS)}).to_numpy()
    gotone = (wave["brand"] == "gotone").to_numpy()
    cell = c["city"].astype(np.int64) * len(TIERS) + c["tier"]
    order = np.argsort(cell, kind="stable")
    bounds = np.searchsorted(cell[order], np.arange(len(CITY_CODES) * len(TIERS) + 1))
    want = city_idx * len(TIERS) + tier_idx
    for h in np.unique(want[gotone]):
        resp = np.flatnonzero(gotone & (want == h))
        pool = order[bounds[h]:bounds[h + 1]]
        if len(pool) == 0:
            continue
        pick = rng.choice(pool, size=len(resp), replace=len(pool) < len(resp))
        raw = c["key"][pick]
        keys[resp] = [bytes(r).decode("ascii") for r in raw]
    wave["cust_key"] = pd.Series(keys, index=wave.index, dtype="str")


def _truth(naive: dict, naive_churn: dict, customers: int, customer_months: int,
           rows: dict[str, int]) -> dict:
    levers = {}
    for lv, (dc, da) in LEVER_EFFECT.items():
        a, ch = naive[lv], naive_churn[lv]
        levers[lv] = {
            "effect_churn": dc, "effect_arpu": da,
            "naive_arpu_difference": float(a[1, 0] / a[1, 1] - a[0, 0] / a[0, 1]),
            "naive_churn_difference": float(ch[1, 0] / ch[1, 1] - ch[0, 0] / ch[0, 1]),
            "participation": PARTICIPATION[lv],
        }
    return {
        "customers": int(customers), "customer_months": int(customer_months),
        "care": {
            "rollout": dict(CARE_ROLLOUT),
            "full_effect": {s: {"churn": v[0], "arpu": v[1]} for s, v in CARE_EFFECT.items()},
            "ramp_months": CARE_RAMP_MONTHS,
            "call_rate": dict(CARE_CALL_RATE),
            "definition": "ATT(g,t) for every customer of segment cohort g active in month "
                          "t >= g (intention to treat): full effect x min(1, (t-g+1)/3); "
                          "other_mass is never treated",
            "att_file": "_truth/care_att.csv",
        },
        "levers": levers,
        "participation_model": "logit P(part in month) = a + b*log(base_arpu/100) + c*vip "
                               "+ other_brand*(brand != gotone); base_arpu = the customer's "
                               "baseline monthly spend (lognormal by tier); family products "
                               "follow a stationary Markov chain (monthly drop "
                               f"{FAMILY_DROP}) with that probability as its share",
        "churn_base": dict(CHURN_BASE), "churn_common_shock": {str(k): v for k, v in
                                                                CHURN_SHOCK.items()},
        "arpu_model": "arpu = base_arpu + season(month) + 0.2*(months since 2009-12) + "
                      "care effect + lever effects + N(0, (0.06*base_arpu)^2)",
        "_rows": rows,
    }
