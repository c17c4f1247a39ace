"""Effects of the 139 levers for the ``program_effects`` report: care calls, points, clubs, family.

Estimands (stated in the report):

* **Care calls, churn** — the staggered roll-out by segment (``config.CARE_ROLLOUT``)
  is evaluated on the *monthly churn hazard of the customers at risk*: the share of
  the customers present in a month who leave at its end. Customers are split into
  groups by segment, city and the last hexadecimal digit of their pseudonymous key
  (a random split: keys are a bijective hash); each group's hazard per month is one
  unit of a balanced panel, so ATT(g,t) is the change of the hazard caused by the
  calls, averaged over equally sized random groups of the cohort's customers
  (intention to treat: every customer of a rolled-out segment, called or not).
* **Care calls, ARPU** — on the customers active in every month of the window (from
  three months before the first roll-out to the end of the report quarter), ATT(g,t)
  on monthly ARPU (yuan), intention to treat.

  Both use Callaway & Sant'Anna with never-treated comparison units (segments never
  rolled out), a varying base period and the event-study aggregate for the plot
  (:func:`gotone_analysis.effects.staggered_did`); the engine of the panel layer
  computes the per-cohort moments, no customer row reaches pandas.
* **Points, clubs, family products, ARPU** — participation is chosen month by month
  by customers who already spend more, so the naive comparison of participating and
  other customer-months is biased upwards. The adjusted effect compares each
  customer with themself: the mean ARPU of their participating months minus that of
  their other months, averaged over customers with both (self-selection on the
  customer's level of spend cancels; participation does not trend over the months).
  SE: customers are independent, the standard error of that mean.
* **Survey levers, satisfaction and loyalty** — among GoTone respondents of the
  quarter, users vs non-users of each lever, adjusted by doubly robust weighting
  (:func:`gotone_analysis.effects.weighting_estimate`, AIPW, logit propensity on tier
  and city, survey weights as sampling weights); satisfaction is the mean of the
  three satisfaction items on 0-100, loyalty the intention to stay on 0-100.

Every function returns a tidy table (estimate, se, ci_low, ci_high, base).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...config import CARE_ROLLOUT, PROVINCE
from ...effects.did import DidResult, did_from_moments, staggered_did
from ...panel.queries import execute
from ...policy import DEFAULT_LEVEL, Policy, quantile, resolve_policy

__all__ = [
    "CARE_OUTCOMES",
    "PANEL_LEVERS",
    "CARE_TABLE_COLUMNS",
    "care_did",
    "care_effects",
    "care_started",
    "care_summary",
    "care_table",
    "care_window",
    "churn_cells",
    "headline",
    "lever_sums",
    "month_labels",
    "panel_lever_effects",
]

CARE_OUTCOMES = ("churn", "arpu")
PANEL_LEVERS = ("points", "club", "family")
#: Pre-periods before the first roll-out month kept in the care window.
CARE_PRE_MONTHS = 3
_ORIGIN = 2008


def _month_number(month: str) -> int:
    return (int(month[:4]) - _ORIGIN) * 12 + int(month[5:7]) - 1


def _month_label(number: int) -> str:
    return f"{_ORIGIN + number // 12}-{number % 12 + 1:02d}"


def _last_month(quarter: str) -> str:
    """The last month of ``quarter`` as ``'YYYY-MM'``."""
    return f"{quarter[:4]}-{int(quarter[-1]) * 3:02d}"


def care_window(quarter: str) -> list[str]:
    """Months of the care evaluation: three before the first roll-out to the quarter's end.

    Returns
    -------
    list of str
        Months ``'YYYY-MM'`` in order.
    """
    end = _month_number(_last_month(quarter))
    start = min(_month_number(m) for m in CARE_ROLLOUT.values()) - CARE_PRE_MONTHS
    return [_month_label(k) for k in range(start, end + 1)]


def _scoped(table, scope: str):
    return table if scope == PROVINCE else table.filter(table.city == scope)


def _care_columns(table):
    """Integer month ``t`` and roll-out month ``g`` (0 = never) as engine expressions."""
    from ... import panel

    g = panel.month_number(table.care_start)
    return table.mutate(t=panel.month_number(table.month),
                        g=g.fill_null(0) if hasattr(g, "fill_null") else g.fillna(0))


def care_did(table, *, outcome: str, quarter: str, scope: str = PROVINCE,
             control: str = "never_treated", groups: int | None = None) -> DidResult:
    """Group-time effects of the care-call roll-out on churn or ARPU (see the module).

    Parameters
    ----------
    table : ibis Table
        The customer panel (:func:`gotone_analysis.panel.panel_table`).
    outcome : {"churn", "arpu"}
        Monthly churn hazard of the customers at risk, or ARPU of the customers active
        in every month of the window.
    quarter : str
        Report quarter; the window ends with its last month.
    scope : str
        ``"province"`` or a city code.
    control : {"never_treated", "not_yet_treated"}
        Comparison units.
    groups : {1, 2, 4, 8, 16}, optional
        Churn only: random groups per segment and city (default 4 for the province,
        16 for a city, so that every cohort has enough units and no group is tiny).

    Returns
    -------
    DidResult
        ATT(g,t) in probability points (churn) or yuan (ARPU); cohorts and times are
        month numbers since 2008-01 (:func:`month_labels` turns them into months).
    """
    if outcome not in CARE_OUTCOMES:
        raise ValueError(f"outcome must be one of {CARE_OUTCOMES}, got {outcome!r}")
    if groups is None:
        groups = 4 if scope == PROVINCE else 16
    if groups not in (1, 2, 4, 8, 16):
        raise ValueError("groups must be 1, 2, 4, 8 or 16")
    months = care_window(quarter)
    periods = [_month_number(m) for m in months]
    if outcome == "arpu":
        if _can_share(table):
            every = _shared("care_arpu_moments", table, {"quarter": quarter},
                            lambda: care_arpu_moments(table, quarter=quarter))
            frame = every[every["scope"] == scope].drop(columns="scope")
        else:
            frame = _arpu_moments(_scoped(table, scope), months)
        return did_from_moments(frame.reset_index(drop=True), control=control)
    hexdigits = "0123456789abcdef"
    size = 16 // groups
    fine = _shared("care_churn_cells", table, {"quarter": quarter},
                   lambda: churn_cells(table, quarter=quarter))
    if scope != PROVINCE:
        fine = fine[fine["city"] == scope]
    bucket = fine["digit"].map({d: i // size for i, d in enumerate(hexdigits)})
    cells = (fine.assign(bucket=bucket.fillna(-1).astype("int64"))
             .groupby(["segment", "city", "bucket", "t", "g"], as_index=False, sort=True)
             [["at_risk", "churned"]].sum())
    cells["unit"] = cells["segment"].astype(str) + "/" + cells["city"].astype(str) + "/" \
        + cells["bucket"].astype(str)
    cells["hazard"] = cells["churned"].astype(float) / cells["at_risk"].astype(float)
    return staggered_did(cells[["unit", "t", "g", "hazard"]], unit="unit", time="t",
                         cohort="g", outcome="hazard", control=control, periods=periods)


def _arpu_moments(table, months: list[str], by: str | None = None,
                  total: str | None = None) -> pd.DataFrame:
    """Moments of the ARPU of the customers active in every month of the window.

    Periods are the panel's own ``month`` text, so that the engine reads each month's
    files only; roll-out months ``g`` as month numbers (0 = never), the scale the
    effects module gives the months.
    """
    from ... import panel

    t = table.filter(table.month.isin(months))
    g = panel.month_number(t.care_start)
    t = t.mutate(g=g.fill_null(0))
    cols = ["cust_key", "month", "g", "arpu", *([by] if by else [])]
    out = panel.cohort_moments(t.select(*cols), unit="cust_key", time="month", cohort="g",
                               outcome="arpu", periods=months, by=by, total=total)
    if by is None:
        out.insert(0, "dropped_units", int(out.attrs["dropped_units"]))
    return out


def care_arpu_moments(table, *, quarter: str) -> pd.DataFrame:
    """The moments behind the care-call ARPU effect of the province and of every city.

    The province and every city at once (``cohort_moments(by="city",
    total="province")``: on DuckDB one join of the window's months), each a scope's
    moments exactly as if the panel had been filtered to it.

    Parameters
    ----------
    table : ibis Table
        The customer panel.
    quarter : str
        Report quarter (the window of :func:`care_window`).

    Returns
    -------
    pandas.DataFrame
        ``scope`` (``"province"`` or a city code), ``dropped_units`` and the columns of
        :func:`gotone_analysis.panel.cohort_moments`.
    """
    out = _arpu_moments(table, care_window(quarter), by="city", total=PROVINCE)
    return out.rename(columns={"city": "scope"})


def _can_share(table) -> bool:
    """Whether a batch cache holds results for ``table``'s panel (see :func:`_shared`)."""
    from ... import cache, panel

    return panel.source_folder(table) is not None and cache.cache_dir() is not None


def _shared(name: str, table, params: dict, compute):
    """A result every scope of a batch shares, computed once (:mod:`gotone_analysis.cache`).

    Keyed by the SHA-256 of the panel that ``table`` reads (a table of
    :func:`gotone_analysis.panel.panel_table`), the engine and ``params``; computed in
    place without a batch cache or for any other table.
    """
    from ... import cache, io, panel

    if not _can_share(table):
        return compute()
    import ibis

    return cache.shared_by_inputs(
        name, compute, dataset=lambda: io.open_dataset(panel.source_folder(table).parent),
        kinds="panel", params={**params, "engine": ibis.get_backend(table).name})


def churn_cells(table, *, quarter: str) -> pd.DataFrame:
    """Customers at risk and churned per segment, city, key digit and month, every city.

    The cells of the churn evaluation of :func:`care_did` at their finest split (the
    last hexadecimal digit of the pseudonymous key), for every city at once: a scope's
    cells and random groups are sums of these counts, so one engine query serves the
    province and every city exactly.

    Parameters
    ----------
    table : ibis Table
        The customer panel.
    quarter : str
        Report quarter (the window of :func:`care_window`).

    Returns
    -------
    pandas.DataFrame
        ``segment, city, digit, t, g, at_risk, churned`` (counts ``int64``), sorted by
        the keys.
    """
    months = care_window(quarter)
    t = table.filter(table.month.isin(months))
    t = _care_columns(t)
    m = t.mutate(digit=t.cust_key.substr(10, 1))
    keys = ["segment", "city", "digit", "t", "g"]
    cells = execute(m.group_by(keys)
                    .aggregate(at_risk=m.count(), churned=m.churned.cast("int64").sum()))
    for c in ("at_risk", "churned", "t", "g"):
        cells[c] = cells[c].fillna(0).astype("int64")
    return cells.sort_values(keys, kind="stable").reset_index(drop=True)


def _sum_or_zero(value) -> float:
    """An engine's sum as a float: the sum of no rows (NULL) is 0."""
    return 0.0 if value is None or pd.isna(value) else float(value)


def lever_sums(table, *, quarter: str, levers: Sequence[str] = PANEL_LEVERS
               ) -> pd.DataFrame:
    """The sums behind :func:`panel_lever_effects`, for the province and every city at once.

    One engine query groups the customer-months of the year up to the quarter's end by
    customer and city (a customer's months in a city are what a city scope sees; the
    province adds a customer's cities up); per scope and lever it then gives the sums
    of the naive comparison (customer-months taking part or not: counts, sums and sums
    of squares of ARPU) and of the within-customer one (customers with both kinds of
    month: their count, the sum and sum of squares of their difference of means).

    Parameters
    ----------
    table : ibis Table
        The customer panel.
    quarter : str
        Report quarter.
    levers : sequence of str
        Levers with a ``part_<lever>`` flag.

    Returns
    -------
    pandas.DataFrame
        ``scope, lever, m1, m0, a1, a0, b1, b0, k, sd, sdd`` (float64), one row per
        scope (``province`` first, then the cities in order) and lever.
    """
    import ibis

    from ... import panel

    end = _last_month(quarter)
    t = table.filter((table.month >= f"{quarter[:4]}-01") & (table.month <= end))
    x = t.arpu.cast("float64")
    aggs = {"n": t.count(), "s": x.sum(), "q": (x * x).sum()}
    for lv in levers:
        p = t[f"part_{lv}"].cast("int64")
        aggs |= {f"n1_{lv}": p.sum(), f"s1_{lv}": (x * p).sum(), f"q1_{lv}": (x * x * p).sum()}
    # one scan of the panel (DuckDB); the scopes read the small table
    with panel.materialized(t.group_by(["cust_key", "city"]).aggregate(**aggs),
                            "gotone_levers") as per:
        cities = sorted(_execute_list(per.select("city").distinct(), "city"))
        rows = []
        for scope in (PROVINCE, *cities):
            if scope == PROVINCE:
                u = per.group_by("cust_key").aggregate(
                    **{c: per[c].sum() for c in per.columns if c not in ("cust_key", "city")})
            else:
                u = per.filter(per.city == scope)
            out = {}
            for lv in levers:
                n1, s1, q1 = u[f"n1_{lv}"], u[f"s1_{lv}"], u[f"q1_{lv}"]
                n0, s0, q0 = u.n - n1, u.s - s1, u.q - q1
                both = (n1 > 0) & (n0 > 0)
                d = (s1 / ibis.greatest(n1, 1).cast("float64")
                     - s0 / ibis.greatest(n0, 1).cast("float64"))
                dd = both.ifelse(d, 0.0)
                out |= {f"m1_{lv}": n1.sum(), f"m0_{lv}": n0.sum(), f"a1_{lv}": s1.sum(),
                        f"a0_{lv}": s0.sum(), f"b1_{lv}": q1.sum(), f"b0_{lv}": q0.sum(),
                        f"k_{lv}": both.cast("int64").sum(), f"sd_{lv}": dd.sum(),
                        f"sdd_{lv}": (dd * dd).sum()}
            got = execute(u.aggregate(**out)).iloc[0]
            for lv in levers:
                rows.append({"scope": scope, "lever": lv,
                             **{c: _sum_or_zero(got[f"{c}_{lv}"]) for c in
                                ("m1", "m0", "a1", "a0", "b1", "b0", "k", "sd", "sdd")}})
    return pd.DataFrame(rows)


def _execute_list(expr, column: str) -> list:
    return [v for v in execute(expr)[column].tolist() if v is not None and v == v]


def month_labels(table: pd.DataFrame, columns: Sequence[str] = ("cohort", "time")
                 ) -> pd.DataFrame:
    """Copy of a DiD table with month numbers shown as ``'YYYY-MM'``.

    Returns
    -------
    pandas.DataFrame
        The table with the named columns (those present, except ``overall``) relabelled.
    """
    out = table.copy()
    for c in columns:
        if c in out.columns:
            out[c] = [v if isinstance(v, str) else _month_label(int(v)) for v in out[c]]
    return out


def care_started(quarter: str) -> bool:
    """Whether the care calls had reached anyone by the end of ``quarter``.

    Returns
    -------
    bool
        ``True`` when the quarter's last month is at or after the first roll-out month
        (:data:`gotone_analysis.config.CARE_ROLLOUT`).
    """
    end = _month_number(_last_month(quarter))
    return end >= min(_month_number(m) for m in CARE_ROLLOUT.values())


def care_effects(table, *, quarter: str, scope: str = PROVINCE,
                 control: str = "never_treated") -> dict[str, DidResult]:
    """The care-call evaluation of every outcome (:func:`care_did`), or none before it began.

    Returns
    -------
    dict
        Outcome -> :class:`~gotone_analysis.effects.did.DidResult` for
        :data:`CARE_OUTCOMES`; empty when the roll-out had not started by the quarter's
        end (:func:`care_started`): there is nothing to evaluate yet.
    """
    if not care_started(quarter):
        return {}
    return {o: care_did(table, outcome=o, quarter=quarter, scope=scope, control=control)
            for o in CARE_OUTCOMES}


#: Columns of a care-call table when the evaluation has not started (:func:`care_table`).
CARE_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "att_gt": ("cohort", "time", "estimate", "se", "ci_low", "ci_high", "n"),
    "dynamic": ("event_time", "estimate", "se", "ci_low", "ci_high"),
}


def care_table(results: dict[str, DidResult], outcome: str, kind: str) -> pd.DataFrame:
    """One table of the care-call evaluation of ``outcome``: ``att_gt`` or ``dynamic``.

    Returns
    -------
    pandas.DataFrame
        ``results[outcome].att_gt`` or its dynamic aggregation; an empty table with
        :data:`CARE_TABLE_COLUMNS` when the outcome was not evaluated.
    """
    if kind not in CARE_TABLE_COLUMNS:
        raise ValueError(f"kind must be one of {tuple(CARE_TABLE_COLUMNS)}, got {kind!r}")
    res = results.get(outcome)
    if res is None:
        return pd.DataFrame(columns=list(CARE_TABLE_COLUMNS[kind]))
    return res.att_gt if kind == "att_gt" else res.aggregate("dynamic")


def care_summary(results: dict[str, DidResult], level: float = DEFAULT_LEVEL) -> pd.DataFrame:
    """The overall (simple) care-call ATT per outcome with the parallel-trends pre-test.

    Returns
    -------
    pandas.DataFrame
        ``outcome, estimate, se, ci_low, ci_high, n_units, pretest_p``.
    """
    rows = []
    for name, res in results.items():
        s = res.aggregate("simple").iloc[0]
        rows.append({"outcome": name, "estimate": s["estimate"], "se": s["se"],
                     "ci_low": s["ci_low"], "ci_high": s["ci_high"], "n_units": res.n_units,
                     "pretest_p": res.pre_trend_test()["p_value"].iloc[0]})
    return pd.DataFrame(rows, columns=["outcome", "estimate", "se", "ci_low", "ci_high",
                                       "n_units", "pretest_p"])


def panel_lever_effects(table, *, quarter: str, scope: str = PROVINCE,
                        levers: Sequence[str] = PANEL_LEVERS, level: float | None = None,
                        policy: Policy | None = None) -> pd.DataFrame:
    """Naive and within-customer effects of taking part in a lever on ARPU (see the module).

    Parameters
    ----------
    table : ibis Table
        The customer panel.
    quarter : str
        Report quarter: the customer-months of the year up to its last month are used.
    scope : str
        ``"province"`` or a city code.
    levers : sequence of str
        Levers with a ``part_<lever>`` flag.
    level : float, optional
        Confidence level (default the policy's).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``); an explicit ``level`` wins.

    Returns
    -------
    pandas.DataFrame
        One row per lever and kind (``naive``, ``adjusted``): ``lever, outcome, kind,
        estimate, se, ci_low, ci_high, n`` (customer-months for naive, customers with
        both kinds of month for adjusted).
    """
    levers = list(levers)
    sums = _shared("panel_lever_sums", table, {"quarter": quarter, "levers": levers},
                   lambda: lever_sums(table, quarter=quarter, levers=levers))
    mine = sums[sums["scope"] == scope].set_index("lever")
    z = quantile(resolve_policy(policy, level=level).level)
    rows, not_estimable = [], []
    for lv in levers:
        a = mine.loc[lv] if lv in mine.index else pd.Series(
            dict.fromkeys(("m1", "m0", "a1", "a0", "b1", "b0", "k", "sd", "sdd"), 0.0))
        if min(a["m1"], a["m0"]) < 2:  # e.g. a quarter before the panel's first month
            not_estimable.append({"lever": lv, "reason": "no_panel_contrast"})
            continue
        mean1, mean0 = a["a1"] / a["m1"], a["a0"] / a["m0"]
        var1 = (a["b1"] - a["m1"] * mean1**2) / (a["m1"] - 1)
        var0 = (a["b0"] - a["m0"] * mean0**2) / (a["m0"] - 1)
        naive = mean1 - mean0
        se_naive = float(np.sqrt(var1 / a["m1"] + var0 / a["m0"]))
        k = float(a["k"])
        mean_d = float(a["sd"]) / k
        var_d = (float(a["sdd"]) - k * mean_d**2) / (k - 1)
        se_adj = float(np.sqrt(var_d / k))
        for kind, est, se, n in (("naive", naive, se_naive, int(a["m1"] + a["m0"])),
                                 ("adjusted", mean_d, se_adj, int(k))):
            rows.append({"lever": lv, "outcome": "arpu", "kind": kind, "estimate": est,
                         "se": se, "ci_low": est - z * se, "ci_high": est + z * se, "n": n})
    out = pd.DataFrame(rows, columns=["lever", "outcome", "kind", "estimate", "se", "ci_low",
                                      "ci_high", "n"])
    out.attrs["not_estimable"] = not_estimable
    return out


def headline(care: pd.DataFrame, panel_levers: pd.DataFrame,
             survey_levers: pd.DataFrame) -> dict[str, float | None]:
    """Headline numbers of the report for ``metrics.json``.

    Parameters
    ----------
    care : pandas.DataFrame
        :func:`care_summary` output.
    panel_levers, survey_levers : pandas.DataFrame
        :func:`panel_lever_effects` and the effects table of :func:`survey_lever_effects`.

    Returns
    -------
    dict
        ``care_<outcome>_att``, ``..._ci_low``, ``..._ci_high``; ``<lever>_arpu_naive``
        and ``<lever>_arpu_adjusted``; ``<lever>_<outcome>_adjusted`` for the survey;
        each of the lever effects with its interval, ``<key>_ci_low`` and ``<key>_ci_high``.
    """
    def num(v) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    out: dict[str, float | None] = {}
    for _, r in care.iterrows():
        out[f"care_{r['outcome']}_att"] = num(r["estimate"])
        out[f"care_{r['outcome']}_ci_low"] = num(r["ci_low"])
        out[f"care_{r['outcome']}_ci_high"] = num(r["ci_high"])
    for _, r in panel_levers.iterrows():
        key = f"{r['lever']}_{r['outcome']}_{r['kind']}"
        out[key] = num(r["estimate"])
        out[f"{key}_ci_low"], out[f"{key}_ci_high"] = num(r["ci_low"]), num(r["ci_high"])
    for _, r in survey_levers[survey_levers["kind"] == "adjusted"].iterrows() \
            if len(survey_levers) else []:
        key = f"{r['lever']}_{r['outcome']}_adjusted"
        out[key] = num(r["estimate"])
        out[f"{key}_ci_low"], out[f"{key}_ci_high"] = num(r["ci_low"]), num(r["ci_high"])
    return out
