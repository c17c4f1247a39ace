"""The one-page summary: what changed and why, from the other reports' published metrics.

The summary re-runs no analysis. It reads the headline numbers the other reports of
the same quarter and scope published (``<out>/<quarter>/<scope>/metrics.json``, through
:func:`read_metrics`) and decides which findings those numbers support
(:func:`findings`); :mod:`gotone_analysis.reports.summary.sentences` words them.

The rules of :func:`findings` (the one place they are written):

* a move (satisfaction, the influence index or one of its components) is a finding
  only when it is significant under the report-wide policy (the report's own
  ``..._significant`` flag, or its adjusted p below the policy's alpha); otherwise the
  finding is that the data do not establish a move (kind ``*_steady``), never a move
  nor a claim that nothing moved;
* the lead over the network is stated only when significant;
* a driver or segment explains a move only when the move is significant and its own
  interval excludes zero and points the same way; its share of the move is given only
  with the share's interval (``<key>_share``, ``_share_ci_low``, ``_share_ci_high`` as
  the satisfaction report published them), and it is the move's *main* part only when
  its share and the share's lower bound are above one half
  (:func:`gotone_analysis.policy.is_main_part`);
* an effect (care calls, a lever's adjusted comparison) is claimed only when its
  p-value, adjusted over the program-effects page's family of effects
  (``<key>_p_adj``), is below the policy's alpha — an unadjusted interval that excludes
  zero is not enough; the other effects are listed as not established. The care calls
  carry their parallel-trends pre-test (``care_<outcome>_pretest_p``), the survey
  levers what their comparison was adjusted for (``survey_adjusted_for``), and the
  family its size and method (``effects_family``);
* a suppressed number (base below the minimum; published as None or flagged
  ``_suppressed``) is never a finding;
* a 139 target needs attention when it is missed, off track or at risk
  (:data:`ATTENTION`); an inconclusive target (a survey estimate within sampling error
  of its target, or an apportioned city target within its tolerance) is not a miss: it
  is named apart (``targets_inconclusive``), and "every target met or on track" is said
  only when there is none;
* status changes are counted as the scorecard published them, like with like: "worse"
  counts only targets the scorecard calls worse, never a forecast that became a verdict;
  those are counted apart as now final (``changed_final``);
* every finding carries the metric keys it is built from, as ``<report>.<key>`` (for a
  move, the move's own number first), which way it says the number went and the code of
  the rule that allowed it (:data:`gotone_analysis.findings.RULES`): the claim ledger.

The batch runs the summary after the other reports of its quarter and scope; it
fails with :class:`MissingMetrics` when a report it needs has no published metrics
for that quarter and scope or failed in the batch.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ... import config
from ...errors import GotoneError
from ...findings import direction_of
from ...policy import Policy, excludes_zero, is_main_part, resolve_policy, significant

__all__ = [
    "ATTENTION",
    "HEADLINE",
    "INCONCLUSIVE",
    "NEEDS",
    "OUTPUT_DIR_ENV",
    "Finding",
    "MissingMetrics",
    "findings",
    "headline",
    "headline_numbers",
    "lever_status",
    "output_dir",
    "published",
    "read_metrics",
    "report_links",
]

#: The reports the summary draws on, in the order their findings appear.
NEEDS: tuple[str, ...] = config.REPORT_NEEDS["summary"]
#: Environment variable naming the output folder the batch publishes to.
OUTPUT_DIR_ENV = "GOTONE_OUTPUT_DIR"

#: The headline numbers: name -> (report, metric key, unit). ``score`` on 0-100,
#: ``points`` a difference of scores, ``count``, ``rate`` a fraction.
HEADLINE: dict[str, tuple[str, str, str]] = {
    "influence": ("brand_equity", "influence", "score"),
    "satisfaction": ("satisfaction", "satisfaction", "score"),
    "satisfaction_lead": ("satisfaction", "satisfaction_lead", "points"),
    "gotone_customers": ("scorecard_139", "gotone_customers_actual", "count"),
    "target_share": ("scorecard_139", "target_share_actual", "rate"),
    "purity": ("scorecard_139", "purity_actual", "rate"),
}
#: Statuses of targets that need a manager's attention, worst first.
ATTENTION: tuple[str, ...] = ("missed", "off_track", "at_risk")
#: The status of a target neither met nor missed: named apart, not a miss.
INCONCLUSIVE = "inconclusive"
_CARE_OUTCOMES: tuple[str, ...] = ("churn", "arpu")
#: Suffixes of the keys published beside an estimate (not estimates themselves).
_BESIDE = ("_ci_low", "_ci_high", "_significant", "_suppressed", "_share", "_share_ci_low",
           "_share_ci_high")
_LEVER_EFFECTS: tuple[tuple[str, str], ...] = (
    ("arpu", "adjusted"), ("satisfaction", "adjusted"), ("loyalty", "adjusted"))


class MissingMetrics(GotoneError):
    """A report the summary needs has no published metrics, or failed."""


def output_dir() -> Path:
    """The output folder the summary reads from.

    Returns
    -------
    pathlib.Path
        ``$GOTONE_OUTPUT_DIR`` when set (the batch sets it), else the project's
        ``outputs`` folder (:func:`gotone_analysis.config.default_output_dir`).
    """
    env = os.environ.get(OUTPUT_DIR_ENV)
    return Path(env) if env else config.default_output_dir()


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise MissingMetrics(f"{path.parent.parent.name}/{path.parent.name}/{path.name} is "
                             f"not valid JSON: {exc}") from None


def read_metrics(out_dir: Path | str, quarter: str, scope: str, report: str) -> dict[str, Any]:
    """The metrics one report published for a quarter and scope.

    Parameters
    ----------
    out_dir : path
        Output folder of the batch (``outputs``).
    quarter, scope : str
        Which reports.
    report : str
        A report name (key of :data:`gotone_analysis.config.REPORTS`).

    Returns
    -------
    dict
        The report's entry of ``<out>/<quarter>/<scope>/metrics.json``.

    Raises
    ------
    MissingMetrics
        When the report failed in its last run (``status.json``), has no metrics for
        the quarter and scope, or published metrics of another quarter.
    """
    folder = Path(out_dir) / quarter / scope
    where = f"{quarter}/{scope}"
    status = (_read_json(folder / "status.json").get("reports") or {}).get(report) or {}
    if status.get("status") == "failed":
        raise MissingMetrics(f"the summary needs the {report} report of {where}, which "
                             f"failed: {status.get('error') or 'see its error page'}")
    metrics = _read_json(folder / "metrics.json").get(report)
    if not metrics:
        raise MissingMetrics(f"the summary needs the {report} report of {where}, which has "
                             "no published metrics; run it first (gotone run --reports "
                             f"{report},summary)")
    got = metrics.get("quarter")
    if got is not None and got != quarter:
        raise MissingMetrics(f"the {report} metrics in {where} are of {got}, not {quarter}")
    return dict(metrics)


def published(out_dir: Path | str, quarter: str, scope: str,
              reports: Sequence[str] = NEEDS) -> dict[str, dict[str, Any]]:
    """The published metrics of every report the summary needs.

    Returns
    -------
    dict
        Report name -> its metrics (:func:`read_metrics`).

    Raises
    ------
    MissingMetrics
        Naming every report that is missing or failed.
    """
    out: dict[str, dict[str, Any]] = {}
    problems = []
    for name in reports:
        try:
            out[name] = read_metrics(out_dir, quarter, scope, name)
        except MissingMetrics as exc:
            problems.append(str(exc))
    if problems:
        raise MissingMetrics("; ".join(problems))
    return out


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One statement the published numbers support.

    ``kind`` names the statement (``satisfaction_moved``, ``care_effect`` ...);
    ``fields`` hold its numbers and codes (words are added by the narrative);
    ``keys`` the metric keys it is built from, as ``<report>.<key>``; ``direction``
    and ``rule`` as in :class:`gotone_analysis.findings.Claim`.
    """

    kind: str
    fields: dict[str, Any] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    direction: str = "none"
    rule: str = ""


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, (bool, str)):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _significant(m: Mapping[str, Any], flag: str, p_key: str, alpha: float) -> bool:
    if flag in m:
        return bool(m[flag])
    return significant(_num(m.get(p_key)), alpha)


def _keys(report: str, *keys: str) -> tuple[str, ...]:
    return tuple(f"{report}.{k}" for k in keys)


def _share(m: Mapping[str, Any], key: str) -> tuple[tuple | None, list[str]]:
    """A part's share of the move with its interval, and the keys it rests on."""
    share = tuple(_num(m.get(f"{key}{s}")) for s in ("_share", "_share_ci_low",
                                                       "_share_ci_high"))
    if any(v is None for v in share):
        return None, []
    return share, [f"{key}_share", f"{key}_share_ci_low", f"{key}_share_ci_high"]


def _satisfaction(m: Mapping[str, Any], pol: Policy) -> list[Finding]:
    r = "satisfaction"
    est = _num(m.get("satisfaction"))
    if est is None or m.get("satisfaction_suppressed"):
        return []
    out = []
    level = {"estimate": est, "lo": _num(m.get("satisfaction_ci_low")),
             "hi": _num(m.get("satisfaction_ci_high")), "level": pol.level}
    keys = _keys(r, "satisfaction", "satisfaction_ci_low", "satisfaction_ci_high")
    lead = _num(m.get("satisfaction_lead"))
    if lead is not None:
        level["lead"] = lead
        level["lead_significant"] = bool(m.get("satisfaction_lead_significant"))
        keys += _keys(r, "satisfaction_lead", "satisfaction_lead_significant")
    out.append(Finding("satisfaction_level", level, keys, "level", "estimate_with_interval"))
    diff = _num(m.get("satisfaction_change"))
    compare = m.get("compare_quarter")
    if diff is None or not compare:
        return out
    base_keys = _keys(r, "satisfaction_change", "satisfaction_change_ci_low",
                      "satisfaction_change_ci_high", "satisfaction_change_significant",
                      "compare_quarter")
    if not _significant(m, "satisfaction_change_significant", "satisfaction_change_p_adj",
                        pol.alpha):
        out.append(Finding("satisfaction_steady", {"compare": compare}, base_keys, "none",
                           "beyond_sampling_error"))
        return out
    direction = "up" if diff > 0 else "down"
    out.append(Finding("satisfaction_moved", {
        "direction": direction, "diff": abs(diff), "compare": compare, "level": pol.level,
        "lo": _num(m.get("satisfaction_change_ci_low")),
        "hi": _num(m.get("satisfaction_change_ci_high"))}, base_keys, direction,
        "beyond_sampling_error"))
    # drivers: endowment terms whose interval excludes zero, pointing the move's way
    if m.get("drivers_estimated"):
        drivers, keys = [], []
        for key in sorted(k for k in m if k.startswith("endowments_")
                          and not k.endswith(_BESIDE)):
            v = _num(m[key])
            lo, hi = _num(m.get(f"{key}_ci_low")), _num(m.get(f"{key}_ci_high"))
            if v is None or not excludes_zero(lo, hi) or (v > 0) != (diff > 0):
                continue
            share, share_keys = _share(m, key)
            drivers.append((key.removeprefix("endowments_"), v, share))
            keys += [key, f"{key}_ci_low", f"{key}_ci_high", *share_keys]
        if drivers:
            drivers.sort(key=lambda d: -abs(d[1]))
            main = [d for d, _, s in drivers if s and is_main_part(s[0], s[1])]
            out.append(Finding("satisfaction_drivers", {
                "direction": direction, "drivers": [d for d, _, _ in drivers],
                "shares": [s for _, _, s in drivers], "level": pol.level, "main": main},
                _keys(r, *keys, "satisfaction_change"), direction,
                "main_share" if main else "interval_excludes_zero"))
    # segments: the within terms that carry the move, and the mix when significant
    segs = sorted({k.split("_")[1] for k in m if k.startswith("segments_")})
    for seg in segs:
        prefix = f"segments_{seg}_within_"
        behind, keys = [], []
        for key in sorted(k for k in m if k.startswith(prefix) and not k.endswith(_BESIDE)):
            v = _num(m[key])
            if (v is None or m.get(f"{key}_suppressed") or not m.get(f"{key}_significant")
                    or not excludes_zero(_num(m.get(f"{key}_ci_low")),
                                          _num(m.get(f"{key}_ci_high")))
                    or (v > 0) != (diff > 0)):
                continue
            share, share_keys = _share(m, key)
            behind.append((key.removeprefix(prefix), v, share))
            keys += [key, f"{key}_ci_low", f"{key}_ci_high", f"{key}_significant", *share_keys]
        if behind:
            behind.sort(key=lambda b: -abs(b[1]))
            main = [b for b, _, s in behind if s and is_main_part(s[0], s[1])]
            out.append(Finding("satisfaction_segments", {
                "direction": direction, "segment": seg, "values": [b for b, _, _ in behind],
                "shares": [s for _, _, s in behind], "level": pol.level, "main": main},
                _keys(r, *keys), direction, "main_share" if main else "interval_excludes_zero"))
        mix = f"segments_{seg}_composition"
        v = _num(m.get(mix))
        if (v is not None and m.get(f"{mix}_significant") and not m.get(f"{mix}_suppressed")
                and excludes_zero(_num(m.get(f"{mix}_ci_low")), _num(m.get(f"{mix}_ci_high")))):
            out.append(Finding("satisfaction_mix", {"segment": seg, "mix": v},
                               _keys(r, mix, f"{mix}_ci_low", f"{mix}_ci_high",
                                     f"{mix}_significant"), direction_of(v),
                               "interval_excludes_zero"))
    return out


def _brand(m: Mapping[str, Any], pol: Policy) -> list[Finding]:
    r = "brand_equity"
    out = []
    est = _num(m.get("influence"))
    compare = m.get("compare_quarter")
    if est is not None:
        f = {"estimate": est, "lo": _num(m.get("influence_ci_low")),
             "hi": _num(m.get("influence_ci_high")), "level": pol.level}
        keys = _keys(r, "influence", "influence_ci_low", "influence_ci_high")
        way, rule = "level", "estimate_with_interval"
        diff = _num(m.get("influence_change"))
        if diff is not None and compare:
            change = _keys(r, "influence_change", "influence_change_p_adj", "compare_quarter")
            f["compare"] = compare
            if _significant(m, "_no_flag_", "influence_change_p_adj", pol.alpha):
                way, rule = ("up" if diff > 0 else "down"), "beyond_sampling_error"
                f.update(moved=True, direction=way, diff=abs(diff))
                keys = change + keys   # the move's own number first
            else:
                f["moved"] = False
                keys += change
        out.append(Finding("influence_level", f, keys, way, rule))
    for c in ("awareness", "association", "preference", "loyalty"):
        diff = _num(m.get(f"{c}_change"))
        if (diff is None or _num(m.get(c)) is None or not compare
                or not _significant(m, "_no_flag_", f"{c}_change_p_adj", pol.alpha)):
            continue
        way = "up" if diff > 0 else "down"
        out.append(Finding("component_moved", {
            "component": c, "direction": way, "diff": abs(diff),
            "compare": compare}, _keys(r, f"{c}_change", c, f"{c}_change_p_adj",
                                       "compare_quarter"), way, "beyond_sampling_error"))
    return out


def _claimed(m: Mapping[str, Any], p_key: str, lo: float, hi: float, alpha: float) -> bool:
    """An effect is claimed only on its family-adjusted p (and its interval agrees)."""
    return significant(_num(m.get(p_key)), alpha) and bool(excludes_zero(lo, hi))


def _effects(m: Mapping[str, Any], pol: Policy) -> list[Finding]:
    r = "program_effects"
    out, unclear, unclear_keys = [], [], []
    method = m.get("effects_p_adjust")
    rule = f"family_{method if isinstance(method, str) else pol.effect_adjust}"
    for outcome in _CARE_OUTCOMES:
        key, p_key = f"care_{outcome}_att", f"care_{outcome}_p_adj"
        v = _num(m.get(key))
        lo, hi = _num(m.get(f"care_{outcome}_ci_low")), _num(m.get(f"care_{outcome}_ci_high"))
        if v is None or lo is None or hi is None:
            continue
        keys = _keys(r, key, f"care_{outcome}_ci_low", f"care_{outcome}_ci_high",
                     *([p_key] if p_key in m else []))
        if _claimed(m, p_key, lo, hi, pol.alpha):
            pre = _num(m.get(f"care_{outcome}_pretest_p"))
            f = {"outcome": outcome, "estimate": v, "lo": lo, "hi": hi, "level": pol.level,
                 "p_adj": _num(m[p_key]), "pretest_p": pre,
                 "pretrend_ok": pre is not None and not significant(pre, pol.alpha)}
            out.append(Finding("care_effect", f, keys + (
                _keys(r, f"care_{outcome}_pretest_p") if pre is not None else ()),
                direction_of(v), rule))
        else:
            unclear.append(("care", outcome))
            unclear_keys += keys
    held = m.get("survey_adjusted_for")
    for lever in config.LEVER_CODES:
        for outcome, kind in _LEVER_EFFECTS:
            key = f"{lever}_{outcome}_{kind}"
            v = _num(m.get(key))
            lo, hi = _num(m.get(f"{key}_ci_low")), _num(m.get(f"{key}_ci_high"))
            if v is None or lo is None or hi is None:
                continue   # an effect without its interval is never claimed
            keys = _keys(r, key, f"{key}_ci_low", f"{key}_ci_high",
                         *([f"{key}_p_adj"] if f"{key}_p_adj" in m else []))
            if _claimed(m, f"{key}_p_adj", lo, hi, pol.alpha):
                f = {"lever": lever, "outcome": outcome, "estimate": v, "lo": lo, "hi": hi,
                     "level": pol.level, "p_adj": _num(m[f"{key}_p_adj"])}
                if outcome != "arpu":  # a survey comparison: what it holds equal
                    f["adjusted_for"] = held.split(",") if isinstance(held, str) and held \
                        else None
                    keys += _keys(r, "survey_adjusted_for") if f["adjusted_for"] else ()
                out.append(Finding("lever_effect", f, keys, direction_of(v), rule))
            else:
                unclear.append((lever, outcome))
                unclear_keys += keys
    if unclear:
        out.append(Finding("no_effect", {"items": unclear}, tuple(unclear_keys), "none", rule))
    n = _num(m.get("effects_family_size"))
    if (out or unclear) and n and isinstance(m.get("effects_p_adjust"), str):
        out.append(Finding("effects_family", {"n": int(n), "method": m["effects_p_adjust"],
                                              "alpha": pol.alpha, "level": pol.level},
                           _keys(r, "effects_family_size", "effects_p_adjust"), "none", rule))
    return out


def lever_status(metrics: Mapping[str, Any]) -> pd.DataFrame:
    """Each lever's light and worst status as the scorecard published them.

    Parameters
    ----------
    metrics : mapping
        The ``scorecard_139`` metrics.

    Returns
    -------
    pandas.DataFrame
        One row per lever of :data:`gotone_analysis.config.LEVERS`: ``lever, status,
        light, key`` (``status``/``light`` None when not published).
    """
    rows = [{"lever": lv, "status": metrics.get(f"lever_{lv}_status"),
             "light": metrics.get(f"lever_{lv}_light"),
             "key": f"scorecard_139.lever_{lv}_status"} for lv in config.LEVER_CODES]
    return pd.DataFrame(rows, columns=["lever", "status", "light", "key"])


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _scorecard(m: Mapping[str, Any]) -> list[Finding]:
    r = "scorecard_139"
    ids = [k.removesuffix("_status") for k in m
           if k.endswith("_status") and not k.startswith("lever_")]
    bad = [(t, m[f"{t}_status"]) for t in ids if m[f"{t}_status"] in ATTENTION]
    bad.sort(key=lambda b: ATTENTION.index(b[1]))
    unclear = [t for t in ids if m[f"{t}_status"] == INCONCLUSIVE]
    out = []
    measurable = [t for t in ids if m[f"{t}_status"] != "not_measurable"]
    if bad:
        out.append(Finding("targets", {"items": bad},
                           _keys(r, *(f"{t}_status" for t, _ in bad)), "level", "status_rule"))
    if unclear:
        out.append(Finding("targets_inconclusive", {"items": unclear},
                           _keys(r, *(f"{t}_status" for t in unclear)), "level",
                           "status_rule"))
    if not bad and not unclear and measurable:
        out.append(Finding("targets_fine", {},
                           _keys(r, *(f"{t}_status" for t in measurable)), "level",
                           "status_rule"))
    worse, final = _count(m.get("changed_worse")), _count(m.get("changed_final"))
    if m.get("compare_to") and ((worse or 0) > 0 or (final or 0) > 0):
        keys = ["changed_worse"] + (["changed_final"] if final is not None else [])
        kind = "targets_worse" if (worse or 0) > 0 else "targets_final"
        out.append(Finding(kind, {"n": worse or 0, "final": final or 0,
                                  "compare": m["compare_to"]},
                           _keys(r, *keys, "compare_to"), "level", "status_rule"))
    return out


def findings(metrics: Mapping[str, Mapping[str, Any]], policy: Policy | None = None
             ) -> list[Finding]:
    """The statements the published metrics support, by the rules of this module.

    Parameters
    ----------
    metrics : mapping
        Report name -> its published metrics (:func:`published`); reports absent
        give no findings.
    policy : Policy, optional
        Report-wide policy (alpha, level); default :class:`~gotone_analysis.policy.Policy`.

    Returns
    -------
    list of Finding
        Satisfaction, brand equity, program effects, then targets.
    """
    pol = policy or Policy()
    out: list[Finding] = []
    if "satisfaction" in metrics:
        out += _satisfaction(metrics["satisfaction"], pol)
    if "brand_equity" in metrics:
        out += _brand(metrics["brand_equity"], pol)
    if "program_effects" in metrics:
        out += _effects(metrics["program_effects"], pol)
    if "scorecard_139" in metrics:
        out += _scorecard(metrics["scorecard_139"])
    return out


def headline_numbers(metrics: Mapping[str, Mapping[str, Any]],
                     policy: Policy | None = None) -> pd.DataFrame:
    """The summary's headline numbers, as the other reports published them.

    Parameters
    ----------
    metrics : mapping
        Report name -> published metrics (:func:`published`).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (its alpha decides whether a survey change is a move).

    Returns
    -------
    pandas.DataFrame
        One row per entry of :data:`HEADLINE`: ``name, report, key, unit, estimate,
        ci_low, ci_high`` (interval where the report published one; None for a number
        not published or suppressed); ``change`` since the comparison quarter and
        ``moved`` (a survey change beyond sampling error under the policy; a KPI count,
        exact, moved whenever it changed; None without a comparison); ``target`` and
        ``gap`` (``estimate - target``) for a 139 target.
    """
    pol = resolve_policy(policy)
    rows = []
    for name, (rep, key, unit) in HEADLINE.items():
        m = metrics.get(rep) or {}
        suppressed = bool(m.get(f"{key}_suppressed", False))
        est = None if suppressed else _num(m.get(key))
        row = {"name": name, "report": rep, "key": f"{rep}.{key}", "unit": unit,
               "estimate": est, "ci_low": None, "ci_high": None, "change": None,
               "moved": None, "target": None, "gap": None}
        if rep == "scorecard_139":
            tid = key.removesuffix("_actual")
            before, target = _num(m.get(f"{tid}_previous")), _num(m.get(f"{tid}_target"))
            if est is not None and before is not None:
                row["change"] = est - before
                row["moved"] = row["change"] != 0
            if est is not None and target is not None:
                row["target"], row["gap"] = target, est - target
        elif not suppressed:
            row["ci_low"], row["ci_high"] = _num(m.get(f"{key}_ci_low")), \
                _num(m.get(f"{key}_ci_high"))
            change = _num(m.get(f"{key}_change"))
            if change is not None:
                row["change"] = change
                row["moved"] = _significant(m, f"{key}_change_significant",
                                            f"{key}_change_p_adj", pol.alpha)
        rows.append(row)
    return pd.DataFrame(rows, columns=["name", "report", "key", "unit", "estimate", "ci_low",
                                       "ci_high", "change", "moved", "target", "gap"])


def report_links(out_dir: Path | str, quarter: str, scope: str) -> list[tuple[str, str]]:
    """The detailed reports of a quarter and scope that have a reader copy.

    Returns
    -------
    list of (str, str)
        ``(report, href)`` in :data:`gotone_analysis.config.REPORTS` order, the link
        relative to the scope's folder (``satisfaction.html``).
    """
    folder = Path(out_dir) / quarter / scope
    return [(name, f"{name}.html") for name in config.REPORTS
            if name != "summary" and (folder / f"{name}.html").exists()]


def headline(numbers: pd.DataFrame, found: Sequence[Finding],
             metrics: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The summary's own published numbers.

    Returns
    -------
    dict
        Each headline number by name (``influence``, ``satisfaction`` ...), the counts
        of each kind of finding as ``findings_<kind>``, and ``lever_<lever>_status`` as
        the scorecard published. The statements themselves are published beside them as
        the ledger ``findings`` (:func:`gotone_analysis.report.publish`).
    """
    out: dict[str, Any] = {r.name: r.estimate for r in numbers.itertuples(index=False)}
    for f in found:
        out[f"findings_{f.kind}"] = out.get(f"findings_{f.kind}", 0) + 1
    levers = lever_status(metrics.get("scorecard_139") or {})
    for r in levers.itertuples(index=False):
        out[f"lever_{r.lever}_status"] = r.status
    quarter = next((m.get("quarter") for m in metrics.values() if m.get("quarter")), None)
    if quarter:
        out["quarter"] = quarter
    return out
