"""Covariate-adjusted effects by weighting: inverse-probability (IPW) and doubly robust (AIPW).

The average treatment effect (ATE) of a binary ``treatment`` on an ``outcome``, as
Stata ``teffects ipw`` and ``teffects aipw``:

* **IPW** with normalised weights: the potential-outcome means are weighted means of
  the outcome with weights ``D / p(x)`` and ``(1 - D) / (1 - p(x))``, each rescaled to
  sum to one within its arm (Hajek).
* **AIPW** (augmented IPW, doubly robust): a linear outcome regression fitted
  separately in each arm (on ``outcome_covariates``, default the propensity
  covariates) predicts both potential outcomes for everyone, and the inverse-
  probability-weighted residuals correct the predictions:
  ``mu_1 = mean(m_1(x) + D (y - m_1(x)) / p(x))``, likewise ``mu_0``.

The propensity ``p(x)`` is a logit or probit model of the treatment on
``covariates`` (column names or a formula right-hand side such as
``"mage + I(mage**2) + C(education)"``, read by formulaic as statsmodels does).

Variance method
---------------
Stacked estimating equations (M-estimation): the propensity-score equations, the
outcome-regression equations (AIPW) and the potential-outcome-mean equations are
solved together, and the sandwich ``A^-1 B A^-T / n`` (``A`` the mean Jacobian,
``B`` the mean outer product of the estimating functions) gives standard errors that
account for the estimated propensity score and outcome models, as Stata's robust
``vce``. ``weight`` names **sampling weights**: every estimating function is
multiplied by the unit's weight, so the point estimate is the weighted one and the
variance is the with-replacement (single-stage, no strata) linearisation for sampling
weights; weights are never read as frequencies. Intervals are normal intervals.

Checked against Stata ``teffects`` on ``cataneo2`` (maternal smoking and birth
weight; the numbers statsmodels' tests record) in ``tests/test_effects_weighting.py``.

Diagnostics: ``overlap`` describes the fitted propensity by arm and counts units
outside ``[trim, 1 - trim]`` (the stated rule; with ``trim`` given, those units are
dropped and the models refitted, otherwise nothing is dropped and the rule is only
reported with the threshold 0.01); ``balance`` gives each design column's
standardised difference (difference in means over ``sqrt((s1**2 + s0**2) / 2)``, as
Stata ``tebalance summarize``) and variance ratio before and after weighting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm

from ..policy import DEFAULT_LEVEL, quantile
from .design import covariate_columns

__all__ = ["METHODS", "PROPENSITY", "RESULT_COLUMNS", "WeightingResult", "weighting_estimate"]

METHODS = ("ipw", "aipw")
PROPENSITY = ("logit", "probit")
RESULT_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "n_treated", "n_control"]
OVERLAP_REPORT_THRESHOLD = 0.01


# --- design -------------------------------------------------------------------------


def _design(data: pd.DataFrame, spec: str | Sequence[str]) -> pd.DataFrame:
    """Design matrix with an intercept from column names or a formula right-hand side."""
    if isinstance(spec, str):
        from formulaic import model_matrix

        mm = model_matrix(spec, data, na_action="raise")
        x = pd.DataFrame(np.asarray(mm, dtype=float), columns=list(mm.columns),
                         index=data.index)
        if "Intercept" not in x.columns:
            x.insert(0, "Intercept", 1.0)
        return x
    x = data[list(spec)].astype(float)
    x.insert(0, "Intercept", 1.0)
    return x


# --- propensity -------------------------------------------------------------------------


def _ps_value(x: np.ndarray, gamma: np.ndarray, link: str) -> np.ndarray:
    eta = x @ gamma
    return expit(eta) if link == "logit" else norm.cdf(eta)


def _ps_score(x: np.ndarray, d: np.ndarray, gamma: np.ndarray, link: str) -> np.ndarray:
    """Per-unit score of the binary-choice log-likelihood (units x k)."""
    eta = x @ gamma
    if link == "logit":
        return (d - expit(eta))[:, None] * x
    p = np.clip(norm.cdf(eta), 1e-300, 1 - 1e-16)
    dens = norm.pdf(eta)
    return (dens * (d - p) / (p * (1 - p)))[:, None] * x


def _fit_ps(x: np.ndarray, d: np.ndarray, s: np.ndarray, link: str, tol: float = 1e-11,
            max_iter: int = 100) -> np.ndarray:
    """Weighted maximum-likelihood propensity coefficients (Fisher scoring).

    For the logit link Fisher scoring is Newton-Raphson; both converge to the MLE that
    statsmodels' ``GLM(..., var_weights=s)`` finds.
    """
    gamma = np.zeros(x.shape[1])
    for _ in range(max_iter):
        eta = x @ gamma
        if link == "logit":
            p = expit(eta)
            w = p * (1 - p)
            u = d - p
        else:
            p = np.clip(norm.cdf(eta), 1e-15, 1 - 1e-15)
            dens = norm.pdf(eta)
            w = dens**2 / (p * (1 - p))
            u = dens * (d - p) / (p * (1 - p))
        grad = x.T @ (s * u)
        info = x.T @ ((s * w)[:, None] * x)
        step = np.linalg.solve(info, grad)
        gamma = gamma + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(gamma))):
            break
    return gamma


# --- stacked estimating equations ----------------------------------------------------------


@dataclass
class _Problem:
    x: np.ndarray
    z: np.ndarray
    d: np.ndarray
    y: np.ndarray
    s: np.ndarray
    link: str
    method: str

    @property
    def k(self) -> int:
        return self.x.shape[1]

    @property
    def kz(self) -> int:
        return self.z.shape[1] if self.method == "aipw" else 0

    def psi(self, theta: np.ndarray) -> np.ndarray:
        """Estimating functions (units x parameters), each times the sampling weight."""
        k, kz = self.k, self.kz
        gamma = theta[:k]
        p = _ps_value(self.x, gamma, self.link)
        parts = [_ps_score(self.x, self.d, gamma, self.link)]
        mu1, mu0 = theta[-2], theta[-1]
        if self.method == "ipw":
            parts.append((self.d / p * (self.y - mu1))[:, None])
            parts.append(((1 - self.d) / (1 - p) * (self.y - mu0))[:, None])
        else:
            b1 = theta[k:k + kz]
            b0 = theta[k + kz:k + 2 * kz]
            m1, m0 = self.z @ b1, self.z @ b0
            parts.append((self.d * (self.y - m1))[:, None] * self.z)
            parts.append(((1 - self.d) * (self.y - m0))[:, None] * self.z)
            parts.append((m1 + self.d * (self.y - m1) / p - mu1)[:, None])
            parts.append((m0 + (1 - self.d) * (self.y - m0) / (1 - p) - mu0)[:, None])
        return self.s[:, None] * np.hstack(parts)

    def solve(self) -> np.ndarray:
        """Point estimates: propensity by ML, outcome models by WLS, then the means."""
        s, d, y = self.s, self.d, self.y
        gamma = _fit_ps(self.x, d, s, self.link)
        p = _ps_value(self.x, gamma, self.link)
        if self.method == "ipw":
            w1, w0 = s * d / p, s * (1 - d) / (1 - p)
            return np.concatenate([gamma, [w1 @ y / w1.sum(), w0 @ y / w0.sum()]])
        b1 = _wls(self.z[d == 1], y[d == 1], s[d == 1])
        b0 = _wls(self.z[d == 0], y[d == 0], s[d == 0])
        m1, m0 = self.z @ b1, self.z @ b0
        mu1 = s @ (m1 + d * (y - m1) / p) / s.sum()
        mu0 = s @ (m0 + (1 - d) * (y - m0) / (1 - p)) / s.sum()
        return np.concatenate([gamma, b1, b0, [mu1, mu0]])

    def vcov(self, theta: np.ndarray) -> np.ndarray:
        """Sandwich covariance of the stacked parameters.

        The Jacobian's propensity columns are central differences of the summed
        estimating functions; the other columns (outcome models and means, where the
        functions are linear) are analytic.
        """
        n = len(self.y)
        f = self.psi(theta)
        b = f.T @ f / n
        k, kz = self.k, self.kz
        a = np.zeros((len(theta), len(theta)))
        for j in range(k):
            h = 1e-6 * max(1.0, abs(theta[j]))
            up, dn = theta.copy(), theta.copy()
            up[j] += h
            dn[j] -= h
            a[:, j] = (self.psi(up).sum(0) - self.psi(dn).sum(0)) / (2 * h * n)
        s, d = self.s, self.d
        p = _ps_value(self.x, theta[:k], self.link)
        if self.method == "ipw":
            a[-2, -2] = -np.mean(s * d / p)
            a[-1, -1] = -np.mean(s * (1 - d) / (1 - p))
        else:
            z = self.z
            i1, i0 = slice(k, k + kz), slice(k + kz, k + 2 * kz)
            a[i1, i1] = -(z * (s * d)[:, None]).T @ z / n
            a[i0, i0] = -(z * (s * (1 - d))[:, None]).T @ z / n
            a[-2, i1] = (z * (s * (1 - d / p))[:, None]).mean(0)
            a[-1, i0] = (z * (s * (1 - (1 - d) / (1 - p)))[:, None]).mean(0)
            a[-2, -2] = a[-1, -1] = -np.mean(s)
        a_inv = np.linalg.inv(a)
        return a_inv @ b @ a_inv.T / n


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least squares coefficients (normal equations; lstsq if singular)."""
    xw = x * w[:, None]
    try:
        return np.linalg.solve(xw.T @ x, xw.T @ y)
    except np.linalg.LinAlgError:
        sw = np.sqrt(w)
        return np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]


# --- result -------------------------------------------------------------------------------


@dataclass
class WeightingResult:
    """A weighting estimate of a treatment effect with its diagnostics.

    Attributes
    ----------
    tidy : pandas.DataFrame
        One row: ``estimate, se, ci_low, ci_high, n_treated, n_control`` (the ATE),
        with ``method`` and ``propensity``.
    naive : pandas.DataFrame
        The unadjusted difference of (sampling-weighted) means, same columns.
    potential_outcomes : pandas.DataFrame
        ``arm`` (treated, control), ``estimate, se, ci_low, ci_high``.
    overlap : pandas.DataFrame
        Propensity distribution by arm (``arm, n, mean, min, p01, p05, p25, p50,
        p75, p95, p99, max, below, above``), ``below``/``above`` counting units
        outside the trimming rule's bounds; ``attrs["rule"]`` states the rule.
    balance : pandas.DataFrame
        One row per design column: ``covariate, mean_treated, mean_control, smd_raw,
        mean_treated_w, mean_control_w, smd_weighted, var_ratio_raw,
        var_ratio_weighted``.
    propensity : pandas.Series
        Fitted propensity of each unit used (index of the input).
    trim_rule : str
        The trimming rule in words.
    """

    tidy: pd.DataFrame
    naive: pd.DataFrame
    potential_outcomes: pd.DataFrame
    overlap: pd.DataFrame
    balance: pd.DataFrame
    propensity: pd.Series
    trim_rule: str

    def _repr_html_(self) -> str:
        return self.tidy._repr_html_()


def _row(est: float, se: float, level: float, n1: int, n0: int) -> dict:
    z = quantile(level)
    return {"estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se,
            "n_treated": n1, "n_control": n0}


def _wmean_var(v: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    m = w @ v / w.sum()
    var = w @ (v - m) ** 2 / w.sum()
    return float(m), float(var)


def _balance(x: pd.DataFrame, d: np.ndarray, s: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    """Standardised differences and variance ratios before and after weighting."""
    rows = []
    t, c = d == 1, d == 0
    ipw = np.where(t, 1 / p, 1 / (1 - p)) * s
    for col in x.columns:
        if col == "Intercept":
            continue
        v = x[col].to_numpy(dtype=float)
        m1, v1 = _wmean_var(v[t], s[t])
        m0, v0 = _wmean_var(v[c], s[c])
        mw1, vw1 = _wmean_var(v[t], ipw[t])
        mw0, vw0 = _wmean_var(v[c], ipw[c])
        rows.append({
            "covariate": col, "mean_treated": m1, "mean_control": m0,
            "smd_raw": (m1 - m0) / np.sqrt((v1 + v0) / 2) if v1 + v0 > 0 else np.nan,
            "mean_treated_w": mw1, "mean_control_w": mw0,
            "smd_weighted": (mw1 - mw0) / np.sqrt((vw1 + vw0) / 2) if vw1 + vw0 > 0 else np.nan,
            "var_ratio_raw": v1 / v0 if v0 > 0 else np.nan,
            "var_ratio_weighted": vw1 / vw0 if vw0 > 0 else np.nan,
        })
    return pd.DataFrame(rows)


def _overlap(p: np.ndarray, d: np.ndarray, bound: float, rule: str) -> pd.DataFrame:
    rows = []
    for arm, mask in (("treated", d == 1), ("control", d == 0)):
        q = p[mask]
        qs = np.quantile(q, [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]) if len(q) else [np.nan] * 9
        rows.append({"arm": arm, "n": int(mask.sum()), "mean": float(q.mean()) if len(q) else np.nan,
                     "min": qs[0], "p01": qs[1], "p05": qs[2], "p25": qs[3], "p50": qs[4],
                     "p75": qs[5], "p95": qs[6], "p99": qs[7], "max": qs[8],
                     "below": int((q < bound).sum()), "above": int((q > 1 - bound).sum())})
    out = pd.DataFrame(rows)
    out.attrs["rule"] = rule
    return out


def weighting_estimate(data: pd.DataFrame, treatment: str, outcome: str,
                       covariates: str | Sequence[str], *, method: str = "aipw",
                       propensity: str = "logit",
                       outcome_covariates: str | Sequence[str] | None = None,
                       weight: str | None = None, trim: float | None = None,
                       level: float = DEFAULT_LEVEL) -> WeightingResult:
    """Average effect of a binary treatment, adjusted for covariates by weighting.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit. Rows with a missing treatment, outcome, weight or covariate
        are left out (listwise).
    treatment : str
        0/1 (or boolean) column.
    outcome : str
        Numeric outcome.
    covariates : str or list of str
        Propensity-model covariates: column names or a formula right-hand side.
    method : {"aipw", "ipw"}
        Doubly robust (augmented) or normalised inverse-probability weighting.
    propensity : {"logit", "probit"}
        Link of the propensity model.
    outcome_covariates : str or list of str, optional
        Outcome-model covariates for AIPW (default: ``covariates``).
    weight : str, optional
        Sampling-weight column (see the module's variance method).
    trim : float, optional
        Drop units whose fitted propensity is below ``trim`` or above ``1 - trim``,
        then refit (the rule is stated in ``overlap.attrs["rule"]``).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    WeightingResult
        ``.tidy`` (ATE with ``estimate, se, ci_low, ci_high, n_treated, n_control``),
        ``.naive``, ``.potential_outcomes``, ``.overlap``, ``.balance``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if propensity not in PROPENSITY:
        raise ValueError(f"propensity must be one of {PROPENSITY}, got {propensity!r}")
    if trim is not None and not 0 < trim < 0.5:
        raise ValueError("trim must be between 0 and 0.5")
    ocov = covariates if outcome_covariates is None else outcome_covariates
    used = [treatment, outcome, *covariate_columns(data, covariates),
            *covariate_columns(data, ocov)]
    if weight is not None:
        used.append(weight)
    missing = [c for c in dict.fromkeys(used) if c not in data.columns]
    if missing:
        raise KeyError(f"columns not in the data: {missing}")
    d_all = data.dropna(subset=list(dict.fromkeys(used)))
    if weight is not None and (d_all[weight] <= 0).any():
        raise ValueError(f"sampling weights in {weight!r} must be positive")

    def problem(frame: pd.DataFrame) -> tuple[_Problem, pd.DataFrame]:
        x = _design(frame, covariates)
        z = _design(frame, ocov).to_numpy() if method == "aipw" else np.empty((len(frame), 0))
        d = frame[treatment].astype(float).to_numpy()
        if not np.isin(d, (0.0, 1.0)).all():
            raise ValueError(f"{treatment!r} must be 0/1")
        s = frame[weight].to_numpy(dtype=float) if weight else np.ones(len(frame))
        s = s / s.mean()
        return _Problem(x.to_numpy(), z, d, frame[outcome].to_numpy(dtype=float), s,
                        propensity, method), x

    prob, x = problem(d_all)
    theta = prob.solve()
    bound = OVERLAP_REPORT_THRESHOLD if trim is None else trim
    if trim is None:
        rule = (f"no trimming; units with propensity outside [{bound:g}, {1 - bound:g}] "
                "are counted")
    else:
        p0 = _ps_value(prob.x, theta[:prob.k], propensity)
        keep = (p0 >= trim) & (p0 <= 1 - trim)
        rule = (f"units with propensity outside [{trim:g}, {1 - trim:g}] dropped "
                f"({int((~keep).sum())} units) and the models refitted")
        d_all = d_all[keep]
        prob, x = problem(d_all)
        theta = prob.solve()
    v = prob.vcov(theta)
    mu = theta[-2:]
    vmu = v[-2:, -2:]
    ate = float(mu[0] - mu[1])
    se = float(np.sqrt(vmu[0, 0] + vmu[1, 1] - 2 * vmu[0, 1]))
    n1, n0 = int(prob.d.sum()), int((1 - prob.d).sum())
    tidy = pd.DataFrame([_row(ate, se, level, n1, n0)])
    tidy.insert(0, "effect", "ate")
    tidy["method"] = method
    tidy["propensity"] = propensity
    p = _ps_value(prob.x, theta[:prob.k], propensity)
    # naive: difference of weighted means, with its own estimating-equation variance
    s, dd, y = prob.s, prob.d, prob.y
    m1 = s[dd == 1] @ y[dd == 1] / s[dd == 1].sum()
    m0 = s[dd == 0] @ y[dd == 0] / s[dd == 0].sum()
    n = len(y)
    f = np.column_stack([s * dd * (y - m1) / np.mean(s * dd),
                         s * (1 - dd) * (y - m0) / np.mean(s * (1 - dd))])
    se_naive = float(np.sqrt(((f[:, 0] - f[:, 1]) ** 2).sum()) / n)
    naive = pd.DataFrame([_row(float(m1 - m0), se_naive, level, n1, n0)])
    naive.insert(0, "effect", "naive")
    z = quantile(level)
    po = pd.DataFrame({"arm": ["treated", "control"], "estimate": mu,
                       "se": np.sqrt(np.diag(vmu))})
    po["ci_low"] = po["estimate"] - z * po["se"]
    po["ci_high"] = po["estimate"] + z * po["se"]
    return WeightingResult(
        tidy=tidy, naive=naive, potential_outcomes=po,
        overlap=_overlap(p, dd, bound, rule), balance=_balance(x, dd, s, p),
        propensity=pd.Series(p, index=d_all.index, name="propensity"), trim_rule=rule)
