"""Comparisons of survey estimates: waves, domains, benchmarks, NPS; marks and suppression.

The rules come from the one policy home, :mod:`gotone_analysis.policy`:

* every comparison is a two-sided z test (:func:`gotone_analysis.policy.z_test`, normal
  reference, as the intervals of :mod:`gotone_analysis.survey`);
* p-values are adjusted for multiple comparisons
  (:data:`~gotone_analysis.policy.P_ADJUST_METHOD`, Benjamini-Hochberg false discovery
  rate) over the *family* of one comparison table, i.e. one call of :func:`difference`,
  :func:`compare_domains` or :func:`vs_constant`;
* a change is marked (▲ up, ▼ down) when its adjusted p-value is below
  :data:`~gotone_analysis.policy.ALPHA` (:func:`significance_marks`);
* a cell whose unweighted base is below :data:`~gotone_analysis.policy.MIN_BASE` is
  suppressed and says so (:func:`suppress`), never shown silently.

Comparison tables share the columns :data:`COMPARISON_COLUMNS`: the estimate and its
reference, the difference ``diff = estimate - estimate_ref`` with its standard error,
interval, z statistic, p-value and adjusted p-value; tables that mark their rows add
:data:`MARK_COLUMN`. :data:`REFERENCE_COLUMNS` are the columns a comparison adds to an
estimate table. The marks themselves are :data:`MARK_UP` and :data:`MARK_DOWN`
(:data:`MARKS`), defined here only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import UsageError
from .policy import (
    ALPHA,
    DEFAULT_LEVEL,
    MIN_BASE,
    P_ADJUST_METHOD,
    adjust_pvalues,
    interval,
    significant,
    z_test,
)
from .survey import RESULT_COLUMNS, design_vcov, estimate, estimate_many, influence

__all__ = [
    "MARKS",
    "MARK_COLUMN",
    "REFERENCE_COLUMNS",
    "MARK_UP",
    "MARK_DOWN",
    "COMPARISON_COLUMNS",
    "difference",
    "compare_domains",
    "vs_constant",
    "nps",
    "significance_marks",
    "suppress",
]

#: Marks for a significant rise and fall.
MARK_UP: str = "▲"
MARK_DOWN: str = "▼"
#: Both marks, rise first.
MARKS: tuple[str, str] = (MARK_UP, MARK_DOWN)
#: Column holding a row's mark in comparison tables.
MARK_COLUMN: str = "mark"

#: Columns of every comparison table, after its key columns.
COMPARISON_COLUMNS: tuple[str, ...] = (
    "estimate", "se", "n", "estimate_ref", "se_ref", "n_ref",
    "diff", "diff_se", "diff_ci_low", "diff_ci_high", "z", "p_value", "p_adj",
)
#: Columns a comparison adds to an estimate table (the reference and the test).
REFERENCE_COLUMNS: tuple[str, ...] = tuple(c for c in COMPARISON_COLUMNS
                                           if c not in ("estimate", "se", "n"))
# Columns that carry a number derived from the estimate (blanked by suppress), by side.
_OWN_STATS = ("estimate", "se", "ci_low", "ci_high", "n_eff", "deff", "promoters", "detractors")
_REF_STATS = ("estimate_ref", "se_ref", "ci_low_ref", "ci_high_ref",
              "diff", "diff_se", "diff_ci_low", "diff_ci_high", "z", "p_value", "p_adj")
_NOT_KEYS = frozenset(RESULT_COLUMNS) | frozenset(COMPARISON_COLUMNS) | frozenset(_OWN_STATS) \
    | frozenset(_REF_STATS) | {MARK_COLUMN, "suppressed", "note"}


# --- helpers ----------------------------------------------------------------------------------


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise UsageError(f"{what} must be a DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise UsageError(f"{what} lacks column(s) {missing}; it has {list(table.columns)}")


def _keys(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c not in _NOT_KEYS]


def _test(out: pd.DataFrame, cov: np.ndarray | float, level: float, method: str) -> pd.DataFrame:
    """Add diff, diff_se, interval, z, p_value, p_adj to ``out`` (has estimate/se columns).

    The test is :func:`gotone_analysis.policy.z_test` (no test at rounding-noise level)."""
    diff = out["estimate"].to_numpy(float) - out["estimate_ref"].to_numpy(float)
    var = out["se"].to_numpy(float) ** 2 + out["se_ref"].to_numpy(float) ** 2 - 2 * np.asarray(cov)
    se = np.sqrt(np.clip(var, 0.0, None))
    scale = np.fmax(np.abs(out["estimate"].to_numpy(float)),
                    np.abs(out["estimate_ref"].to_numpy(float)))
    z, p = z_test(diff, se, scale)
    out["diff"] = diff
    out["diff_se"] = se
    out["diff_ci_low"], out["diff_ci_high"] = interval(diff, se, level)
    out["z"] = z
    out["p_value"] = p
    out["p_adj"] = adjust_pvalues(p, method)
    return out


# --- comparisons ------------------------------------------------------------------------------


def difference(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    on: str | Sequence[str] | None = None,
    level: float = DEFAULT_LEVEL,
    method: str = P_ADJUST_METHOD,
) -> pd.DataFrame:
    """Compare two independent estimate tables, e.g. this wave against the last.

    The waves are independent samples, so ``diff_se = sqrt(se**2 + se_ref**2)``; the
    test is a two-sided z test and ``p_adj`` adjusts the table's p-values with
    ``method`` (the table is the family).

    Parameters
    ----------
    current, previous : DataFrame
        Tables from :func:`gotone_analysis.survey.estimate` (or with at least
        ``estimate, se, n`` and the key columns).
    on : str or list of str, optional
        Key columns to match rows; default all columns the two tables share that are
        not statistics (e.g. ``variable`` and the ``by`` columns). Without keys both
        tables must have one row.
    level : float
        Confidence level of the interval of the difference.
    method : str
        Multiple-comparison adjustment, see :func:`adjust_pvalues`.

    Returns
    -------
    DataFrame
        One row per row of ``current`` (unmatched rows get NaN reference values):
        the keys, then :data:`COMPARISON_COLUMNS`.
    """
    for name, t in (("current", current), ("previous", previous)):
        _require(t, ("estimate", "se", "n"), f"{name} table")
    if on is None:
        keys = [c for c in _keys(current) if c in previous.columns]
    else:
        keys = [on] if isinstance(on, str) else list(on)
        _require(current, keys, "current table")
        _require(previous, keys, "previous table")
    left = current[[*keys, "estimate", "se", "n"]]
    right = previous[[*keys, "estimate", "se", "n"]].rename(
        columns={"estimate": "estimate_ref", "se": "se_ref", "n": "n_ref"}
    )
    if not keys:
        if len(left) != 1 or len(right) != 1:
            raise UsageError("without key columns both tables must have exactly one row; "
                             "name the keys with on=")
        merged = left.reset_index(drop=True).join(right.reset_index(drop=True))
    else:
        for name, t in (("current", left), ("previous", right)):
            if t.duplicated(keys).any():
                raise UsageError(f"{name} table has duplicate rows for the keys {keys}")
        merged = left.merge(right, on=keys, how="left", sort=False, indicator=True)
        if len(merged) and len(right) and (merged.pop("_merge") == "left_only").all():
            raise UsageError(f"no row of the current table matches the previous one on {keys}; "
                             "name the key columns with on=")
    merged["n_ref"] = merged["n_ref"].astype("Int64")
    return _test(merged, 0.0, level, method)


def compare_domains(
    data: pd.DataFrame,
    var: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | Sequence[str],
    reference: str = "total",
    stat: str = "mean",
    level: float = DEFAULT_LEVEL,
    method: str = P_ADJUST_METHOD,
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """Compare each domain with the whole sample or with the rest of it, same design.

    Domains of one sample are not independent of the whole (the domain is part of it)
    nor, in a clustered or stratified design, of each other. The standard error of
    ``estimate - estimate_ref`` is therefore computed from the full design as the
    Taylor-linearised variance of the difference of the two estimators' linearised
    values (:func:`gotone_analysis.survey.influence`), which includes their covariance.

    Parameters
    ----------
    data, var, weight, strata, psu, fpc, by, level, lonely_psu
        As in :func:`gotone_analysis.survey.estimate`.
    reference : {"total", "rest"}
        ``"total"``: each domain against the whole sample (all rows with a value,
        including rows with a missing ``by``); the covariance is nonzero.
        ``"rest"``: each domain against all other rows (whole sample minus the domain).
    stat : {"mean", "proportion"}
        The statistic compared.
    method : str
        Multiple-comparison adjustment over the domains, see :func:`adjust_pvalues`.

    Returns
    -------
    DataFrame
        One row per domain: the ``by`` columns, then :data:`COMPARISON_COLUMNS`.
    """
    if by is None:
        raise UsageError("compare_domains needs by= (the domain column or columns)")
    if reference not in ("total", "rest"):
        raise UsageError(f"reference must be 'total' or 'rest', got {reference!r}")
    if stat not in ("mean", "proportion"):
        raise UsageError(f"stat must be 'mean' or 'proportion' to compare domains, got {stat!r}")
    by_cols = [by] if isinstance(by, str) else list(by)
    design = {"weight": weight, "strata": strata, "psu": psu, "fpc": fpc,
              "lonely_psu": lonely_psu}
    dom = estimate(data, var, by=by_cols, stat=stat, level=level, **design)
    u_dom = influence(data, var, weight=weight, by=by_cols, stat=stat).to_numpy()
    # which observed domain each row belongs to (aligned with the rows of ``dom``)
    keys = pd.MultiIndex.from_frame(data[by_cols])
    dom_keys = pd.MultiIndex.from_frame(dom[by_cols])
    member = dom_keys.get_indexer(keys)  # -1 outside every domain

    ref_rows = []
    u_ref = np.zeros_like(u_dom)
    if reference == "total":
        tot = estimate(data, var, stat=stat, level=level, **design).iloc[0]
        u_tot = influence(data, var, weight=weight, stat=stat).to_numpy()[:, 0]
        u_ref[:] = u_tot[:, None]
        ref_rows = [tot] * len(dom)
    else:
        flag = "__gotone_in_domain__"
        for d in range(len(dom)):
            marked = data.assign(**{flag: member == d})
            rest = estimate(marked, var, by=flag, stat=stat, level=level, **design)
            rest = rest.set_index(flag)
            if False in rest.index:
                ref_rows.append(rest.loc[False])
                u_ref[:, d] = influence(marked, var, weight=weight, by=flag, stat=stat)[False]
            else:  # the domain is the whole sample: nothing to compare with
                ref_rows.append(pd.Series({"estimate": np.nan, "se": np.nan, "n": 0}))
    var_diff = np.diag(design_vcov(data, u_dom - u_ref, strata=strata, psu=psu, fpc=fpc,
                                   lonely_psu=lonely_psu).to_numpy())
    out = dom[[*by_cols, "estimate", "se", "n"]].copy()
    out["estimate_ref"] = [r["estimate"] for r in ref_rows]
    out["se_ref"] = [r["se"] for r in ref_rows]
    out["n_ref"] = pd.array([int(r["n"]) for r in ref_rows], dtype="Int64")
    # cov = (var_d + var_ref - var_diff) / 2 reproduces var_diff inside _test
    cov = (out["se"].to_numpy() ** 2 + out["se_ref"].to_numpy() ** 2 - var_diff) / 2.0
    return _test(out, cov, level, method)


def vs_constant(
    table: pd.DataFrame,
    value: float | str | Sequence[float],
    *,
    level: float = DEFAULT_LEVEL,
    method: str = P_ADJUST_METHOD,
) -> pd.DataFrame:
    """Test estimates against known constants, e.g. the network-wide benchmark.

    The constant is taken as known without error (``se_ref = 0``), so ``diff_se = se``.

    Parameters
    ----------
    table : DataFrame
        Estimate table (``estimate, se, n`` and key columns).
    value : float, str or sequence of float
        The constant: one number, the name of a column of ``table``, or one number per
        row.
    level, method
        As in :func:`difference`.

    Returns
    -------
    DataFrame
        The key columns of ``table``, then :data:`COMPARISON_COLUMNS` (``n_ref`` is
        missing: a constant has no base).
    """
    _require(table, ("estimate", "se", "n"), "table")
    value_col = value if isinstance(value, str) else None
    if value_col is not None:
        _require(table, (value_col,), "table")
        ref = table[value_col].to_numpy(dtype="float64", na_value=np.nan)
    elif np.ndim(value) == 0:
        ref = np.full(len(table), float(value))
    else:
        ref = np.asarray(value, dtype="float64")
        if ref.shape != (len(table),):
            raise UsageError(f"value has {ref.size} entries but the table has {len(table)} rows")
    keys = [c for c in _keys(table) if c != value_col]
    out = table[[*keys, "estimate", "se", "n"]].copy()
    out["estimate_ref"] = ref
    out["se_ref"] = 0.0
    out["n_ref"] = pd.array([pd.NA] * len(out), dtype="Int64")
    return _test(out, 0.0, level, method)


def nps(
    data: pd.DataFrame,
    var: str = "ltr",
    *,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | Sequence[str] | None = None,
    level: float = DEFAULT_LEVEL,
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """Net promoter score with its design-based standard error, overall or by domain.

    NPS = % promoters (9-10) minus % detractors (0-6) on -100..100. It is the weighted
    mean of a respondent score of +100 (promoter), 0 (passive) or -100 (detractor), so
    its estimate, Taylor-linearised SE, interval and design effect are those of
    :func:`gotone_analysis.survey.estimate` (sampling weights). Missing answers are
    outside the base.

    Parameters
    ----------
    data, weight, strata, psu, fpc, by, level, lonely_psu
        As in :func:`gotone_analysis.survey.estimate`.
    var : str
        Likelihood-to-recommend column, integers 0-10.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``estimate, se, ci_low, ci_high, n, n_eff, deff`` (NPS
        points), then ``promoters`` and ``detractors`` (weighted %).
    """
    if not isinstance(data, pd.DataFrame) or var not in data.columns:
        raise UsageError(f"column '{var}' (likelihood to recommend) not in the data")
    s = data[var]
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise UsageError(f"'{var}' must be numeric 0-10, it is {s.dtype}")
    x = s.to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isnan(x) | ((x >= 0) & (x <= 10) & (x == np.round(x)))
    if not ok.all():
        raise UsageError(f"'{var}' must hold integers 0-10 (98/99 read as missing); "
                         f"{int((~ok).sum())} value(s) are not, e.g. {sorted(set(x[~ok]))[:5]}")
    answered = ~np.isnan(x)
    promoter = np.where(answered, (x >= 9) * 100.0, np.nan)
    detractor = np.where(answered, (x <= 6) * 100.0, np.nan)
    cols = ("__nps_score__", "__nps_promoter__", "__nps_detractor__")
    work = data.assign(**{cols[0]: promoter - detractor, cols[1]: promoter, cols[2]: detractor})
    long = estimate_many(work, list(cols), weight=weight, strata=strata, psu=psu, fpc=fpc,
                         by=by, level=level, lonely_psu=lonely_psu)
    parts = [long[long["variable"] == c].drop(columns="variable").reset_index(drop=True)
             for c in cols]
    out = parts[0].copy()
    out["promoters"] = parts[1]["estimate"].to_numpy()
    out["detractors"] = parts[2]["estimate"].to_numpy()
    return out


# --- marks and minimum base -----------------------------------------


def significance_marks(
    table: pd.DataFrame, alpha: float = ALPHA, p_col: str = "p_adj"
) -> pd.Series:
    """Marks for significant changes: ▲ up, ▼ down, "" otherwise.

    Parameters
    ----------
    table : DataFrame
        A comparison table with ``diff`` and ``p_col``.
    alpha : float
        Significance level (report policy: :data:`ALPHA`).
    p_col : str
        Column of p-values to judge (adjusted ones by policy).

    Returns
    -------
    Series
        Named ``mark``, aligned with ``table``: :data:`MARK_UP` where ``p < alpha`` and
        ``diff > 0``, :data:`MARK_DOWN` where ``p < alpha`` and ``diff < 0``, else ""
        (also where the p-value is missing, e.g. suppressed).
    """
    _require(table, ("diff", p_col), "table")
    if not (0 < alpha < 1):
        raise UsageError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    p = table[p_col].to_numpy(dtype="float64", na_value=np.nan)
    d = table["diff"].to_numpy(dtype="float64", na_value=np.nan)
    sig = significant(p, alpha)
    marks = np.where(sig & (d > 0), MARK_UP, np.where(sig & (d < 0), MARK_DOWN, ""))
    return pd.Series(marks, index=table.index, name="mark", dtype="str")


def suppress(table: pd.DataFrame, min_base: int = MIN_BASE) -> pd.DataFrame:
    """Blank out cells whose unweighted base is below ``min_base``, and say why.

    A row's own statistics (``estimate, se, ci_low, ci_high, n_eff, deff``, NPS shares)
    are blanked when ``n < min_base``; its reference and comparison statistics
    (``estimate_ref, se_ref, diff, diff_se, diff_ci_*, z, p_value, p_adj``, ``mark``)
    when either ``n`` or ``n_ref`` is below it. Bases themselves stay visible.

    Parameters
    ----------
    table : DataFrame
        Estimate or comparison table with an ``n`` column (and ``n_ref`` if any).
    min_base : int
        Minimum unweighted base (report policy: :data:`~gotone_analysis.policy.MIN_BASE`).

    Returns
    -------
    DataFrame
        A copy with a boolean ``suppressed`` column (anything blanked in the row) and
        a ``note`` column such as ``"base 12 < 30"`` (joined to an existing note).
    """
    _require(table, ("n",), "table")
    if not isinstance(min_base, int | np.integer) or min_base < 0:
        raise UsageError(f"min_base must be a non-negative integer, got {min_base!r}")
    out = table.copy()
    n = out["n"].to_numpy(dtype="float64", na_value=np.nan)
    own_low = n < min_base
    if "n_ref" in out.columns:
        n_ref = out["n_ref"].to_numpy(dtype="float64", na_value=np.nan)
        ref_low = n_ref < min_base
    else:
        n_ref = np.full(len(out), np.nan)
        ref_low = np.zeros(len(out), bool)
    pair_low = own_low | ref_low
    for col in _OWN_STATS:
        if col in out.columns:
            out[col] = out[col].astype("float64").where(~own_low)
    for col in _REF_STATS:
        if col in out.columns:
            out[col] = out[col].astype("float64").where(~pair_low)
    if "mark" in out.columns:
        out["mark"] = out["mark"].where(~pair_low, "")
    notes = []
    for lo, lo_ref, b, b_ref in zip(own_low, ref_low, n, n_ref, strict=True):
        parts = []
        if lo:
            parts.append(f"base {int(b)} < {min_base}")
        if lo_ref:
            parts.append(f"reference base {int(b_ref)} < {min_base}")
        notes.append("; ".join(parts))
    if "note" in out.columns:
        old = out["note"].astype("object").where(out["note"].notna(), "").astype(str).tolist()
        notes = [a if not b else b if not a else f"{a}; {b}" for a, b in zip(old, notes,
                                                                              strict=True)]
    out["suppressed"] = pair_low
    out["note"] = pd.Series(notes, index=out.index, dtype="str")
    return out
