"""PLS path modelling (Wold / Lohmöller), mode A, for ACSI/ECSI-style satisfaction indices.

Algorithm
---------
Indicators are standardised with the (sampling-)weighted mean and standard deviation
of the complete cases (listwise deletion). Starting from outer weights of 1, the
algorithm alternates

1. outer estimate: construct scores :math:`Y_j = X_j w_j`, scaled to unit variance;
2. inner weights :math:`e_{jk}` between adjacent constructs — ``"centroid"``: the sign
   of their correlation; ``"factorial"``: the correlation; ``"path"``: for the
   predecessors of :math:`j` the coefficients of the regression of :math:`Y_j` on
   them, for its successors the correlation (Lohmöller 1989; R ``plspm``, ``semPLS``,
   SmartPLS);
3. inner estimate :math:`Z_j = \\sum_k e_{jk} Y_k`, and mode A outer weights
   :math:`w_j \\propto \\mathrm{cov}(X_j, Z_j)`;

until the largest change of an outer weight is below ``tol``. Path coefficients are
the least-squares regressions of each endogenous construct's scores on its
predecessors; loadings are the correlations of the indicators with the scores.

Everything after step 0 is a function of the indicators' correlation matrix, so the
algorithm runs on a batch of correlation matrices: the full sample and every bootstrap
replicate (:mod:`gotone_analysis.replicates`) are estimated together, which gives
design-based standard errors and intervals of the paths, R² and indices.

Indices (ACSI): each construct's index is the weighted mean of its indicators rescaled
to 0-100 (``(x - lo) / (hi - lo)``), combined with the **unstandardised** outer weights
(standardised weight divided by the indicator's standard deviation) normalised to sum
to one.

Checked against SmartPLS 2.0.M3 on the ECSI mobile-phone data (``mobi``) for all three
schemes (``tests/test_drivers_pls.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..policy import DEFAULT_LEVEL
from ..replicates import ReplicateWeights, summarise_replicates, weighted_moments
from .common import complete_rows, numeric_matrix, resolve_replicates, weight_matrix

__all__ = ["SCHEMES", "PLSResult", "pls_path_model"]

#: Inner weighting schemes.
SCHEMES: tuple[str, ...] = ("path", "centroid", "factorial")


@dataclass(frozen=True)
class _Model:
    constructs: list[str]
    indicators: list[str]
    block_of: np.ndarray  # (q,) construct index of each indicator
    pred: np.ndarray  # (J, J) bool: pred[j, k] = path k -> j


def _estimate(corr: np.ndarray, model: _Model, scheme: str, tol: float, max_iter: int):
    """Outer weights (B, q) on standardised indicators, and the number of iterations."""
    b, q, _ = corr.shape
    n_c = len(model.constructs)
    member = np.zeros((n_c, q))
    member[model.block_of, np.arange(q)] = 1.0
    adjacent = model.pred | model.pred.T
    w = np.ones((b, q))

    def normalise(w):
        wm = w[:, None, :] * member[None]  # (B, J, q) block weights
        var = np.einsum("bjq,bqr,bjr->bj", wm, corr, wm)
        return w / np.sqrt(var[:, model.block_of])

    w = normalise(w)
    for it in range(1, max_iter + 1):
        wm = w[:, None, :] * member[None]
        cy = np.einsum("bqr,bjr->bqj", corr, wm)  # cor(indicator q, score j)
        py = np.einsum("bjq,bqk->bjk", wm, cy)  # score correlations (B, J, J)
        if scheme == "centroid":
            e = np.sign(py) * adjacent
        elif scheme == "factorial":
            e = py * adjacent
        else:
            e = py * (model.pred.T & ~model.pred)  # successors: correlation
            for j in range(n_c):
                pr = np.flatnonzero(model.pred[j])
                if pr.size:
                    coef = np.linalg.solve(py[:, pr[:, None], pr[None, :]], py[:, pr, j, None])[..., 0]
                    e[:, j, pr] = coef
        # mode A: w_q = cov(x_q, Z_j) = sum_k e_jk cor(x_q, Y_k) for q in block j
        new = np.einsum("bqk,bjk->bqj", cy, e)[:, np.arange(q), model.block_of]
        new = normalise(new)
        delta = np.abs(new - w).max()
        w = new
        if delta < tol:
            return w, it
    return w, max_iter


def _structure(corr: np.ndarray, w: np.ndarray, model: _Model):
    n_c = len(model.constructs)
    member = np.zeros((n_c, len(model.indicators)))
    member[model.block_of, np.arange(len(model.indicators))] = 1.0
    wm = w[:, None, :] * member[None]
    cy = np.einsum("bqr,bjr->bqj", corr, wm)
    py = np.einsum("bjq,bqk->bjk", wm, cy)
    # sign: a block's scores correlate positively with the sum of its indicators' loadings
    flip = np.sign(np.einsum("bqj,jq->bj", cy, member))
    flip[flip == 0] = 1
    w = w * flip[:, model.block_of]
    cy = cy * flip[:, None, :]
    py = py * flip[:, :, None] * flip[:, None, :]
    coef = np.zeros((corr.shape[0], n_c, n_c))  # coef[:, j, k]: path k -> j
    r2 = np.full((corr.shape[0], n_c), np.nan)
    for j in range(n_c):
        pr = np.flatnonzero(model.pred[j])
        if pr.size:
            c = np.linalg.solve(py[:, pr[:, None], pr[None, :]], py[:, pr, j, None])[..., 0]
            coef[:, j, pr] = c
            r2[:, j] = np.einsum("bk,bk->b", c, py[:, pr, j])
    return w, cy, py, coef, r2


@dataclass(frozen=True)
class PLSResult:
    """A fitted PLS path model.

    Attributes
    ----------
    paths : DataFrame
        ``source, target, estimate`` (standardised path coefficients), plus ``se,
        ci_low, ci_high`` when replicates were asked for.
    r2 : Series
        R² of each endogenous construct.
    loadings : DataFrame
        ``construct, indicator, loading`` (correlation of indicator and score).
    weights : DataFrame
        ``construct, indicator, weight`` (outer weights on standardised indicators,
        scores of unit variance) and ``raw_weight`` (unstandardised, summing to 1).
    scores : DataFrame
        Standardised construct scores of the complete cases (index of the data).
    scheme : str
    iterations : int
    n : int
        Complete cases used.
    """

    paths: pd.DataFrame
    r2: pd.Series
    loadings: pd.DataFrame
    weights: pd.DataFrame
    scores: pd.DataFrame
    scheme: str
    iterations: int
    n: int
    _index_parts: dict = field(repr=False, default_factory=dict)

    def index(self, ranges: Mapping[str, tuple[float, float]] | tuple[float, float] | None = None
              ) -> pd.DataFrame:
        """0-100 construct indices from the unstandardised outer weights (ACSI).

        Parameters
        ----------
        ranges : (lo, hi) or mapping indicator -> (lo, hi), optional
            Scale of the indicators; default those given to :func:`pls_path_model`.

        Returns
        -------
        DataFrame
            ``construct, estimate`` and, with replicates, ``se, ci_low, ci_high``.
        """
        parts = self._index_parts
        lo, hi = _ranges(ranges if ranges is not None else parts["ranges"],
                         parts["indicators"], parts["observed"])
        raw = parts["raw"]  # (K, q) unstandardised weights, summing to 1 per block
        scaled = 100 * (parts["means"] - lo) / (hi - lo)  # (K, q)
        member = parts["member"]  # (J, q)
        idx = np.einsum("kq,jq->kj", raw * scaled, member)
        out = pd.DataFrame({"construct": parts["constructs"], "estimate": idx[0]})
        if idx.shape[0] > 1:
            s = summarise_replicates(idx[0], idx[1:], scale=parts["scale"],
                                     level=parts["level"], interval=parts["interval"])
            out["se"], out["ci_low"], out["ci_high"] = s["se"], s["ci_low"], s["ci_high"]
        return out


def _ranges(ranges, indicators, observed):
    if ranges is None:
        return observed
    if isinstance(ranges, Mapping):
        missing = [i for i in indicators if i not in ranges]
        if missing:
            raise UsageError(f"ranges has no scale for {missing}")
        return (np.array([ranges[i][0] for i in indicators], float),
                np.array([ranges[i][1] for i in indicators], float))
    return np.full(len(indicators), float(ranges[0])), np.full(len(indicators), float(ranges[1]))


def pls_path_model(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[tuple[str, str]],
    *,
    scheme: str = "path",
    weight: str | None = None,
    ranges: Mapping[str, tuple[float, float]] | tuple[float, float] | None = None,
    replicates: int | ReplicateWeights | None = None,
    strata: str | None = None,
    psu: str | None = None,
    seed: int | None = 0,
    level: float = DEFAULT_LEVEL,
    interval: str = "percentile",
    tol: float = 1e-10,
    max_iter: int = 300,
) -> PLSResult:
    """Fit a PLS path model (mode A outer estimation, standardised indicators).

    Parameters
    ----------
    data : DataFrame
        One row per respondent; rows missing any indicator are left out.
    blocks : mapping construct -> indicator columns
        Reflective (mode A) blocks; an indicator belongs to one block.
    paths : sequence of (source, target)
        Inner model; it must be acyclic.
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme.
    weight : str, optional
        Sampling-weight column (weighted standardisation and correlations).
    ranges : (lo, hi) or mapping indicator -> (lo, hi), optional
        Indicator scales for :meth:`PLSResult.index`; default the observed range.
    replicates : int or ReplicateWeights, optional
        Rao–Wu bootstrap replicates for design-based SEs and intervals of the paths,
        R² and indices (a number to draw with ``strata``, ``psu``, ``seed``).
    level, interval
        Confidence level and interval type.
    tol, max_iter
        Convergence: largest change of a standardised outer weight.

    Returns
    -------
    PLSResult
        ``.paths``, ``.r2``, ``.loadings``, ``.weights``, ``.scores``, ``.index()``.
    """
    if scheme not in SCHEMES:
        raise UsageError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    constructs = list(blocks)
    indicators = [i for c in constructs for i in blocks[c]]
    if len(set(indicators)) != len(indicators):
        raise UsageError("an indicator is listed in more than one block")
    if any(len(blocks[c]) == 0 for c in constructs):
        raise UsageError("every block needs at least one indicator")
    pos = {c: j for j, c in enumerate(constructs)}
    pred = np.zeros((len(constructs), len(constructs)), bool)
    for source, target in paths:
        if source not in pos or target not in pos:
            raise UsageError(f"path ({source!r}, {target!r}) names a construct without a block")
        pred[pos[target], pos[source]] = True
    if not pred.any():
        raise UsageError("the inner model has no paths")
    block_of = np.array([pos[c] for c in constructs for _ in blocks[c]])
    model = _Model(constructs, indicators, block_of, pred)

    values = numeric_matrix(data, indicators, "indicator")
    reps = resolve_replicates(data, replicates, weight=weight, strata=strata, psu=psu, seed=seed)
    w_all = weight_matrix(data, weight, reps)
    keep = complete_rows(values)
    if keep.sum() < len(indicators) + 2:
        raise UsageError(f"only {int(keep.sum())} complete rows for {len(indicators)} indicators")
    x, w_all = values[keep], w_all[keep]
    means, cov = weighted_moments(x, w_all)
    sd = np.sqrt(np.einsum("kii->ki", cov))
    if (sd[0] == 0).any():
        const = [i for i, s in zip(indicators, sd[0], strict=True) if s == 0]
        raise UsageError(f"indicator(s) {const} do not vary")
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / sd[:, :, None] / sd[:, None, :]
    ow, iterations = _estimate(corr, model, scheme, tol, max_iter)
    ow, cy, _, coef, r2 = _structure(corr, ow, model)

    member = np.zeros((len(constructs), len(indicators)))
    member[block_of, np.arange(len(indicators))] = 1.0
    raw = ow / sd
    raw = raw / np.einsum("kq,jq->kj", raw, member)[:, block_of]

    src, tgt = np.nonzero(pred.T)  # pred.T[k, j]: k -> j
    order = np.lexsort((tgt, src))
    src, tgt = src[order], tgt[order]
    est = coef[:, tgt, src]  # (K, P)
    path_tab = pd.DataFrame({"source": [constructs[k] for k in src],
                             "target": [constructs[j] for j in tgt], "estimate": est[0]})
    scale = None if reps is None else reps.scale
    if reps is not None:
        s = summarise_replicates(est[0], est[1:], scale=scale, level=level, interval=interval)
        path_tab["se"], path_tab["ci_low"], path_tab["ci_high"] = s["se"], s["ci_low"], s["ci_high"]
    endo = [j for j in range(len(constructs)) if pred[j].any()]
    r2_s = pd.Series({constructs[j]: r2[0, j] for j in endo}, name="r2")
    r2_s.index.name = "construct"
    loadings = pd.DataFrame({"construct": [constructs[j] for j in block_of],
                             "indicator": indicators,
                             "loading": cy[0, np.arange(len(indicators)), block_of]})
    weights_tab = pd.DataFrame({"construct": [constructs[j] for j in block_of],
                                "indicator": indicators, "weight": ow[0], "raw_weight": raw[0]})
    z = (x - means[0]) / sd[0]
    scores = pd.DataFrame((z * ow[0]) @ member.T, index=data.index[keep], columns=constructs)
    observed = (np.nanmin(x, axis=0), np.nanmax(x, axis=0))
    parts = {"raw": raw, "means": means, "member": member, "constructs": constructs,
             "indicators": indicators, "ranges": ranges, "observed": observed,
             "scale": scale, "level": level, "interval": interval}
    return PLSResult(paths=path_tab, r2=r2_s, loadings=loadings, weights=weights_tab,
                     scores=scores, scheme=scheme, iterations=iterations, n=int(keep.sum()),
                     _index_parts=parts)
