"""The satisfaction report's tables: index trend, what moved, why (drivers), which segments.

Respondent scores (:func:`respondent_scores`, all on 0-100 as ``(x - lo) / (hi - lo)``):
``satisfaction`` is the mean of the answered items of the triad ``sat_overall,
sat_expect, sat_ideal`` (at least two); the drivers are ``image`` (mean of the answered
``img_1``..``img_5``), ``value`` (mean of ``val_price`` and ``val_quality``, both needed)
and the attribute-performance items asked of every respondent (``pq_network,
pq_tariff, pq_hall, pq_hotline``; items asked only of users or of those with a manager
are left out of the driver model, whose complete cases would otherwise be a
self-selected minority).

Estimates of means and changes are design-based (sampling weights, strata, optional
PSUs, Taylor linearisation: :func:`gotone_analysis.survey.estimate`); the driver
statistics' intervals come from Rao–Wu bootstrap replicates drawn within the wave's
strata (:mod:`gotone_analysis.replicates`). A driver model (importance, decomposition,
PLS index) needs at least :data:`DRIVER_MIN_BASE` complete respondents in each wave it
uses; below that it is not estimated and the table says so (``status``), rather than
printing noise.

The driver decomposition holds the segment cells of the scope (:data:`SEGMENT_CONTROLS`:
city × tier for the province, tier within a city) as controls
(:func:`gotone_analysis.drivers.decompose_change` with ``controls=``), so that the
driver slopes are within-segment slopes: the demo plants a satisfaction level per
quarter × city × tier cell that the drivers do not carry, which without the controls
biases the image and value slopes. The segments' part is the ``(controls)`` term.

Every function takes the report-wide ``policy`` (:class:`gotone_analysis.policy.Policy`,
``P.policy`` in the notebooks): its level, p-value adjustment and significance level, its
seed for the replicates (the after wave, or the current quarter, uses ``seed + 1``),
and its minimum base, below which the estimates of a row are blanked and the row marked
``suppressed`` (:func:`gotone_analysis.compare.suppress`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ... import compare, survey
from ...config import PROVINCE
from ...drivers.decompose import decompose_change, segment_mix
from ...drivers.importance import importance_performance
from ...drivers.pls import pls_path_model
from ...errors import UsageError
from ...policy import (
    DRIVER_MIN_BASE,
    Policy,
    adjust_pvalues,
    excludes_zero,
    interval,
    resolve_policy,
    significant,
    z_test,
)
from ...replicates import DEFAULT_REPLICATES, bootstrap_weights
from ...scoring import ITEM_RANGES, SAT_ITEMS, SCORE_BOUNDS, satisfaction_score, scaled

__all__ = [
    "SAT_ITEMS",
    "IMAGE_ITEMS",
    "VALUE_ITEMS",
    "QUALITY_ITEMS",
    "DRIVERS",
    "DRIVER_MIN_BASE",
    "SEGMENT_CONTROLS",
    "SEGMENTS",
    "SHARE_COLUMNS",
    "ECSI_BLOCKS",
    "ECSI_PATHS",
    "respondent_scores",
    "satisfaction_trend",
    "what_moved",
    "change_decomposition",
    "segment_change",
    "segment_changes",
    "driver_map",
    "satisfaction_index",
    "headline",
]

IMAGE_ITEMS: tuple[str, ...] = ("img_1", "img_2", "img_3", "img_4", "img_5")
VALUE_ITEMS: tuple[str, ...] = ("val_price", "val_quality")
#: Attribute-performance items asked of every respondent.
QUALITY_ITEMS: tuple[str, ...] = ("pq_network", "pq_tariff", "pq_hall", "pq_hotline")
#: Drivers of the satisfaction score (respondent scores on 0-100).
DRIVERS: tuple[str, ...] = ("image", "value", *QUALITY_ITEMS)
#: Segment columns held as controls in the driver decomposition, by scope kind.
SEGMENT_CONTROLS: dict[str, tuple[str, ...]] = {"province": ("city", "tier"), "city": ("tier",)}
#: Segments of the Kitagawa split, by scope kind.
SEGMENTS: dict[str, tuple[str, ...]] = {"province": ("tier", "city"), "city": ("tier",)}
#: ECSI measurement model on the survey items (Expectation and Complaints single items).
ECSI_BLOCKS: dict[str, tuple[str, ...]] = {
    "image": IMAGE_ITEMS, "expectation": ("exp_overall",), "quality": QUALITY_ITEMS,
    "value": VALUE_ITEMS, "satisfaction": SAT_ITEMS, "complaints": ("complaint",),
    "loyalty": ("loy_stay", "ltr"),
}
#: ECSI inner model.
ECSI_PATHS: tuple[tuple[str, str], ...] = (
    ("image", "expectation"), ("image", "satisfaction"), ("image", "loyalty"),
    ("expectation", "quality"), ("expectation", "value"), ("expectation", "satisfaction"),
    ("quality", "value"), ("quality", "satisfaction"), ("value", "satisfaction"),
    ("satisfaction", "complaints"), ("satisfaction", "loyalty"), ("complaints", "loyalty"),
)
SCORES: tuple[str, ...] = ("satisfaction", *DRIVERS)


def _design(frame: pd.DataFrame) -> dict[str, str]:
    """Design keywords of :func:`gotone_analysis.survey.estimate` for a survey frame."""
    return survey.design_of(frame)


def _policy(policy: Policy | None, level: float | None = None,
            seed: int | None = None) -> Policy:
    return resolve_policy(policy, level=level, seed=seed)


def _seed(pol: Policy) -> int:
    return 0 if pol.seed is None else int(pol.seed)


def _suppress(table: pd.DataFrame, pol: Policy, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Blank rows below the policy's minimum base (also the ``extra`` columns) and mark them."""
    if pol.min_base is None:
        out = table.copy()
        out["suppressed"] = False
        return out
    out = compare.suppress(table, pol.min_base)
    for col in extra:
        if col in out:
            out[col] = out[col].astype("float64").where(~out["suppressed"])
    return out


def respondent_scores(df: pd.DataFrame) -> pd.DataFrame:
    """The satisfaction score and the drivers of every respondent, on 0-100.

    Parameters
    ----------
    df : DataFrame
        Survey rows (98/99 already missing).

    Returns
    -------
    DataFrame
        ``df`` with ``satisfaction``, ``image``, ``value`` added and the ``pq_*`` driver
        items replaced by their 0-100 scores (NaN where the rules make a score missing).
    """
    out = df.copy()
    out["satisfaction"] = satisfaction_score(df)
    img = scaled(df, IMAGE_ITEMS)
    out["image"] = img.mean(axis=1).where(img.notna().sum(axis=1) >= 1)
    val = scaled(df, VALUE_ITEMS)
    out["value"] = val.mean(axis=1).where(val.notna().all(axis=1))
    for item in QUALITY_ITEMS:
        out[item] = scaled(df, [item])[item]
    return out


def _domain(df: pd.DataFrame, scope: str, brand: str) -> np.ndarray:
    mask = (df["brand"] == brand).to_numpy().copy()
    if scope != "province":
        mask &= (df["city"] == scope).to_numpy()
    return mask


def _wave(scored: pd.DataFrame, quarter: str, scope: str, brand: str) -> pd.DataFrame:
    w = scored[scored["quarter"] == quarter]
    return w[_domain(w, scope, brand)]


def _estimates(scored: pd.DataFrame, quarter: str, scope: str, brand: str,
               variables: Sequence[str], level: float) -> pd.DataFrame:
    wave = scored[scored["quarter"] == quarter]
    if wave.empty:
        raise UsageError(f"no survey rows for quarter {quarter}")
    inside = _domain(wave, scope, brand)
    masked = wave.copy()
    masked.loc[~inside, list(variables)] = np.nan  # outside the domain, inside the design
    out = survey.estimate_many(masked, variables, level=level, bounds=SCORE_BOUNDS, **_design(wave))
    out.insert(1, "quarter", quarter)
    return out


def satisfaction_trend(scored: pd.DataFrame, quarters: Sequence[str], *, scope: str = "province",
                       benchmark: pd.DataFrame | None = None, brand: str = "gotone",
                       level: float | None = None, policy: Policy | None = None) -> pd.DataFrame:
    """The satisfaction score by quarter with its interval and lead over the network.

    Parameters
    ----------
    scored : DataFrame
        From :func:`respondent_scores` (all quarters).
    quarters : sequence of str
        Quarters to show, in order.
    scope : str
        ``"province"`` or a city code (a domain of the provincial design).
    benchmark : DataFrame, optional
        ``quarter, metric, value``; the ``satisfaction`` metric is the network average.
    brand, level, policy
        Brand domain, confidence level and the report-wide policy.

    Returns
    -------
    DataFrame
        One row per quarter: ``quarter, estimate, se, ci_low, ci_high, n, n_eff, deff``
        and with a benchmark ``network, lead, lead_ci_low, lead_ci_high, lead_p,
        lead_significant`` (the network average taken as known; significant: ``lead_p``
        below the policy's alpha), then ``suppressed, note`` (rows below the minimum base
        blanked). ``attrs["level"]`` is the level.
    """
    pol = _policy(policy, level)
    level = pol.level
    quarters = [q for q in quarters if (scored["quarter"] == q).any()]
    tabs = [_estimates(scored, q, scope, brand, ["satisfaction"], level) for q in quarters]
    out = pd.concat(tabs, ignore_index=True).drop(columns="variable")
    if benchmark is not None:
        net = benchmark[benchmark["metric"] == "satisfaction"].set_index("quarter")["value"]
        out["network"] = out["quarter"].map(net).astype("float64")
        out["lead"] = out["estimate"] - out["network"]
        out["lead_ci_low"], out["lead_ci_high"] = interval(out["lead"], out["se"], level)
        out["lead_p"] = z_test(out["lead"], out["se"],
                               np.fmax(out["estimate"].abs(), out["network"].abs()))[1]
        out["lead_significant"] = significant(out["lead_p"], pol.alpha)
    out = _suppress(out, pol, extra=("lead", "lead_ci_low", "lead_ci_high", "lead_p"))
    if "lead_significant" in out:
        out["lead_significant"] = out["lead_significant"] & ~out["suppressed"]
    out.attrs["level"] = level
    return out


def what_moved(scored: pd.DataFrame, quarter: str, compare_to: str, *, scope: str = "province",
               brand: str = "gotone", level: float | None = None, alpha: float | None = None,
               p_adjust: str | None = None, policy: Policy | None = None) -> pd.DataFrame:
    """Satisfaction and every driver this quarter against the comparison quarter.

    Returns
    -------
    DataFrame
        One row per score (``satisfaction`` first): ``variable, quarter,
        compare_quarter, estimate, se, n, estimate_ref, se_ref, n_ref, diff, diff_se,
        diff_ci_low, diff_ci_high, p_value, p_adj, significant, mark, suppressed, note``.
        The waves are independent samples (Taylor-linearised SEs); p-values are adjusted
        over the table (the policy's ``p_adjust``), ``significant`` is ``p_adj < alpha``
        and ``mark`` its ▲/▼; rows below the minimum base are blanked, unmarked and
        ``suppressed``.
    """
    pol = resolve_policy(policy, level=level, alpha=alpha, p_adjust=p_adjust)
    level, alpha, p_adjust = pol.level, pol.alpha, pol.p_adjust
    cur = _estimates(scored, quarter, scope, brand, SCORES, level)
    if (scored["quarter"] == compare_to).any():
        ref = _estimates(scored, compare_to, scope, brand, SCORES, level)
    else:  # no such wave (e.g. before the first): nothing to compare with, nothing claimed
        ref = cur[["variable"]].assign(estimate=np.nan, se=np.nan, n=np.nan)
    out = cur[["variable", "estimate", "se", "n"]].merge(
        ref[["variable", "estimate", "se", "n"]].rename(
            columns={"estimate": "estimate_ref", "se": "se_ref", "n": "n_ref"}), on="variable")
    out["diff"] = out["estimate"] - out["estimate_ref"]
    out["diff_se"] = np.hypot(out["se"], out["se_ref"])
    out["diff_ci_low"], out["diff_ci_high"] = interval(out["diff"], out["diff_se"], level)
    out["p_value"] = z_test(out["diff"], out["diff_se"],
                            np.fmax(out["estimate"].abs(), out["estimate_ref"].abs()))[1]
    out["p_adj"] = adjust_pvalues(out["p_value"].to_numpy(), p_adjust)
    out["significant"] = significant(out["p_adj"], alpha)
    out["mark"] = compare.significance_marks(out, alpha)
    out.insert(1, "quarter", quarter)
    out.insert(2, "compare_quarter", compare_to)
    out = _suppress(out, pol, extra=("diff_ci_low", "diff_ci_high"))
    out["significant"] = out["significant"] & ~out["suppressed"]
    out.attrs["level"] = level
    return out


def _complete(frame: pd.DataFrame, columns: Sequence[str]) -> int:
    return int(frame[list(columns)].notna().all(axis=1).sum())


def _replicates(frame: pd.DataFrame, replicates: int, seed: int | None):
    d = _design(frame)
    return bootstrap_weights(frame, weight=d["weight"], strata=d.get("strata"),
                             psu=d.get("psu"), replicates=replicates, seed=seed,
                             lonely_psu="certainty")


#: Each part's share of the change and its replicate interval (decomposition tables).
SHARE_COLUMNS: tuple[str, ...] = ("change_share", "change_share_ci_low", "change_share_ci_high")


def _meaningful_shares(out: pd.DataFrame, total_part: str) -> pd.DataFrame:
    """Blank the shares of a change whose own interval does not exclude zero."""
    tot = out[(out["part"] == total_part) & (out["term"] == "total")]
    if tot.empty or not excludes_zero(tot["ci_low"].iloc[0], tot["ci_high"].iloc[0]):
        for col in SHARE_COLUMNS:
            out[col] = np.nan
    return out


def _not_estimated(kind: str, bases: dict[str, int]) -> pd.DataFrame:
    out = pd.DataFrame({"status": ["not_estimated"], "reason": ["base_below_minimum"],
                        "min_base": [DRIVER_MIN_BASE]})
    for k, v in bases.items():
        out[f"n_{k}"] = v
    out.attrs["kind"] = kind
    return out


def _scope_kind(scope: str) -> str:
    return "province" if scope == PROVINCE else "city"


def change_decomposition(scored: pd.DataFrame, quarter: str, compare_to: str, *,
                         scope: str = "province", brand: str = "gotone",
                         controls: Sequence[str] | None = None,
                         replicates: int = DEFAULT_REPLICATES, seed: int | None = None,
                         level: float | None = None,
                         policy: Policy | None = None) -> pd.DataFrame:
    """Oaxaca–Blinder decomposition of the satisfaction change by driver.

    ``compare_to`` is the reference (before); replicate weights are drawn within each
    wave's strata (:func:`gotone_analysis.drivers.decompose_change`), seeded from the
    policy (``seed`` wins). ``controls`` (default :data:`SEGMENT_CONTROLS` of the scope)
    are held as segment cells; their part is the ``(controls)`` term.

    Returns
    -------
    DataFrame
        The tidy table of :func:`decompose_change` with ``status = "estimated"`` and each
        term's share of the change (:data:`SHARE_COLUMNS`: the share and its percentile
        interval over the bootstrap replicates, the ratio taken in every replicate;
        blank when the change's own interval includes zero), or one row with ``status =
        "not_estimated"`` and the bases when a wave has fewer than
        :data:`DRIVER_MIN_BASE` complete respondents.
    """
    pol = _policy(policy, level, seed)
    if controls is None:
        controls = SEGMENT_CONTROLS[_scope_kind(scope)]
    before = _wave(scored, compare_to, scope, brand)
    after = _wave(scored, quarter, scope, brand)
    cols = ["satisfaction", *DRIVERS]
    bases = {"before": _complete(before, cols), "after": _complete(after, cols)}
    if min(bases.values()) < DRIVER_MIN_BASE:
        return _not_estimated("decomposition", bases)
    rb = _replicates(before, replicates, _seed(pol))
    ra = _replicates(after, replicates, _seed(pol) + 1)
    out = decompose_change(before, after, "satisfaction", list(DRIVERS),
                           weight=_design(after)["weight"], controls=list(controls),
                           replicates=(rb, ra), level=pol.level, shares=True)
    out = _meaningful_shares(out, "gap")
    out.insert(0, "status", "estimated")
    out.insert(1, "quarter", quarter)
    out.insert(2, "compare_quarter", compare_to)
    out["significant"] = excludes_zero(out["ci_low"], out["ci_high"])
    out.attrs["level"] = pol.level
    return out


def segment_change(scored: pd.DataFrame, quarter: str, compare_to: str, segment: str, *,
                   scope: str = "province", brand: str = "gotone",
                   replicates: int = DEFAULT_REPLICATES, seed: int | None = None,
                   level: float | None = None, policy: Policy | None = None) -> pd.DataFrame:
    """Kitagawa split of the satisfaction change into ``segment`` mix and within-segment change.

    Returns
    -------
    DataFrame
        The table of :func:`gotone_analysis.drivers.segment_mix` with ``segment,
        quarter, compare_quarter`` first, each row's share of the change with its
        replicate interval (:data:`SHARE_COLUMNS`, blank when the change's interval
        includes zero) and, per segment row, its unweighted bases
        ``n_before, n_after`` (respondents with a satisfaction score), ``significant``
        (the interval excludes 0) and ``suppressed``: a segment with a base below the
        policy's minimum in either wave has its estimates blanked (totals are kept).
    """
    pol = _policy(policy, level, seed)
    before = _wave(scored, compare_to, scope, brand)
    after = _wave(scored, quarter, scope, brand)
    rb = _replicates(before, replicates, _seed(pol))
    ra = _replicates(after, replicates, _seed(pol) + 1)
    out = segment_mix(before, after, "satisfaction", segment,
                      weight=_design(after)["weight"], replicates=(rb, ra), level=pol.level,
                      shares=True)
    out = _meaningful_shares(out, "change")
    nb = before.loc[before["satisfaction"].notna(), segment].value_counts()
    na = after.loc[after["satisfaction"].notna(), segment].value_counts()
    seg_rows = out["term"] != "total"
    out["n_before"] = out["term"].map(nb).where(seg_rows).fillna(0).astype(int)
    out["n_after"] = out["term"].map(na).where(seg_rows).fillna(0).astype(int)
    out.loc[~seg_rows, "n_before"] = int(before["satisfaction"].notna().sum())
    out.loc[~seg_rows, "n_after"] = int(after["satisfaction"].notna().sum())
    low = np.zeros(len(out), bool)
    if pol.min_base is not None:
        low = (np.minimum(out["n_before"], out["n_after"]) < pol.min_base).to_numpy()
    out["significant"] = excludes_zero(out["ci_low"], out["ci_high"]) & ~low
    for col in ("estimate", "se", "ci_low", "ci_high", "mean_before", "mean_after",
                *SHARE_COLUMNS):
        out[col] = out[col].astype("float64").where(~low)
    out["suppressed"] = low
    out.insert(0, "segment", segment)
    out.insert(1, "quarter", quarter)
    out.insert(2, "compare_quarter", compare_to)
    out.attrs["level"] = pol.level
    return out


def segment_changes(scored: pd.DataFrame, quarter: str, compare_to: str, *,
                    scope: str = "province", brand: str = "gotone",
                    replicates: int = DEFAULT_REPLICATES, seed: int | None = None,
                    level: float | None = None,
                    policy: Policy | None = None) -> dict[str, pd.DataFrame]:
    """The Kitagawa split of the change by every segment of the scope (:data:`SEGMENTS`).

    Returns
    -------
    dict
        Segment column -> :func:`segment_change` table (tier and city for the province,
        tier for a city); empty when the survey has no wave ``compare_to`` (e.g. the
        first wave: nothing to split).
    """
    if not (scored["quarter"] == compare_to).any():
        return {}
    return {seg: segment_change(scored, quarter, compare_to, seg, scope=scope, brand=brand,
                                replicates=replicates, seed=seed, level=level, policy=policy)
            for seg in SEGMENTS[_scope_kind(scope)]}


def driver_map(scored: pd.DataFrame, quarter: str, compare_to: str, *, scope: str = "province",
               brand: str = "gotone", method: str = "shapley",
               replicates: int = DEFAULT_REPLICATES, seed: int | None = None,
               level: float | None = None, policy: Policy | None = None) -> pd.DataFrame:
    """Importance–performance table of the drivers, this quarter and the comparison quarter.

    Returns
    -------
    DataFrame
        The table of :func:`gotone_analysis.drivers.importance_performance` (performance
        already on 0-100) with ``status``, or one ``not_estimated`` row below the base.
    """
    cur = _wave(scored, quarter, scope, brand)
    prev = _wave(scored, compare_to, scope, brand)
    cols = ["satisfaction", *DRIVERS]
    bases = {"current": _complete(cur, cols), "comparison": _complete(prev, cols)}
    if min(bases.values()) < DRIVER_MIN_BASE:
        return _not_estimated("importance", bases)
    pol = _policy(policy, level, seed)
    d = _design(cur)
    out = importance_performance(cur, prev, "satisfaction", list(DRIVERS), weight=d["weight"],
                                 method=method, ranges=(0.0, 100.0), replicates=replicates,
                                 strata=d.get("strata"), psu=d.get("psu"), seed=_seed(pol),
                                 level=pol.level)
    out.insert(0, "status", "estimated")
    out.insert(1, "quarter", out["period"].map({"current": quarter, "comparison": compare_to}))
    out.attrs["level"] = pol.level
    return out


def satisfaction_index(data: pd.DataFrame, quarter: str, *, scope: str = "province",
                       brand: str = "gotone", replicates: int = DEFAULT_REPLICATES,
                       seed: int | None = None,
                       level: float | None = None,
                       policy: Policy | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ECSI PLS path model on one wave: the 0-100 construct indices and the path coefficients.

    Parameters
    ----------
    data : DataFrame
        Survey rows (items on their own scales; not :func:`respondent_scores`).
    quarter, scope, brand
        The wave and the domain (province or a city) of the model.
    replicates, seed, level, policy
        Rao–Wu bootstrap replicates drawn within the wave's strata (PSUs when the
        design has them), seeded from the policy (``seed`` wins); interval level.

    Returns
    -------
    (DataFrame, DataFrame)
        Indices (``status, construct, estimate, se, ci_low, ci_high, n, r2``: the 0-100
        index of :meth:`PLSResult.index` and the R² of the construct, NaN for the
        exogenous image) and paths (``status, source, target, estimate, se, ci_low,
        ci_high, r2_target``); the intervals are percentile intervals over the
        replicates (design-based: strata, clusters and sampling weights), ``attrs``
        hold ``level``. One ``not_estimated`` row each (``n_current`` the complete
        respondents) below :data:`DRIVER_MIN_BASE` complete respondents.
    """
    wave = _wave(data, quarter, scope, brand)
    items = [i for b in ECSI_BLOCKS.values() for i in b]
    n = _complete(wave, items)
    if n < DRIVER_MIN_BASE:
        nope = _not_estimated("pls", {"current": n})
        return nope, nope.copy()
    pol = _policy(policy, level, seed)
    reps = _replicates(wave, replicates, _seed(pol))
    fit = pls_path_model(wave, {k: list(v) for k, v in ECSI_BLOCKS.items()}, list(ECSI_PATHS),
                         weight=_design(wave)["weight"], ranges=ITEM_RANGES, replicates=reps,
                         level=pol.level)
    idx = fit.index()
    idx.insert(0, "status", "estimated")
    idx["n"] = fit.n
    idx["r2"] = idx["construct"].map(fit.r2).astype("float64")
    paths = fit.paths.copy()
    paths.insert(0, "status", "estimated")
    paths["r2_target"] = paths["target"].map(fit.r2)
    idx.attrs["level"] = paths.attrs["level"] = pol.level
    return idx, paths


def headline(trend: pd.DataFrame, moved: pd.DataFrame,
             decomposition: pd.DataFrame,
             segments: Mapping[str, pd.DataFrame] | None = None, *,
             index: pd.DataFrame | None = None
             ) -> dict[str, float | str | bool | None]:
    """Flat dict of the satisfaction report's headline numbers for ``report.publish``.

    Returns
    -------
    dict
        ``quarter, compare_quarter, satisfaction, satisfaction_se, satisfaction_ci_low,
        satisfaction_ci_high, satisfaction_n, satisfaction_suppressed,
        satisfaction_network, satisfaction_lead, satisfaction_lead_ci_low,
        satisfaction_lead_ci_high, satisfaction_lead_significant, satisfaction_change,
        satisfaction_change_ci_low, satisfaction_change_ci_high,
        satisfaction_change_p_adj, satisfaction_change_significant,
        drivers_estimated, drivers_n`` and, when the driver model was estimated,
        ``endowments, coefficients, interaction, segment_controls`` (totals; the last is
        the ``(controls)`` term summed over the parts), ``endowments_<driver>`` per driver
        and ``top_negative_driver``, ``top_positive_driver`` (the drivers with the
        largest negative / positive endowment term whose interval excludes 0, else
        None), with ``endowments_<driver>_ci_low`` and ``_ci_high`` and its share of the
        change ``endowments_<driver>_share``, ``_share_ci_low``, ``_share_ci_high``
        (:data:`SHARE_COLUMNS`; None when the change's interval includes zero). With
        ``segments`` (:func:`segment_changes`), for each segment column ``<seg>``:
        ``segments_<seg>_composition`` (the mix term) and ``segments_<seg>_within_<value>``
        (each segment's within term), each with ``_ci_low``, ``_ci_high``,
        ``_significant``, ``_suppressed`` and its share ``_share``, ``_share_ci_low``,
        ``_share_ci_high``. With ``index`` (the index table of
        :func:`satisfaction_index`): ``ecsi_estimated``, ``ecsi_n`` (complete
        respondents of the model), ``ecsi_satisfaction_index`` with
        ``ecsi_satisfaction_index_se``, ``_ci_low``, ``_ci_high`` (the satisfaction
        construct's 0-100 index and its replicate interval) and ``ecsi_satisfaction_r2``
        (None when not estimated). Missing numbers are None.
    """
    def num(v) -> float | None:
        try:
            f = float(v)
        except (TypeError, ValueError):
            return None
        return f if np.isfinite(f) else None

    last = trend.iloc[-1]
    out: dict[str, float | str | bool | None] = {"quarter": str(last["quarter"])}
    for key, col in (("", "estimate"), ("_se", "se"), ("_ci_low", "ci_low"),
                     ("_ci_high", "ci_high"), ("_n", "n"), ("_network", "network"),
                     ("_lead", "lead"), ("_lead_ci_low", "lead_ci_low"),
                     ("_lead_ci_high", "lead_ci_high")):
        out[f"satisfaction{key}"] = num(last[col]) if col in last else None
    out["satisfaction_suppressed"] = bool(last.get("suppressed", False))
    out["satisfaction_lead_significant"] = bool(last.get("lead_significant", False))
    sat = moved[moved["variable"] == "satisfaction"].iloc[0]
    out["compare_quarter"] = str(sat["compare_quarter"])
    out["satisfaction_change"] = num(sat["diff"])
    out["satisfaction_change_ci_low"] = num(sat["diff_ci_low"])
    out["satisfaction_change_ci_high"] = num(sat["diff_ci_high"])
    out["satisfaction_change_p_adj"] = num(sat["p_adj"])
    out["satisfaction_change_significant"] = bool(sat["significant"])
    estimated = "status" in decomposition and (decomposition["status"] == "estimated").all()
    out["drivers_estimated"] = bool(estimated)
    if estimated:
        out["drivers_n"] = num(min(decomposition.attrs.get("n_before", np.nan),
                                   decomposition.attrs.get("n_after", np.nan)))
        tot = decomposition[decomposition["term"] == "total"].set_index("part")["estimate"]
        for part in ("endowments", "coefficients", "interaction"):
            out[part] = num(tot.get(part))
        ctl = decomposition[decomposition["term"] == "(controls)"]["estimate"]
        out["segment_controls"] = num(ctl.sum()) if len(ctl) else None
        endow = decomposition[(decomposition["part"] == "endowments")
                              & decomposition["term"].isin(DRIVERS)].set_index("term")
        for d in DRIVERS:
            out[f"endowments_{d}"] = num(endow["estimate"].get(d))
            out[f"endowments_{d}_ci_low"] = num(endow["ci_low"].get(d))
            out[f"endowments_{d}_ci_high"] = num(endow["ci_high"].get(d))
            for col in SHARE_COLUMNS:
                if col in endow:
                    out[f"endowments_{d}_{col.removeprefix('change_')}"] = num(endow[col].get(d))
        sig = endow[excludes_zero(endow["ci_low"], endow["ci_high"])]["estimate"]
        out["top_negative_driver"] = str(sig.idxmin()) if (sig < 0).any() else None
        out["top_positive_driver"] = str(sig.idxmax()) if (sig > 0).any() else None
    else:
        bases = [decomposition[c].iloc[0] for c in decomposition if c.startswith("n_")]
        out["drivers_n"] = num(min(bases)) if bases else None
    for seg, table in (segments or {}).items():
        if not {"part", "term", "estimate"} <= set(table.columns):
            continue
        rows = table[((table["part"] == "composition") & (table["term"] == "total"))
                     | ((table["part"] == "within") & (table["term"] != "total"))]
        for r in rows.itertuples(index=False):
            key = (f"segments_{seg}_composition" if r.part == "composition"
                   else f"segments_{seg}_within_{r.term}")
            out[key] = num(r.estimate)
            out[f"{key}_ci_low"] = num(getattr(r, "ci_low", None))
            out[f"{key}_ci_high"] = num(getattr(r, "ci_high", None))
            out[f"{key}_significant"] = bool(getattr(r, "significant", False))
            out[f"{key}_suppressed"] = bool(getattr(r, "suppressed", False))
            for col in SHARE_COLUMNS:
                if col in table:
                    out[f"{key}_{col.removeprefix('change_')}"] = num(getattr(r, col))
    if index is not None:
        est = "status" in index and (index["status"] == "estimated").all()
        out["ecsi_estimated"] = bool(est)
        sat = (index[index["construct"] == "satisfaction"].iloc[0]
               if est and "construct" in index and (index["construct"] == "satisfaction").any()
               else pd.Series(dtype=object))
        if est:
            out["ecsi_n"] = num(index["n"].iloc[0]) if "n" in index else None
        else:
            out["ecsi_n"] = num(index["n_current"].iloc[0]) if "n_current" in index else None
        for key, col in (("", "estimate"), ("_se", "se"), ("_ci_low", "ci_low"),
                         ("_ci_high", "ci_high")):
            out[f"ecsi_satisfaction_index{key}"] = num(sat.get(col))
        out["ecsi_satisfaction_r2"] = num(sat.get("r2"))
    return out
