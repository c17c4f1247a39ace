"""Sentences of the program-effects report: what each lever did, claimed only where it shows.

The page's effects are tested as one family
(:func:`gotone_analysis.reports.program_effects.claims.effect_family`): an effect is
stated only when its adjusted p-value is below the policy's alpha; otherwise the
sentence says that none can be claimed, whatever its unadjusted interval says, and
:func:`family_note` says how many comparisons were adjusted and how.

The verbs follow the design. Only the care-call evaluation (a difference-in-differences
on the staggered roll-out) is worded as an effect of the calls ("changed"), with its
assumption — parallel trends of the roll-out segments — and the pre-trend test stated
beside it. The panel levers compare each customer's months with and without the lever;
the survey levers compare users with non-users of the same tier (and city, in the
province): both are worded as differences, naming what they hold equal, never as what
the lever did. Every word comes from the catalog section
:mod:`gotone_analysis.reports.program_effects.catalog`.

Each sentence is made as a claim of the ledger (:class:`gotone_analysis.findings.Claim`),
naming the metric keys of the page's headline and family test it rests on
(:func:`gotone_analysis.reports.program_effects.tables.headline`,
:func:`gotone_analysis.reports.program_effects.claims.claim_metrics`); a function given
``claims=`` appends them to it.
"""

from __future__ import annotations

import pandas as pd

from ... import labels, tables
from ...config import CARE_ROLLOUT
from ...errors import UsageError
from ...findings import Claim, direction_of, markdown, qualified
from ...policy import Policy, resolve_policy, significant
from .claims import family_size

__all__ = ["adjusted_for_text", "care_narrative", "family_note", "lever_narrative",
           "pooling_note", "support_note", "survey_estimand_note"]

_REPORT = "program_effects"

#: Unit of each outcome's differences in the sentences (catalog ``effects.value.<unit>``).
_UNITS = {"satisfaction": "points", "loyalty": "points", "arpu": "yuan"}


def _fmt(v: float, outcome: str, lang: str) -> str:
    if outcome == "churn":  # a difference of rates, in percentage points
        return tables.percentage_points_text(v, lang, 2)
    return tables.number_text(v, 2, signed=True)


def _p_text(p: float) -> str:
    if p is None or pd.isna(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _tested(table: pd.DataFrame) -> None:
    if len(table) and not {"p_adj", "significant"} <= set(table.columns):
        raise UsageError("test the page's effects as one family first "
                         "(reports.program_effects.claims.effect_family): no effect is "
                         "claimed on its unadjusted interval")


def _said(claims: list[Claim] | None, said: list[Claim]) -> None:
    if claims is not None:
        claims.extend(said)


def care_narrative(summary: pd.DataFrame, lang: str = "zh", *,
                   policy: Policy | None = None, claims: list[Claim] | None = None) -> str:
    """Sentences on the care-call effects (``reports.program_effects.tables.care_summary`` table).

    Parameters
    ----------
    summary : DataFrame
        The care summary tested with the page's family
        (:func:`gotone_analysis.reports.program_effects.claims.effect_family`).
    lang : {"zh", "en"}
        Language.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (level and alpha of the pre-trend test).
    claims : list, optional
        The sentences are appended to it as claims of the ledger.

    Returns
    -------
    str
        Markdown, one sentence per outcome: the effect claimed (a causal verb, with the
        parallel-trends assumption and its pre-test) only when its adjusted p-value is
        below alpha, else that no effect can be claimed (with the pre-test result).
    """
    pol = resolve_policy(policy)
    rule = f"family_{pol.effect_adjust}"
    if summary.empty:
        said = [Claim("care_not_started", labels.text("effects.narrative.care_not_started",
                                                      lang, start=min(CARE_ROLLOUT.values())),
                      rule="no_comparison")]
        _said(claims, said)
        return markdown(said)
    _tested(summary)
    level = labels.level_text(pol.level)
    out = []
    for _, r in summary.iterrows():
        o = r["outcome"]
        outcome = labels.text(f"effects.outcome.{o}", lang)
        claimed = bool(r["significant"])
        sentence = labels.text(
            "effects.narrative.care_effect" if claimed else "effects.narrative.care_none",
            lang, outcome=outcome, estimate=_fmt(r["estimate"], o, lang),
            low=_fmt(r["ci_low"], o, lang), high=_fmt(r["ci_high"], o, lang), level=level,
            p_adj=_p_text(r["p_adj"]))
        p = r.get("pretest_p")
        if pd.notna(p):
            ok = not significant(p, pol.alpha)
            if claimed:
                pkey = "effects.narrative.assumption_ok" if ok else \
                    "effects.narrative.assumption_bad"
            else:
                pkey = "effects.narrative.pretrend_ok" if ok else "effects.narrative.pretrend_bad"
            sentence += " " + labels.text(pkey, lang, p=f"{p:.3f}",
                                          outcome=labels.text(f"effects.outcome_name.{o}", lang))
        keys = qualified(_REPORT, f"care_{o}_att", f"care_{o}_p_adj", f"care_{o}_ci_low",
                         f"care_{o}_ci_high", *([f"care_{o}_pretest_p"] if pd.notna(p) else []))
        out.append(Claim("care_effect" if claimed else "care_none", sentence, keys,
                         direction_of(r["estimate"]) if claimed else "none", rule))
    _said(claims, out)
    return markdown(out)


def adjusted_for_text(effects: pd.DataFrame, lang: str = "zh") -> str:
    """What a survey comparison holds equal, as words: "tier and city" or "tier".

    Parameters
    ----------
    effects : DataFrame
        The effects table of
        :func:`gotone_analysis.reports.program_effects.survey_levers.survey_lever_effects`
        (its ``attrs["adjusted_for"]``).
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
        The covariates' names joined (Chinese "、", English " and "), lower case in
        English; the catalog's generic words when the table does not say.
    """
    factors = effects.attrs.get("adjusted_for") or ()
    if not factors:
        return labels.text("effects.narrative.adjusted_for_unknown", lang)
    names = [labels.text(f"column.{f}", lang) for f in factors]
    if lang == "en":
        names = [n.lower() for n in names]
    return labels.text("effects.narrative.and", lang).join(names)


def survey_estimand_note(effects: pd.DataFrame, lang: str = "zh") -> str:
    """The note on what the survey comparisons are: users against non-users like them.

    Returns
    -------
    str
        The catalog's ``effects.note.survey_estimand`` naming what was adjusted for
        (:func:`adjusted_for_text`).
    """
    return labels.text("effects.note.survey_estimand", lang,
                       adjusted_for=adjusted_for_text(effects, lang))


def _value(v: float, outcome: str, lang: str) -> str:
    unit = _UNITS.get(outcome)
    if unit is None:
        return _fmt(abs(v), outcome, lang).lstrip("+")
    return labels.text(f"effects.value.{unit}", lang, value=abs(v))


def lever_narrative(effects: pd.DataFrame, lang: str = "zh", *,
                    policy: Policy | None = None, claims: list[Claim] | None = None) -> str:
    """Sentences on lever effects from a table with ``lever, outcome, kind`` rows.

    Parameters
    ----------
    effects : DataFrame
        A lever table tested with the page's family
        (:func:`gotone_analysis.reports.program_effects.claims.effect_family`): the
        panel levers (outcome ``arpu``: each customer's months with and without the
        lever) or the survey levers (users against non-users of the same tier, and city).
    lang : {"zh", "en"}
        Language.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (the level named in the sentences).
    claims : list, optional
        The sentences are appended to it as claims of the ledger.

    Returns
    -------
    str
        Markdown: per lever and outcome the adjusted difference (stated only when its
        adjusted p-value is below alpha, worded as a comparison naming what it holds
        equal) beside the naive comparison, then a note on the bias.
    """
    if effects is None or not len(effects):
        return ""
    _tested(effects)
    pol = resolve_policy(policy)
    level = labels.level_text(pol.level)
    held = adjusted_for_text(effects, lang)
    out = []
    wide = effects.set_index(["lever", "outcome", "kind"])
    for (lever, outcome), _ in effects.groupby(["lever", "outcome"], sort=False):
        if (lever, outcome, "adjusted") not in wide.index:
            continue
        adj = wide.loc[(lever, outcome, "adjusted")]
        naive = wide.loc[(lever, outcome, "naive"), "estimate"] \
            if (lever, outcome, "naive") in wide.index else float("nan")
        design = "panel" if outcome == "arpu" else "survey"
        claimed = bool(adj["significant"])
        kind = f"{design}_{'effect' if claimed else 'none'}"
        key = f"effects.narrative.{kind}"
        direction = "higher" if adj["estimate"] > 0 else "lower"
        metric = f"{lever}_{outcome}_adjusted"
        out.append(Claim(kind, labels.text(
            key, lang, lever=labels.code_label(lever, lang),
            outcome=labels.text(f"effects.outcome_name.{outcome}", lang),
            value=_value(adj["estimate"], outcome, lang),
            direction=labels.text(f"effects.narrative.{direction}", lang),
            estimate=_fmt(adj["estimate"], outcome, lang),
            low=_fmt(adj["ci_low"], outcome, lang), high=_fmt(adj["ci_high"], outcome, lang),
            naive=_fmt(naive, outcome, lang), level=level,
            p_adj=_p_text(adj["p_adj"]), adjusted_for=held),
            qualified(_REPORT, metric, f"{metric}_p_adj", f"{metric}_ci_low", f"{metric}_ci_high"),
            direction_of(adj["estimate"]) if claimed else "none", f"family_{pol.effect_adjust}"))
    lines = markdown(out)
    naive = effects[effects["kind"] == "naive"].set_index(["lever", "outcome"])["estimate"]
    adjusted = effects[effects["kind"] == "adjusted"].set_index(["lever", "outcome"])["estimate"]
    common = naive.index.intersection(adjusted.index)
    if len(common) and (naive[common] > adjusted[common]).mean() > 0.5:
        bias = Claim("naive_bias", labels.text("effects.narrative.bias", lang),
                     rule="naive_above_adjusted")
        out.append(bias)
        lines = "\n".join([lines, "", bias.sentence]) if lines else "\n" + bias.sentence
    _said(claims, out)
    return lines


def family_note(care: pd.DataFrame, panel_levers: pd.DataFrame, survey_levers: pd.DataFrame,
                lang: str = "zh", *, policy: Policy | None = None,
                claims: list[Claim] | None = None) -> str:
    """The sentence under the effects: how many comparisons were adjusted together, and how.

    Parameters
    ----------
    care, panel_levers, survey_levers : DataFrame
        The page's tables tested as one family
        (:func:`gotone_analysis.reports.program_effects.claims.effect_family`).
    lang : {"zh", "en"}
        Language.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (method, alpha and level named).
    claims : list, optional
        The sentence is appended to it as a claim of the ledger.

    Returns
    -------
    str
        Markdown; empty when the page has no effect to test.
    """
    pol = resolve_policy(policy)
    n = family_size(care, panel_levers, survey_levers)
    if not n["total"]:
        return ""
    text = labels.text("effects.note.family", lang, n=n["total"], n_care=n["care"],
                       n_panel=n["panel"], n_survey=n["survey"],
                       method=labels.text(f"effects.p_adjust.{pol.effect_adjust}", lang),
                       alpha=f"{pol.alpha:g}", level=labels.level_text(pol.level))
    _said(claims, [Claim("effects_family", text,
                         qualified(_REPORT, "effects_family_size", "effects_p_adjust"), "none",
                         f"family_{pol.effect_adjust}")])
    return text


def pooling_note(effects: pd.DataFrame, lang: str = "zh") -> str:
    """How a city's survey comparisons were pooled with the other cities' (empty if not).

    Parameters
    ----------
    effects : DataFrame
        The table of
        :func:`gotone_analysis.reports.program_effects.pooling.pooled_lever_effects`
        (its ``attrs["pooled"]``: the number of cities pooled, 0 for none).
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
        The catalog's ``effects.note.pooled``, or ``""`` for the province.
    """
    n = int(effects.attrs.get("pooled") or 0)
    return labels.text("effects.note.pooled", lang, n=n) if n else ""


def support_note(effects: pd.DataFrame, lang: str = "zh", *,
                 claims: list[Claim] | None = None) -> str:
    """What the survey lever comparisons left out, and the levers they could not estimate.

    Parameters
    ----------
    effects : DataFrame
        The effects table of
        :func:`gotone_analysis.reports.program_effects.survey_levers.survey_lever_effects`
        (its ``attrs["dropped"]`` and ``attrs["not_estimable"]``).
    lang : {"zh", "en"}
        Language.
    claims : list, optional
        The sentences are appended to it as claims of the ledger.

    Returns
    -------
    str
        Markdown, one line per covariate level left out and per lever not estimated;
        empty when the comparison used every respondent.
    """
    out = []
    for g in effects.attrs.get("dropped", []):
        who = "support_everybody_uses" if g["users"] == g["n"] else "support_nobody_uses"
        level = labels.code_label(g["level"], lang)
        out.append(Claim("support_dropped", labels.text(
            "effects.note.support_dropped", lang, lever=labels.code_label(g["lever"], lang),
            covariate=labels.text(f"column.{g['covariate']}", lang), level=labels.plain(level),
            n=g["n"], who=labels.text(f"effects.note.{who}", lang)), rule="no_comparison"))
    for g in effects.attrs.get("not_estimable", []):
        out.append(Claim("not_estimable", labels.text(
            f"effects.note.not_estimable.{g['reason']}", lang,
            lever=labels.code_label(g["lever"], lang),
            detail=labels.plain(g.get("detail", ""))), rule="no_comparison"))
    _said(claims, out)
    return markdown(out)
