"""The family of effect claims of one program-effects page, tested together.

A page shows many effects at once: the care-call evaluation of every outcome (the
overall ATT of the difference-in-differences), the within-customer ARPU effect of every
panel lever and the adjusted comparison of users and non-users of every survey lever on
every survey outcome. Claimed one by one whenever an unadjusted interval excludes
zero, some of them would be found by chance alone. So the page's effects form **one
family**: each effect's two-sided p-value from its estimate and standard error,
adjusted over the whole family by the report-wide method, and an effect is claimed only
when its adjusted p-value is below the policy's alpha
(:func:`gotone_analysis.policy.family_test`). The naive comparisons are shown beside the
adjusted ones but are never claimed, so they are not members of the family. The
intervals stay the unadjusted ones at the policy's level.

:func:`effect_family` adds the tests to the page's three tables; :func:`claim_metrics`
gives the numbers the page publishes about them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...policy import Policy, family_test, resolve_policy

__all__ = ["CLAIM_COLUMNS", "CLAIMED_KIND", "claim_metrics", "effect_family", "family_size"]

#: Columns :func:`effect_family` adds to every effects table.
CLAIM_COLUMNS: tuple[str, ...] = ("p_value", "p_adj", "significant")
#: The rows of a lever table that are claims (the naive comparisons are not).
CLAIMED_KIND = "adjusted"


def _members(table: pd.DataFrame) -> np.ndarray:
    if not len(table):
        return np.zeros(0, dtype=bool)
    if "kind" in table:
        return (table["kind"] == CLAIMED_KIND).to_numpy()
    return np.ones(len(table), dtype=bool)


def effect_family(care: pd.DataFrame, panel_levers: pd.DataFrame,
                  survey_levers: pd.DataFrame, *, policy: Policy | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Test the page's effects as one family: p-values adjusted together.

    Parameters
    ----------
    care : DataFrame
        The care-call summary (one row per outcome: ``estimate, se``; from
        :func:`gotone_analysis.reports.program_effects.tables.care_summary`).
    panel_levers, survey_levers : DataFrame
        The lever tables (``kind`` naive/adjusted); only the adjusted rows are members.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy: its ``effect_adjust`` method (Holm by default: the
        family-wise error rate of the page) and ``alpha``.

    Returns
    -------
    tuple of DataFrame
        Copies of ``care``, ``panel_levers``, ``survey_levers`` (attrs kept) with
        :data:`CLAIM_COLUMNS`: ``p_value`` (two-sided z test), ``p_adj`` (adjusted over
        the family; NaN for a naive comparison, which is not a member) and
        ``significant`` (``p_adj`` below alpha: the effect is claimed). Each copy's
        ``attrs`` also hold ``family_size`` (members with a test) and ``p_adjust``.
    """
    pol = resolve_policy(policy)
    tables = [t.copy() for t in (care, panel_levers, survey_levers)]
    members = [_members(t) for t in tables]
    est = np.concatenate([t["estimate"].to_numpy(dtype="float64")[m] if len(t) else []
                          for t, m in zip(tables, members, strict=True)])
    se = np.concatenate([t["se"].to_numpy(dtype="float64")[m] if len(t) else []
                         for t, m in zip(tables, members, strict=True)])
    p, p_adj, claimed = family_test(est, se, pol.effect_adjust, pol.alpha)
    size = int(np.isfinite(p).sum())
    at = 0
    for t, m in zip(tables, members, strict=True):
        k = int(m.sum())
        raw, adj, sig = np.full(len(t), np.nan), np.full(len(t), np.nan), np.zeros(len(t), bool)
        raw[m], adj[m], sig[m] = p[at:at + k], p_adj[at:at + k], claimed[at:at + k]
        t["p_value"], t["p_adj"], t["significant"] = raw, adj, sig
        at += k
        t.attrs.update({"family_size": size, "p_adjust": pol.effect_adjust})
    return tables[0], tables[1], tables[2]


def family_size(*tables: pd.DataFrame) -> dict[str, int]:
    """How many effects of each table are members of the family (have an adjusted p).

    Returns
    -------
    dict
        ``care``, ``panel``, ``survey`` (in the order given) -> number of members, and
        ``total``.
    """
    names = ("care", "panel", "survey")
    out = {n: int(t["p_adj"].notna().sum()) if "p_adj" in t else 0
           for n, t in zip(names, tables, strict=False)}
    out["total"] = sum(out.values())
    return out


def claim_metrics(care: pd.DataFrame, panel_levers: pd.DataFrame,
                  survey_levers: pd.DataFrame, *, policy: Policy | None = None
                  ) -> dict[str, float | int | str | None]:
    """The published numbers of the family test, beside the headline of the page.

    Parameters
    ----------
    care, panel_levers, survey_levers : DataFrame
        The tables of :func:`effect_family`.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (its adjustment method is published).

    Returns
    -------
    dict
        ``care_<outcome>_p_adj`` and ``care_<outcome>_pretest_p`` (the parallel-trends
        pre-test of the difference-in-differences); ``<lever>_<outcome>_adjusted_p_adj``
        for the panel and survey levers (the keys of
        :func:`gotone_analysis.reports.program_effects.tables.headline`);
        ``effects_family_size`` (members of the family), ``effects_p_adjust`` (the
        method), ``survey_adjusted_for`` (what the survey comparisons adjust for,
        comma separated) when known, and ``survey_pooled_cities`` when a city's survey
        comparisons are small-area estimates pooled over that many cities
        (:mod:`gotone_analysis.reports.program_effects.pooling`). Missing numbers are None.
    """
    def num(v) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    pol = resolve_policy(policy)
    out: dict[str, float | int | str | None] = {}
    for _, r in care.iterrows():
        if "p_adj" in care:
            out[f"care_{r['outcome']}_p_adj"] = num(r["p_adj"])
        if "pretest_p" in care:
            out[f"care_{r['outcome']}_pretest_p"] = num(r["pretest_p"])
    for table in (panel_levers, survey_levers):
        if "p_adj" not in table:
            continue
        for _, r in table[table["kind"] == CLAIMED_KIND].iterrows():
            out[f"{r['lever']}_{r['outcome']}_{CLAIMED_KIND}_p_adj"] = num(r["p_adj"])
    if any("p_adj" in t for t in (care, panel_levers, survey_levers)):
        out["effects_family_size"] = family_size(care, panel_levers, survey_levers)["total"]
        out["effects_p_adjust"] = pol.effect_adjust
    factors = survey_levers.attrs.get("adjusted_for")
    if factors:
        out["survey_adjusted_for"] = ",".join(factors)
    if survey_levers.attrs.get("pooled"):
        out["survey_pooled_cities"] = int(survey_levers.attrs["pooled"])
    return out
