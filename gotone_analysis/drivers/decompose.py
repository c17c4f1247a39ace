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

Omitted-category invariance (``normalize=``)
---------------------------------------------
With a set of dummies D_1..D_{k-1} of one categorical variable (category k omitted),
the detailed terms of the dummies and of the intercept depend on which category is
omitted (Oaxaca & Ransom 1999). ``normalize={"<omitted name>": [dummies]}`` applies the
normalisation of Gardeazabal & Ugidos (2004) and Yun (2005), as R ``oaxaca`` does for
the variables after the second ``|`` of its formula: with a = Σ_j β_j / k, every fit's
dummy coefficients become β_j − a, the omitted category gets −a and the intercept
β_0 + a. The omitted category is reported as its own term (its mean is one minus the
dummies' means), so the detail still adds up to every part. The totals do not change;
the dummies' terms equal R's ``$variables`` rows (which leave the omitted category
out, so that R's rows do not add up to its totals when dummies are normalised).

Controls (``controls=``)
------------------------
Segment columns (tier, city, ...) whose cells — the cross-classification of their
values — are held in both regressions as a full set of cell dummies (fixed effects),
so that the driver slopes are within-cell slopes. The cell effects are normalised as
above over all cells (intercept = unweighted mean of the cell intercepts α_c, cell
coefficient α_c − ᾱ) and their contributions are **folded into one term**
``(controls)`` in every part: endowments Σ_c (p_ac − p_bc)(α_bc − ᾱ_b) (the change of
segment mix at the before wave's cell effects), coefficients Σ_c p_bc Δ(α_c − ᾱ) and
interaction Σ_c (p_ac − p_bc) Δ(α_c − ᾱ), with p the cells' weight shares; the change
of the mean cell intercept stays the ``(intercept)`` term of the coefficients part.
The parts still add up to the gap exactly. A cell with no weight in one wave (or one
replicate) takes the other wave's effect (its contribution is all endowments), as the
Kitagawa split below treats an absent segment. The fit never builds the dummy matrix:
the slopes come from the pooled within-cell moments Σ w z z' − Σ_c S_c S_c' / W_c with
the cell sums S_c, W_c of every replicate (one pass over the rows sorted by cell).

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

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import config
from ..errors import UsageError
from ..policy import DEFAULT_LEVEL
from ..replicates import DEFAULT_REPLICATES, ReplicateWeights, summarise_replicates
from .common import complete_rows, numeric_matrix, regressions, resolve_replicates, weight_matrix

__all__ = ["CONTROLS", "INTERCEPT", "TWOFOLD", "PARTS", "decompose_change", "segment_mix"]

#: Twofold reference-coefficient keywords.
TWOFOLD: tuple[str, ...] = ("pooled", "neumark", "reimers", "cotton")
#: Parts of the threefold decomposition, after the gap.
PARTS: tuple[str, ...] = ("endowments", "coefficients", "interaction")
INTERCEPT = "(intercept)"
#: Term holding the contributions of the control cells.
CONTROLS = "(controls)"
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
          interval: str, shares: bool = False) -> pd.DataFrame:
    est = np.array([r[2][0] for r in rows])
    out = pd.DataFrame({"part": [r[0] for r in rows], "term": [r[1] for r in rows],
                        "estimate": est})
    if scale is None:
        out["se"] = out["ci_low"] = out["ci_high"] = np.nan
    else:
        reps = np.column_stack([r[2][1:] for r in rows])
        s = summarise_replicates(est, reps, scale=scale, level=level, interval=interval)
        out["se"], out["ci_low"], out["ci_high"] = s["se"], s["ci_low"], s["ci_high"]
    if shares:  # every row as a share of the first (the change), replicate by replicate
        total = rows[0][2]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.column_stack([r[2] / total for r in rows])
        ratio = np.where(np.isfinite(ratio), ratio, np.nan)
        out["change_share"] = ratio[0]
        if scale is None or ratio.shape[0] < 2:
            out["change_share_ci_low"] = out["change_share_ci_high"] = np.nan
        else:
            s = summarise_replicates(ratio[0], ratio[1:], scale=scale, level=level,
                                     interval=interval)
            out["change_share_ci_low"], out["change_share_ci_high"] = s["ci_low"], s["ci_high"]
    return out


def _cells(frames: Sequence[pd.DataFrame], controls: Sequence[str]) -> tuple[list[np.ndarray], list[str]]:
    """Cell codes of every frame (cross-classification of ``controls``; -1 where one is missing).

    Returns
    -------
    (list of ndarray, list of str)
        Codes per frame and the cell labels (``"a × b"``), sorted.
    """
    keys = []
    for name, frame in zip(("before", "after"), frames, strict=True):
        missing = [c for c in controls if c not in frame.columns]
        if missing:
            raise UsageError(f"control column(s) {missing} not in '{name}'")
        sub = frame[list(controls)]
        ok = sub.notna().all(axis=1).to_numpy()
        key = np.full(len(frame), None, dtype=object)
        parts = [sub[c].astype(str).to_numpy() for c in controls]
        joined = parts[0].astype(object)
        for part in parts[1:]:
            joined = joined + " × " + part.astype(object)
        key[ok] = joined[ok]
        keys.append(key)
    labels = sorted({k for key in keys for k in key if k is not None})
    index = {k: i for i, k in enumerate(labels)}
    codes = [np.array([-1 if k is None else index[k] for k in key], dtype=np.int64)
             for key in keys]
    return codes, labels


def _within_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, codes: np.ndarray, ncell: int):
    """Weighted least squares of ``y`` on ``x`` and a full set of cell dummies, every weight column.

    Returns
    -------
    slopes : ndarray (K, p)
    alpha : ndarray (K, C)
        Cell intercepts ȳ_c − x̄_c' b (NaN for a cell without weight in that column).
    xbar : ndarray (K, p)
    share : ndarray (K, C)
        Cells' weight shares.
    ybar : ndarray (K,)
    """
    z = np.column_stack([x, y])
    z = z - z.mean(axis=0)  # moments about the sample mean (stability); undone below
    centre = np.column_stack([x, y]).mean(axis=0)
    n, q = z.shape
    p = q - 1
    order = np.argsort(codes, kind="stable")
    cs, zs, ws = codes[order], z[order], w[order]
    present, starts = np.unique(cs, return_index=True)
    wc = np.zeros((w.shape[1], ncell))
    wc[:, present] = np.add.reduceat(ws, starts, axis=0).T
    sc = np.zeros((w.shape[1], ncell, q))
    for j in range(q):
        sc[:, present, j] = np.add.reduceat(ws * zs[:, j:j + 1], starts, axis=0).T
    cross = (z[:, :, None] * z[:, None, :]).reshape(n, q * q)
    szz = (w.T @ cross).reshape(-1, q, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        cm = sc / wc[:, :, None]  # cell means (centred)
    cmz = np.nan_to_num(cm)
    within = szz - np.einsum("kc,kci,kcj->kij", wc, cmz, cmz)
    sxx, sxy = within[:, :p, :p], within[:, :p, p]
    try:
        slopes = np.linalg.solve(sxx, sxy[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # a driver constant within cells in some replicate
        slopes = np.einsum("kij,kj->ki", np.linalg.pinv(sxx), sxy)
    alpha = cm[:, :, p] + centre[p] - np.einsum("kcp,kp->kc", cm[:, :, :p] + centre[:p], slopes)
    wsum = wc.sum(axis=1)
    share = wc / wsum[:, None]
    means = (sc.sum(axis=1) / wsum[:, None]) + centre
    return slopes, alpha, means[:, :p], share, means[:, p]


def _with_cells(slopes, alpha, xbar, share, fill):
    """Coefficient and mean vectors ``[intercept, drivers, cells]`` with normalised cell effects."""
    a = np.where(np.isfinite(alpha), alpha, fill)
    with np.errstate(invalid="ignore"):
        abar = np.nanmean(np.where(np.isfinite(a), a, np.nan), axis=1)
    eff = np.nan_to_num(a - abar[:, None])
    k = len(abar)
    beta = np.column_stack([abar, slopes, eff])
    means = np.column_stack([np.ones(k), xbar, share])
    return beta, means


def _normalise(beta: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Gardeazabal–Ugidos normalisation: dummies β_j − a, intercept β_0 + a, omitted −a appended."""
    out = beta.copy()
    extra = []
    for idx in groups:
        a = beta[:, idx].sum(axis=1) / (len(idx) + 1)
        out[:, idx] -= a[:, None]
        out[:, 0] += a
        extra.append(-a)
    return np.column_stack([out, *extra]) if extra else out


def _omitted_means(xbar: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    extra = [1.0 - xbar[:, idx].sum(axis=1) for idx in groups]
    return np.column_stack([xbar, *extra]) if extra else xbar


def decompose_change(
    before: pd.DataFrame,
    after: pd.DataFrame,
    target: str,
    drivers: Sequence[str],
    *,
    weight: str | None = None,
    controls: Sequence[str] | None = None,
    normalize: Mapping[str, Sequence[str]] | None = None,
    twofold: str | float | None = None,
    replicates: int | tuple[ReplicateWeights, ReplicateWeights] | None = DEFAULT_REPLICATES,
    strata: str | None = None,
    psu: str | None = None,
    seed: int | None = 0,
    level: float = DEFAULT_LEVEL,
    interval: str = "percentile",
    shares: bool = False,
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
    controls : sequence of str, optional
        Segment columns whose cells (the cross-classification of their values) are held
        in both regressions as cell dummies; their contributions are folded into the
        term ``(controls)`` of every part (module docstring). Rows missing a control are
        left out.
    normalize : mapping of str to sequence of str, optional
        ``{omitted category name: [its dummies among the drivers]}``: normalise those
        dummies as R ``oaxaca`` does (Gardeazabal & Ugidos 2004); the omitted category
        becomes a term of its own.
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
    shares : bool
        Add each row's share of the gap: ``change_share`` (the estimate
        divided by the gap) and its interval ``change_share_ci_low``,
        ``change_share_ci_high`` from the same ratio in every replicate (a replicate
        whose gap is zero is left out); no interval without replicates. A share is
        only meaningful when the gap's own interval excludes zero.

    Returns
    -------
    DataFrame
        ``part, term, estimate, se, ci_low, ci_high`` (and the share columns with
        ``shares``). ``part`` is ``gap`` then
        ``endowments, coefficients, interaction`` (threefold) or ``explained,
        unexplained, unexplained_after, unexplained_before`` (twofold; the last two split
        ``unexplained``); ``term`` is ``total``, a driver, ``(intercept)``, an omitted
        category named in ``normalize`` or ``(controls)``. The totals of the three
        threefold parts (or of explained and unexplained) add up to the gap, and the
        terms of a part add up to its total. ``attrs``: ``n_before, n_after,
        replicates, twofold, weight_after, controls, cells``.
    """
    drivers = list(drivers)
    if not drivers:
        raise UsageError("name at least one driver")
    controls = list(controls or [])
    groups_named = {str(k): list(v) for k, v in (normalize or {}).items()}
    groups = []
    for name, cols in groups_named.items():
        bad = [c for c in cols if c not in drivers]
        if bad or not cols:
            raise UsageError(f"normalize['{name}'] must list dummies among the drivers, not {bad}")
        groups.append([1 + drivers.index(c) for c in cols])
    cols = [*drivers, target]
    vb, va = numeric_matrix(before, cols, "before"), numeric_matrix(after, cols, "after")
    rb, ra = _two_replicates(before, after, replicates, weight, strata, psu, seed)
    wb, wa = weight_matrix(before, weight, rb), weight_matrix(after, weight, ra)
    kb, ka = complete_rows(vb), complete_rows(va)
    if controls:
        (cb, ca), cells = _cells((before, after), controls)
        kb, ka = kb & (cb >= 0), ka & (ca >= 0)
        cb, ca = cb[kb], ca[ka]
    vb, va, wb, wa = vb[kb], va[ka], wb[kb], wa[ka]
    p = len(drivers)
    for name, v in (("before", vb), ("after", va)):
        if len(v) <= p + 1:
            raise UsageError(f"only {len(v)} complete rows in '{name}' for {p} drivers")
    if controls:
        nc = len(cells)
        fb = _within_fit(vb[:, :p], vb[:, p], wb, cb, nc)
        fa = _within_fit(va[:, :p], va[:, p], wa, ca, nc)
        bb, xb = _with_cells(fb[0], fb[1], fb[2], fb[3], fill=fa[1])
        ba, xa = _with_cells(fa[0], fa[1], fa[2], fa[3], fill=fb[1])
        yb, ya = fb[4], fa[4]
    else:
        bb, xb, yb = regressions(vb[:, :p], vb[:, p], wb)
        ba, xa, ya = regressions(va[:, :p], va[:, p], wa)
    terms = [INTERCEPT, *drivers]
    share = None
    if twofold is not None:
        if isinstance(twofold, str):
            key = twofold.lower()
            if key not in TWOFOLD:
                raise UsageError(f"twofold must be one of {TWOFOLD} or a number, got {twofold!r}")
            if key in ("pooled", "neumark"):
                x = np.vstack([vb[:, :p], va[:, :p]])
                y = np.concatenate([vb[:, p], va[:, p]])
                if key == "pooled":
                    x = np.column_stack([x, np.r_[np.ones(len(vb)), np.zeros(len(va))]])
                wp = np.vstack([wb, wa])
                if controls:
                    fp = _within_fit(x, y, wp, np.concatenate([cb, ca]), nc)
                    bref = _with_cells(fp[0][:, :p], fp[1], fp[2][:, :p], fp[3],
                                       fill=np.nan)[0]
                else:
                    bref = regressions(x, y, wp)[0][:, :p + 1]
            else:
                share = 0.5 if key == "reimers" else len(va) / (len(va) + len(vb))
        else:
            share = float(twofold)
            if not 0 <= share <= 1:
                raise UsageError(f"a twofold weight must be in [0, 1], got {twofold!r}")
        if share is not None:
            bref = share * ba + (1 - share) * bb
        bref = _normalise(bref, groups)
    bb, ba = _normalise(bb, groups), _normalise(ba, groups)
    xb, xa = _omitted_means(xb, groups), _omitted_means(xa, groups)
    if controls:  # move the cell columns after the omitted categories: fold them last
        ncol = 1 + p
        order = [*range(ncol), *range(ncol + nc, ncol + nc + len(groups)),
                 *range(ncol, ncol + nc)]
        bb, ba, xb, xa = bb[:, order], ba[:, order], xb[:, order], xa[:, order]
        if twofold is not None:
            bref = bref[:, order]
    terms = [*terms, *groups_named]
    dx, db = xa - xb, ba - bb
    rows: list[tuple[str, str, np.ndarray]] = [("gap", "total", ya - yb)]
    if twofold is None:
        parts = {"endowments": dx * bb, "coefficients": xb * db, "interaction": dx * db}
    else:
        ua, ub = xa * (ba - bref), xb * (bref - bb)
        parts = {"explained": dx * bref, "unexplained": ua + ub, "unexplained_after": ua,
                 "unexplained_before": ub}
    nt = len(terms)
    for part, contrib in parts.items():
        rows.append((part, "total", contrib.sum(axis=1)))
        for j, term in enumerate(terms):
            if part in ("endowments", "explained") and term == INTERCEPT:
                continue
            rows.append((part, term, contrib[:, j]))
        if controls:
            rows.append((part, CONTROLS, contrib[:, nt:].sum(axis=1)))
    scale = None if rb is None else rb.scale
    out = _tidy(rows, scale, level, interval, shares)
    out.attrs.update({"n_before": int(len(vb)), "n_after": int(len(va)),
                      "replicates": 0 if rb is None else rb.replicates,
                      "twofold": twofold, "weight_after": share, "controls": controls,
                      "cells": len(cells) if controls else 0,
                      "normalize": groups_named})
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
    level: float = DEFAULT_LEVEL,
    interval: str = "percentile",
    shares: bool = False,
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
    weight, replicates, strata, psu, seed, level, interval, shares
        As in :func:`decompose_change` (``shares``: each row's share of the change).

    Returns
    -------
    DataFrame
        ``part, term, estimate, se, ci_low, ci_high`` (with ``shares`` then
        ``change_share, change_share_ci_low, change_share_ci_high``), ``share_before,
        share_after, mean_before, mean_after``: ``part`` is ``change``, ``composition``
        or ``within``;
        ``term`` is ``total`` or a segment. Composition and within add up to the change
        exactly, in total and per segment.
    """
    for name, frame in (("before", before), ("after", after)):
        if segment not in frame.columns:
            raise UsageError(f"segment column '{segment}' not in '{name}'")
    rb, ra = _two_replicates(before, after, replicates, weight, strata, psu, seed)
    seg_b, seg_a = before[segment], after[segment]
    levels = sorted(set(seg_b.dropna().unique()) | set(seg_a.dropna().unique()), key=str)
    shown = config.code_order(segment, levels)  # rows in the deck's order (tiers, cities)
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
        for lev in shown:
            j = levels.index(lev)
            rows.append((part, lev, contrib[:, j]))
            extra["share_before"].append(pb[0, j])
            extra["share_after"].append(pa[0, j])
            extra["mean_before"].append(mb[0, j])
            extra["mean_after"].append(ma[0, j])
    scale = None if rb is None else rb.scale
    out = _tidy(rows, scale, level, interval, shares)
    for k, v in extra.items():
        out[k] = v
    out.attrs.update({"segment": segment, "replicates": 0 if rb is None else rb.replicates})
    return out
