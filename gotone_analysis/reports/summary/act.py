"""Where to act: the levers furthest from their targets, and what the evidence says of each.

The summary's first screen ends with a short list a manager can act on
(:func:`where_to_act`): the levers whose 139 status needs attention (missed, off track,
at risk: :data:`gotone_analysis.reports.summary.tables.ATTENTION`), worst first, each
with its target furthest from its value (the relative shortfall), on the province's page
the city adding most to that shortfall (``<target>_worst_city`` of the scorecard), and
the evidence about the lever from the summary's own findings
(:func:`gotone_analysis.reports.summary.tables.findings`): an effect the program-effects
page claims (with its interval; causal words only for the care calls), "evaluated, no
effect established", or "not evaluated". Nothing is claimed here that the findings do not
already claim.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ... import config, labels
from ...tables import DASH, count_text, number_text
from ...targets import targets as target_table
from ..scorecard_139.status import finite_or_none
from .tables import ATTENTION, Finding

__all__ = ["ACT_LIMIT", "act_html", "where_to_act"]

#: Most levers listed under "where to act".
ACT_LIMIT = 3

_SEVERITY = {s: i for i, s in enumerate(("missed", "off_track", "at_risk"))}
_COLUMNS = ["lever", "status", "light", "target_id", "actual", "target", "unit", "shortfall",
            "city", "evidence", "effects"]


def _shortfall(actual: float | None, target: float | None, direction: str) -> float | None:
    """How far short of its target a value is, relative to the target (0 when not short)."""
    if actual is None or target is None or target == 0:
        return None
    gap = (target - actual) if direction.startswith(">") else (actual - target)
    return max(gap, 0.0) / abs(target)


def _evidence(lever: str, found: Sequence[Finding]) -> tuple[str, list[dict]]:
    effects = []
    for f in found:
        if f.kind == "care_effect" and lever == "care":
            effects.append({**f.fields, "method": "did"})
        elif f.kind == "lever_effect" and f.fields.get("lever") == lever:
            method = "panel" if f.fields.get("outcome") == "arpu" else "survey"
            effects.append({**f.fields, "method": method})
    if effects:
        return "effect", effects
    tested = any(f.kind == "no_effect" and any(lv == lever for lv, _ in f.fields["items"])
                 for f in found)
    return ("not_established" if tested else "none"), []


def where_to_act(metrics: Mapping[str, Mapping[str, Any]], found: Sequence[Finding], *,
                 limit: int = ACT_LIMIT) -> pd.DataFrame:
    """The levers to act on first, with their furthest target and the evidence about them.

    Parameters
    ----------
    metrics : mapping
        Report name -> published metrics of the scope
        (:func:`gotone_analysis.reports.summary.tables.published`).
    found : sequence of Finding
        :func:`gotone_analysis.reports.summary.tables.findings` of the same metrics.
    limit : int
        Most levers listed.

    Returns
    -------
    pandas.DataFrame
        Columns ``lever, status, light, target_id, actual, target, unit, shortfall``
        (relative to the target), ``city`` (the city adding most to the shortfall, on
        the province's page; else None), ``evidence`` (``effect``, ``not_established``
        or ``none``) and ``effects`` (the claimed effects' fields, with ``method``
        ``did``/``panel``/``survey``); worst status first, then the largest shortfall.
    """
    card = metrics.get("scorecard_139") or {}
    tg = target_table()
    rows = []
    for lever in config.LEVER_CODES:
        status = card.get(f"lever_{lever}_status")
        if status not in ATTENTION:
            continue
        worst: tuple[float, dict] | None = None
        for t in tg[tg["lever"] == lever].itertuples(index=False):
            if card.get(f"{t.id}_status") not in ATTENTION:
                continue
            actual, target = (finite_or_none(card.get(f"{t.id}_actual")),
                              finite_or_none(card.get(f"{t.id}_target")))
            short = _shortfall(actual, target, t.direction)
            row = {"target_id": t.id, "actual": actual, "target": target, "unit": t.unit,
                   "shortfall": short, "city": card.get(f"{t.id}_worst_city")}
            if worst is None or (short or 0.0) > worst[0]:
                worst = (short or 0.0, row)
        if worst is None:
            continue
        evidence, effects = _evidence(lever, found)
        rows.append({"lever": lever, "status": status,
                     "light": card.get(f"lever_{lever}_light"), **worst[1],
                     "evidence": evidence, "effects": effects})
    out = pd.DataFrame(rows, columns=_COLUMNS)
    if out.empty:
        return out
    out["_rank"] = out["status"].map(_SEVERITY)
    out = out.sort_values(["_rank", "shortfall"], ascending=[True, False], kind="stable")
    return out.drop(columns="_rank").head(limit).reset_index(drop=True)


def _t(key: str, lang: str, **fields) -> str:
    return labels.text(f"summary.act.{key}", lang, **fields)


def _value(value: float | None, unit: str, lang: str) -> str:
    if value is None:
        return DASH
    if unit == "rate":
        return f"{number_text(value * 100, 1)}%"
    if unit in ("customers", "accounts", "points"):
        return count_text(value, lang)
    return number_text(value, 0 if unit == "rank" else 1)


def _effect_text(e: dict, lang: str) -> str:
    outcome, method = e["outcome"], e["method"]
    unit = "yuan" if outcome == "arpu" else ("pp" if outcome == "churn" else "score")
    scale = 100.0 if outcome == "churn" else 1.0
    value = e["estimate"] * scale
    key = f"outcome.{outcome}"
    name = (labels.text(f"narrative.summary.{key}", lang)
            if labels.has(f"narrative.summary.{key}") else labels.code_label(outcome, lang))
    way = "" if method == "did" else (".up" if value > 0 else ".down")
    shown = value if method == "did" else abs(value)
    return _t(f"effect.{method}{way}", lang, outcome=name,
              value=_t(f"unit.{unit}", lang, value=shown),
              lo=f"{e['lo'] * scale:+.1f}", hi=f"{e['hi'] * scale:+.1f}")


def act_html(table: pd.DataFrame, lang: str = "zh", *, province: bool = False) -> str:
    """The "where to act" block as HTML (escaped), or a sentence when nothing needs it.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`where_to_act`.
    lang : {"zh", "en"}
        Language.
    province : bool
        Show the city column (the province's page).

    Returns
    -------
    str
        A ``<table class="act">``: lever with its light, the target furthest from its
        value (actual against target), on the province's page the city adding most to
        that gap, and what the evidence says.
    """
    e = html.escape
    if table.empty:
        return f'<p class="act-none">{e(_t("none", lang))}</p>'
    head = [_t("column.lever", lang), _t("column.target", lang)]
    if province:
        head.append(_t("column.city", lang))
    head.append(_t("column.evidence", lang))
    tg = target_table()
    names = dict(zip(tg["id"], tg["label_zh" if lang == "zh" else "label_en"], strict=True))
    body = []
    for r in table.itertuples(index=False):
        status = labels.text(f"scorecard.status.{r.status}", lang)
        light = r.light if isinstance(r.light, str) else "grey"
        target = _t("target", lang, name=names.get(r.target_id, r.target_id),
                    actual=_value(r.actual, r.unit, lang),
                    target=_value(r.target, r.unit, lang))
        cells = [f'<span class="light light-{e(light)}"></span>'
                 f"{e(labels.code_label(r.lever, lang))}<br><small>{e(status)}</small>",
                 e(target)]
        if province:
            cells.append(e(labels.code_label(r.city, lang)) if isinstance(r.city, str)
                         else "—")
        if r.evidence == "effect":
            said = "<br>".join(e(_effect_text(x, lang)) for x in r.effects)
        else:
            said = e(_t(f"evidence.{r.evidence}", lang))
        cells.append(said)
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head_html = "".join(f"<th>{e(h)}</th>" for h in head)
    return f'<table class="act"><tr>{head_html}</tr>{"".join(body)}</table>'
