"""Brand equity scores: what a respondent scores, and the influence index built from them.

The four components (认知 联想 偏好 忠诚) and the influence index (影响力) on 0-100 per
respondent follow :data:`gotone_analysis.config.BRAND_INDEX_SPEC`
(:func:`respondent_scores`); :func:`funnel_stages` says which stages of the brand funnel
a respondent reaches. Design-based estimates of their means come from
:func:`gotone_analysis.survey.estimate_many` (stratified design, sampling weights,
finite-population correction, optional clusters, Taylor-linearised standard errors)
under the one design rule :func:`gotone_analysis.survey.design_of`:

* :func:`components` -- the index and its components for one wave;
* :func:`annual` -- for a year (or the year to date), pooling its waves
  (:func:`pooled_design`, :func:`year_quarters`, :func:`pooled_components`);
* the estimation core the report's tables (:mod:`.tables`) share: the policy of a call
  (:func:`call_policy`), the checked scope and brand (:func:`check_scope_brand`), the
  rows of a wave (:func:`wave_rows`), domain means (:func:`domain_columns`,
  :func:`domain_means`, :func:`select_domain`) and small-base suppression
  (:func:`suppress_small_bases`, :func:`finish_table`).

The report-wide policy (:class:`gotone_analysis.policy.Policy`: minimum base, level)
comes with ``policy=`` (usually ``P.policy``); ``level`` and ``min_base`` given
explicitly override it. Every table carries its confidence level in ``attrs["level"]``
(:func:`gotone_analysis.survey.level_of`).

Domains
-------
``scope="province"`` is all of Fujian; a city code is that city's domain. ``brand``
selects the brand's customers (GoTone by default). Domains are always estimated from
the full sample of the wave (all brands and cities), never by cutting the data first,
so that their standard errors reflect the design.

Funnel
------
The brand funnel has four nested stages (:data:`FUNNEL_STAGES`): aware of the brand
when prompted (``aw_aided == 1``) -> positive association (mean of the answered image
items ``>=`` :data:`ASSOCIATION_MIN` on 1-10) -> preferring (``pref_score >=``
:data:`PREFERENCE_MIN`) -> loyal (``loy_stay >=`` :data:`LOYALTY_MIN`). A respondent
reaches a stage when they meet its rule and every earlier one; reach is unknown (left
out of that stage's base) when an item needed to decide is missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import compare, config, survey
from ...config import (
    BRAND_CODES,
    BRAND_COMPONENTS,
    BRAND_INDEX_SPEC,
    CITY_CODES,
    PROVINCE,
)
from ...errors import UsageError
from ...policy import Policy, resolve_policy
from ...scoring import SCORE_BOUNDS
from ...survey import PSU, STRATUM, WEIGHT

__all__ = [
    "ASSOCIATION_MIN",
    "COMPONENTS",
    "FUNNEL_STAGES",
    "LOYALTY_MIN",
    "PREFERENCE_MIN",
    "annual",
    "call_policy",
    "check_scope_brand",
    "components",
    "domain_columns",
    "domain_means",
    "finish_table",
    "funnel_stages",
    "pooled_components",
    "pooled_design",
    "respondent_scores",
    "select_domain",
    "suppress_small_bases",
    "wave_rows",
    "year_quarters",
]

# --- constants -------------------------------------------------------------------------

#: Components in display order: the four of the funnel, then the composite index.
COMPONENTS: tuple[str, ...] = (*BRAND_COMPONENTS, "influence")

#: Funnel stages in order.
FUNNEL_STAGES: tuple[str, ...] = ("aware", "associated", "preferring", "loyal")
#: Positive association: mean of the answered image items (1-10) at least this.
ASSOCIATION_MIN: float = 7.0
#: Preferring: ``pref_score`` (1-10) at least this.
PREFERENCE_MIN: float = 8.0
#: Loyal: ``loy_stay`` (1-10) at least this.
LOYALTY_MIN: float = 8.0


def call_policy(policy: Policy | None, *, level: float | None = None,
                alpha: float | None = None, min_base: int | None = None) -> Policy:
    """The policy of one call: ``policy`` with the explicitly given values overriding it.

    Parameters
    ----------
    policy : gotone_analysis.policy.Policy or None
        The report-wide policy (``P.policy``); None for the default policy.
    level, alpha, min_base
        Values the caller gave explicitly (None when not given).

    Returns
    -------
    gotone_analysis.policy.Policy
        ``policy`` with the given values in place of its own
        (:func:`gotone_analysis.policy.resolve_policy`).
    """
    return resolve_policy(policy, level=level, alpha=alpha, min_base=min_base)


# --- respondent scores ---------------------------------------------------------------------


def _rescale(x: pd.Series, lo: float, hi: float) -> pd.Series:
    return (x.astype("float64") - lo) / (hi - lo) * 100.0


def respondent_scores(df: pd.DataFrame, spec: dict | None = None) -> pd.DataFrame:
    """Score each respondent on the four components and the influence index, 0-100.

    Parameters
    ----------
    df : DataFrame
        Survey rows with the items named in ``spec`` (98/99 already read as missing).
    spec : dict, optional
        Scoring specification; defaults to :data:`~gotone_analysis.config.BRAND_INDEX_SPEC`.

    Returns
    -------
    DataFrame
        Same index as ``df``, columns ``awareness, association, preference, loyalty,
        influence`` (float, NaN where the rules in the spec make a score missing).

    Notes
    -----
    Every score is linear in the items, so applying this function to a table of item
    *expectations* gives the expected scores (used to check estimates against the
    demo generator's truth).
    """
    spec = spec or BRAND_INDEX_SPEC
    out = pd.DataFrame(index=df.index)
    for comp in BRAND_COMPONENTS:
        rule = spec[comp]
        if "mean_of" in rule:
            lo, hi = rule["scale"]
            items = df[list(rule["mean_of"])].astype("float64")
            answered = items.notna().sum(axis=1)
            score = _rescale(items.mean(axis=1), lo, hi)
            out[comp] = score.where(answered >= rule.get("min_answered", 1))
        else:
            scale = rule["scale"]
            total = pd.Series(0.0, index=df.index)
            for item, w in rule["items"].items():
                lo, hi = scale[item] if isinstance(scale, dict) else scale
                total = total + w * _rescale(df[item], lo, hi)
            out[comp] = total / sum(rule["items"].values())
    weights = spec["influence_weights"]
    wsum = sum(weights.values())
    infl = sum(w * out[c] for c, w in weights.items()) / wsum
    out["influence"] = infl.astype("float64")
    return out.replace([np.inf, -np.inf], np.nan)


def funnel_stages(df: pd.DataFrame) -> pd.DataFrame:
    """Whether each respondent reaches each funnel stage (1/0, NaN when undecidable).

    Parameters
    ----------
    df : DataFrame
        Survey rows with ``aw_aided``, ``img_1``..``img_5``, ``pref_score``, ``loy_stay``.

    Returns
    -------
    DataFrame
        Same index as ``df``, one float column per stage of :data:`FUNNEL_STAGES`: 1 when
        the respondent meets the stage's rule and every earlier one, 0 when they fail any
        of them, NaN when an item needed to decide is missing. Positive association
        needs at least ``min_answered`` image items as in the index specification.
    """
    assoc_rule = BRAND_INDEX_SPEC["association"]
    items = df[list(assoc_rule["mean_of"])].astype("float64")
    img_mean = items.mean(axis=1).where(items.notna().sum(axis=1) >= assoc_rule["min_answered"])
    rules = {
        "aware": df["aw_aided"].astype("float64") >= 1,
        "associated": img_mean >= ASSOCIATION_MIN,
        "preferring": df["pref_score"].astype("float64") >= PREFERENCE_MIN,
        "loyal": df["loy_stay"].astype("float64") >= LOYALTY_MIN,
    }
    known = {
        "aware": df["aw_aided"].notna(),
        "associated": img_mean.notna(),
        "preferring": df["pref_score"].notna(),
        "loyal": df["loy_stay"].notna(),
    }
    out = pd.DataFrame(index=df.index)
    failed = np.zeros(len(df), dtype=bool)   # failed a known stage so far
    unknown = np.zeros(len(df), dtype=bool)  # some stage so far could not be decided
    for stage in FUNNEL_STAGES:
        k = known[stage].to_numpy(dtype=bool)
        failed |= k & ~rules[stage].fillna(False).to_numpy(dtype=bool)
        unknown |= ~k
        # failing any known stage decides (0) even when another item is missing;
        # otherwise a missing item anywhere up to this stage leaves it undecided
        out[stage] = np.where(failed, 0.0, np.where(unknown, np.nan, 1.0))
    return out


# --- the estimation core the tables share ------------------------------------------------


def check_scope_brand(scope: str, brand: str) -> None:
    """Refuse a scope or brand the survey does not know.

    Parameters
    ----------
    scope : str
        ``"province"`` or a city code of :data:`~gotone_analysis.config.CITY_CODES`.
    brand : str
        A brand of :data:`~gotone_analysis.config.BRAND_CODES`.

    Returns
    -------
    None
        Raises :class:`~gotone_analysis.errors.UsageError` when either is unknown.
    """
    if scope != PROVINCE and scope not in CITY_CODES:
        raise UsageError(f"scope must be 'province' or one of {', '.join(CITY_CODES)}; got {scope!r}")
    if brand not in BRAND_CODES:
        raise UsageError(f"brand must be one of {', '.join(BRAND_CODES)}; got {brand!r}")


def wave_rows(data: pd.DataFrame, quarter: str | None) -> pd.DataFrame:
    """The survey rows of one wave.

    Parameters
    ----------
    data : DataFrame
        Survey rows with a ``quarter`` column.
    quarter : str or None
        Wave ``YYYYQn``; None when ``data`` holds exactly one wave.

    Returns
    -------
    DataFrame
        The rows of the wave (all of ``data`` when ``quarter`` is None). Raises
        :class:`~gotone_analysis.errors.UsageError` when the wave has no rows or, with no
        quarter given, the data hold several waves.
    """
    if quarter is None:
        waves = pd.unique(data["quarter"])
        if len(waves) != 1:
            raise UsageError("the survey holds several quarters; say which one (quarter=...)")
        return data
    rows = data.loc[data["quarter"] == quarter]
    if rows.empty:
        raise UsageError(f"no survey data for quarter {quarter}")
    return rows


def domain_columns(scope: str, by: Sequence[str] | None) -> list[str]:
    """The columns whose values make the domains of an estimate.

    Parameters
    ----------
    scope : str
        ``"province"`` or a city code.
    by : sequence of str, optional
        Further domain columns.

    Returns
    -------
    list of str
        ``brand`` (and ``city`` for a city scope), then the ``by`` columns not among them.
    """
    cols = ["brand"] if scope == PROVINCE else ["brand", "city"]
    return cols + [c for c in (by or ()) if c not in cols]


def domain_means(data: pd.DataFrame, variables: Sequence[str], domain: list[str],
                 level: float) -> pd.DataFrame:
    """Design-based means of ``variables`` for every domain in ``domain`` columns (long).

    Parameters
    ----------
    data : DataFrame
        Survey rows with the design columns and the ``variables``.
    variables : sequence of str
        Columns to estimate the means of.
    domain : list of str
        Domain columns (:func:`domain_columns`).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        :func:`gotone_analysis.survey.estimate_many` under
        :func:`gotone_analysis.survey.design_of`, one row per domain x variable, with
        the variable in a ``component`` column.
    """
    est = survey.estimate_many(data, list(variables), by=domain, level=level,
                               bounds=SCORE_BOUNDS, **survey.design_of(data))
    return est.rename(columns={"variable": "component"})


def select_domain(table: pd.DataFrame, scope: str, brand: str) -> pd.DataFrame:
    """The rows of one scope and brand from a table of domain estimates.

    Parameters
    ----------
    table : DataFrame
        From :func:`domain_means` over :func:`domain_columns` of ``scope``.
    scope : str
        ``"province"`` or a city code.
    brand : str
        The brand whose rows are kept.

    Returns
    -------
    DataFrame
        The brand's rows (and, for a city scope, the city's) without the ``brand`` (and
        ``city``) column, on a fresh index.
    """
    keep = table["brand"] == brand
    if scope != PROVINCE:
        keep &= table["city"] == scope
    out = table.loc[keep].drop(columns=[c for c in ("brand", "city") if c in table and
                                        (c == "brand" or scope != PROVINCE)])
    return out.reset_index(drop=True)


def _components_on(data: pd.DataFrame, *, scope: str, brand: str, by: Sequence[str] | None,
                   spec: dict | None, level: float) -> pd.DataFrame:
    scored = pd.concat([data, respondent_scores(data, spec)], axis=1)
    est = domain_means(scored, COMPONENTS, domain_columns(scope, by), level)
    out = select_domain(est, scope, brand)
    out.insert(0, "scope", scope)
    out.insert(1, "brand", brand)
    by_cols = [c for c in (by or ()) if c in out]
    out = out[["scope", "brand", *by_cols, "component",
               *[c for c in out.columns if c not in {"scope", "brand", "component", *by_cols}]]]
    out["_o"] = out["component"].map({c: i for i, c in enumerate(COMPONENTS)})
    out = config.sort_by_codes(out, [*by_cols, "_o"]).drop(columns="_o")
    return out.reset_index(drop=True)


def suppress_small_bases(table: pd.DataFrame, min_base: int | None) -> pd.DataFrame:
    """Blank cells with a base below ``min_base`` (:func:`gotone_analysis.compare.suppress`).

    Parameters
    ----------
    table : DataFrame
        An estimate or comparison table.
    min_base : int or None
        Minimum base; None suppresses nothing.

    Returns
    -------
    DataFrame
        ``table`` unchanged when ``min_base`` is None, otherwise with ``suppressed`` and
        ``note`` columns and the numbers of suppressed cells NaN.
    """
    if min_base is None:
        return table
    return compare.suppress(table, int(min_base))


def finish_table(table: pd.DataFrame, pol: Policy) -> pd.DataFrame:
    """Suppress small bases under the policy and record its level in the table's attrs.

    Parameters
    ----------
    table : DataFrame
        An estimate table.
    pol : gotone_analysis.policy.Policy
        The policy of the call (:func:`call_policy`).

    Returns
    -------
    DataFrame
        :func:`suppress_small_bases` at ``pol.min_base``, with ``attrs["level"]`` set to
        ``pol.level``.
    """
    return survey.with_level(suppress_small_bases(table, pol.min_base), pol.level)


# --- estimators -------------------------------------------------------------------------------


def components(
    survey_data: pd.DataFrame,
    *,
    quarter: str | None = None,
    scope: str = PROVINCE,
    brand: str = "gotone",
    by: Sequence[str] | None = None,
    spec: dict | None = None,
    level: float | None = None,
    min_base: int | None = None,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Design-based estimates of the four components and the influence index, 0-100.

    Parameters
    ----------
    survey_data : DataFrame
        Validated survey rows (one or more waves; 98/99 already missing) with the design
        columns ``stratum, weight`` and optionally ``stratum_pop`` and ``psu``.
    quarter : str, optional
        Wave ``YYYYQn`` to estimate; may be omitted when ``survey_data`` holds one wave.
    scope : str
        ``"province"`` or a city code (that city as a domain of the full design).
    brand : str
        Brand whose customers are described (default GoTone).
    by : sequence of str, optional
        Further domain columns, e.g. ``["tier"]`` or ``["city"]``.
    spec : dict, optional
        Index specification (default :data:`~gotone_analysis.config.BRAND_INDEX_SPEC`).
    level : float, optional
        Confidence level of the intervals (default the policy's, 95 %).
    min_base : int, optional
        Suppress cells with fewer respondents (see :func:`gotone_analysis.compare.suppress`);
        default the policy's (none without a policy).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``) supplying ``level``, ``min_base`` and, for
        comparisons, ``alpha`` and the p-value adjustment; explicit arguments win.

    Returns
    -------
    DataFrame
        One row per (``by`` domain x component), components in :data:`COMPONENTS`
        order: ``scope, brand, [by...], component, estimate, se, ci_low, ci_high, n,
        n_eff, deff`` (+ ``suppressed, note`` when ``min_base`` is given). ``n`` is the
        unweighted number of respondents with a score.
    """
    pol = call_policy(policy, level=level, min_base=min_base)
    check_scope_brand(scope, brand)
    data = wave_rows(survey_data, quarter)
    out = _components_on(data, scope=scope, brand=brand, by=by, spec=spec, level=pol.level)
    out.insert(0, "quarter", quarter if quarter is not None else str(data["quarter"].iloc[0]))
    return finish_table(out, pol)


def pooled_design(survey_data: pd.DataFrame, quarters: Sequence[str], *,
                  brand: str = "gotone") -> pd.DataFrame:
    """Stack several waves into one design whose estimate is the mean over the waves.

    Each wave is an independent stratified sample, so strata (and PSUs) are made
    wave-specific (``"<quarter>|<stratum>"``); the finite-population correction of
    each wave is unchanged. Each wave's weights are multiplied by
    ``mean_w(T_w) / (T_w x W)``, where ``T_w`` is the wave's weight total among the
    ``brand``'s customers and ``W`` the number of waves: every wave then carries the
    same weight ``1/W`` of the brand's (average) population, so a brand-level estimate
    from the pooled design is exactly the mean of the waves' estimates, and a domain
    estimate (city, tier) is the mean of the waves weighted by the domain's estimated
    size in each wave (identical to the plain mean when strata fix the domain sizes).

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows of at least the waves in ``quarters``.
    quarters : sequence of str
        The waves to pool.
    brand : str
        Brand whose population total is equalised across waves.

    Returns
    -------
    DataFrame
        The rows of those waves with rescaled ``weight`` and wave-specific ``stratum``
        and ``psu`` (a new frame; the input is not changed).
    """
    quarters = list(dict.fromkeys(quarters))
    data = survey_data.loc[survey_data["quarter"].isin(quarters)].copy()
    present = [q for q in quarters if (data["quarter"] == q).any()]
    if not present:
        raise UsageError(f"no survey data for {', '.join(quarters)}")
    totals = (data.loc[data["brand"] == brand].groupby("quarter")[WEIGHT].sum()
              .reindex(present))
    if totals.isna().any() or (totals <= 0).any():
        missing = totals.index[totals.isna() | (totals <= 0)].tolist()
        raise UsageError(f"no {brand} respondents in {', '.join(missing)}")
    factor = (totals.mean() / totals / len(present)).to_dict()
    data[WEIGHT] = data[WEIGHT].astype("float64") * data["quarter"].map(factor).astype("float64")
    data[STRATUM] = data["quarter"].astype(str) + "|" + data[STRATUM].astype(str)
    if PSU in data and data[PSU].notna().all():
        data[PSU] = data["quarter"].astype(str) + "|" + data[PSU].astype(str)
    return data


def year_quarters(survey_data: pd.DataFrame, year: int | str,
                  through: int | None = None) -> list[str]:
    """The waves of ``year`` present in the survey, in order.

    ``through`` (1-4) keeps only the waves of quarters 1..``through``: year to date.
    """
    prefix = f"{int(year)}Q"
    waves = sorted(str(q) for q in pd.unique(survey_data["quarter"]) if str(q).startswith(prefix))
    if through is not None:
        waves = [q for q in waves if int(q[-1]) <= int(through)]
    return waves


def annual(
    survey_data: pd.DataFrame,
    year: int | str,
    *,
    scope: str = PROVINCE,
    brand: str = "gotone",
    by: Sequence[str] | None = None,
    spec: dict | None = None,
    level: float | None = None,
    min_base: int | None = None,
    through: int | None = None,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Components and influence for a year, pooling that year's waves.

    The year's estimate is the mean over its waves (see :func:`pooled_design` for the
    weight scaling); its standard error comes from the pooled stratified design, each
    wave an independent set of strata. This is what "the 2009 index" means. With
    ``through`` (a quarter number 1-4) only the waves of quarters 1..``through`` are
    pooled: the year to date.

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows (all waves available).
    year : int or str
        Calendar year, e.g. 2009.
    scope, brand, by, spec, level, min_base
        As in :func:`components`.
    through : int, optional
        Last quarter (1-4) of the year to pool; default every wave of the year.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``) supplying ``level``, ``min_base`` and, for
        comparisons, ``alpha`` and the p-value adjustment; explicit arguments win.

    Returns
    -------
    DataFrame
        As :func:`components`, with ``quarter`` replaced by ``year`` (str) and a
        ``waves`` column (number of waves pooled).
    """
    pol = call_policy(policy, level=level, min_base=min_base)
    check_scope_brand(scope, brand)
    if through is not None and int(through) not in (1, 2, 3, 4):
        raise UsageError(f"through must be a quarter number 1-4, got {through!r}")
    quarters = year_quarters(survey_data, year, through)
    if not quarters:
        span = f" up to Q{through}" if through is not None else ""
        raise UsageError(f"no survey waves in {year}{span}")
    out = pooled_components(survey_data, year, quarters, scope=scope, brand=brand, by=by,
                            spec=spec, level=pol.level)
    return finish_table(out, pol)


def pooled_components(survey_data: pd.DataFrame, year: int | str, quarters: list[str], *,
                      scope: str, brand: str, by: Sequence[str] | None, spec: dict | None,
                      level: float) -> pd.DataFrame:
    """Components and influence of the pooled waves ``quarters``, labelled as ``year``.

    Parameters
    ----------
    survey_data : DataFrame
        Survey rows of at least the waves in ``quarters``.
    year : int or str
        The year the pooled waves stand for.
    quarters : list of str
        The waves to pool (:func:`pooled_design`).
    scope, brand, by, spec, level
        As in :func:`components` (``level`` resolved already).

    Returns
    -------
    DataFrame
        ``year, waves, scope, brand, [by...], component, estimate, se, ci_low, ci_high,
        n, n_eff, deff``, neither suppressed nor carrying the level (:func:`annual` does
        that).
    """
    data = pooled_design(survey_data, quarters, brand=brand)
    out = _components_on(data, scope=scope, brand=brand, by=by, spec=spec, level=level)
    out.insert(0, "year", str(int(year)))
    out.insert(1, "waves", len(quarters))
    return out
