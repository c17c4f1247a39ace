"""The brand-equity narrative: what moved significantly in a comparison table, in words.

Only rows marked significant (after the report-wide p-value adjustment of
:mod:`.tables`) are stated as changes; everything else is described as
within sampling error, and suppressed cells are counted and said to be hidden. The
words are the ``narrative.*`` texts of the catalog (section ``reports/brand_equity/catalog.py``).
"""

from __future__ import annotations

import pandas as pd

from ... import labels
from ...compare import MARK_COLUMN, MARK_DOWN, MARK_UP
from ...errors import UsageError
from ...policy import Policy, resolve_policy

__all__ = ["NARRATIVE_DOMAINS", "brand_narrative", "comparison_kind"]

#: Columns that name a row of a comparison table in the narrative when they vary in it.
NARRATIVE_DOMAINS: tuple[str, ...] = ("city", "tier", "brand", "gender", "age_band")


def comparison_kind(table: pd.DataFrame, lang: str = "zh") -> tuple[str, str]:
    """What a comparison table compares with.

    Parameters
    ----------
    table : DataFrame
        A table from :func:`.tables.changes`, ``annual_changes``,
        ``trend``, ``by_city`` or ``vs_benchmark``.
    lang : {"zh", "en"}
        Language of the name.

    Returns
    -------
    tuple of str
        ``(kind, name)``: kind ``"time"`` (another wave or year), ``"domain"`` (the
        province) or ``"benchmark"``, and how the sentence names the reference.

    Raises
    ------
    UsageError
        For a table that is not a comparison table.
    """
    if "compare_quarter" in table:
        return "time", str(table["compare_quarter"].iloc[0]) if len(table) else ""
    if "compare_year" in table:
        return "time", str(table["compare_year"].iloc[0]) if len(table) else ""
    if "city" in table and "estimate_ref" in table:
        return "domain", labels.text("narrative.province", lang)
    if "estimate_ref" in table:
        return "benchmark", labels.text("narrative.benchmark", lang)
    raise UsageError("narrative needs a comparison table from changes, annual_changes, "
                     "trend, by_city or vs_benchmark")


def _row_name(row: pd.Series, domains: list[str], lang: str) -> str:
    name = labels.code_label(row["component"], lang)
    if not domains:
        return name
    where = " ".join(labels.code_label(str(row[c]), lang) for c in domains)
    return labels.text("narrative.domain_name", lang, where=where, name=name)


def _move(row: pd.Series, kind: str, what: str, domains: list[str], lang: str) -> str:
    """The sentence of one significant row."""
    up = row[MARK_COLUMN] == MARK_UP
    if kind == "time":
        verb = labels.text("narrative.up" if up else "narrative.down", lang)
    else:
        verb = labels.text("narrative.higher" if up else "narrative.lower", lang)
    p = float(row["p_adj"])
    key = "narrative.move_time" if kind == "time" else "narrative.move_diff"
    return labels.text(key, lang, name=_row_name(row, domains, lang),
                       estimate=float(row["estimate"]), what=what, verb=verb,
                       d=abs(float(row["diff"])), points=labels.text("narrative.points", lang),
                       ptxt="< 0.001" if p < 0.001 else f"= {p:.3f}")


def brand_narrative(table: pd.DataFrame, lang: str = "zh", *, policy: Policy | None = None,
                    alpha: float | None = None, min_base: int | None = None) -> str:
    """Say in Markdown what moved significantly in a comparison table.

    Parameters
    ----------
    table : DataFrame
        A table from :func:`.tables.changes`, ``annual_changes``,
        ``by_city`` or ``vs_benchmark`` (columns ``component, estimate, diff, p_value,
        p_adj, mark``, optionally ``city`` and ``suppressed``).
    lang : {"zh", "en"}
        Language.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``): significance level of the marks and
        minimum base, for the wording; ``alpha`` and ``min_base`` override it.
    alpha : float, optional
        Significance level the marks were set at.
    min_base : int, optional
        Minimum base, quoted when cells are suppressed.

    Returns
    -------
    str
        Markdown: one bullet per significant move (in the table's order), then a
        sentence on the rest and one on suppressed cells.
    """
    pol = resolve_policy(policy, alpha=alpha, min_base=min_base)
    labels.check_lang(lang)
    kind, what = comparison_kind(table, lang)
    lines: list[str] = []
    suppressed = (table["suppressed"].astype(bool) if "suppressed" in table
                  else pd.Series(False, index=table.index))
    shown = table.loc[~suppressed]
    if shown["p_value"].notna().sum() == 0 and len(shown):
        lines.append(labels.text("narrative.no_compare", lang, what=what))
    else:
        # domain columns that vary within the table name the row (city, tier, ...)
        domains = [c for c in NARRATIVE_DOMAINS if c in table and table[c].nunique() > 1]
        sig = shown.loc[shown[MARK_COLUMN].isin([MARK_UP, MARK_DOWN])]
        lines.extend(_move(r, kind, what, domains, lang) for _, r in sig.iterrows())
        tested = shown["p_value"].notna()
        if sig.empty:
            key = "narrative.none_time" if kind == "time" else "narrative.none_diff"
            lines.append(labels.text(key, lang, alpha=pol.alpha, what=what))
        elif len(sig) < int(tested.sum()):
            key = "narrative.rest_time" if kind == "time" else "narrative.rest_diff"
            lines.append(labels.text(key, lang))
        if (~tested).any():
            lines.append(labels.text("narrative.untested", lang, k=int((~tested).sum())))
    k = int(suppressed.sum())
    if k:
        mb = pol.min_base if pol.min_base is not None else "min_base"
        key = "narrative.suppressed_all" if k == len(table) else "narrative.suppressed"
        lines.append(labels.text(key, lang, k=k, min_base=mb))
    return "\n".join(f"- {line}" for line in lines)
