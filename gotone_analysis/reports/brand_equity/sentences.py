"""The brand-equity narrative: what moved significantly in a comparison table, in words.

Only rows marked significant (after the report-wide p-value adjustment of
:mod:`.tables`) are stated as changes; everything else is described as
within sampling error, and suppressed cells are counted and said to be hidden. The
words are the ``narrative.*`` texts of the catalog (section ``reports/brand_equity/catalog.py``).
Each sentence is made as a claim of the ledger (:class:`gotone_analysis.findings.Claim`);
a sentence on the headline comparisons (the change since the comparison quarter, the
difference from the network) names the metric keys of
:func:`gotone_analysis.reports.brand_equity.tables.headline` it rests on.
"""

from __future__ import annotations

import pandas as pd

from ... import labels
from ...compare import MARK_COLUMN, MARK_DOWN, MARK_UP
from ...errors import UsageError
from ...findings import Claim, markdown, qualified
from ...policy import Policy, resolve_policy

__all__ = ["NARRATIVE_DOMAINS", "PUBLISHED", "brand_narrative", "comparison_kind"]

#: The comparisons whose numbers the report publishes: name -> suffix of the metric keys
#: of :func:`gotone_analysis.reports.brand_equity.tables.headline` (``<component><suffix>``).
PUBLISHED: dict[str, str] = {"change": "_change", "vs_benchmark": "_vs_benchmark"}
_REPORT = "brand_equity"

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


def _keys(row: pd.Series, suffix: str | None, *, move: bool) -> tuple[str, ...]:
    if suffix is None:
        return ()
    c = str(row["component"])
    return qualified(_REPORT, f"{c}{suffix}", f"{c}{suffix}_p_adj") if move \
        else qualified(_REPORT, f"{c}{suffix}_p_adj")


def brand_narrative(table: pd.DataFrame, lang: str = "zh", *, policy: Policy | None = None,
                    alpha: float | None = None, min_base: int | None = None,
                    published: str | None = None, claims: list[Claim] | None = None) -> str:
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
    published : {"change", "vs_benchmark"}, optional
        The table is the one whose numbers the report publishes (:data:`PUBLISHED`):
        its sentences name their metric keys.
    claims : list, optional
        The sentences are appended to it as claims of the ledger.

    Returns
    -------
    str
        Markdown: one bullet per significant move (in the table's order), then a
        sentence on the rest and one on suppressed cells.
    """
    pol = resolve_policy(policy, alpha=alpha, min_base=min_base)
    labels.check_lang(lang)
    if published is not None and published not in PUBLISHED:
        raise UsageError(f"published must be one of {sorted(PUBLISHED)}, got {published!r}")
    suffix = PUBLISHED.get(published) if published else None
    kind, what = comparison_kind(table, lang)
    said: list[Claim] = []
    suppressed = (table["suppressed"].astype(bool) if "suppressed" in table
                  else pd.Series(False, index=table.index))
    shown = table.loc[~suppressed]
    if shown["p_value"].notna().sum() == 0 and len(shown):
        said.append(Claim("not_compared", labels.text("narrative.no_compare", lang, what=what),
                          rule="no_comparison"))
    else:
        # domain columns that vary within the table name the row (city, tier, ...)
        domains = [c for c in NARRATIVE_DOMAINS if c in table and table[c].nunique() > 1]
        if domains:
            suffix = None   # rows of a domain table are not published numbers
        sig = shown.loc[shown[MARK_COLUMN].isin([MARK_UP, MARK_DOWN])]
        said.extend(Claim("moved" if kind == "time" else "differs",
                          _move(r, kind, what, domains, lang), _keys(r, suffix, move=True),
                          "up" if r[MARK_COLUMN] == MARK_UP else "down",
                          "beyond_sampling_error") for _, r in sig.iterrows())
        tested = shown["p_value"].notna()
        rest = shown.loc[tested & ~shown.index.isin(sig.index)]
        rest_keys = tuple(k for _, r in rest.iterrows() for k in _keys(r, suffix, move=False))
        if sig.empty:
            key = "narrative.none_time" if kind == "time" else "narrative.none_diff"
            said.append(Claim("none_moved" if kind == "time" else "none_differs",
                              labels.text(key, lang, alpha=pol.alpha, what=what), rest_keys,
                              "none", "beyond_sampling_error"))
        elif len(sig) < int(tested.sum()):
            key = "narrative.rest_time" if kind == "time" else "narrative.rest_diff"
            said.append(Claim("rest_steady" if kind == "time" else "rest_same",
                              labels.text(key, lang), rest_keys, "none",
                              "beyond_sampling_error"))
        if (~tested).any():
            said.append(Claim("untested", labels.text("narrative.untested", lang,
                                                      k=int((~tested).sum())),
                              rule="no_comparison"))
    k = int(suppressed.sum())
    if k:
        mb = pol.min_base if pol.min_base is not None else "min_base"
        key = "narrative.suppressed_all" if k == len(table) else "narrative.suppressed"
        said.append(Claim("suppressed", labels.text(key, lang, k=k, min_base=mb),
                          rule="min_base"))
    if claims is not None:
        claims.extend(said)
    return markdown(said)
