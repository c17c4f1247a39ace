"""The claim ledger: every finding a report prints, with the numbers and the rule it rests on.

A report's sentences are generated from its tables under the rules of
:mod:`gotone_analysis.policy`. Each sentence is made as a :class:`Claim`: the words a
reader sees, what kind of statement it is, the metric keys (``<report>.<key>`` of
``metrics.json``) it rests on, which way it says the number went, and a short code of
the rule that allowed it (:data:`RULES`). The reader's page prints only the words; the
report publishes the rest beside its numbers as the ``findings`` table
(:func:`findings_table`, :data:`COLUMNS`): a list of records in ``metrics.json`` and a
sheet of ``tables.xlsx``, so every sentence can be checked against the number it names.

Directions (:data:`DIRECTIONS`): ``up`` and ``down`` state a move or a difference,
the sign of the claim's first key; ``level`` states where a number or a status stands;
``mixed`` names several parts that went different ways; ``none`` says that no move or
effect can be claimed (within sampling error, not established, not shown).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["COLUMNS", "DIRECTIONS", "FINDINGS", "RULES", "Claim", "direction_of",
           "findings_records", "findings_table", "keys_of", "markdown", "plain_sentence", "problems",
           "qualified"]

_BOLD_RE = re.compile(r"\*\*(.+?)\*\*", re.S)

#: Name of the ledger in ``metrics.json`` and of its sheet in ``tables.xlsx``.
FINDINGS = "findings"
#: The columns of the ledger, in order.
COLUMNS: tuple[str, ...] = ("scope", "quarter", "kind", "sentence", "keys", "direction",
                            "rule")
#: What a claim may say about the way its number went.
DIRECTIONS: tuple[str, ...] = ("up", "down", "level", "mixed", "none")
#: The rules a claim may rest on: code -> what it means (the rules live in
#: :mod:`gotone_analysis.policy` and the reports' own modules).
RULES: dict[str, str] = {
    "estimate_with_interval": "a level, quoted with its confidence interval",
    "beyond_sampling_error": "a move or difference stated only when its p-value, adjusted "
                             "over the table by the report-wide method, is below alpha",
    "interval_excludes_zero": "a part of a change named only when its interval excludes zero",
    "main_share": "a part called the main part only when its share and the share's lower "
                  "bound are above one half (policy.is_main_part)",
    "family_holm": "an effect claimed only when its p-value, adjusted over the page's family "
                   "of effects (Holm), is below alpha",
    "family_bonferroni": "as family_holm, adjusted by Bonferroni",
    "family_fdr_bh": "as family_holm, adjusted by Benjamini-Hochberg",
    "family_none": "as family_holm, without adjustment",
    "status_rule": "a target's status under the scorecard's status rules",
    "census_count": "a move of a BI (KPI) count between two months, stated as it is: the "
                    "counts are a census, without sampling error",
    "naive_above_adjusted": "most naive comparisons exceed the adjusted ones",
    "min_base": "a number whose base is below the minimum is not shown",
    "no_comparison": "no comparison is possible (no comparison wave, not estimable)",
}


@dataclass(frozen=True)
class Claim:
    """One sentence a report prints and what it rests on.

    Attributes
    ----------
    kind : str
        What the statement is (``satisfaction_moved``, ``care_effect`` ...).
    sentence : str
        The words as the reader sees them (without a list bullet).
    keys : tuple of str
        The metric keys it rests on, as ``<report>.<key>``; for ``up``/``down`` the first
        is the number whose sign the direction states. Empty for a sentence on a table
        whose numbers are not in ``metrics.json`` (a city or year-ago comparison).
    direction : str
        One of :data:`DIRECTIONS`.
    rule : str
        The code of the rule that allowed it (:data:`RULES`).
    source : str
        The section of a report page where it can be checked, ``<report>.<section>``
        as :func:`gotone_analysis.labels.section` names it (optional; the page's anchor
        is :func:`gotone_analysis.labels.anchor`).
    """

    kind: str
    sentence: str
    keys: tuple[str, ...] = ()
    direction: str = "none"
    rule: str = ""
    source: str = ""


def qualified(report: str, *keys: str) -> tuple[str, ...]:
    """Metric keys as the ledger names them, ``<report>.<key>``.

    Returns
    -------
    tuple of str
    """
    return tuple(f"{report}.{k}" for k in keys)


def direction_of(value: Any) -> str:
    """``up`` for a positive number, ``down`` for a negative one, else ``none``.

    Returns
    -------
    str
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "none"
    if not math.isfinite(v) or v == 0:
        return "none"
    return "up" if v > 0 else "down"


def markdown(claims: Iterable[Claim]) -> str:
    """Claims as the page prints them: one Markdown bullet each.

    Returns
    -------
    str
    """
    return "\n".join(f"- {c.sentence}" for c in claims)


def plain_sentence(sentence: str) -> str:
    """A sentence as the reader reads it: without the Markdown emphasis the page renders
    as bold, and free text (escaped by :func:`gotone_analysis.labels.plain`) as the
    characters it holds.

    Returns
    -------
    str
    """
    return html.unescape(_BOLD_RE.sub(r"\1", sentence))


def findings_table(claims: Sequence[Claim], *, scope: str, quarter: str) -> pd.DataFrame:
    """The ledger of a report: one row per claim.

    Parameters
    ----------
    claims : sequence of Claim
        The report's claims, in the order the page prints them.
    scope, quarter : str
        The report's scope and quarter.

    Returns
    -------
    pandas.DataFrame
        Exactly the columns :data:`COLUMNS`; ``sentence`` as the reader reads it (the
        text as the page shows it, :func:`plain_sentence`); ``keys``
        the metric keys separated by ``", "`` (a sheet cell holds text).

    Raises
    ------
    ValueError
        For a claim whose direction or rule is not a known one.
    """
    rows = []
    for c in claims:
        if c.direction not in DIRECTIONS:
            raise ValueError(f"claim {c.kind!r}: direction {c.direction!r} is not one of "
                             f"{DIRECTIONS}")
        if c.rule not in RULES:
            raise ValueError(f"claim {c.kind!r}: rule {c.rule!r} is not one of {sorted(RULES)}")
        rows.append({"scope": scope, "quarter": quarter, "kind": c.kind,
                     "sentence": plain_sentence(c.sentence), "keys": ", ".join(c.keys),
                     "direction": c.direction, "rule": c.rule})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def findings_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The ledger as ``metrics.json`` holds it: a list of records, ``keys`` a list.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`findings_table`.

    Returns
    -------
    list of dict
    """
    out = []
    for row in table.to_dict("records"):
        keys = row["keys"]
        row["keys"] = [k for k in str(keys).split(", ") if k] if isinstance(keys, str) \
            else list(keys or [])
        out.append({c: row[c] for c in COLUMNS})
    return out


def keys_of(records: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every metric key a ledger names.

    Returns
    -------
    set of str
    """
    return {k for r in records for k in r.get("keys") or ()}


def problems(records: Iterable[Mapping[str, Any]],
             metrics: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What does not hold in a ledger, checked against the published metrics.

    Every claim's direction and rule must be known ones, every key it names must be
    published (``<report>.<key>`` of ``metrics``), and an ``up``/``down`` claim that
    names keys must name first a number of that sign (a claim on a table whose numbers
    are not metrics, a city or year-ago comparison, names none: its table is in the
    workbook).

    Parameters
    ----------
    records : iterable of mapping
        The ledger (:func:`findings_records`, or ``metrics.json``'s ``findings``).
    metrics : mapping
        Report -> its published metrics (a scope's ``metrics.json``).

    Returns
    -------
    list of str
        One line per problem; empty when the ledger holds.
    """
    out = []
    for r in records:
        what = f"{r.get('kind')}: {str(r.get('sentence'))[:60]!r}"
        if r.get("direction") not in DIRECTIONS:
            out.append(f"{what}: direction {r.get('direction')!r}")
        if r.get("rule") not in RULES:
            out.append(f"{what}: rule {r.get('rule')!r}")
        keys = list(r.get("keys") or ())
        values = []
        for key in keys:
            report, _, name = str(key).partition(".")
            if name not in (metrics.get(report) or {}):
                out.append(f"{what}: key {key!r} is not published")
                values.append(None)
            else:
                values.append(metrics[report][name])
        if r.get("direction") in ("up", "down") and keys \
                and direction_of(values[0]) != r["direction"]:
            out.append(f"{what}: says {r['direction']} but names {keys[0]} = {values[0]}")
    return out
