"""Projection of a metric's series to a deadline with a prediction interval
(:func:`project`), and the level of that interval (:data:`LEVEL`).

Projection model
----------------
:func:`project` fits a Gaussian state-space model by maximum likelihood
(:class:`statsmodels.tsa.statespace.structural.UnobservedComponents`) on a scale where
the model is sensible: rates on the logit scale (a projection never leaves 0-1), counts
and scores on the log scale.

* Metrics that trend through the year (coverage, share, customers): a *local linear
  trend* (level and slope both random walks). Its forecast variance grows with the
  horizon through the level and the slope disturbances.
* Metrics that restart every January (year-to-date counts and coverage): the log of
  this year's value over last year's value in the same month follows a *local level*:
  the projection repeats last year's within-year profile, scaled by this year's growth
  so far.

Model-based intervals assume the model is right; a plan with a launch in January and
campaigns by quarter changes slopes, which the fitted variances understate. The
interval at horizon ``h`` is therefore the wider of the model's interval and the
empirical one: the ``level`` quantile of the absolute ``h``-step errors the same model
(same parameters) made from earlier origins of the same series (rolling origin, at
least 3 errors; Williams & Goodman 1971). Half-widths never shrink with the horizon.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.statespace.structural import UnobservedComponents

from ...config import parse_quarter
from ...errors import UsageError
from ...policy import PROJECTION_LEVEL, quantile

__all__ = ["LEVEL", "project"]

#: Level of the projection's prediction interval (the policy's projection level).
LEVEL: float = PROJECTION_LEVEL

_MIN_OBS = 6          # fewest observations a projection is fitted on
_MIN_ORIGIN = 8       # first rolling origin of the empirical interval
_MIN_ERRORS = 3       # fewest rolling-origin errors an empirical interval needs
_EPS = 1e-4           # rates are kept inside [eps, 1 - eps] on the logit scale


def _as_period_series(series: pd.Series) -> pd.Series:
    s = series.dropna()
    idx = s.index
    if not isinstance(idx, pd.PeriodIndex):
        text = idx.astype(str)
        freq = "Q" if text.str.contains("Q").all() else "M"
        idx = pd.PeriodIndex(text, freq=freq)
    s = pd.Series(s.to_numpy(dtype="float64"), index=idx).sort_index()
    if s.index.has_duplicates:
        raise UsageError("the series has repeated periods")
    full = pd.period_range(s.index.min(), s.index.max(), freq=s.index.freq)
    if len(full) != len(s):
        raise UsageError("the series has gaps: projections need one value a period")
    return s


def _target_period(deadline: str | pd.Period, freq) -> pd.Period:
    if isinstance(deadline, pd.Period):
        p = deadline
    elif "Q" in str(deadline):
        p = parse_quarter(str(deadline))
    else:
        p = pd.Period(str(deadline), freq="M")
    return p.asfreq(freq, how="end")


def _forward(scale: str):
    if scale == "logit":
        return lambda v: np.log(np.clip(v, _EPS, 1 - _EPS) / (1 - np.clip(v, _EPS, 1 - _EPS)))
    if scale == "log":
        return lambda v: np.log(np.maximum(v, _EPS))
    return lambda v: np.asarray(v, dtype="float64")


def _inverse(scale: str):
    if scale == "logit":
        return lambda z: 1.0 / (1.0 + np.exp(-z))
    if scale == "log":
        return np.exp
    return lambda z: z


def _uc(endog: np.ndarray, spec: str) -> UnobservedComponents:
    return UnobservedComponents(endog, level=spec)


def _fit(endog: np.ndarray, spec: str):
    # Nelder-Mead: on these two- or three-variance likelihoods it reaches the optimum BFGS
    # finds (same log-likelihood to 1e-3 on the demo series) at a third of the cost, as it
    # needs no score. A short, smooth series may still end the optimiser early: the
    # interval then rests on the empirical errors as much as on the fitted variances.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return _uc(endog, spec).fit(disp=False, method="nm", maxiter=2000)


def _forecast(res, h: int) -> tuple[np.ndarray, np.ndarray]:
    f = res.get_forecast(h)
    return np.asarray(f.predicted_mean), np.sqrt(np.asarray(f.var_pred_mean))


def _rolling_errors(res, z: np.ndarray, h: int) -> list[np.ndarray]:
    """Absolute ``k``-step errors (k = 1..h) from every earlier origin, fitted parameters.

    The forecast from origin ``o`` is the filtered state after ``z[:o]`` carried ``k``
    steps by the transition matrix (level + k slope for a local linear trend), so one
    Kalman filter pass gives every origin's forecasts.
    """
    state = np.asarray(res.filtered_state)          # k_states x n, state after z[:t + 1]
    design = np.asarray(res.model.ssm["design"]).reshape(1, -1)
    k_states = state.shape[0]
    trans = np.asarray(res.model.ssm["transition"]).reshape(k_states, k_states)
    errs: list[np.ndarray] = []
    power = np.eye(trans.shape[0])
    for k in range(1, h + 1):
        power = trans @ power
        origins = np.arange(_MIN_ORIGIN, len(z) - k + 1)   # origin o has seen z[:o]
        if len(origins) == 0:
            errs.append(np.empty(0))
            continue
        mean = design @ power @ state[:, origins - 1]
        errs.append(np.abs(z[origins + k - 1] - np.ravel(mean)))
    return errs


def project(series: pd.Series, *, deadline: str | pd.Period, level: float = LEVEL,
            scale: str = "auto", within_year: bool = False) -> pd.DataFrame:
    """Project a monthly (or quarterly) metric to its deadline with a prediction interval.

    The model and the interval are described in the module docstring: a local linear
    trend (or, ``within_year=True``, a local level on the log ratio to the same period
    last year), fitted by maximum likelihood on the ``scale``, with the interval the wider
    of the model's and the empirical rolling-origin one.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by monthly or quarterly periods (``Period`` or ``"YYYY-MM"`` /
        ``"YYYYQn"`` strings), one per period without gaps; NaN are dropped first.
    deadline : str or pandas.Period
        Quarter ``YYYYQn`` (its last month for a monthly series) or month ``YYYY-MM``;
        must come after the last observation.
    level : float
        Coverage of the prediction interval.
    scale : {"auto", "logit", "log", "identity"}
        ``auto``: logit when every value is within 0-1, else log when all are positive,
        else identity. ``within_year`` always works on the log scale.
    within_year : bool
        The metric restarts every January (year-to-date).

    Returns
    -------
    DataFrame
        One row per period after the last observation up to the deadline: ``period,
        horizon, estimate, ci_low, ci_high, level, model``; the last row is the
        deadline. Rates stay within 0-1.

    Raises
    ------
    UsageError
        A deadline not after the last observation, too few observations (fewer than 6,
        or for ``within_year`` fewer than one season plus 6), a series with gaps, or a
        bad ``level`` or ``scale``.
    """
    if not 0 < level < 1:
        raise UsageError(f"level must be in (0, 1), got {level!r}")
    if scale not in ("auto", "logit", "log", "identity"):
        raise UsageError(f"scale must be auto, logit, log or identity; got {scale!r}")
    s = _as_period_series(series)
    freq = s.index.freq
    season = 4 if s.index.freqstr.startswith("Q") else 12
    end = _target_period(deadline, freq)
    last = s.index[-1]
    h = (end - last).n
    if h <= 0:
        raise UsageError(f"deadline {deadline} is not after the last observation {last}")
    values = s.to_numpy()
    is_rate = bool(np.all((values >= 0) & (values <= 1)))
    if scale == "auto":
        scale = "logit" if is_rate else ("log" if np.all(values > 0) else "identity")
    if within_year:
        scale = "log"
    fwd, inv = _forward(scale), _inverse(scale)
    y = fwd(values)
    if within_year:
        if len(y) < season + _MIN_OBS:
            raise UsageError(f"too few observations ({len(y)}) for a within-year projection")
        z = y[season:] - y[:-season]
        spec = "local level"
    else:
        if len(y) < _MIN_OBS:
            raise UsageError(f"too few observations ({len(y)}) for a projection")
        z = y
        spec = "local linear trend"
    res = _fit(z, spec)
    mean, sd = _forecast(res, h)
    half = quantile(level) * sd
    errs = _rolling_errors(res, z, h)
    for k in range(h):
        if len(errs[k]) >= _MIN_ERRORS:
            half[k] = max(half[k], float(np.quantile(errs[k], level)))
    half = np.maximum.accumulate(half)
    if within_year:
        # add back last year's value in the same period (observed, or itself projected)
        full = np.concatenate([y, np.full(h, np.nan)])
        for k in range(h):
            full[len(y) + k] = full[len(y) + k - season] + mean[k]
        mean = full[len(y):]
    est, lo, hi = inv(mean), inv(mean - half), inv(mean + half)
    if is_rate:
        est, lo, hi = (np.clip(v, 0.0, 1.0) for v in (est, lo, hi))
    periods = pd.period_range(last + 1, end, freq=freq)
    model = ("local level, log ratio to last year" if within_year
             else f"local linear trend, {scale} scale")
    return pd.DataFrame({"period": periods, "horizon": np.arange(1, h + 1), "estimate": est,
                         "ci_low": lo, "ci_high": hi, "level": level, "model": model})

