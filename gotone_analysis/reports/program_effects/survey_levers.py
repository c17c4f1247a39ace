"""Program effects on the survey: users of a lever against comparable non-users.

:func:`survey_lever_effects` compares, per lever and outcome, the satisfaction and
loyalty of the customers who use a lever with those of non-users of the same tier (and,
for the province, city): AIPW weighting (:func:`gotone_analysis.effects.weighting_estimate`)
on the common support (:func:`common_support`). It is a comparison, not a causal effect:
what was adjusted for is named on the page.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...config import PROVINCE
from ...effects.weighting import weighting_estimate
from ...policy import Policy, resolve_policy
from ...scoring import satisfaction_score, scaled

__all__ = ["SURVEY_LEVERS", "SURVEY_OUTCOMES", "common_support", "survey_lever_effects"]

SURVEY_LEVERS = ("care", "points", "club", "family")
SURVEY_OUTCOMES = ("satisfaction", "loyalty")


def _survey_outcomes(survey: pd.DataFrame) -> pd.DataFrame:
    out = survey.copy()
    out["satisfaction"] = satisfaction_score(survey)
    out["loyalty"] = scaled(survey, ["loy_stay"])["loy_stay"]
    return out


def survey_lever_effects(survey: pd.DataFrame, *, quarter: str, scope: str = PROVINCE,
                         levers: Sequence[str] = SURVEY_LEVERS,
                         outcomes: Sequence[str] = SURVEY_OUTCOMES, level: float | None = None,
                         policy: Policy | None = None
                         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Naive and AIPW-adjusted effects of using each lever on satisfaction and loyalty.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey respondents (canonical columns, codes 98/99 already missing).
    quarter : str
        Wave used.
    scope : str
        ``"province"`` (adjusting for tier and city) or a city (adjusting for tier).
    levers, outcomes : sequence of str
        Levers (``use_<lever>``) and outcomes (``satisfaction``, ``loyalty``, 0-100).
    level : float, optional
        Confidence level (default the policy's).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``); an explicit ``level`` wins.

    Returns
    -------
    tuple of pandas.DataFrame
        ``effects`` (``lever, outcome, kind`` naive/adjusted, ``estimate, se, ci_low,
        ci_high, n_treated, n_control``; ``attrs["adjusted_for"]`` the covariates),
        ``overlap`` (propensity by arm per lever) and ``balance`` (standardised
        differences per lever and covariate; of the first outcome's fit, the propensity
        model being the same for every outcome).
    """
    level = resolve_policy(policy, level=level).level
    d = survey[(survey["quarter"] == quarter) & (survey["brand"] == "gotone")]
    if scope != PROVINCE:
        d = d[d["city"] == scope]
    d = _survey_outcomes(d)
    factors = ["tier", "city"] if scope == PROVINCE and d["city"].nunique() > 1 else ["tier"]
    eff, ovl, bal, dropped, not_estimable = [], [], [], [], []
    for lv in levers:
        col = f"use_{lv}"
        if col not in d.columns or d[col].nunique(dropna=True) < 2:
            not_estimable.append({"lever": lv, "reason": "no_contrast"})
            continue
        on, gone = common_support(d[d[col].notna()], col, factors)
        dropped += [{"lever": lv, **g} for g in gone]
        kept = [f for f in factors if on[f].nunique() > 1]
        covs = " + ".join(f"C({f})" for f in kept) if kept else "1"
        if on[col].nunique() < 2:
            not_estimable.append({"lever": lv, "reason": "no_overlap"})
            continue
        try:
            fits = [weighting_estimate(on, col, outc, covs, method="aipw", propensity="logit",
                                       weight="weight", level=level) for outc in outcomes]
        except (np.linalg.LinAlgError, ValueError) as exc:
            not_estimable.append({"lever": lv, "reason": "no_fit", "detail": str(exc)})
            continue
        for i, (outc, res) in enumerate(zip(outcomes, fits, strict=True)):
            for kind, tab in (("naive", res.naive), ("adjusted", res.tidy)):
                row = tab.iloc[0]
                eff.append({"lever": lv, "outcome": outc, "kind": kind,
                            **{c: row[c] for c in ("estimate", "se", "ci_low", "ci_high",
                                                   "n_treated", "n_control")}})
            if i == 0:
                ovl.append(res.overlap.assign(lever=lv))
                bal.append(res.balance.assign(lever=lv))
    effects = pd.DataFrame(eff, columns=["lever", "outcome", "kind", "estimate", "se", "ci_low",
                                         "ci_high", "n_treated", "n_control"])
    overlap = pd.concat(ovl, ignore_index=True) if ovl else pd.DataFrame()
    balance = pd.concat(bal, ignore_index=True) if bal else pd.DataFrame()
    for t in (overlap, balance):
        if len(t):
            t.insert(0, "lever", t.pop("lever"))
    if ovl:
        overlap.attrs["rule"] = ovl[0].attrs.get("rule", "")
    effects.attrs["dropped"] = dropped
    effects.attrs["not_estimable"] = not_estimable
    effects.attrs["adjusted_for"] = tuple(factors)
    return effects, overlap, balance


def common_support(data: pd.DataFrame, treatment: str, factors: Sequence[str]
                   ) -> tuple[pd.DataFrame, list[dict]]:
    """The rows on common support: every level of every factor has users and non-users.

    A level of a covariate in which everyone (or no one) takes part, e.g. a tier the
    care calls have not reached yet, gives no comparison of users with comparable
    non-users and makes the propensity model separate; its rows are dropped, and the
    check repeats until every remaining level has both (dropping a city can leave a tier
    without users).

    Parameters
    ----------
    data : DataFrame
        Rows with a 0/1 ``treatment``.
    treatment : str
        The participation column.
    factors : sequence of str
        Categorical covariates of the propensity model.

    Returns
    -------
    tuple
        ``(rows kept, dropped)``: ``dropped`` lists ``{"covariate", "level", "n",
        "users"}`` for each level removed (``users``: how many of its rows took part).
    """
    kept = data
    dropped: list[dict] = []
    while True:
        gone = []
        for f in factors:
            share = kept.groupby(f, observed=True)[treatment].agg(["mean", "size", "sum"])
            for level, r in share[(share["mean"] <= 0) | (share["mean"] >= 1)].iterrows():
                gone.append({"covariate": f, "level": str(level), "n": int(r["size"]),
                             "users": int(r["sum"])})
        if not gone:
            return kept, dropped
        dropped += gone
        mask = np.zeros(len(kept), bool)
        for g in gone:
            mask |= (kept[g["covariate"]].astype(str) == g["level"]).to_numpy()
        kept = kept[~mask]
