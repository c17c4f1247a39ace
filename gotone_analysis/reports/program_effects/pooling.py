"""City survey comparisons as small-area estimates: each city partially pooled with the others.

A city's survey holds 150-250 GoTone respondents, so a lever comparison in one city rests
on a few dozen users; nine such estimates scatter widely around one common effect (the
demo plants the same effect in every city, and its city estimates range over several
points). :func:`pooled_lever_effects` replaces each city's direct comparison by its
empirical-Bayes estimate: the nine cities' comparisons of the same lever, outcome and
kind are combined in a random-effects model (DerSimonian-Laird between-city variance,
truncated at zero as R ``metafor::rma(method = "DL")`` does; statsmodels'
``combine_effects`` leaves it negative and weights with it), and each city's estimate is shrunk towards the
combined mean by the share of its variance that is sampling error
(:func:`shrink`). A city whose comparisons differ from the others' beyond sampling
error keeps most of its own estimate; a city whose difference is noise is pulled towards
the mean. The interval of the shrunk estimate is calibrated by a parametric bootstrap of
the fitted model (so it carries the uncertainty of the mean and of the between-city
variance without Morris's delta-method term, which is far too wide when the cities agree;
:func:`shrink`). The province's comparison is not pooled.

The pooled estimate assumes the cities' effects are exchangeable (drawn from one common
distribution); the page says so and shows the city's direct comparison beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ... import config
from ...policy import (
    DEFAULT_LEVEL,
    SMALL_AREA_DRAWS,
    Policy,
    check_level,
    interval,
    quantile,
    resolve_policy,
)
from .survey_levers import SURVEY_LEVERS, SURVEY_OUTCOMES, survey_lever_effects

__all__ = ["MIN_CITIES", "POOLED_COLUMNS", "city_lever_effects", "pool_tables",
           "pooled_lever_effects", "shrink"]

#: Fewest cities with an estimate for a pooled estimate (below it the direct one is kept).
MIN_CITIES = 4
#: Columns a pooled table adds: the city's direct comparison and how far it was shrunk.
POOLED_COLUMNS = ("direct_estimate", "direct_se", "shrinkage", "cities_pooled")


def _fit(y: np.ndarray, s2: np.ndarray) -> dict[str, np.ndarray]:
    """DerSimonian-Laird random-effects fit of each row of ``y`` (rows: replicates)."""
    k = y.shape[1]
    w = 1.0 / s2
    sw = w.sum(axis=1, keepdims=True)
    fixed = (w * y).sum(axis=1, keepdims=True) / sw
    q = (w * (y - fixed) ** 2).sum(axis=1, keepdims=True)
    c = sw - (w ** 2).sum(axis=1, keepdims=True) / sw
    with np.errstate(divide="ignore", invalid="ignore"):
        tau2 = np.where(c > 0, np.maximum(0.0, (q - (k - 1)) / c), 0.0)
    w_re = 1.0 / (s2 + tau2)
    mean_var = 1.0 / w_re.sum(axis=1, keepdims=True)
    mean = (w_re * y).sum(axis=1, keepdims=True) * mean_var
    b = s2 / (s2 + tau2)
    return {"tau2": tau2, "mean": mean, "mean_var": mean_var, "b": b,
            "estimate": (1 - b) * y + b * mean, "var": s2 * (1 - b) + b ** 2 * mean_var}


def shrink(estimate: Sequence[float], se: Sequence[float], *, level: float = DEFAULT_LEVEL,
           seed: int | None = None, draws: int = SMALL_AREA_DRAWS
           ) -> dict[str, np.ndarray | float]:
    """Empirical-Bayes (random-effects) shrinkage of several estimates of one effect.

    The model (Fay-Herriot; a random-effects meta-analysis): each direct estimate
    ``y_i ~ N(theta_i, se_i²)``, the true effects ``theta_i ~ N(mu, tau2)``. ``tau2`` is
    DerSimonian-Laird's moment estimate truncated at zero (R ``metafor::rma(method =
    "DL")``), ``mu`` its weighted mean; each estimate is shrunk towards ``mu`` by
    ``B = se² / (se² + tau2)``, with the plug-in posterior standard deviation
    ``sqrt(se² (1 - B) + B² mean_se²)`` (``metafor::blup``'s ``se``).

    That standard deviation ignores the uncertainty of ``tau2`` (too narrow when ``tau2``
    is over-estimated), and Morris's correction for it (Morris 1983, a delta-method term
    ``2 / (k - 3) B² (y - mu)²``) is far too wide when ``tau2`` is estimated near zero.
    The interval is therefore calibrated by a parametric bootstrap of the fitted model
    (Chatterjee, Lahiri & Li 2008, *Ann. Statist.* 36, 1221-1245): ``draws`` replicates
    ``theta* ~ N(mu, tau2)``, ``y* ~ N(theta*, se²)`` are refitted, and the interval of
    estimate ``i`` is the symmetric bootstrap-t interval (Hall 1988) ``estimate ± c_i sd_i``
    with ``c_i`` the ``level`` quantile of ``|estimate*_i - theta*_i| / sd*_i``.

    Parameters
    ----------
    estimate, se : sequence of float
        The direct estimates and their standard errors (finite, ``se > 0``).
    level : float
        Level of the intervals.
    seed : int, optional
        Seed of the bootstrap draws (the policy's seed; ``None``: fresh entropy).
    draws : int
        Bootstrap replicates (:data:`gotone_analysis.policy.SMALL_AREA_DRAWS`).

    Returns
    -------
    dict
        ``mean`` and ``mean_se`` (the random-effects mean and its standard error),
        ``tau2`` (DerSimonian-Laird between-estimate variance), ``shrinkage`` (per
        estimate: ``B``, the weight of the mean), ``estimate`` (``(1 - B) * direct + B *
        mean``), ``sd`` (the plug-in posterior standard deviation), ``factor`` (``c_i``),
        ``se`` (``c_i sd_i / quantile(level)``: the standard error whose normal interval
        is the calibrated one, so that a z test of the estimate agrees with it),
        ``ci_low`` and ``ci_high``.
    """
    y = np.asarray(estimate, dtype="float64")[None, :]
    s2 = np.asarray(se, dtype="float64")[None, :] ** 2
    fit = _fit(y, s2)
    rng = np.random.default_rng(seed)
    k = y.shape[1]
    theta = fit["mean"] + np.sqrt(fit["tau2"]) * rng.standard_normal((draws, k))
    again = _fit(theta + np.sqrt(s2) * rng.standard_normal((draws, k)),
                 np.broadcast_to(s2, (draws, k)))
    t = np.abs(again["estimate"] - theta) / np.sqrt(again["var"])
    factor = np.quantile(t, check_level(level), axis=0)
    sd = np.sqrt(fit["var"][0])
    est = fit["estimate"][0]
    return {"mean": float(fit["mean"][0, 0]), "mean_se": float(np.sqrt(fit["mean_var"][0, 0])),
            "tau2": float(fit["tau2"][0, 0]), "shrinkage": fit["b"][0], "estimate": est,
            "sd": sd, "factor": factor, "se": factor * sd / quantile(level),
            "ci_low": est - factor * sd, "ci_high": est + factor * sd}


def pool_tables(tables: Mapping[str, pd.DataFrame], scope: str, *,
                level: float | None = None, policy: Policy | None = None) -> pd.DataFrame:
    """A city's direct comparisons pooled with the other cities' (:func:`shrink`).

    Parameters
    ----------
    tables : mapping
        City code -> that city's direct effects table
        (:func:`gotone_analysis.reports.program_effects.survey_levers.survey_lever_effects`),
        ``scope`` among them.
    scope : str
        The city whose table is returned.
    level : float, optional
        Level of the intervals (default the policy's).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy: its level and the seed of the bootstrap (the same draws
        for a comparison whichever city's page pools it).

    Returns
    -------
    pandas.DataFrame
        ``tables[scope]`` with the pooled ``estimate, se, ci_low, ci_high`` (the
        bootstrap-calibrated interval of :func:`shrink`; ``se`` its half-width over the
        normal quantile) and :data:`POOLED_COLUMNS`; its attrs kept, ``attrs["pooled"]``
        the most cities pooled in a row.
    """
    pol = resolve_policy(policy, level=level)
    effects = tables[scope]
    keys = ["lever", "outcome", "kind"]
    every = pd.concat([t.assign(city=c) for c, t in sorted(tables.items())], ignore_index=True)
    every = every[np.isfinite(every["estimate"]) & (every["se"] > 0)]
    out = effects.copy()
    out["direct_estimate"], out["direct_se"] = out["estimate"], out["se"]
    out["shrinkage"] = 0.0
    out["cities_pooled"] = pd.Series(0, index=out.index, dtype="int64")
    out["ci_low"], out["ci_high"] = interval(out["estimate"], out["se"], pol.level)
    for i, r in out.iterrows():
        group = every[(every[keys] == r[keys]).all(axis=1)]
        if (group["city"] == scope).sum() != 1 or len(group) < MIN_CITIES:
            continue
        pooled = shrink(group["estimate"], group["se"], level=pol.level, seed=pol.seed)
        at = int(np.flatnonzero(group["city"].to_numpy() == scope)[0])
        cols = ["estimate", "se", "shrinkage", "ci_low", "ci_high"]
        out.loc[i, cols] = [pooled[c][at] for c in cols]
        out.loc[i, "cities_pooled"] = len(group)
    out.attrs = dict(effects.attrs)
    out.attrs["pooled"] = int(out["cities_pooled"].max()) if len(out) else 0
    return out


def city_lever_effects(survey: pd.DataFrame, *, quarter: str,
                       levers: Sequence[str] = SURVEY_LEVERS,
                       outcomes: Sequence[str] = SURVEY_OUTCOMES,
                       policy: Policy | None = None, dataset=None
                       ) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Every city's direct survey comparisons of a wave (what each city's page pools).

    The same for every city page of a batch: with ``dataset`` (the data set ``survey``
    was read from) and a batch cache they are made once per batch and read back by the
    other kernels (:func:`gotone_analysis.cache.shared_by_inputs`, keyed by the SHA-256
    of the wave's survey file, the wave, the levers, the outcomes and the level); made in
    place otherwise.

    Returns
    -------
    dict
        City code -> ``(effects, overlap, balance)`` of
        :func:`gotone_analysis.reports.program_effects.survey_levers.survey_lever_effects`.
    """
    from ... import cache

    pol = resolve_policy(policy)

    def compute():
        return {city: survey_lever_effects(survey, quarter=quarter, scope=city, levers=levers,
                                           outcomes=outcomes, policy=pol)
                for city in config.CITY_CODES}

    if dataset is None:
        return compute()
    return cache.shared_by_inputs(
        "survey_lever_cities", compute, dataset=dataset, kinds="survey", quarter=quarter,
        params={"quarter": quarter, "levers": list(levers), "outcomes": list(outcomes),
                "level": pol.level})


def pooled_lever_effects(survey: pd.DataFrame, *, quarter: str, scope: str,
                         levers: Sequence[str] = SURVEY_LEVERS,
                         outcomes: Sequence[str] = SURVEY_OUTCOMES,
                         policy: Policy | None = None, dataset=None
                         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The survey lever comparisons of a scope; a city's partially pooled with the others.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey respondents of every city (canonical columns).
    quarter : str
        Wave used.
    scope : str
        ``"province"`` (its direct comparison, unpooled) or a city code.
    levers, outcomes : sequence of str
        As :func:`gotone_analysis.reports.program_effects.survey_levers.survey_lever_effects`.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (its level; its seed for the bootstrap of :func:`shrink`).
    dataset : gotone_analysis.io.Dataset, optional
        The data set ``survey`` was read from: a city's page then reads the cities'
        direct comparisons that a batch made once (:func:`city_lever_effects`).

    Returns
    -------
    tuple of pandas.DataFrame
        ``(effects, overlap, balance)`` of the scope's own comparison; for a city,
        ``effects`` has the pooled ``estimate, se, ci_low, ci_high`` and
        :data:`POOLED_COLUMNS` (``cities_pooled`` 0 where fewer than :data:`MIN_CITIES`
        cities had the comparison, the direct estimate then kept); ``attrs["pooled"]``
        holds the number of cities pooled at most (0 for the province).
    """
    pol = resolve_policy(policy)
    if scope == config.PROVINCE:
        own = survey_lever_effects(survey, quarter=quarter, scope=scope, levers=levers,
                                   outcomes=outcomes, policy=pol)
        own[0].attrs["pooled"] = 0
        return own
    cities = city_lever_effects(survey, quarter=quarter, levers=levers, outcomes=outcomes,
                                policy=pol, dataset=dataset)
    _, overlap, balance = cities[scope]
    out = pool_tables({city: tables[0] for city, tables in cities.items()}, scope, policy=pol)
    return out, overlap, balance
