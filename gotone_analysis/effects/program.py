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
from scipy.stats import norm

from ..config import CARE_ROLLOUT, PROVINCE
from .did import DidResult, staggered_did
from .weighting import weighting_estimate

__all__ = [
    "CARE_OUTCOMES",
    "PANEL_LEVERS",
    "SURVEY_LEVERS",
    "SURVEY_OUTCOMES",
    "care_did",
    "care_summary",
    "care_window",
    "headline",
    "month_labels",
    "panel_lever_effects",
    "reader_table",
    "survey_lever_effects",
]

CARE_OUTCOMES = ("churn", "arpu")
PANEL_LEVERS = ("points", "club", "family")
SURVEY_LEVERS = ("care", "points", "club", "family")
SURVEY_OUTCOMES = ("satisfaction", "loyalty")
#: Pre-periods before the first roll-out month kept in the care window.
CARE_PRE_MONTHS = 3
_ORIGIN = 2008


def _month_number(month: str) -> int:
    return (int(month[:4]) - _ORIGIN) * 12 + int(month[5:7]) - 1


def _month_label(number: int) -> str:
    return f"{_ORIGIN + number // 12}-{number % 12 + 1:02d}"


def care_window(quarter: str) -> list[str]:
    """Months of the care evaluation: three before the first roll-out to the quarter's end.

    Returns
    -------
    list of str
        Months ``'YYYY-MM'`` in order.
    """
    end = _month_number(f"{quarter[:4]}-{int(quarter[-1]) * 3:02d}")
    start = min(_month_number(m) for m in CARE_ROLLOUT.values()) - CARE_PRE_MONTHS
    return [_month_label(k) for k in range(start, end + 1)]


def _scoped(table, scope: str):
    return table if scope == PROVINCE else table.filter(table.city == scope)


def _care_columns(table):
    """Integer month ``t`` and roll-out month ``g`` (0 = never) as engine expressions."""
    from .. import panel

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
    t = _scoped(table, scope)
    t = t.filter(t.month.isin(months))
    t = _care_columns(t)
    periods = [_month_number(m) for m in months]
    if outcome == "arpu":
        return staggered_did(t.select("cust_key", "t", "g", "arpu"), unit="cust_key",
                             time="t", cohort="g", outcome="arpu", control=control,
                             periods=periods)
    import ibis

    digit = t.cust_key.substr(10, 1)
    hexdigits = "0123456789abcdef"
    size = 16 // groups
    bucket = ibis.cases(*((digit.isin(list(hexdigits[i:i + size])), i // size)
                          for i in range(0, 16, size)), else_=-1)
    m = t.mutate(bucket=bucket)
    cells = (m.group_by(["segment", "city", "bucket", "t", "g"])
             .aggregate(at_risk=m.count(), churned=m.churned.cast("int64").sum())
             .execute())
    cells["unit"] = cells["segment"].astype(str) + "/" + cells["city"].astype(str) + "/" \
        + cells["bucket"].astype(str)
    cells["hazard"] = cells["churned"].astype(float) / cells["at_risk"].astype(float)
    return staggered_did(cells[["unit", "t", "g", "hazard"]], unit="unit", time="t",
                         cohort="g", outcome="hazard", control=control, periods=periods)


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


def care_summary(results: dict[str, DidResult], level: float = 0.95) -> pd.DataFrame:
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
    return pd.DataFrame(rows)


def panel_lever_effects(table, *, quarter: str, scope: str = PROVINCE,
                        levers: Sequence[str] = PANEL_LEVERS, level: float = 0.95
                        ) -> pd.DataFrame:
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
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per lever and kind (``naive``, ``adjusted``): ``lever, outcome, kind,
        estimate, se, ci_low, ci_high, n`` (customer-months for naive, customers with
        both kinds of month for adjusted).
    """
    end = f"{quarter[:4]}-{int(quarter[-1]) * 3:02d}"
    t = _scoped(table, scope)
    t = t.filter((t.month >= f"{quarter[:4]}-01") & (t.month <= end))
    z = norm.ppf(0.5 + level / 2)
    rows = []
    x = t.arpu.cast("float64")
    for lv in levers:
        p = t[f"part_{lv}"].cast("int64")
        per = t.group_by("cust_key").aggregate(
            n1=p.sum(), n=t.count(), s1=(x * p).sum(), s=x.sum(), q1=(x * x * p).sum(),
            q=(x * x).sum())
        per = per.mutate(n0=per.n - per.n1, s0=per.s - per.s1, q0=per.q - per.q1)
        arm = per.aggregate(m1=per.n1.sum(), m0=per.n0.sum(), a1=per.s1.sum(),
                            a0=per.s0.sum(), b1=per.q1.sum(), b0=per.q0.sum()).execute()
        both = per.filter((per.n1 > 0) & (per.n0 > 0))
        d = both.s1 / both.n1.cast("float64") - both.s0 / both.n0.cast("float64")
        w = both.aggregate(k=both.count(), sd=d.sum(), sdd=(d * d).sum()).execute()
        a = arm.iloc[0].astype(float)
        mean1, mean0 = a["a1"] / a["m1"], a["a0"] / a["m0"]
        var1 = (a["b1"] - a["m1"] * mean1**2) / (a["m1"] - 1)
        var0 = (a["b0"] - a["m0"] * mean0**2) / (a["m0"] - 1)
        naive = mean1 - mean0
        se_naive = float(np.sqrt(var1 / a["m1"] + var0 / a["m0"]))
        k = float(w["k"].iloc[0])
        mean_d = float(w["sd"].iloc[0]) / k
        var_d = (float(w["sdd"].iloc[0]) - k * mean_d**2) / (k - 1)
        se_adj = float(np.sqrt(var_d / k))
        for kind, est, se, n in (("naive", naive, se_naive, int(a["m1"] + a["m0"])),
                                 ("adjusted", mean_d, se_adj, int(k))):
            rows.append({"lever": lv, "outcome": "arpu", "kind": kind, "estimate": est,
                         "se": se, "ci_low": est - z * se, "ci_high": est + z * se, "n": n})
    return pd.DataFrame(rows)


def _survey_outcomes(survey: pd.DataFrame) -> pd.DataFrame:
    sat = survey[["sat_overall", "sat_expect", "sat_ideal"]].astype(float)
    out = survey.copy()
    out["satisfaction"] = ((sat.mean(axis=1) - 1) / 9 * 100).where(sat.notna().all(axis=1))
    out["loyalty"] = (survey["loy_stay"].astype(float) - 1) / 9 * 100
    return out


def survey_lever_effects(survey: pd.DataFrame, *, quarter: str, scope: str = PROVINCE,
                         levers: Sequence[str] = SURVEY_LEVERS,
                         outcomes: Sequence[str] = SURVEY_OUTCOMES, level: float = 0.95
                         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Naive and AIPW-adjusted effects of using each lever on satisfaction and loyalty.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey respondents (canonical columns, codes 98/99 already missing).
    quarter : str
        Wave used.
    scope : str
        ``"province"`` (adjusting for tier and city) or a city (adjusting for tier).
    levers, outcomes : sequence of str
        Levers (``use_<lever>``) and outcomes (``satisfaction``, ``loyalty``, 0-100).
    level : float
        Confidence level.

    Returns
    -------
    tuple of pandas.DataFrame
        ``effects`` (``lever, outcome, kind`` naive/adjusted, ``estimate, se, ci_low,
        ci_high, n_treated, n_control``), ``overlap`` (propensity by arm per lever) and
        ``balance`` (standardised differences per lever and covariate; of the first
        outcome's fit, the propensity model being the same for every outcome).
    """
    d = survey[(survey["quarter"] == quarter) & (survey["brand"] == "gotone")]
    if scope != PROVINCE:
        d = d[d["city"] == scope]
    d = _survey_outcomes(d)
    covs = "C(tier) + C(city)" if scope == PROVINCE and d["city"].nunique() > 1 else "C(tier)"
    eff, ovl, bal = [], [], []
    for lv in levers:
        col = f"use_{lv}"
        if col not in d.columns or d[col].nunique(dropna=True) < 2:
            continue
        for i, outc in enumerate(outcomes):
            res = weighting_estimate(d, col, outc, covs, method="aipw", propensity="logit",
                                     weight="weight", level=level)
            for kind, tab in (("naive", res.naive), ("adjusted", res.tidy)):
                row = tab.iloc[0]
                eff.append({"lever": lv, "outcome": outc, "kind": kind,
                            **{c: row[c] for c in ("estimate", "se", "ci_low", "ci_high",
                                                   "n_treated", "n_control")}})
            if i == 0:
                ovl.append(res.overlap.assign(lever=lv))
                bal.append(res.balance.assign(lever=lv))
    effects = pd.DataFrame(eff)
    overlap = pd.concat(ovl, ignore_index=True) if ovl else pd.DataFrame()
    balance = pd.concat(bal, ignore_index=True) if bal else pd.DataFrame()
    for t in (overlap, balance):
        if len(t):
            t.insert(0, "lever", t.pop("lever"))
    if ovl:
        overlap.attrs["rule"] = ovl[0].attrs.get("rule", "")
    return effects, overlap, balance


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


def reader_table(table: pd.DataFrame, *, lang: str = "zh",
                 columns: Sequence[str] | None = None, digits: int = 2, note: str = ""):
    """A reader copy of an effects table: codes as labels, numbers rounded, interval joined.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table of this module (or a ``DidResult`` table).
    lang : {"zh", "en"}
        Language.
    columns : sequence of str, optional
        Columns to show, ``"ci"`` for the interval (default: all but ``ci_low``,
        ``ci_high``, with ``ci`` after ``se``).
    digits : int
        Decimals of the numbers.
    note : str
        Note under the table.

    Returns
    -------
    pandas.io.formats.style.Styler
        The formatted table (:func:`gotone_analysis.tables.styled`).
    """
    from .. import labels, tables

    if columns is None:
        columns = [c for c in table.columns if c not in ("ci_low", "ci_high")]
        if {"ci_low", "ci_high"} <= set(table.columns):
            at = columns.index("se") + 1 if "se" in columns else len(columns)
            columns = [*columns[:at], "ci", *columns[at:]]
    out = pd.DataFrame(index=table.index)
    for c in columns:
        if c == "ci":
            out[c] = [f"[{lo:.{digits}f}, {hi:.{digits}f}]" if pd.notna(lo) and pd.notna(hi)
                      else "—" for lo, hi in zip(table["ci_low"], table["ci_high"],
                                                 strict=True)]
            continue
        v = table[c]
        if c == "lever":
            out[c] = [labels.code_label(x, lang) for x in v]
        elif c in ("outcome", "kind", "arm"):
            out[c] = [labels.text(f"effects.{c}.{x}", lang)
                      if labels.has(f"effects.{c}.{x}") else str(x) for x in v]
        elif pd.api.types.is_integer_dtype(v):
            out[c] = [f"{x:,d}" for x in v]
        elif pd.api.types.is_float_dtype(v):
            out[c] = ["—" if pd.isna(x) else f"{x:.{digits}f}" for x in v]
        else:
            out[c] = v.astype(str).to_numpy()
    heads = []
    for c in columns:
        key = f"effects.column.{c}"
        heads.append(labels.text(key, lang) if labels.has(key)
                     else tables.column_label(c, lang))
    out.columns = heads
    return tables.styled(out.reset_index(drop=True), note)
