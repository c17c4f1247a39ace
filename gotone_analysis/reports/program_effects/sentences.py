"""Sentences of the program-effects report: what each lever did, claimed only where it shows.

An effect is stated as an effect only when its confidence interval excludes zero;
otherwise the sentence says that no effect can be claimed. Every word comes from the
catalog section :mod:`gotone_analysis.reports.program_effects.catalog`.
"""

from __future__ import annotations

import pandas as pd

from ... import labels
from ...config import CARE_ROLLOUT
from ...policy import Policy, excludes_zero, resolve_policy, significant

__all__ = ["care_narrative", "lever_narrative", "support_note"]


def _fmt(v: float, outcome: str) -> str:
    if outcome == "churn":
        return f"{v * 100:+.2f} pp"
    return f"{v:+.2f}"


def care_narrative(summary: pd.DataFrame, lang: str = "zh", *,
                   policy: Policy | None = None) -> str:
    """Sentences on the care-call effects (``reports.program_effects.tables.care_summary`` table).

    Returns
    -------
    str
        Markdown, one sentence per outcome plus the parallel-trends check.
    """
    pol = resolve_policy(policy)
    if summary.empty:
        return "- " + labels.text("effects.narrative.care_not_started", lang,
                                  start=min(CARE_ROLLOUT.values()))
    out = []
    for _, r in summary.iterrows():
        o = r["outcome"]
        fields = dict(outcome=labels.text(f"effects.outcome.{o}", lang),
                      estimate=_fmt(r["estimate"], o), low=_fmt(r["ci_low"], o),
                      high=_fmt(r["ci_high"], o))
        key = "effects.narrative.care_effect" if excludes_zero(r["ci_low"], r["ci_high"]) else \
            "effects.narrative.care_none"
        sentence = labels.text(key, lang, **fields)
        p = r.get("pretest_p")
        if pd.notna(p):
            pkey = "effects.narrative.pretrend_ok" if not significant(p, pol.alpha) else \
                "effects.narrative.pretrend_bad"
            sentence += " " + labels.text(pkey, lang, p=f"{p:.3f}")
        out.append(f"- {sentence}")
    return "\n".join(out)


def lever_narrative(effects: pd.DataFrame, lang: str = "zh") -> str:
    """Sentences on lever effects from a table with ``lever, outcome, kind`` rows.

    Returns
    -------
    str
        Markdown: per lever and outcome the adjusted effect (claimed only when its
        interval excludes zero) beside the naive comparison, then a note on the bias.
    """
    if effects is None or not len(effects):
        return ""
    out = []
    wide = effects.set_index(["lever", "outcome", "kind"])
    for (lever, outcome), _ in effects.groupby(["lever", "outcome"], sort=False):
        if (lever, outcome, "adjusted") not in wide.index:
            continue
        adj = wide.loc[(lever, outcome, "adjusted")]
        naive = wide.loc[(lever, outcome, "naive"), "estimate"] \
            if (lever, outcome, "naive") in wide.index else float("nan")
        key = "effects.narrative.lever_effect" \
            if excludes_zero(adj["ci_low"], adj["ci_high"]) else \
            "effects.narrative.lever_none"
        out.append("- " + labels.text(
            key, lang, lever=labels.code_label(lever, lang),
            outcome=labels.text(f"effects.outcome.{outcome}", lang),
            estimate=_fmt(adj["estimate"], outcome), low=_fmt(adj["ci_low"], outcome),
            high=_fmt(adj["ci_high"], outcome), naive=_fmt(naive, outcome)))
    naive = effects[effects["kind"] == "naive"].set_index(["lever", "outcome"])["estimate"]
    adjusted = effects[effects["kind"] == "adjusted"].set_index(["lever", "outcome"])["estimate"]
    common = naive.index.intersection(adjusted.index)
    if len(common) and (naive[common] > adjusted[common]).mean() > 0.5:
        out.append("")
        out.append(labels.text("effects.narrative.bias", lang))
    return "\n".join(out)


def support_note(effects: pd.DataFrame, lang: str = "zh") -> str:
    """What the survey lever comparisons left out, and the levers they could not estimate.

    Parameters
    ----------
    effects : DataFrame
        The effects table of
        :func:`gotone_analysis.reports.program_effects.tables.survey_lever_effects`
        (its ``attrs["dropped"]`` and ``attrs["not_estimable"]``).
    lang : {"zh", "en"}
        Language.

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
        out.append("- " + labels.text(
            "effects.note.support_dropped", lang, lever=labels.code_label(g["lever"], lang),
            covariate=labels.text(f"column.{g['covariate']}", lang), level=labels.plain(level),
            n=g["n"], who=labels.text(f"effects.note.{who}", lang)))
    for g in effects.attrs.get("not_estimable", []):
        out.append("- " + labels.text(
            f"effects.note.not_estimable.{g['reason']}", lang,
            lever=labels.code_label(g["lever"], lang),
            detail=labels.plain(g.get("detail", ""))))
    return "\n".join(out)

