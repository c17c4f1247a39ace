"""Brand equity: the report's tables of the influence index (影响力) and its components.

Wave by wave (:func:`trend`), against a comparison wave (:func:`changes`) or year
(:func:`annual_changes`), by brand (:func:`by_brand`), against the network benchmark
(:func:`vs_benchmark`), each city against the province (:func:`by_city`), the brand
funnel (:func:`funnel`) and the published numbers (:func:`headline`). The scores and
the index estimates they are built from (:func:`~.scores.components`,
:func:`~.scores.annual`, the funnel stages, domains and the estimation core) are in
:mod:`.scores`.

Comparisons and the report-wide policy (:class:`gotone_analysis.policy.Policy`: minimum
base, level, p-value adjustment, significance level) come from
:mod:`gotone_analysis.compare`; a comparison quarter is resolved by
:func:`gotone_analysis.params.resolve_comparison`. Every estimator takes ``policy=``
(usually ``P.policy``); ``level``, ``alpha`` and ``min_base`` given explicitly override
it. This module holds estimators only: labels are in :mod:`gotone_analysis.labels`,
sentences in :mod:`.sentences`.

Every public estimator returns one tidy table (one row per component x domain, or per
funnel stage) with ``estimate, se, ci_low, ci_high, n, n_eff, deff``; comparison tables
add the comparison columns of :mod:`gotone_analysis.compare` (``estimate_ref, se_ref,
n_ref, diff, diff_se, diff_ci_low, diff_ci_high, z, p_value, p_adj``) and ``mark``
and, when a minimum base is given, ``suppressed`` and ``note``
(:func:`gotone_analysis.compare.suppress`: numbers of suppressed cells are NaN).
P-values are adjusted over each whole table (the family) under the report-wide
policy and only then marked. Every table carries its confidence level in
``attrs["level"]`` (:func:`gotone_analysis.survey.level_of`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import compare, config, survey
from ...config import BRAND_CODES, CITY_CODES, PROVINCE
from ...errors import UsageError
from ...params import resolve_comparison
from ...policy import SE_ZERO, Policy, adjust_pvalues
from .scores import (
    COMPONENTS,
    FUNNEL_STAGES,
    annual,
    call_policy,
    check_scope_brand,
    components,
    domain_columns,
    domain_means,
    finish_table,
    funnel_stages,
    pooled_components,
    respondent_scores,
    select_domain,
    suppress_small_bases,
    wave_rows,
    year_quarters,
)

__all__ = [
    "annual_changes",
    "by_brand",
    "by_city",
    "changes",
    "funnel",
    "headline",
    "trend",
    "vs_benchmark",
]

#: Columns a comparison adds to an estimate table, and the mark.
_COMPARE_COLS = (*compare.REFERENCE_COLUMNS, compare.MARK_COLUMN)


def _significance(table: pd.DataFrame, pol: Policy,
                  family: Sequence[str] | None = None) -> pd.DataFrame:
    """Adjust p-values over the table's shown cells (report-wide policy) and mark them.

    The family of the adjustment is the whole table (e.g. every city x component), or
    each group of rows sharing the ``family`` columns (e.g. each wave of a trend, so a
    wave's marks are those :func:`changes` gives it), leaving out suppressed cells;
    marks follow :func:`gotone_analysis.compare.significance_marks` on the adjusted
    p-values.
    """
    out = table.copy()
    # a standard error that is rounding noise (a constant item) gives no test
    noise = out["diff_se"].astype("float64") <= SE_ZERO
    for c in ("z", "p_value", "diff_ci_low", "diff_ci_high"):
        out[c] = out[c].astype("float64").where(~noise)
    shown = out["p_value"].notna()
    if "suppressed" in out:
        shown &= ~out["suppressed"].astype(bool)
    out["p_adj"] = np.nan
    groups = [shown]
    if family:
        gid = out[list(family)].astype(str).agg("\x1f".join, axis=1)
        groups = [shown & (gid == g) for g in pd.unique(gid[shown])]
    for rows in groups:
        if rows.any():
            out.loc[rows, "p_adj"] = np.asarray(
                adjust_pvalues(out.loc[rows, "p_value"].to_numpy(dtype="float64"),
                                       pol.p_adjust))
    mark = compare.MARK_COLUMN
    out[mark] = compare.significance_marks(out, alpha=pol.alpha, p_col="p_adj").astype(object)
    out.loc[~shown, mark] = ""
    return survey.with_level(out, pol.level)


def _with_comparison(table: pd.DataFrame, comparison: pd.DataFrame | None,
                     on: list[str]) -> pd.DataFrame:
    """``table`` with the comparison columns of ``comparison`` (matched on ``on``) added."""
    cols = list(compare.REFERENCE_COLUMNS)
    if comparison is None:
        out = table.copy()
        for c in cols:
            out[c] = np.nan
        out["n_ref"] = pd.array([pd.NA] * len(out), dtype="Int64")
        return out
    keep = [*on, *cols]
    return table.merge(comparison[keep], on=on, how="left", validate="one_to_one")


def _independent_difference(current: pd.DataFrame, previous: pd.DataFrame | None,
                            on: list[str]) -> pd.DataFrame:
    """Independent waves compared with :func:`gotone_analysis.compare.difference`.

    ``diff_se = sqrt(se**2 + se_ref**2)``; with no previous wave the comparison columns
    are empty.
    """
    if previous is None:
        return _with_comparison(current, None, on)
    comp = compare.difference(current[[*on, "estimate", "se", "n"]],
                              previous[[*on, "estimate", "se", "n"]], on=on)
    return _with_comparison(current, comp, on)


# --- tables -----------------------------------------------------------------------------------


def trend(
    survey_data: pd.DataFrame,
    *,
    quarters: Sequence[str] | None = None,
    scope: str = PROVINCE,
    brand: str = "gotone",
    spec: dict | None = None,
    level: float | None = None,
    alpha: float | None = None,
    min_base: int | None = None,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Components and influence wave by wave, each with the change from the wave before.

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows.
    quarters : sequence of str, optional
        Waves to show (default: every wave in the data), in time order.
    scope, brand, spec, level, min_base
        As in :func:`~.scores.components`.
    alpha : float, optional
        Significance level of the marks (default the policy's).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``) supplying ``level``, ``min_base`` and, for
        comparisons, ``alpha`` and the p-value adjustment; explicit arguments win.

    Returns
    -------
    DataFrame
        One row per quarter x component: ``quarter, scope, brand, component, estimate,
        se, ci_low, ci_high, n, n_eff, deff, compare_quarter, estimate_ref, se_ref, n_ref,
        diff, diff_se, diff_ci_low, diff_ci_high, z, p_value, p_adj, mark``: the change
        from the wave before (independent waves); the comparison columns are empty for
        the first quarter. P-values are adjusted wave by wave (each wave's
        components are one family), so the latest wave is marked as in :func:`changes`.
    """
    pol = call_policy(policy, level=level, alpha=alpha, min_base=min_base)
    check_scope_brand(scope, brand)
    if quarters is None:
        quarters = sorted(pd.unique(survey_data["quarter"]).tolist())
    quarters = sorted(quarters)
    parts = [components(survey_data, quarter=q, scope=scope, brand=brand, spec=spec,
                        level=pol.level) for q in quarters]
    rows = [_independent_difference(cur, parts[k - 1] if k else None, ["component"])
            for k, cur in enumerate(parts)]
    out = pd.concat(rows, ignore_index=True)
    prev_q = {q: quarters[k - 1] if k else None for k, q in enumerate(quarters)}
    out.insert(out.columns.get_loc("estimate_ref"), "compare_quarter",
               out["quarter"].map(prev_q).astype(object))
    return _significance(suppress_small_bases(out, pol.min_base), pol, family=["quarter"])


def _compare_tables(current: pd.DataFrame, previous: pd.DataFrame, on: list[str],
                    pol: Policy) -> pd.DataFrame:
    out = _independent_difference(current, previous, on)
    out = suppress_small_bases(out, pol.min_base)
    return _significance(out, pol)


def changes(
    survey_data: pd.DataFrame,
    *,
    quarter: str,
    compare_to: str = "previous",
    scope: str = PROVINCE,
    brand: str = "gotone",
    by: Sequence[str] | None = None,
    spec: dict | None = None,
    level: float | None = None,
    alpha: float | None = None,
    min_base: int | None = None,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Current wave against a comparison wave, component by component.

    The two waves are independent samples: the difference's standard error is the root
    of the sum of the two squared standard errors
    (:func:`gotone_analysis.compare.difference`); p-values are adjusted over the table
    under the report-wide policy (:func:`gotone_analysis.policy.adjust_pvalues`) and
    marked at ``alpha``.

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows holding both waves.
    quarter : str
        Current wave ``YYYYQn``.
    compare_to : str
        ``"previous"``, ``"year_ago"`` or an earlier wave ``YYYYQn``, resolved by
        :func:`gotone_analysis.params.resolve_comparison` (a later wave is refused).
    scope, brand, by, spec, level, min_base
        As in :func:`~.scores.components`; a cell is suppressed when either wave's base is small.
    alpha : float, optional
        Significance level of the marks (default the policy's).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``) supplying ``level``, ``min_base`` and, for
        comparisons, ``alpha`` and the p-value adjustment; explicit arguments win.

    Returns
    -------
    DataFrame
        ``quarter, scope, brand, [by...], component, estimate, se, ci_low, ci_high, n,
        n_eff, deff, compare_quarter, estimate_ref, se_ref, n_ref, diff, diff_se,
        diff_ci_low, diff_ci_high, z, p_value, p_adj, mark`` (+ ``suppressed, note``). When the comparison wave is not in the
        data the comparison columns are empty (and no mark is set).
    """
    pol = call_policy(policy, level=level, alpha=alpha, min_base=min_base)
    other, _ = resolve_comparison(quarter, compare_to)
    on = [*(by or ()), "component"]
    cur = components(survey_data, quarter=quarter, scope=scope, brand=brand, by=by,
                     spec=spec, level=pol.level)
    prev = None
    if (survey_data["quarter"] == other).any():
        prev = components(survey_data, quarter=other, scope=scope, brand=brand, by=by,
                          spec=spec, level=pol.level)
    out = _compare_tables(cur, prev, on, pol)
    out.insert(out.columns.get_loc("estimate_ref"), "compare_quarter", other)
    return out


def annual_changes(
    survey_data: pd.DataFrame,
    year: int | str,
    *,
    compare_year: int | str | None = None,
    scope: str = PROVINCE,
    brand: str = "gotone",
    by: Sequence[str] | None = None,
    spec: dict | None = None,
    level: float | None = None,
    alpha: float | None = None,
    min_base: int | None = None,
    through: int | None = None,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """A year against another year (default the year before), pooled waves each.

    With ``through`` both years pool only quarters 1..``through``: the year to date
    against the same period of the comparison year. The comparison year always pools
    the same quarters of its year as the current year has waves; when it lacks any of
    them (or has no waves at all) the comparison columns stay empty and nothing is
    marked, as in :func:`changes`.

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows of both years.
    year : int or str
        Current year.
    compare_year : int or str, optional
        Comparison year (default ``year - 1``).
    scope, brand, by, spec, level, alpha, min_base
        As in :func:`changes`.
    through : int, optional
        Last quarter (1-4) pooled in both years; default every wave.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``) supplying ``level``, ``min_base`` and, for
        comparisons, ``alpha`` and the p-value adjustment; explicit arguments win.

    Returns
    -------
    DataFrame
        As :func:`changes`, with ``year`` and ``compare_year`` in place of the quarters.
    """
    pol = call_policy(policy, level=level, alpha=alpha, min_base=min_base)
    other = int(compare_year) if compare_year is not None else int(year) - 1
    on = [*(by or ()), "component"]
    kw = dict(scope=scope, brand=brand, by=by, spec=spec, level=pol.level)
    cur = annual(survey_data, year, through=through, **kw)
    # like for like: the comparison year pools the same quarters of its year, or no test
    numbers = [q[-1] for q in year_quarters(survey_data, year, through)]
    same = [q for q in year_quarters(survey_data, other) if q[-1] in numbers]
    prev = None
    if len(same) == len(numbers):
        prev = pooled_components(survey_data, other, same, **kw)
    out = _compare_tables(cur, prev, on, pol)
    out.insert(out.columns.get_loc("estimate_ref"), "compare_year", str(other))
    return out


def by_brand(
    survey_data: pd.DataFrame,
    *,
    quarter: str | None = None,
    scope: str = PROVINCE,
    brands: Sequence[str] = BRAND_CODES,
    spec: dict | None = None,
    level: float | None = None,
    min_base: int | None = None,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Components and influence of several brands side by side (same wave and scope).

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows.
    quarter, scope, spec, level, min_base
        As in :func:`~.scores.components`.
    brands : sequence of str
        Brands to show, in this order; brands without respondents are left out.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``) supplying ``level``, ``min_base`` and, for
        comparisons, ``alpha`` and the p-value adjustment; explicit arguments win.

    Returns
    -------
    DataFrame
        :func:`~.scores.components` tables of the brands stacked (the ``brand`` column tells
        them apart).
    """
    pol = call_policy(policy, level=level, min_base=min_base)
    data = wave_rows(survey_data, quarter)
    present = set(pd.unique(data["brand"]))
    parts = [components(data, quarter=quarter, scope=scope, brand=b, spec=spec, policy=pol)
             for b in brands if b in present]
    if not parts:
        raise UsageError("none of the brands has respondents in this wave")
    return survey.with_level(pd.concat(parts, ignore_index=True), pol.level)


def vs_benchmark(
    table: pd.DataFrame,
    benchmark: pd.DataFrame,
    *,
    quarter: str | None = None,
    alpha: float | None = None,
    min_base: int | None = None,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Compare estimates with the network (all-province) benchmark of the same quarter.

    The benchmark is a published constant (no sampling error on our side), so the test
    is one-sample: ``z = (estimate - benchmark) / se``, two-sided normal p-value.

    Parameters
    ----------
    table : DataFrame
        A :func:`~.scores.components` table (columns ``quarter, component, estimate, se, n``).
    benchmark : DataFrame
        ``quarter, metric, value`` (metric named as the components).
    quarter : str, optional
        Benchmark quarter (default the table's ``quarter``).
    alpha, min_base
        Significance level of the marks; minimum base (default the policy's).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``) supplying ``level``, ``min_base`` and, for
        comparisons, ``alpha`` and the p-value adjustment; explicit arguments win.

    Returns
    -------
    DataFrame
        The table's rows that have a benchmark, with the comparison columns
        (``estimate_ref`` = the benchmark, ``se_ref`` = 0, ``diff`` ... ``p_adj``, ``mark``).
    """
    pol = call_policy(policy, alpha=alpha, min_base=min_base)
    pol = pol.with_(level=survey.level_of(table))  # the table's intervals keep their level
    q = quarter if quarter is not None else str(table["quarter"].iloc[0])
    bench = (benchmark.loc[benchmark["quarter"] == q, ["metric", "value"]]
             .rename(columns={"metric": "component", "value": "_benchmark"}))
    rows = table.drop(columns=[c for c in ("suppressed", "note", *_COMPARE_COLS) if c in table])
    rows = rows.merge(bench, on="component", how="inner")
    comp = compare.vs_constant(rows[["component", "estimate", "se", "n", "_benchmark"]],
                               "_benchmark", level=pol.level)
    out = _with_comparison(rows.drop(columns="_benchmark"), comp, ["component"])
    out = suppress_small_bases(out, pol.min_base)
    return _significance(out, pol)


def by_city(
    survey_data: pd.DataFrame,
    *,
    quarter: str | None = None,
    brand: str = "gotone",
    spec: dict | None = None,
    level: float | None = None,
    alpha: float | None = None,
    min_base: int | None = None,
    policy: Policy | None = None,
    dataset=None,
) -> pd.DataFrame:
    """Each city against the province, component by component.

    City estimates are domains of the full provincial design. The difference from the
    province accounts for the city being part of the province
    (:func:`gotone_analysis.compare.compare_domains` with ``reference="total"``: the
    design variance of the difference of the two estimators' linearised values).

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows.
    quarter : str, optional
        Wave (may be omitted when the data hold one wave).
    brand, spec, level, alpha, min_base, policy
        As in :func:`~.scores.components` and :func:`changes`.
    dataset : gotone_analysis.io.Dataset, optional
        The data set ``survey_data`` was read from. The table is the same on every
        scope's page: with a batch cache it is made once per batch and read back by the
        other kernels (:func:`gotone_analysis.cache.shared_by_inputs`, keyed by the
        SHA-256 of the wave's survey file, the wave, the brand, the spec and the policy).

    Returns
    -------
    DataFrame
        One row per city x component (cities in :data:`~gotone_analysis.config.CITY_CODES`
        order): ``quarter, brand, city, component, estimate, se, ci_low, ci_high, n,
        n_eff, deff`` and the comparison columns (``estimate_ref`` = the province,
        ``diff`` ... ``p_adj``, ``mark``) (+ ``suppressed, note``).
    """
    pol = call_policy(policy, level=level, alpha=alpha, min_base=min_base)
    level = pol.level
    check_scope_brand(PROVINCE, brand)
    data = wave_rows(survey_data, quarter)
    q = quarter if quarter is not None else str(data["quarter"].iloc[0])
    if dataset is not None:
        from ... import cache

        return cache.shared_by_inputs(
            "brand_by_city", lambda: by_city(data, quarter=q, brand=brand, spec=spec,
                                             policy=pol),
            dataset=dataset, kinds="survey", quarter=q,
            params={"quarter": q, "brand": brand, "spec": spec,
                    "policy": dataclasses.asdict(pol)})
    scored = pd.concat([data, respondent_scores(data, spec)], axis=1)
    design = survey.design_of(data)
    cities = domain_means(scored, COMPONENTS, ["brand", "city"], level)
    cities = cities.loc[cities["brand"] == brand].drop(columns="brand")
    parts = []
    for comp in COMPONENTS:
        # the brand's customers only: other rows are outside every domain and the total
        own = scored[comp].where(scored["brand"] == brand)
        if own.notna().sum() == 0:
            continue
        res = compare.compare_domains(scored.assign(_score=own), "_score", by="city",
                                      reference="total", level=level, **design)
        parts.append(res.assign(component=comp))
    comp_tab = pd.concat(parts, ignore_index=True) if parts else None
    out = _with_comparison(cities, comp_tab, ["city", "component"])
    out = out.loc[out["city"].isin(CITY_CODES)]
    out.insert(0, "quarter", q)
    out.insert(1, "brand", brand)
    out["_c"] = out["city"].map({c: i for i, c in enumerate(CITY_CODES)})
    out["_o"] = out["component"].map({c: i for i, c in enumerate(COMPONENTS)})
    out = out.sort_values(["_c", "_o"]).drop(columns=["_c", "_o"]).reset_index(drop=True)
    out = suppress_small_bases(out, pol.min_base)
    return _significance(out, pol)


def funnel(
    survey_data: pd.DataFrame,
    *,
    quarter: str | None = None,
    scope: str = PROVINCE,
    brand: str = "gotone",
    by: Sequence[str] | None = None,
    level: float | None = None,
    min_base: int | None = None,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """The brand funnel: reach of each stage and conversion from the stage before, in %.

    Reach is a design-based proportion (the mean of the 0/1 stage indicator of
    :func:`~.scores.funnel_stages`, among the brand's customers whose stage is known).
    Conversion of stage ``k`` is the ratio ``sum(w x stage_k) / sum(w x stage_{k-1})``
    over respondents whose stage ``k`` is known; its standard error is Taylor-linearised
    (the design variance of ``u_i = (y_i - R x_i) / X``, computed as the domain mean of
    ``(y_i - R x_i) / xbar``, which has the same linearisation).

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows.
    quarter, scope, brand, by, level, min_base, policy
        As in :func:`~.scores.components`. For conversions ``n`` is the base of the ratio (the
        respondents at the previous stage).

    Returns
    -------
    DataFrame
        One row per (``by`` domain x stage x measure): ``quarter, scope, brand, [by...],
        stage, measure`` (``"reach"`` or ``"conversion"``; the first stage has no
        conversion), ``estimate, se, ci_low, ci_high, n, n_eff, deff`` (+ ``suppressed,
        note``).
    """
    pol = call_policy(policy, level=level, min_base=min_base)
    level = pol.level
    check_scope_brand(scope, brand)
    data = wave_rows(survey_data, quarter)
    q = quarter if quarter is not None else str(data["quarter"].iloc[0])
    domain = domain_columns(scope, by)
    stages = funnel_stages(data) * 100.0
    base = pd.concat([data, stages], axis=1)
    reach = domain_means(base, FUNNEL_STAGES, domain, level).rename(columns={"component": "stage"})
    reach["measure"] = "reach"
    conv_parts = []
    for prev_stage, stage in zip(FUNNEL_STAGES[:-1], FUNNEL_STAGES[1:], strict=True):
        # conversion = share reaching `stage` among those at `prev_stage`: a domain mean,
        # identical to the ratio sum(w y) / sum(w x) and its linearised variance
        at_prev = base[prev_stage] == 100.0
        est = domain_means(base.assign(_conv=base[stage].where(at_prev)), ["_conv"], domain,
                        level)
        est["component"] = stage
        est["measure"] = "conversion"
        conv_parts.append(est.rename(columns={"component": "stage"}))
    allrows = pd.concat([reach, *conv_parts], ignore_index=True)
    out = select_domain(allrows, scope, brand)
    out.insert(0, "quarter", q)
    out.insert(1, "scope", scope)
    out.insert(2, "brand", brand)
    by_cols = [c for c in (by or ()) if c in out]
    lead = ["quarter", "scope", "brand", *by_cols, "stage", "measure"]
    out = out[[*lead, *[c for c in out.columns if c not in lead]]]
    out["_s"] = out["stage"].map({s: i for i, s in enumerate(FUNNEL_STAGES)})
    out["_m"] = (out["measure"] == "conversion").astype(int)
    out = config.sort_by_codes(out, [*by_cols, "_m", "_s"]).drop(columns=["_s", "_m"])
    return finish_table(out.reset_index(drop=True), pol)


# --- headline numbers ----------------------------------------------------------------------


def headline(changes_table: pd.DataFrame,
             benchmark_table: pd.DataFrame | None = None) -> dict[str, float | str | None]:
    """Flat dict of headline numbers for :func:`gotone_analysis.report.publish`.

    Parameters
    ----------
    changes_table : DataFrame
        From :func:`changes` (one row per component, no ``by`` columns).
    benchmark_table : DataFrame, optional
        From :func:`vs_benchmark`.

    Returns
    -------
    dict
        For each component ``<c>`` (``influence`` first): ``<c>``, ``<c>_se``,
        ``<c>_ci_low``, ``<c>_ci_high``, ``<c>_n``, ``<c>_change``, ``<c>_change_p``,
        ``<c>_change_p_adj``, ``<c>_change_mark`` and, with a benchmark table,
        ``<c>_vs_benchmark`` and ``<c>_vs_benchmark_p_adj``; plus ``quarter`` and
        ``compare_quarter``. Missing (suppressed or not comparable) numbers are None.
    """
    def num(v: object) -> float | None:
        f = float(v) if v is not None and not (isinstance(v, str)) else np.nan
        return None if not np.isfinite(f) else f

    out: dict[str, float | str | None] = {}
    if len(changes_table):
        out["quarter"] = str(changes_table["quarter"].iloc[0])
        if "compare_quarter" in changes_table:
            out["compare_quarter"] = str(changes_table["compare_quarter"].iloc[0])
    rows = changes_table.set_index("component")
    bench = benchmark_table.set_index("component") if benchmark_table is not None else None
    for c in COMPONENTS:
        if c not in rows.index:
            continue
        r = rows.loc[c]
        for key, col in (("", "estimate"), ("_se", "se"), ("_ci_low", "ci_low"),
                         ("_ci_high", "ci_high"), ("_n", "n"), ("_change", "diff"),
                         ("_change_p", "p_value"), ("_change_p_adj", "p_adj")):
            out[f"{c}{key}"] = num(r[col]) if col in r else None
        out[f"{c}_change_mark"] = str(r["mark"]) if "mark" in r else ""
        if bench is not None and c in bench.index:
            out[f"{c}_vs_benchmark"] = num(bench.loc[c, "diff"])
            out[f"{c}_vs_benchmark_p_adj"] = num(bench.loc[c, "p_adj"])
    return out
