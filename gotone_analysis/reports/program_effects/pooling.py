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
the mean, with the interval of the shrunk estimate (the uncertainty of the mean and of
the between-city variance included). The province's comparison is not pooled.

The pooled estimate assumes the cities' effects are exchangeable (drawn from one common
distribution); the page says so and shows the city's direct comparison beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ... import config
from ...policy import Policy, interval, resolve_policy
from .survey_levers import SURVEY_LEVERS, SURVEY_OUTCOMES, survey_lever_effects

__all__ = ["MIN_CITIES", "POOLED_COLUMNS", "pool_tables", "pooled_lever_effects", "shrink"]

#: Fewest cities with an estimate for a pooled estimate (below it the direct one is kept).
MIN_CITIES = 4
#: Columns a pooled table adds: the city's direct comparison and how far it was shrunk.
POOLED_COLUMNS = ("direct_estimate", "direct_se", "shrinkage", "cities_pooled")


def shrink(estimate: Sequence[float], se: Sequence[float]) -> dict[str, np.ndarray | float]:
    """Empirical-Bayes (random-effects) shrinkage of several estimates of one effect.

    Parameters
    ----------
    estimate, se : sequence of float
        The direct estimates and their standard errors (finite, ``se > 0``).

    Returns
    -------
    dict
        ``mean`` and ``mean_se`` (the random-effects mean and its standard error),
        ``tau2`` (DerSimonian-Laird between-estimate variance), ``shrinkage`` (per
        estimate: ``B = se² / (se² + tau2)``, the weight of the mean), ``estimate``
        (``(1 - B) * direct + B * mean``) and ``se`` (``sqrt(se² (1 - B) + B² mean_se²
        + 2 / (k - 3) * B² (direct - mean)²)``: Morris's approximation, the last term for
        the estimated ``tau2``, dropped when ``k <= 3``).
    """
    y = np.asarray(estimate, dtype="float64")
    s2 = np.asarray(se, dtype="float64") ** 2
    w = 1.0 / s2
    fixed = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - fixed) ** 2))
    c = float(np.sum(w) - np.sum(w ** 2) / np.sum(w))
    tau2 = max(0.0, (q - (len(y) - 1)) / c) if c > 0 else 0.0
    w_re = 1.0 / (s2 + tau2)
    mean, mean_se = float(np.sum(w_re * y) / np.sum(w_re)), float(np.sqrt(1.0 / np.sum(w_re)))
    b = s2 / (s2 + tau2)
    k = len(y)
    extra = 2.0 / (k - 3) * b ** 2 * (y - mean) ** 2 if k > 3 else 0.0
    var = s2 * (1 - b) + b ** 2 * mean_se ** 2 + extra
    return {"mean": mean, "mean_se": mean_se, "tau2": tau2, "shrinkage": b,
            "estimate": (1 - b) * y + b * mean, "se": np.sqrt(var)}


def pool_tables(tables: Mapping[str, pd.DataFrame], scope: str, *,
                level: float | None = None) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        ``tables[scope]`` with the pooled ``estimate, se, ci_low, ci_high`` and
        :data:`POOLED_COLUMNS`; its attrs kept, ``attrs["pooled"]`` the most cities
        pooled in a row.
    """
    level = resolve_policy(None, level=level).level
    effects = tables[scope]
    keys = ["lever", "outcome", "kind"]
    every = pd.concat([t.assign(city=c) for c, t in tables.items()], ignore_index=True)
    every = every[np.isfinite(every["estimate"]) & (every["se"] > 0)]
    out = effects.copy()
    out["direct_estimate"], out["direct_se"] = out["estimate"], out["se"]
    out["shrinkage"] = 0.0
    out["cities_pooled"] = pd.Series(0, index=out.index, dtype="int64")
    for i, r in out.iterrows():
        group = every[(every[keys] == r[keys]).all(axis=1)]
        if (group["city"] == scope).sum() != 1 or len(group) < MIN_CITIES:
            continue
        pooled = shrink(group["estimate"], group["se"])
        at = int(np.flatnonzero(group["city"].to_numpy() == scope)[0])
        out.loc[i, ["estimate", "se", "shrinkage"]] = [
            pooled["estimate"][at], pooled["se"][at], pooled["shrinkage"][at]]
        out.loc[i, "cities_pooled"] = len(group)
    out["ci_low"], out["ci_high"] = interval(out["estimate"], out["se"], level)
    out.attrs = dict(effects.attrs)
    out.attrs["pooled"] = int(out["cities_pooled"].max()) if len(out) else 0
    return out


def pooled_lever_effects(survey: pd.DataFrame, *, quarter: str, scope: str,
                         levers: Sequence[str] = SURVEY_LEVERS,
                         outcomes: Sequence[str] = SURVEY_OUTCOMES,
                         policy: Policy | None = None
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
        The report-wide policy (its level).

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
    own = survey_lever_effects(survey, quarter=quarter, scope=scope, levers=levers,
                               outcomes=outcomes, policy=pol)
    effects = own[0]
    if scope == config.PROVINCE:
        effects.attrs["pooled"] = 0
        return own
    others = {city: survey_lever_effects(survey, quarter=quarter, scope=city, levers=levers,
                                         outcomes=outcomes, policy=pol)[0]
              for city in config.CITY_CODES if city != scope}
    out = pool_tables({**others, scope: effects}, scope, level=pol.level)
    return out, own[1], own[2]
