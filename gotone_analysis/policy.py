"""The report-wide policy: the one home of every rule that decides what a reader is told.

Every estimator wrapper, table, figure and sentence reads its rules here, never from a
literal of its own:

* the confidence level of every interval (:data:`DEFAULT_LEVEL`) and its normal
  quantile (:func:`quantile`, the only place ``norm.ppf`` turns a level into a
  half-width factor), the interval itself (:func:`interval`);
* the interval of a design-based mean on a bounded scale (a 0-100 score, a share):
  the logit interval with the t quantile at the estimate's Satterthwaite degrees of
  freedom (:func:`bounded_interval`, :func:`t_quantile`);
* the projection level of the 139 scorecard (:data:`PROJECTION_LEVEL`);
* significance: two-sided z tests (:func:`z_test`, with the rounding-noise rule
  :data:`SE_ZERO`), multiple-comparison adjustment over a family
  (:data:`P_ADJUST_METHOD`, :func:`adjust_pvalues`), the significance level applied to
  adjusted p-values (:data:`ALPHA`, :func:`significant`), and what counts as "the
  interval excludes zero" (:func:`excludes_zero`);
* a family of effect claims: each effect's two-sided p-value from its estimate and
  standard error, adjusted over the family, claimed below alpha (:func:`family_test`);
* when a part of a change may be called its main part ("mainly"): a share above
  :data:`MAIN_SHARE` whose interval lies above it too (:func:`is_main_part`);
* the interval of a city's pooled (small-area) survey comparison: a parametric bootstrap
  of the random-effects model with :data:`SMALL_AREA_DRAWS` draws;
* minimum bases: a cell's (:data:`MIN_BASE`) and a driver model's
  (:data:`DRIVER_MIN_BASE`);
* the tolerance within which a target the suite derived itself (a city's share of a
  province count target) is neither met nor missed (:data:`APPORTIONED_TOLERANCE`).

One report's choices travel as one :class:`Policy` object, built from the notebook's
parameters by :func:`gotone_analysis.params.check_parameters` (``P.policy``) and taken
as ``policy=`` by the estimators and the views; :func:`resolve_policy` merges it with
explicit keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import norm
from scipy.stats import t as student_t
from statsmodels.stats.multitest import multipletests

from .errors import UsageError

__all__ = [
    "ALPHA",
    "APPORTIONED_TOLERANCE",
    "DEFAULT_LEVEL",
    "DEFAULT_POLICY",
    "DRIVER_MIN_BASE",
    "EFFECT_FAMILY_METHOD",
    "MAIN_SHARE",
    "MIN_BASE",
    "PROJECTION_LEVEL",
    "P_ADJUST_METHOD",
    "P_ADJUST_METHODS",
    "SE_ZERO",
    "SMALL_AREA_DRAWS",
    "Policy",
    "adjust_pvalues",
    "bounded_interval",
    "check_level",
    "excludes_zero",
    "family_test",
    "interval",
    "is_main_part",
    "quantile",
    "resolve_policy",
    "significant",
    "t_quantile",
    "z_test",
]

#: Confidence level of every interval a report shows.
DEFAULT_LEVEL: float = 0.95
#: Level of the scorecard's projection interval to a target's deadline.
PROJECTION_LEVEL: float = 0.90
#: Significance level, applied to adjusted p-values (and to single tests, e.g. a pre-trend).
ALPHA: float = 0.05
#: Multiple-comparison adjustment over a family of tests (Benjamini-Hochberg FDR).
P_ADJUST_METHOD: str = "fdr_bh"
#: Adjustments :func:`adjust_pvalues` knows (statsmodels names; "none" = unadjusted).
P_ADJUST_METHODS: tuple[str, ...] = ("fdr_bh", "holm", "bonferroni", "none")
#: Adjustment over a page's family of effect claims (every lever x outcome x method of the
#: scope): Holm, controlling the family-wise error rate, so that a page carries a false
#: effect claim in at most ``ALPHA`` of pages (a false-discovery rate would let one in
#: twenty claims be false, and a page of twenty tests carry one).
EFFECT_FAMILY_METHOD: str = "holm"
#: Draws of the parametric bootstrap that calibrates the interval of a small-area (pooled)
#: estimate (:func:`gotone_analysis.reports.program_effects.pooling.shrink`: the symmetric
#: bootstrap-t interval of the random-effects model, Chatterjee, Lahiri & Li 2008), seeded
#: with the policy's seed.
SMALL_AREA_DRAWS: int = 2000
#: Share of a change above which a part of it may be called its main part ("mainly"),
#: provided the lower bound of the share's interval is above it too.
MAIN_SHARE: float = 0.5
#: Unweighted base below which a cell is suppressed and marked.
MIN_BASE: int = 30
#: Complete respondents a driver model (decomposition, importance, ECSI) needs in each wave.
DRIVER_MIN_BASE: int = 250
#: A difference whose standard error is at most this (relative to the size of the estimates,
#: floor 1) is rounding noise, e.g. of a constant item: it gets no test (z and p missing).
SE_ZERO: float = 1e-9
#: Tolerance, relative to the target, of a city target apportioned from a province count
#: target (the city's share of the province count is the suite's assumption, not a target
#: anyone set): an actual within it is judged neither met nor missed (``inconclusive``).
APPORTIONED_TOLERANCE: float = 0.01


# --- intervals --------------------------------------------------------------------------------


def check_level(level: object) -> float:
    """``level`` as a float, checked to lie strictly between 0 and 1.

    Raises
    ------
    UsageError
        For anything else.
    """
    if isinstance(level, bool) or not (isinstance(level, int | float | np.floating)
                                       and 0 < level < 1):
        raise UsageError(f"level must be a number strictly between 0 and 1, got {level!r}")
    return float(level)


def quantile(level: float = DEFAULT_LEVEL) -> float:
    """The normal quantile of a two-sided interval at ``level`` (1.959964 for 95 %).

    Returns
    -------
    float
        ``norm.ppf(0.5 + level / 2)``.
    """
    return float(norm.ppf(0.5 + check_level(level) / 2.0))


def interval(estimate, se, level: float = DEFAULT_LEVEL):
    """The normal interval ``estimate -/+ quantile(level) * se``.

    Returns
    -------
    tuple
        ``(low, high)``, arrays or scalars like the input.
    """
    q = quantile(level)
    return estimate - q * se, estimate + q * se


def t_quantile(level: float = DEFAULT_LEVEL, df=np.inf):
    """The Student t quantile of a two-sided interval at ``level`` with ``df`` degrees of
    freedom (the normal quantile, :func:`quantile`, where ``df`` is infinite or missing).

    Returns
    -------
    float or ndarray
        ``t.ppf(0.5 + level / 2, df)``, like ``df``.
    """
    p = 0.5 + check_level(level) / 2.0
    d = np.asarray(df, dtype="float64")
    out = np.where(np.isfinite(d) & (d > 0), student_t.ppf(p, np.where(d > 0, d, 1.0)), quantile(level))
    return float(out) if out.ndim == 0 else out


def bounded_interval(estimate, se, df, lower: float, upper: float,
                     level: float = DEFAULT_LEVEL):
    """The interval of a design-based mean of a variable bounded by ``lower`` and ``upper``.

    The logit interval (R ``survey::svyciprop(method = "xlogit")``: the mean rescaled to
    ``p`` in (0, 1), ``logit(p) -/+ q * se / (p (1 - p))``, transformed back), with ``q``
    the t quantile at ``df`` (:func:`t_quantile`): the Satterthwaite degrees of freedom
    of a stratified variance estimate (Cochran 1977, *Sampling Techniques*, eq. 5.16),
    small when a few strata carry the variance. The interval stays inside the bounds and
    is longer towards the middle of the scale, where a mean near a bound (e.g. an
    awareness near 100 %) errs; its standard error stays the linearised one. A mean on a
    bound (every answer there, standard error zero) gets the point interval; the
    interval always holds the mean (not only up to rounding).

    Parameters
    ----------
    estimate, se, df : float or array-like
        Means, their standard errors and degrees of freedom.
    lower, upper : float
        The bounds of the variable's scale (0 and 100 for a score, 0 and 1 for a share).
    level : float
        Confidence level.

    Returns
    -------
    tuple
        ``(low, high)``, arrays (scalars for scalar input).
    """
    est = np.asarray(estimate, dtype="float64")
    width = float(upper) - float(lower)
    p = (est - float(lower)) / width
    s = np.asarray(se, dtype="float64") / width
    q = t_quantile(level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = (p > 0) & (p < 1) & (s > 0)
        lp = np.log(p / (1 - p))
        half = q * s / (p * (1 - p))
        low = np.where(inner, 1 / (1 + np.exp(-(lp - half))), p)
        high = np.where(inner, 1 / (1 + np.exp(-(lp + half))), p)
    low, high = float(lower) + width * low, float(lower) + width * high
    # a mean a rounding error off its bound (every answer there, a standard error of
    # 1e-31) would get an interval on the bound that misses it by 1e-14: it holds it
    low, high = np.minimum(low, est), np.maximum(high, est)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def excludes_zero(low, high):
    """Whether an interval lies wholly above or wholly below zero.

    Parameters
    ----------
    low, high : float, array-like or None
        Bounds; a missing bound (None, NaN) excludes nothing.

    Returns
    -------
    bool or ndarray of bool
        A scalar for scalar bounds, else an array.
    """
    if low is None or high is None:
        return False
    lo = np.asarray(low, dtype="float64")
    hi = np.asarray(high, dtype="float64")
    with np.errstate(invalid="ignore"):
        out = np.isfinite(lo) & np.isfinite(hi) & ((lo > 0) | (hi < 0))
    return bool(out) if out.ndim == 0 else out


# --- tests --------------------------------------------------------------------------------------


def z_test(diff, se, scale=1.0):
    """Two-sided z test of ``diff`` with standard error ``se``.

    A standard error at rounding-noise level (at most :data:`SE_ZERO` times ``scale``,
    floor 1) gives no test: z and p are missing.

    Parameters
    ----------
    diff, se : array-like
        Differences and their standard errors.
    scale : array-like, default 1
        Size of the compared estimates (e.g. the larger absolute estimate).

    Returns
    -------
    tuple of ndarray
        ``(z, p)``.
    """
    d = np.asarray(diff, dtype="float64")
    s = np.asarray(se, dtype="float64")
    floor = np.fmax(1.0, np.asarray(scale, dtype="float64"))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > SE_ZERO * floor, d / s, np.nan)
    return z, 2.0 * norm.sf(np.abs(z))


def adjust_pvalues(p, method: str = P_ADJUST_METHOD):
    """Adjust p-values for multiple comparisons (statsmodels ``multipletests``).

    Parameters
    ----------
    p : array-like or Series
        Raw p-values in [0, 1]; NaN values are passed through and do not count in
        the family.
    method : {"fdr_bh", "holm", "bonferroni", "none"}
        Benjamini-Hochberg false discovery rate (default), Holm or Bonferroni
        family-wise error rate, or no adjustment.

    Returns
    -------
    ndarray or Series
        Adjusted p-values, same shape (a Series keeps its index and name).
    """
    if method not in P_ADJUST_METHODS:
        raise UsageError(f"method must be one of {P_ADJUST_METHODS}, got {method!r}")
    arr = np.asarray(p, dtype="float64")
    flat = arr.ravel()
    ok = ~np.isnan(flat)
    if ((flat[ok] < 0) | (flat[ok] > 1)).any():
        raise UsageError("p-values must lie in [0, 1]")
    out = flat.copy()
    if method != "none" and ok.any():
        out[ok] = multipletests(flat[ok], method=method)[1]
    out = out.reshape(arr.shape)
    if isinstance(p, pd.Series):
        return pd.Series(out, index=p.index, name=p.name)
    return out


def significant(p, alpha: float = ALPHA):
    """Whether p-values are below ``alpha`` (a missing p-value is not significant).

    Returns
    -------
    bool or ndarray of bool
        A scalar for a scalar p-value, else an array.
    """
    if p is None:
        return False
    arr = np.asarray(p, dtype="float64")
    with np.errstate(invalid="ignore"):
        out = arr < alpha
    return bool(out) if out.ndim == 0 else out


def family_test(estimate, se, method: str = P_ADJUST_METHOD, alpha: float = ALPHA):
    """Test a family of effects together: which of them may be claimed.

    Each effect gets its two-sided p-value from its estimate and standard error
    (:func:`z_test`); the p-values are adjusted over the whole family
    (:func:`adjust_pvalues` with ``method``), and an effect is claimed only when its
    adjusted p-value is below ``alpha`` (:func:`significant`). Effects without a test
    (missing estimate or standard error) stay out of the family and are never claimed.

    Parameters
    ----------
    estimate, se : array-like
        The effects and their standard errors, one per member of the family.
    method : str
        Adjustment over the family (:data:`P_ADJUST_METHODS`).
    alpha : float
        Significance level applied to the adjusted p-values.

    Returns
    -------
    tuple of ndarray
        ``(p, p_adj, claimed)``: raw and adjusted p-values (NaN outside the family) and
        the boolean decisions.
    """
    est = np.asarray(estimate, dtype="float64").ravel()
    s = np.asarray(se, dtype="float64").ravel()
    p = z_test(est, s)[1]
    p = np.where(np.isfinite(est) & np.isfinite(s), p, np.nan)
    p_adj = np.asarray(adjust_pvalues(p, method), dtype="float64")
    return p, p_adj, np.asarray(significant(p_adj, alpha), dtype=bool).reshape(p_adj.shape)


def is_main_part(share, share_low) -> bool:
    """Whether a part of a change may be called its main part ("mainly", 「主要」).

    Only a part whose share of the change is above :data:`MAIN_SHARE` and whose
    share's interval says so (its lower bound is above :data:`MAIN_SHARE` too); a
    share without an interval is never the main part.

    Returns
    -------
    bool
    """
    if share is None or share_low is None:
        return False
    share, low = float(share), float(share_low)
    return bool(np.isfinite(share) and np.isfinite(low) and share > MAIN_SHARE
                and low > MAIN_SHARE)


# --- one report's policy -----------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """The report-wide policy of estimates, comparisons and random draws.

    Attributes
    ----------
    min_base : int or None
        Unweighted base below which a cell is suppressed
        (:func:`gotone_analysis.compare.suppress`); ``None``: nothing is suppressed.
    level : float
        Confidence level of every interval.
    p_adjust : str
        Multiple-comparison adjustment over a table (:func:`adjust_pvalues`).
    effect_adjust : str
        Adjustment over a page's family of effect claims (:data:`EFFECT_FAMILY_METHOD`).
    alpha : float
        Significance level of the marks, applied to adjusted p-values.
    seed : int or None
        Seed of every random draw (resampling, bootstrap replicates); :meth:`rng`.
    """

    min_base: int | None = None
    level: float = DEFAULT_LEVEL
    p_adjust: str = P_ADJUST_METHOD
    alpha: float = ALPHA
    seed: int | None = None
    effect_adjust: str = EFFECT_FAMILY_METHOD

    def __post_init__(self) -> None:
        if self.min_base is not None and (not isinstance(self.min_base, int | np.integer)
                                          or isinstance(self.min_base, bool)
                                          or self.min_base < 0):
            raise UsageError(f"min_base must be a non-negative integer or None, "
                             f"got {self.min_base!r}")
        check_level(self.level)
        if self.p_adjust not in P_ADJUST_METHODS:
            raise UsageError(f"p_adjust must be one of {P_ADJUST_METHODS}, got {self.p_adjust!r}")
        if self.effect_adjust not in P_ADJUST_METHODS:
            raise UsageError(f"effect_adjust must be one of {P_ADJUST_METHODS}, "
                             f"got {self.effect_adjust!r}")
        if not (isinstance(self.alpha, int | float) and 0 < self.alpha < 1):
            raise UsageError(f"alpha must lie strictly between 0 and 1, got {self.alpha!r}")

    @property
    def quantile(self) -> float:
        """The normal quantile of this policy's intervals (:func:`quantile` of :attr:`level`)."""
        return quantile(self.level)

    def rng(self) -> np.random.Generator:
        """A new random generator seeded with :attr:`seed` (the same draws every call).

        Returns
        -------
        numpy.random.Generator
            ``numpy.random.default_rng(seed)``.
        """
        return np.random.default_rng(self.seed)

    def with_(self, **changes: object) -> Policy:
        """A copy with the given fields changed; fields given as ``None`` are kept.

        Returns
        -------
        Policy
        """
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


#: The policy of a function called without ``policy=``: 95 % intervals, Benjamini-Hochberg
#: adjustment of a table's marks, Holm over a page's effect claims, marks at 5 %, no
#: suppression.
DEFAULT_POLICY = Policy()


def resolve_policy(policy: Policy | None = None, **explicit: object) -> Policy:
    """The policy a function works under: ``policy`` (default :data:`DEFAULT_POLICY`)
    with the keyword arguments the caller gave explicitly (not ``None``) taking precedence.

    Parameters
    ----------
    policy : Policy, optional
        The report's policy.
    **explicit
        ``min_base``, ``level``, ``p_adjust``, ``alpha`` or ``seed`` given by the caller.

    Returns
    -------
    Policy
    """
    if policy is not None and not isinstance(policy, Policy):
        raise UsageError(f"policy must be a gotone_analysis.policy.Policy, got "
                         f"{type(policy).__name__}")
    return (policy or DEFAULT_POLICY).with_(**explicit)
