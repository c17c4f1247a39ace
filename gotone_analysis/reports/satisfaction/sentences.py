"""The satisfaction narrative: how satisfaction moved, whether the move is real, and why.

Sentences are built from the tables of :mod:`gotone_analysis.reports.satisfaction.tables`
only, every word from the catalog (section ``reports/satisfaction/catalog.py``):

* a change is called a rise or a fall only when it is significant (adjusted p below
  the policy's alpha, ``significant`` in :func:`~gotone_analysis.reports.satisfaction.tables.what_moved`);
  otherwise the sentence says the change is within sampling error;
* the lead over the network is stated only when significant;
* drivers and segments are said to explain a move only when that move is significant
  and their own interval excludes 0; a driver's share of the change is printed with its
  interval, and a driver is said to be where the change comes from *mainly* only when
  its share is above one half and so is the lower bound of the share's interval
  (:func:`gotone_analysis.policy.is_main_part`);
* a suppressed row (base below the minimum) is never a finding: the narrative says it
  is not shown; a driver model that was not estimated is said to be so.

Each sentence is made as a claim of the ledger (:class:`gotone_analysis.findings.Claim`),
naming the metric keys of :func:`gotone_analysis.reports.satisfaction.tables.headline` it
rests on (none for the other items of "what moved", which the report does not publish
as metrics).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import labels
from ...findings import Claim, direction_of, markdown, qualified
from ...policy import Policy, excludes_zero, is_main_part, resolve_policy

__all__ = ["driver_model_note", "satisfaction_narrative"]

_REPORT = "satisfaction"


def _k(*keys: str) -> tuple[str, ...]:
    return qualified(_REPORT, *keys)


def _way(values) -> str:
    """The direction of several parts: theirs when they agree, else ``mixed``."""
    ways = {direction_of(v) for v in values}
    return ways.pop() if len(ways) == 1 else "mixed"


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _sig(row: pd.Series) -> bool:
    return bool(row.get("significant", False)) and not bool(row.get("suppressed", False))


def _level_lines(trend: pd.DataFrame, lang: str, pol: Policy) -> tuple[list[Claim], bool]:
    last = trend.iloc[-1]
    if bool(last.get("suppressed", False)) or not np.isfinite(float(last["estimate"])):
        mb = pol.min_base if pol.min_base is not None else "min_base"
        return [Claim("satisfaction_suppressed",
                      labels.text("narrative.satisfaction.suppressed", lang, min_base=mb),
                      _k("satisfaction_suppressed", "satisfaction_n"), "none",
                      "min_base")], False
    level = labels.level_text(trend.attrs.get("level", pol.level))
    line = labels.text("narrative.satisfaction.level", lang, estimate=float(last["estimate"]),
                       level=level, lo=float(last["ci_low"]), hi=float(last["ci_high"]),
                       n=int(last["n"]))
    keys = _k("satisfaction", "satisfaction_ci_low", "satisfaction_ci_high", "satisfaction_n")
    if "lead" in last and np.isfinite(float(last["lead"])):
        keys += _k("satisfaction_lead", "satisfaction_lead_significant", "satisfaction_network")
        lead = float(last["lead"])
        if bool(last.get("lead_significant", False)):
            key = "narrative.satisfaction.lead" if lead > 0 else "narrative.satisfaction.behind"
            line += " " + labels.text(key, lang, lead=abs(lead), network=float(last["network"]))
        else:
            line += " " + labels.text("narrative.satisfaction.level_with_network", lang,
                                      network=float(last["network"]))
    return [Claim("satisfaction_level", line, keys, "level", "estimate_with_interval")], True


def _move_line(row: pd.Series, lang: str) -> Claim:
    name = labels.code_label(row["variable"], lang)
    what = str(row["compare_quarter"])
    keys = _k("satisfaction_change", "satisfaction_change_p_adj",
              "satisfaction_change_significant", "compare_quarter")
    if _sig(row):
        verb = labels.text("narrative.satisfaction.rose" if row["diff"] > 0
                           else "narrative.satisfaction.fell", lang)
        return Claim("satisfaction_moved", labels.text(
            "narrative.satisfaction.moved", lang, name=name, what=what, verb=verb,
            d=abs(float(row["diff"])), estimate=float(row["estimate"]),
            ptxt=_p_text(float(row["p_adj"]))), keys, direction_of(row["diff"]),
            "beyond_sampling_error")
    return Claim("satisfaction_steady", labels.text(
        "narrative.satisfaction.steady", lang, name=name, what=what, diff=float(row["diff"])),
        keys, "none", "beyond_sampling_error")


def _driver_lines(moved: pd.DataFrame, lang: str) -> list[Claim]:
    rows = moved[(moved["variable"] != "satisfaction") & ~moved["suppressed"].astype(bool)]
    rows = rows[rows["p_value"].notna()]
    if rows.empty:
        return []
    sig = rows[rows["significant"].astype(bool)]
    if sig.empty:
        return [Claim("drivers_steady", labels.text("narrative.satisfaction.drivers_steady",
                                                    lang), (), "none", "beyond_sampling_error")]
    items = "; ".join(labels.text("narrative.satisfaction.item", lang,
                                  name=labels.code_label(r["variable"], lang),
                                  diff=float(r["diff"])) for _, r in sig.iterrows())
    return [Claim("drivers_moved",
                  labels.text("narrative.satisfaction.drivers_moved", lang, items=items), (),
                  _way(sig["diff"]), "beyond_sampling_error")]


def _why_lines(decomposition: pd.DataFrame, lang: str, pol: Policy) -> list[Claim]:
    if "status" not in decomposition or (decomposition["status"] != "estimated").any():
        mb = decomposition["min_base"].iloc[0] if "min_base" in decomposition else "?"
        return [Claim("drivers_not_estimated", labels.text(
            "narrative.satisfaction.no_driver_model", lang, min_base=int(mb)),
            _k("drivers_estimated", "drivers_n"), "none", "min_base")]
    endow = decomposition[(decomposition["part"] == "endowments")
                          & ~decomposition["term"].astype(str).str.startswith("(")
                          & (decomposition["term"] != "total")]
    sig = endow[excludes_zero(endow["ci_low"], endow["ci_high"])]
    if sig.empty:
        return [Claim("explained_none", labels.text("narrative.satisfaction.explained_none",
                                                    lang), (), "none", "interval_excludes_zero")]
    sig = sig.reindex(sig["estimate"].abs().sort_values(ascending=False).index)
    level = labels.level_text(decomposition.attrs.get("level", pol.level))
    items, main, keys = [], [], []
    for _, r in sig.iterrows():
        name = labels.code_label(r["term"], lang)
        share = _share(r)
        key = f"endowments_{r['term']}"
        keys += [key, f"{key}_ci_low", f"{key}_ci_high"]
        if share is not None:
            keys += [f"{key}_share", f"{key}_share_ci_low", f"{key}_share_ci_high"]
        if share is None:
            items.append(labels.text("narrative.satisfaction.item", lang, name=name,
                                     diff=float(r["estimate"])))
            continue
        items.append(labels.text("narrative.satisfaction.item_share", lang, name=name,
                                 diff=float(r["estimate"]), share=share[0], lo=share[1],
                                 hi=share[2], level=level))
        if is_main_part(share[0], share[1]):
            main.append(name)
    line = labels.text("narrative.satisfaction.explained_by", lang, items="; ".join(items))
    if main:
        line += " " + labels.text("narrative.satisfaction.explained_mainly", lang,
                                  name=labels.text("narrative.satisfaction.list_sep",
                                                   lang).join(main))
    return [Claim("explained_by", line, _k(*keys), _way(sig["estimate"]),
                  "main_share" if main else "interval_excludes_zero")]


def _share(row: pd.Series) -> tuple[float, float, float] | None:
    """A term's share of the change with its interval, or None when not all three are known."""
    cols = ("change_share", "change_share_ci_low", "change_share_ci_high")
    if not all(c in row for c in cols):
        return None
    vals = tuple(float(row[c]) for c in cols)
    return vals if all(np.isfinite(v) for v in vals) else None


def _segment_lines(table: pd.DataFrame, lang: str, pol: Policy) -> list[Claim]:
    segment = str(table["segment"].iloc[0]) if "segment" in table else str(table.attrs["segment"])
    name = labels.text(f"column.{segment}", lang) if labels.has(f"column.{segment}") else segment
    tot = table[table["term"] == "total"].set_index("part")
    comp, within = tot.loc["composition"], tot.loc["within"]

    def sig(r: pd.Series) -> bool:
        return excludes_zero(r["ci_low"], r["ci_high"])

    key = {(True, True): "both", (True, False): "mix", (False, True): "within",
           (False, False): "none"}[(sig(comp), sig(within))]
    suffix = labels.text(f"narrative.satisfaction.segments_sig_{key}" if key != "none"
                         else "narrative.satisfaction.segments_none", lang)
    mix = f"segments_{segment}_composition"
    lines = [Claim("segments", labels.text(
        "narrative.satisfaction.segments", lang, segment=name,
        composition=float(comp["estimate"]), within=float(within["estimate"]), sig=suffix),
        _k(mix, f"{mix}_ci_low", f"{mix}_ci_high"), "level", "interval_excludes_zero")]
    if "suppressed" in table:
        seg_rows = table[(table["term"] != "total") & (table["part"] == "composition")]
        k = int(seg_rows["suppressed"].astype(bool).sum())
        if k:
            mb = pol.min_base if pol.min_base is not None else "min_base"
            lines.append(Claim("segments_suppressed", labels.text(
                "narrative.satisfaction.segments_suppressed", lang, k=k, segment=name,
                min_base=mb), (), "none", "min_base"))
    return lines


def satisfaction_narrative(
    trend: pd.DataFrame,
    moved: pd.DataFrame,
    decomposition: pd.DataFrame,
    segments: Sequence[pd.DataFrame] = (),
    lang: str = "zh",
    *,
    policy: Policy | None = None,
    claims: list[Claim] | None = None,
) -> str:
    """Say in Markdown where satisfaction stands, whether it moved, and what explains it.

    Parameters
    ----------
    trend : DataFrame
        :func:`~gotone_analysis.reports.satisfaction.tables.satisfaction_trend` (last row: this
        quarter).
    moved : DataFrame
        :func:`~gotone_analysis.reports.satisfaction.tables.what_moved`.
    decomposition : DataFrame
        :func:`~gotone_analysis.reports.satisfaction.tables.change_decomposition` (estimated or
        the ``not_estimated`` row).
    segments : sequence of DataFrame
        :func:`~gotone_analysis.reports.satisfaction.tables.segment_change` tables.
    lang : {"zh", "en"}
        Language.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (minimum base and level quoted in the sentences).
    claims : list, optional
        The sentences are appended to it as claims of the ledger.

    Returns
    -------
    str
        Markdown bullets: the level (and lead over the network), the move of
        satisfaction and of its drivers, and — only when satisfaction moved
        significantly — the drivers and segments that explain it.
    """
    pol = resolve_policy(policy)
    labels.check_lang(lang)
    lines, shown = _level_lines(trend, lang, pol)
    sat = moved[moved["variable"] == "satisfaction"]
    if shown and len(sat):
        row = sat.iloc[0]
        if bool(row.get("suppressed", False)) or not np.isfinite(float(row["p_value"])):
            if not bool(row.get("suppressed", False)):
                lines.append(Claim("not_compared", labels.text(
                    "narrative.satisfaction.no_compare", lang,
                    what=str(row["compare_quarter"])), rule="no_comparison"))
        else:
            lines.append(_move_line(row, lang))
            lines.extend(_driver_lines(moved, lang))
            if _sig(row):
                lines.extend(_why_lines(decomposition, lang, pol))
                for table in segments:
                    lines.extend(_segment_lines(table, lang, pol))
            elif "status" in decomposition and (decomposition["status"] != "estimated").any():
                lines.extend(_why_lines(decomposition, lang, pol))
    if claims is not None:
        claims.extend(lines)
    return markdown(lines)


def driver_model_note(table: pd.DataFrame, lang: str = "zh") -> str:
    """The note under a driver table: not estimated (and why), or how segments are held.

    Parameters
    ----------
    table : DataFrame
        :func:`~gotone_analysis.reports.satisfaction.tables.change_decomposition`,
        :func:`~gotone_analysis.reports.satisfaction.tables.driver_map` or a table of
        :func:`~gotone_analysis.reports.satisfaction.tables.satisfaction_index` (one wave: its
        note names the one base).
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
        Markdown: for a ``not_estimated`` table the minimum base and both bases; for an
        estimated decomposition with controls the note on the segment term; else "".
    """
    labels.check_lang(lang)
    if "status" in table and (table["status"] != "estimated").any():
        bases = {c: int(table[c].iloc[0]) for c in table if c.startswith("n_")}
        if set(bases) == {"n_current"}:
            return labels.text("note.satisfaction.ecsi_not_estimated", lang,
                               min_base=int(table["min_base"].iloc[0]), n=bases["n_current"])
        n_after = bases.get("n_after", bases.get("n_current", 0))
        n_before = bases.get("n_before", bases.get("n_comparison", 0))
        return labels.text("note.satisfaction.not_estimated", lang,
                           min_base=int(table["min_base"].iloc[0]), n_after=n_after,
                           n_before=n_before)
    if "term" in table and (table["term"] == "(controls)").any():
        return labels.text("note.satisfaction.controls", lang)
    return ""
