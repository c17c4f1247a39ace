"""Change decompositions: Oaxaca–Blinder by driver, and Kitagawa by segment mix.

Oaxaca–Blinder (Blinder 1973; Oaxaca 1973; Jann 2008)
-----------------------------------------------------
Linear regressions of the target on an intercept and the drivers, one per wave,
weighted by the sampling weights (complete cases). With ``before`` (b) as the reference
and ``after`` (a):

* gap          = ȳ_a − ȳ_b
* endowments   = (x̄_a − x̄_b)' β_b
* coefficients = x̄_b' (β_a − β_b)
* interaction  = (x̄_a − x̄_b)' (β_a − β_b)

each also per driver (and the intercept, which has no endowment). Because every
fit satisfies x̄'β = ȳ, the three parts add up to the gap to rounding. Twofold
variants with reference coefficients β_R: explained = (x̄_a − x̄_b)' β_R and
unexplained = x̄_a'(β_a − β_R) + x̄_b'(β_R − β_b), split into the two terms
(``unexplained_after``, ``unexplained_before``). β_R is chosen by keyword:
``"pooled"`` (pooled regression with a group indicator, Jann 2008; the indicator is 1
for ``before``), ``"neumark"`` (pooled, no indicator; Neumark 1988), ``"reimers"``
(½β_a + ½β_b; Reimers 1983), ``"cotton"`` (s β_a + (1 − s) β_b with s the after
wave's share of the rows; Cotton 1988), or a number s in [0, 1] used as that share.
This matches R ``oaxaca`` with group A = ``after``, group B = ``before``.

Kitagawa (1955)
---------------
A change in a weighted mean Ȳ_a − Ȳ_b = Σ_s (p_as ȳ_as − p_bs ȳ_bs), with p the
segments' weight shares, splits symmetrically into composition
Σ_s (p_as − p_bs)(ȳ_as + ȳ_bs)/2 and within-segment change Σ_s (ȳ_as − ȳ_bs)(p_as + p_bs)/2,
which add up to the change exactly. A segment present in one wave only is given the
other wave's mean for the missing one (its change is all composition).

Standard errors
---------------
Design-based, by the Rao–Wu rescaling bootstrap (:mod:`gotone_analysis.replicates`):
the two waves are independent samples, each with its own replicate weights drawn
within its strata and PSUs, and replicate r of the decomposition uses replicate r of
both. Every statistic of every replicate is computed from weighted moments by matrix
products. Intervals are percentile (or normal) intervals of the replicates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..replicates import DEFAULT_REPLICATES, ReplicateWeights, summarise_replicates
from .common import complete_rows, numeric_matrix, regressions, resolve_replicates, weight_matrix

__all__ = ["TWOFOLD", "PARTS", "decompose_change", "segment_mix"]

#: Twofold reference-coefficient keywords.
TWOFOLD: tuple[str, ...] = ("pooled", "neumark", "reimers", "cotton")
#: Parts of the threefold decomposition, after the gap.
PARTS: tuple[str, ...] = ("endowments", "coefficients", "interaction")
INTERCEPT = "(intercept)"
RESULT_COLUMNS = ("part", "term", "estimate", "se", "ci_low", "ci_high")


def _two_replicates(before, after, replicates, weight, strata, psu, seed):
    if isinstance(replicates, tuple):
        rb, ra = replicates
        return (resolve_replicates(before, rb, weight=weight, strata=strata, psu=psu, seed=seed),
                resolve_replicates(after, ra, weight=weight, strata=strata, psu=psu, seed=seed))
    if isinstance(replicates, ReplicateWeights):
        raise UsageError("give replicate weights for both waves: replicates=(before, after)")
    sa = None if seed is None else seed + 1
    rb = resolve_replicates(before, replicates, weight=weight, strata=strata, psu=psu, seed=seed)
    ra = resolve_replicates(after, replicates, weight=weight, strata=strata, psu=psu, seed=sa)
    if rb is not None and ra is not None and rb.replicates != ra.replicates:
        raise UsageError("the two waves need the same number of replicates")
    return rb, ra


def _tidy(rows: list[tuple[str, str, np.ndarray]], scale: float | None, level: float,
          interval: str) -> pd.DataFrame:
    est = np.array([r[2][0] for r in rows])
    out = pd.DataFrame({"part": [r[0] for r in rows], "term": [r[1] for r in rows],
                        "estimate": est})
    if scale is None:
        out["se"] = out["ci_low"] = out["ci_high"] = np.nan
    else:
        reps = np.column_stack([r[2][1:] for r in rows])
        s = summarise_replicates(est, reps, scale=scale, level=level, interval=interval)
        out["se"], out["ci_low"], out["ci_high"] = s["se"], s["ci_low"], s["ci_high"]
    return out


def decompose_change(
    before: pd.DataFrame,
    after: pd.DataFrame,
    target: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    twofold: str | float | None = None,
    replicates: int | tuple[ReplicateWeights, ReplicateWeights] | None = DEFAULT_REPLICATES,
    strata: str | None = None,
    psu: str | None = None,
    seed: int | None = 0,
    level: float = 0.95,
    interval: str = "percentile",
) -> pd.DataFrame:
    """Oaxaca–Blinder decomposition of the change in the target from ``before`` to ``after``.

    Parameters
    ----------
    before, after : DataFrame
        The two waves (independent samples); ``before`` is the reference.
    target : str
        Outcome column.
    drivers : sequence of str
        Regressors (an intercept is added).
    weight : str, optional
        Sampling-weight column of both waves.
    twofold : {"pooled", "neumark", "reimers", "cotton"} or float, optional
        None (default): the threefold decomposition. Otherwise the twofold one with the
        reference coefficients named (see the module docstring).
    replicates : int, (ReplicateWeights, ReplicateWeights) or None
        Rao–Wu bootstrap replicates for the SEs (a number to draw per wave, with
        ``strata``, ``psu``, ``seed``; or weights drawn for each wave); None: no SEs.
    strata, psu, seed
        Design and seed of the replicates (the after wave uses ``seed + 1``).
    level, interval
        Confidence level and interval type.

    Returns
    -------
    DataFrame
        ``part, term, estimate, se, ci_low, ci_high``. ``part`` is ``gap`` then
        ``endowments, coefficients, interaction`` (threefold) or ``explained,
        unexplained, unexplained_after, unexplained_before`` (twofold; the last two split
        ``unexplained``); ``term`` is ``total``, a driver or ``(intercept)``. The totals
        of the three threefold parts (or of explained and unexplained) add up to the
        gap. ``attrs``: ``n_before, n_after, replicates, twofold, weight_after``.
    """
    drivers = list(drivers)
    if not drivers:
        raise UsageError("name at least one driver")
    cols = [*drivers, target]
    vb, va = numeric_matrix(before, cols, "before"), numeric_matrix(after, cols, "after")
    rb, ra = _two_replicates(before, after, replicates, weight, strata, psu, seed)
    wb, wa = weight_matrix(before, weight, rb), weight_matrix(after, weight, ra)
    kb, ka = complete_rows(vb), complete_rows(va)
    vb, va, wb, wa = vb[kb], va[ka], wb[kb], wa[ka]
    p = len(drivers)
    for name, v in (("before", vb), ("after", va)):
        if len(v) <= p + 1:
            raise UsageError(f"only {len(v)} complete rows in '{name}' for {p} drivers")
    bb, xb, yb = regressions(vb[:, :p], vb[:, p], wb)
    ba, xa, ya = regressions(va[:, :p], va[:, p], wa)
    terms = [INTERCEPT, *drivers]
    dx, db = xa - xb, ba - bb
    rows: list[tuple[str, str, np.ndarray]] = [("gap", "total", ya - yb)]
    share = None
    if twofold is None:
        parts = {"endowments": dx * bb, "coefficients": xb * db, "interaction": dx * db}
    else:
        share = None
        if isinstance(twofold, str):
            key = twofold.lower()
            if key not in TWOFOLD:
                raise UsageError(f"twofold must be one of {TWOFOLD} or a number, got {twofold!r}")
            if key in ("pooled", "neumark"):
                x = np.vstack([vb[:, :p], va[:, :p]])
                y = np.concatenate([vb[:, p], va[:, p]])
                if key == "pooled":
                    x = np.column_stack([x, np.r_[np.ones(len(vb)), np.zeros(len(va))]])
                bref = regressions(x, y, np.vstack([wb, wa]))[0][:, :p + 1]
            else:
                share = 0.5 if key == "reimers" else len(va) / (len(va) + len(vb))
        else:
            share = float(twofold)
            if not 0 <= share <= 1:
                raise UsageError(f"a twofold weight must be in [0, 1], got {twofold!r}")
        if share is not None:
            bref = share * ba + (1 - share) * bb
        ua, ub = xa * (ba - bref), xb * (bref - bb)
        parts = {"explained": dx * bref, "unexplained": ua + ub, "unexplained_after": ua,
                 "unexplained_before": ub}
    for part, contrib in parts.items():
        rows.append((part, "total", contrib.sum(axis=1)))
        for j, term in enumerate(terms):
            if part in ("endowments", "explained") and term == INTERCEPT:
                continue
            rows.append((part, term, contrib[:, j]))
    scale = None if rb is None else rb.scale
    out = _tidy(rows, scale, level, interval)
    out.attrs.update({"n_before": int(len(vb)), "n_after": int(len(va)),
                      "replicates": 0 if rb is None else rb.replicates,
                      "twofold": twofold, "weight_after": share})
    return out


def segment_mix(
    before: pd.DataFrame,
    after: pd.DataFrame,
    target: str,
    segment: str,
    *,
    weight: str | None = None,
    replicates: int | tuple[ReplicateWeights, ReplicateWeights] | None = DEFAULT_REPLICATES,
    strata: str | None = None,
    psu: str | None = None,
    seed: int | None = 0,
    level: float = 0.95,
    interval: str = "percentile",
) -> pd.DataFrame:
    """Kitagawa decomposition of the change in a weighted mean into segment mix and within.

    Parameters
    ----------
    before, after : DataFrame
        The two waves; rows missing the target or the segment are left out.
    target : str
        Column whose weighted mean changed.
    segment : str
        Segment column (tier, city, brand, ...).
    weight, replicates, strata, psu, seed, level, interval
        As in :func:`decompose_change`.

    Returns
    -------
    DataFrame
        ``part, term, estimate, se, ci_low, ci_high, share_before, share_after,
        mean_before, mean_after``: ``part`` is ``change``, ``composition`` or ``within``;
        ``term`` is ``total`` or a segment. Composition and within add up to the change
        exactly, in total and per segment.
    """
    for name, frame in (("before", before), ("after", after)):
        if segment not in frame.columns:
            raise UsageError(f"segment column '{segment}' not in '{name}'")
    rb, ra = _two_replicates(before, after, replicates, weight, strata, psu, seed)
    seg_b, seg_a = before[segment], after[segment]
    levels = sorted(set(seg_b.dropna().unique()) | set(seg_a.dropna().unique()), key=str)
    stats = []
    for frame, seg, reps in ((before, seg_b, rb), (after, seg_a, ra)):
        y = numeric_matrix(frame, [target], "target")[:, 0]
        w = weight_matrix(frame, weight, reps)
        keep = np.isfinite(y) & seg.notna().to_numpy()
        codes = pd.Categorical(seg[keep], categories=levels).codes
        d = np.zeros((int(keep.sum()), len(levels)))
        d[np.arange(len(codes)), codes] = 1.0
        wk = w[keep]
        wsum = wk.T @ d  # (K, S)
        ysum = wk.T @ (d * y[keep][:, None])
        with np.errstate(invalid="ignore", divide="ignore"):
            stats.append((wsum / wsum.sum(axis=1, keepdims=True), ysum / wsum))
    (pb, mb), (pa, ma) = stats
    mb = np.where(np.isfinite(mb), mb, ma)  # absent in one wave: all composition
    ma = np.where(np.isfinite(ma), ma, mb)
    mb, ma = np.nan_to_num(mb), np.nan_to_num(ma)
    comp = (pa - pb) * (ma + mb) / 2
    within = (ma - mb) * (pa + pb) / 2
    change = (pa * ma).sum(axis=1) - (pb * mb).sum(axis=1)
    rows: list[tuple[str, str, np.ndarray]] = [("change", "total", change)]
    extra = {"share_before": [np.nan], "share_after": [np.nan], "mean_before": [np.nan],
             "mean_after": [np.nan]}
    for part, contrib in (("composition", comp), ("within", within)):
        rows.append((part, "total", contrib.sum(axis=1)))
        extra["share_before"].append(np.nan)
        extra["share_after"].append(np.nan)
        extra["mean_before"].append(np.nan)
        extra["mean_after"].append(np.nan)
        for j, lev in enumerate(levels):
            rows.append((part, lev, contrib[:, j]))
            extra["share_before"].append(pb[0, j])
            extra["share_after"].append(pa[0, j])
            extra["mean_before"].append(mb[0, j])
            extra["mean_after"].append(ma[0, j])
    scale = None if rb is None else rb.scale
    out = _tidy(rows, scale, level, interval)
    for k, v in extra.items():
        out[k] = v
    out.attrs.update({"segment": segment, "replicates": 0 if rb is None else rb.replicates})
    return out
