"""Coverage study: do the published 95 % intervals cover the demo's planted truth?

``python benchmarks/run.py coverage`` (``make coverage``) draws the synthetic demo data
set with several seeds (small scale, each into its own temporary folder), runs the
published estimators of every scope (province and nine cities) and every wave exactly as
the report notebooks call them, and compares each interval with the truth the demo
generator planted (``gotone_analysis.demo``; analysis code never reads it, this study
does):

* ``survey_lever`` -- adjusted (AIPW) survey comparisons of users and non-users
  (:func:`~gotone_analysis.reports.program_effects.survey_levers.survey_lever_effects`):
  the planted effect of use, ``100 * SAT_USE_EFFECT`` on satisfaction and
  ``100 * LOY_USE_EFFECT`` on loyalty (0-100; no clipping anywhere in the model, so the
  item-scale effect is exactly this; care has no loyalty effect: a planted zero);
* ``care_att`` -- the care-call DiD overall ATT per outcome (``care_summary``): the
  planted ATT(g,t) (``demo.panel.care_att``) aggregated with the estimator's own
  cohort weights;
* ``panel_lever`` -- the within-customer ARPU effect of points, club and family
  (``demo.panel.LEVER_EFFECT``);
* ``satisfaction_index`` -- the satisfaction score by wave (``satisfaction_trend``);
* ``influence_index`` and ``brand_components`` -- the influence index and its four
  components by wave (``brand_equity.scores.components``);
* ``scorecard_survey`` -- the survey actuals of the 139 scorecard
  (``scorecard_139.actuals.ActualsContext.history``).

The truth of a survey domain is the population (``N``) weighted mean of the exact cell
expectations (``demo.survey.survey_truth``), over the GoTone cells of the scope and
wave (among users for a lever's performance item). Every interval the page would show
counts; suppressed (small-base) cells do not.

Claims: on each program-effects page (one scope x one wave) the family of effects is
tested as the notebook does (:func:`~gotone_analysis.reports.program_effects.claims.effect_family`);
a claim is false when the truth is zero or of the other sign.

Prints ``coverage_<family>=`` with ``<family>_intervals=`` and the binomial 95 % interval
of the coverage (``<family>_coverage_low/high``), then ``false_claims_share``,
``claims``, ``pages_with_false_claim_share``, ``pages``. Options: ``--seeds N``
(default 12), ``--first-seed S``, ``--jobs J`` (default: the usable cores),
``--scopes a,b`` (default all).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from scipy import stats

from gotone_analysis import io, panel
from gotone_analysis.config import CITY_CODES, PROVINCE
from gotone_analysis.demo import build, model
from gotone_analysis.demo import panel as demo_panel
from gotone_analysis.demo import survey as demo_survey
from gotone_analysis.policy import DEFAULT_LEVEL, MIN_BASE, Policy
from gotone_analysis.reports.brand_equity import scores
from gotone_analysis.reports.program_effects import claims, pooling
from gotone_analysis.reports.program_effects import tables as program
from gotone_analysis.reports.program_effects.survey_levers import survey_lever_effects
from gotone_analysis.reports.satisfaction import tables as sat_tables
from gotone_analysis.reports.scorecard_139.actuals import ACTUAL_LEVEL, ActualsContext
from gotone_analysis.targets import METRICS

FAMILIES = ("survey_lever", "care_att", "panel_lever", "satisfaction_index",
            "influence_index", "brand_components", "scorecard_survey")
SCOPES = (PROVINCE, *CITY_CODES)
DEFAULT_SEEDS = 12
FIRST_SEED = 1001
#: The first panel month: panel effects of earlier waves are not estimable.
PANEL_FROM = "2009Q1"
GOTONE = "gotone"
COMPONENT_COLUMNS = ("awareness", "association", "preference", "loyalty", "influence",
                     "satisfaction")


# --- truth ---------------------------------------------------------------------------------


def cell_truth() -> pd.DataFrame:
    """Exact expectations of every survey cell with the 0-100 scores of the reports.

    Returns
    -------
    DataFrame
        :func:`gotone_analysis.demo.survey.survey_truth` with the component and
        satisfaction scores of :func:`gotone_analysis.demo.model.component_means`.
    """
    exp = demo_survey.survey_truth()
    comp = model.component_means(exp)
    return pd.concat([exp, comp[list(COMPONENT_COLUMNS)]], axis=1)


def domain_truth(cells: pd.DataFrame, values: pd.Series | np.ndarray, *, quarter: str,
                 scope: str, weight: pd.Series | np.ndarray | None = None) -> float:
    """The population value of a GoTone domain: ``N``-weighted mean of cell values.

    Parameters
    ----------
    cells : DataFrame
        :func:`cell_truth` (or any frame with ``quarter, city, brand, N``).
    values : array-like
        One value per cell (e.g. a column of ``cells``).
    quarter, scope : str
        The wave and ``"province"`` or a city code.
    weight : array-like, optional
        A further weight per cell (e.g. the share of a lever's users), times ``N``.

    Returns
    -------
    float
    """
    m = (cells["quarter"] == quarter) & (cells["brand"] == GOTONE)
    if scope != PROVINCE:
        m &= cells["city"] == scope
    m = m.to_numpy()
    w = cells["N"].to_numpy(dtype=float)
    if weight is not None:
        w = w * np.nan_to_num(np.asarray(weight, dtype=float))
    v = np.asarray(values, dtype=float)
    return float((w[m] * v[m]).sum() / w[m].sum())


def survey_lever_truth(lever: str, outcome: str) -> float:
    """The planted effect of using ``lever`` on ``outcome`` (0-100 points).

    Satisfaction items are ``1 + Binomial(9, p)`` with ``p`` linear in use (never
    clipped), so use moves the 0-100 score by ``100 * delta``; loyalty (``loy_stay``) by
    ``100 * gamma``. A lever without a planted effect has truth 0.
    """
    table = model.SAT_USE_EFFECT if outcome == "satisfaction" else model.LOY_USE_EFFECT
    return 100.0 * float(table.get(lever, 0.0))


def panel_lever_truth(lever: str) -> float:
    """The planted ARPU effect (yuan) of taking part in ``lever`` in a month."""
    return float(demo_panel.LEVER_EFFECT[lever][1])


def care_truth(result, outcome: str) -> float:
    """The planted overall ATT of the care calls, weighted as the estimator weights.

    The estimator's ATT(g,t) are replaced by the planted ones
    (:func:`gotone_analysis.demo.panel.care_att`; 0 before a cohort's roll-out) and
    aggregated with the estimator's own ``simple`` weights (cohort sizes).
    """
    planted = demo_panel.care_att()
    col = "att_churn" if outcome == "churn" else "att_arpu"
    lookup = {(int(model.month_index(c)), int(model.month_index(m))): float(v)
              for c, m, v in zip(planted["cohort"], planted["month"], planted[col],
                                 strict=True)}
    att = result.att_gt.copy()
    att["estimate"] = [lookup.get((int(g), int(t)), 0.0)
                       for g, t in zip(att["cohort"], att["time"], strict=True)]
    true = dataclasses.replace(result, att_gt=att)
    return float(true.aggregate("simple")["estimate"].iloc[0])


def scorecard_truth(cells: pd.DataFrame, metric: str, *, quarter: str, scope: str) -> float:
    """The population value of a survey metric of the 139 scorecard (GoTone customers).

    A score is the 0-100 mean of the item (a lever's performance item among its users);
    a threshold is ``P(item >= threshold)`` of the cell's binomial item; a proportion is
    the cell's probability.
    """
    m = METRICS[metric]
    x = cells[m.num].to_numpy(dtype=float)
    weight = None
    users = {v: k for k, v in demo_survey.LEVER_PQ.items()}
    if m.num in users:
        weight = cells[f"use_{users[m.num]}"]
    if m.agg == "score":
        values = (x - 1.0) / 9.0 * 100.0
    elif m.threshold is not None:
        # rights_aware is Binomial(9, p) with mean 9 p
        values = stats.binom.sf(m.threshold - 1, 9, np.nan_to_num(x / 9.0))
    else:
        values = x
    return domain_truth(cells, values, quarter=quarter, scope=scope, weight=weight)


# --- counting ------------------------------------------------------------------------------


def covers(low, high, truth) -> np.ndarray:
    """Whether each interval ``[low, high]`` holds its truth (NaN bounds: not counted)."""
    low, high, truth = (np.asarray(a, dtype=float) for a in (low, high, truth))
    return (low <= truth) & (truth <= high)


def is_false_claim(estimate: float, truth: float) -> bool:
    """A claimed effect is false when the truth is zero or of the other sign."""
    return truth == 0.0 or np.sign(estimate) != np.sign(truth)


def _rows(family: str, table: pd.DataFrame, truth: Sequence[float], **keys) -> list[dict]:
    ok = table["ci_low"].notna().to_numpy() & table["ci_high"].notna().to_numpy()
    cov = covers(table["ci_low"], table["ci_high"], truth)
    out = []
    for i in np.flatnonzero(ok):
        out.append({"family": family, **keys, "estimate": float(table["estimate"].iloc[i]),
                    "ci_low": float(table["ci_low"].iloc[i]),
                    "ci_high": float(table["ci_high"].iloc[i]), "truth": float(truth[i]),
                    "covered": bool(cov[i])})
    return out


# --- one seed ------------------------------------------------------------------------------


def run_seed(seed: int, scopes: Sequence[str] = SCOPES, quarters: Sequence[str] | None = None,
             panel_customers: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw the demo with ``seed`` and check every published interval and claim.

    Returns
    -------
    (DataFrame, DataFrame)
        Intervals (``family, seed, quarter, scope, name, estimate, ci_low, ci_high,
        truth, covered``) and pages (``seed, quarter, scope, claims, false_claims,
        family_size``).
    """
    quarters = list(model.QUARTERS if quarters is None else quarters)
    pol = Policy(min_base=MIN_BASE, seed=build.DEFAULT_SEED)
    cells = cell_truth()
    rows: list[dict] = []
    pages: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="gotone-coverage-") as tmp:
        out = os.path.join(tmp, "demo")
        build.generate(out, scale="small", seed=seed, panel_customers=panel_customers)
        old = os.environ.get("GOTONE_CACHE_DIR")
        os.environ["GOTONE_CACHE_DIR"] = os.path.join(tmp, "cache")
        try:
            ds = io.open_dataset(out)
            survey = ds.survey()
            table = panel.panel_table(ds, engine="duckdb")
            scored = sat_tables.respondent_scores(survey)
            ctx = ActualsContext(ds)
            direct: dict[tuple[str, str], pd.DataFrame] = {}
            survey_metrics = [m for m in METRICS.values()
                              if m.source == "survey" and m.measurable]
            for scope in scopes:
                key = {"seed": seed, "scope": scope}
                trend = sat_tables.satisfaction_trend(scored, quarters, scope=scope,
                                                      policy=pol)
                truth = [domain_truth(cells, cells["satisfaction"], quarter=q, scope=scope)
                         for q in trend["quarter"]]
                for i, q in enumerate(trend["quarter"]):
                    rows += _rows("satisfaction_index", trend.iloc[[i]], [truth[i]], **key,
                                  quarter=q, name="satisfaction")
                for m in survey_metrics:
                    hist = ctx.history(m, scope, ACTUAL_LEVEL)
                    for i, period in enumerate(hist["period"]):
                        q = str(period)
                        if q not in quarters:
                            continue
                        t = scorecard_truth(cells, m.name, quarter=q, scope=scope)
                        rows += _rows("scorecard_survey", hist.iloc[[i]], [t], **key,
                                      quarter=q, name=m.name)
                for q in quarters:
                    comp = scores.components(survey, quarter=q, scope=scope, policy=pol)
                    truth = [domain_truth(cells, cells[c], quarter=q, scope=scope)
                             for c in comp["component"]]
                    for i, c in enumerate(comp["component"]):
                        fam = "influence_index" if c == "influence" else "brand_components"
                        rows += _rows(fam, comp.iloc[[i]], [truth[i]], **key, quarter=q,
                                      name=c)
                    rows_q, page = _effects_page(survey, table, q, scope, pol, key, direct)
                    rows += rows_q
                    pages.append(page)
        finally:
            if old is None:
                os.environ.pop("GOTONE_CACHE_DIR", None)
            else:
                os.environ["GOTONE_CACHE_DIR"] = old
    return pd.DataFrame(rows), pd.DataFrame(pages)


def _direct(survey: pd.DataFrame, quarter: str, scope: str, pol: Policy,
            cache: dict[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    if (quarter, scope) not in cache:
        cache[(quarter, scope)] = survey_lever_effects(survey, quarter=quarter, scope=scope,
                                                       policy=pol)[0]
    return cache[(quarter, scope)]


def _effects_page(survey: pd.DataFrame, table, quarter: str, scope: str, pol: Policy,
                  key: dict, direct: dict[tuple[str, str], pd.DataFrame]
                  ) -> tuple[list[dict], dict]:
    """One program-effects page as the notebook builds it, with its truth: a city's survey
    comparisons pooled with the other cities' (the page's small-area estimates, computed
    as :func:`~gotone_analysis.reports.program_effects.pooling.pooled_lever_effects` does,
    each city's direct comparison computed once per wave)."""
    care = program.care_effects(table, quarter=quarter, scope=scope)
    care_summary = program.care_summary(care)
    panel_levers = program.panel_lever_effects(table, quarter=quarter, scope=scope,
                                               policy=pol)
    if scope == PROVINCE:
        survey_levers = _direct(survey, quarter, scope, pol, direct)
    else:
        survey_levers = pooling.pool_tables(
            {c: _direct(survey, quarter, c, pol, direct) for c in CITY_CODES}, scope,
            policy=pol)
    care_summary, panel_levers, survey_levers = claims.effect_family(
        care_summary, panel_levers, survey_levers, policy=pol)
    rows: list[dict] = []
    claimed = false = 0
    care_t = [care_truth(care[o], o) for o in care_summary["outcome"]]
    adj_p = panel_levers[panel_levers["kind"] == claims.CLAIMED_KIND].reset_index(drop=True)
    panel_t = [panel_lever_truth(lv) for lv in adj_p["lever"]]
    adj_s = survey_levers[survey_levers["kind"] == claims.CLAIMED_KIND].reset_index(drop=True)
    survey_t = [survey_lever_truth(lv, o) for lv, o in zip(adj_s["lever"], adj_s["outcome"],
                                                           strict=True)]
    for fam, tab, truth, names in (
            ("care_att", care_summary, care_t, care_summary["outcome"]),
            ("panel_lever", adj_p, panel_t, adj_p["lever"]),
            ("survey_lever", adj_s, survey_t, adj_s["lever"] + "/" + adj_s["outcome"])):
        for i, name in enumerate(names):
            rows += _rows(fam, tab.iloc[[i]], [truth[i]], **key, quarter=quarter, name=name)
            if bool(tab["significant"].iloc[i]):
                claimed += 1
                false += is_false_claim(float(tab["estimate"].iloc[i]), truth[i])
    size = int(care_summary.attrs.get("family_size", 0))
    return rows, {**key, "quarter": quarter, "claims": claimed, "false_claims": false,
                  "family_size": size}


# --- summary -------------------------------------------------------------------------------


def binomial_interval(k: int, n: int, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Clopper-Pearson interval of a share ``k / n`` at ``level``."""
    a = 1.0 - level
    lo = stats.beta.ppf(a / 2, k, n - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(1 - a / 2, k + 1, n - k) if k < n else 1.0
    return float(lo), float(hi)


def summarise(intervals: pd.DataFrame, pages: pd.DataFrame) -> dict[str, float | int]:
    """The figures the study prints: coverage per family, false-claim shares.

    Returns
    -------
    dict
        ``coverage_<family>``, ``<family>_intervals``, ``<family>_coverage_low`` and
        ``_high`` (Clopper-Pearson 95 %), ``false_claims_share``, ``claims``,
        ``false_claims``, ``pages_with_false_claim_share``, ``pages``,
        ``pages_with_claims``.
    """
    out: dict[str, float | int] = {}
    for fam in FAMILIES:
        sel = intervals[intervals["family"] == fam] if len(intervals) else intervals
        n = len(sel)
        k = int(sel["covered"].sum()) if n else 0
        out[f"{fam}_intervals"] = n
        if n:
            lo, hi = binomial_interval(k, n)
            out[f"coverage_{fam}"] = round(k / n, 4)
            out[f"{fam}_coverage_low"] = round(lo, 4)
            out[f"{fam}_coverage_high"] = round(hi, 4)
    n_claims = int(pages["claims"].sum()) if len(pages) else 0
    n_false = int(pages["false_claims"].sum()) if len(pages) else 0
    out["claims"] = n_claims
    out["false_claims"] = n_false
    out["false_claims_share"] = round(n_false / n_claims, 4) if n_claims else 0.0
    out["pages"] = len(pages)
    out["pages_with_claims"] = int((pages["claims"] > 0).sum()) if len(pages) else 0
    out["pages_with_false_claim_share"] = (
        round(float((pages["false_claims"] > 0).mean()), 4) if len(pages) else 0.0)
    return out


def _one(args: tuple) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    seed, scopes = args
    t = time.perf_counter()
    iv, pg = run_seed(seed, scopes)
    return iv, pg, time.perf_counter() - t


def main(argv: Sequence[str] | None = None) -> int:
    """Run the study and print ``name=value`` lines (see the module)."""
    ap = argparse.ArgumentParser(prog="run.py coverage")
    ap.add_argument("--seeds", type=int, default=DEFAULT_SEEDS)
    ap.add_argument("--first-seed", type=int, default=FIRST_SEED)
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--scopes", default=",".join(SCOPES))
    ap.add_argument("--save", default="", help="write every interval to this CSV file")
    args = ap.parse_args(list(argv or []))
    scopes = [s for s in args.scopes.split(",") if s]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    started = time.perf_counter()
    ivs, pgs = [], []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for iv, pg, secs in pool.map(_one, [(s, scopes) for s in seeds]):
            ivs.append(iv)
            pgs.append(pg)
            print(f"# seed {int(iv['seed'].iloc[0])}: {secs:.0f} s", file=sys.stderr,
                  flush=True)
    intervals = pd.concat(ivs, ignore_index=True)
    pages = pd.concat(pgs, ignore_index=True)
    if args.save:
        intervals.to_csv(args.save, index=False)
        pages.to_csv(os.path.splitext(args.save)[0] + "_pages.csv", index=False)
    print(f"coverage_seeds={len(seeds)}")
    print(f"coverage_first_seed={args.first_seed}")
    for k, v in summarise(intervals, pages).items():
        print(f"{k}={v}")
    print(f"coverage_seconds={time.perf_counter() - started:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
