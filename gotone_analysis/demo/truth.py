"""Ground truth of the demo data set (``_truth/``), for tests only."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import kpi as kpi_mod
from . import model, panel
from .survey import survey_truth


def survey_summary() -> dict:
    """Exact GoTone brand and satisfaction scores by year and quarter, and the model."""
    scores = model.component_means(model.expectations(model.cells()))
    yearly = model.pooled(scores)
    quarterly = model.pooled(scores, by="quarter")
    return {
        "gotone_province_by_year": {str(y): {k: round(float(v), 10) for k, v in r.items()}
                                    for y, r in yearly.iterrows()},
        "gotone_province_by_quarter": {q: {k: round(float(v), 10) for k, v in r.items()}
                                       for q, r in quarterly.iterrows()},
        "pooling": "population-weighted (N) mean over the cells of the year's four waves",
        "satisfaction_score": "mean of sat_overall, sat_expect, sat_ideal, (x-1)/9*100",
        "satisfaction_model": {
            "form": "P(sat item) = a_cell + offset_item + sum_k beta_k*(x_k-1)/9 + "
                    "sum_l delta_l*use_l; item = 1 + Binomial(9, P)",
            "driver_beta_p_scale": dict(model.SAT_DRIVERS),
            "driver_beta_item_scale": {k: v for k, v in model.SAT_DRIVERS.items()},
            "use_delta_p_scale": dict(model.SAT_USE_EFFECT),
            "use_delta_points": {k: round(v * 100, 6) for k, v in
                                 model.SAT_USE_EFFECT.items()},
            "item_offset_p_scale": dict(model.SAT_ITEM_OFFSET),
            "note": "img_mean = mean of img_1..img_5; beta is per point of the driver on "
                    "1-10, in points of the satisfaction item on 1-10; in 2009 image and "
                    "value fall while attribute performance (pq_*) stays flat",
        },
        "loyalty_model": {"loy_stay_use_gamma_p_scale": dict(model.LOY_USE_EFFECT)},
        "use_selection": {"tier_multiplier": dict(model.USE_TIER),
                          "note": "use of each lever is more likely for VIP tiers "
                                  "(self-selection on tier); within a cell use is "
                                  "independent of the drivers"},
        "survey_naive_sat_difference": naive_survey_differences(),
        "missingness": "98/99 completely at random (about 1.5 % / 0.5 %) on opinion items; "
                       "the image battery as a whole",
    }


def naive_survey_differences() -> dict:
    """Exact naive (users minus non-users) satisfaction differences, GoTone, by year.

    Within a cell, use is independent of the drivers, so the cell's causal effect is
    ``delta`` (points); pooled over cells the naive difference also carries the tier
    mix of users (self-selection), which covariate adjustment on tier and city removes.
    """
    c = model.cells()
    e = model.expectations(c)
    g = (c["brand"] == "gotone").to_numpy()
    sat = ((e[list(model.SAT_ITEMS)].mean(axis=1) - 1) / 9 * 100).to_numpy()[g]
    n = c["N"].to_numpy(dtype=float)[g]
    year = c["quarter"].str[:4].to_numpy()[g]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for lever, delta in model.SAT_USE_EFFECT.items():
        p = c[f"use_{lever}"].to_numpy(dtype=float)[g]
        effect = delta * 100  # points on the 0-100 satisfaction score
        base = sat - effect * p
        out[lever] = {}
        for y in ("2008", "2009", "2010"):
            m = (year == y) & (p > 0)
            if not m.any():
                continue
            users = float((n[m] * p[m] * (base[m] + effect)).sum() / (n[m] * p[m]).sum())
            others = float((n[year == y] * (1 - p[year == y]) * base[year == y]).sum()
                           / (n[year == y] * (1 - p[year == y])).sum())
            out[lever][y] = {"naive": round(users - others, 10), "effect": round(effect, 10)}
    return out


def write_truth(folder: Path, *, kpi: pd.DataFrame, bench: pd.DataFrame, panel: dict,
                seed: int, scale: str) -> dict[str, int]:
    """Write ``ground_truth.json``, ``survey_truth.csv`` and ``care_att.csv``.

    Returns
    -------
    dict
        Relative file name -> rows for the CSV files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    truth = survey_truth()
    truth.to_csv(folder / "survey_truth.csv", index=False, lineterminator="\n")
    att = _care_att()
    att.to_csv(folder / "care_att.csv", index=False, lineterminator="\n")
    bpiv = bench.pivot(index="quarter", columns="metric", values="value")
    byear = bpiv.groupby(bpiv.index.str[:4]).mean()
    kpi_facts = {m: kpi_mod.province_rates(kpi, m) for m in
                 ("2008-12", "2009-12", "2010-06", "2010-12")}
    doc = {
        "synthetic": True,
        "seed": seed, "scale": scale,
        "use": "ground truth for tests only; analysis code never reads it",
        "survey": survey_summary(),
        "benchmark_by_year": {y: {k: round(float(v), 10) for k, v in r.items()}
                              for y, r in byear.iterrows()},
        "kpi_province": {m: {k: (round(float(v), 10) if isinstance(v, float) else v)
                             for k, v in r.items()} for m, r in kpi_facts.items()},
        "panel": panel,
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True, default=_jsonable)
    (folder / "ground_truth.json").write_text(text + "\n", encoding="utf-8")
    return {"_truth/survey_truth.csv": len(truth), "_truth/care_att.csv": len(att)}


def _care_att() -> pd.DataFrame:
    return panel.care_att()


def _jsonable(obj):
    if hasattr(obj, "item"):
        return obj.item()
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")
