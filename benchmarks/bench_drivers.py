"""Benchmark: driver statistics with 500 bootstrap replicates against a naive refit loop.

Prints ``drivers_seconds=`` (Shapley/LMG importance, Johnson's relative weights and the
Oaxaca–Blinder decomposition, each with 500 Rao–Wu replicates, on one full-scale
province wave of GoTone respondents: 2009Q4 against 2008Q4), ``drivers_naive_seconds=``
(the same work done naively: one statsmodels weighted least-squares fit per driver
subset and replicate for the Shapley values, one fit per replicate for the relative
weights, two per replicate for the decomposition — timed on as many replicates as fit
in about a minute and scaled linearly to 500, as ``drivers_naive_replicates_timed=``
says) and ``drivers_speedup=`` (their ratio), all in the same run. Goal: >= 50.

Usage: ``python benchmarks/bench_drivers.py`` or ``python benchmarks/run.py drivers``.
``GOTONE_BENCH_NAIVE_SECONDS`` (default 60) sets the naive loop's time budget.
"""

from __future__ import annotations

import itertools
import os
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm

from gotone_analysis.demo.survey import simulate_survey
from gotone_analysis.drivers import decompose_change, importance
from gotone_analysis.replicates import bootstrap_weights
from gotone_analysis.reports.satisfaction import tables as S

REPLICATES = 500
SEED = 20100330


def _wave(quarter: str) -> pd.DataFrame:
    sc = S.respondent_scores(simulate_survey(quarter, seed=SEED, n=3000))
    g = sc[sc["brand"] == "gotone"]
    return g[g[["satisfaction", *S.DRIVERS]].notna().all(axis=1)].reset_index(drop=True)


def _fast(before: pd.DataFrame, after: pd.DataFrame) -> float:
    start = time.perf_counter()
    kw = {"weight": "weight", "strata": "stratum", "replicates": REPLICATES, "seed": SEED}
    importance(after, "satisfaction", list(S.DRIVERS), method="shapley", **kw)
    importance(after, "satisfaction", list(S.DRIVERS), method="relative_weights", **kw)
    decompose_change(before, after, "satisfaction", list(S.DRIVERS), **kw)
    return time.perf_counter() - start


def _naive_one(w_after: np.ndarray, w_before: np.ndarray, after: pd.DataFrame,
               before: pd.DataFrame) -> None:
    drivers = list(S.DRIVERS)
    y = after["satisfaction"].to_numpy()
    r2 = {}
    for k in range(len(drivers) + 1):
        for sub in itertools.combinations(drivers, k):
            if not sub:
                r2[sub] = 0.0
                continue
            x = sm.add_constant(after[list(sub)].to_numpy())
            r2[sub] = sm.WLS(y, x, weights=w_after).fit().rsquared
    x_full = sm.add_constant(after[drivers].to_numpy())
    sm.WLS(y, x_full, weights=w_after).fit()  # relative weights need the full fit
    sm.WLS(before["satisfaction"].to_numpy(), sm.add_constant(before[drivers].to_numpy()),
           weights=w_before).fit()


def _naive(before: pd.DataFrame, after: pd.DataFrame, budget: float) -> tuple[float, int]:
    ra = bootstrap_weights(after, weight="weight", strata="stratum", replicates=REPLICATES,
                           seed=SEED)
    rb = bootstrap_weights(before, weight="weight", strata="stratum", replicates=REPLICATES,
                           seed=SEED + 1)
    start = time.perf_counter()
    done = 0
    while done < REPLICATES and time.perf_counter() - start < budget:
        _naive_one(ra.weights[:, done], rb.weights[:, done], after, before)
        done += 1
    elapsed = time.perf_counter() - start
    return elapsed * (REPLICATES + 1) / done, done


def main() -> None:
    """Print the benchmark's name=value lines."""
    before, after = _wave("2008Q4"), _wave("2009Q4")
    fast = _fast(before, after)
    budget = float(os.environ.get("GOTONE_BENCH_NAIVE_SECONDS", "60"))
    naive, timed = _naive(before, after, budget)
    print(f"drivers_rows={len(after)}")
    print(f"drivers_count={len(S.DRIVERS)}")
    print(f"drivers_seconds={fast:.3f}")
    print(f"drivers_naive_seconds={naive:.1f}")
    print(f"drivers_naive_replicates_timed={timed} (scaled linearly to {REPLICATES + 1} fits "
          "of each model)")
    print(f"drivers_speedup={naive / fast:.1f}")


if __name__ == "__main__":
    main()
