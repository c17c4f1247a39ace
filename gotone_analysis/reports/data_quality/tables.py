"""Data quality of a survey wave: bases, weight diagnostics, missingness, validation.

Every function returns a tidy table; :func:`view` formats one for readers and
:func:`headline` gathers the numbers the data-quality report publishes.

Weight diagnostics use Kish's design effect of unequal weighting,
``deff = n * sum(w**2) / sum(w)**2 = 1 + CV**2`` (CV with the population standard
deviation of the weights), and the effective base ``n_eff = sum(w)**2 / sum(w**2)
= n / deff``. It measures the precision lost to weighting alone; design effects of
particular estimates, which also reflect stratification and clustering, come from
:func:`gotone_analysis.survey.estimate` under the one design rule of the reports,
:func:`gotone_analysis.survey.design_of` (:func:`estimate_deffs`).

Headings and codes of the tables shown to readers come from the catalog
:mod:`gotone_analysis.labels` (section ``reports/data_quality/catalog.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ... import config, labels
from ... import survey as survey_design
from ...contract import SURVEY
from ...errors import DataError
from ...policy import MIN_BASE, Policy
from ...tables import reader_table
from ...workbook import item_label

#: Share of missing answers above which an item is flagged.
MISSING_FLAG_SHARE = 0.10

#: Survey items checked for missingness: contract columns where 98/99 mean missing.
SURVEY_ITEMS: tuple[str, ...] = tuple(c.name for c in SURVEY.columns if c.missing_codes)

#: Items whose design effects the report shows (one per block of the questionnaire).
DEFF_ITEMS: tuple[str, ...] = ("aw_aided", "img_1", "pref_score", "loy_stay", "sat_overall")

_ALL = "all"


def breakdown(scope: str) -> list[str]:
    """The rows a scope's quality tables are broken down by.

    Returns
    -------
    list of str
        ``["city"]`` for the province, ``["tier"]`` for a city.
    """
    return ["city"] if scope == config.PROVINCE else ["tier"]


def _by(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _weights(survey: pd.DataFrame, weight: str) -> pd.Series:
    if weight not in survey.columns:
        raise KeyError(f"no weight column {weight!r}")
    w = survey[weight].astype("float64")
    if (~np.isfinite(w) | (w <= 0)).any():
        raise DataError(f"weights in {weight!r} must be finite and > 0")
    return w


def bases(survey: pd.DataFrame, by: str | Sequence[str] = ("city", "tier"), *,
          weight: str = "weight", min_base: int | None = None,
          policy: Policy | None = None) -> pd.DataFrame:
    """Unweighted and weighted bases by domain.

    Parameters
    ----------
    survey : DataFrame
        Respondent rows.
    by : str or sequence of str
        Domain columns.
    weight : str
        Sampling-weight column.
    min_base : int, optional
        Unweighted base below which ``low_base`` is true; default the policy's, else
        :data:`gotone_analysis.policy.MIN_BASE`.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``).

    Returns
    -------
    DataFrame
        ``by..., n, weighted_n, share, low_base``: respondents, sum of weights, the
        domain's share of the total sum of weights (0-1), ``n < min_base``. Domains in
        the order of :mod:`gotone_analysis.config`.
    """
    if min_base is None:
        min_base = policy.min_base if policy is not None else None
    min_base = MIN_BASE if min_base is None else min_base
    cols = _by(by)
    w = _weights(survey, weight)
    frame = survey[cols].assign(_w=w.to_numpy())
    out = frame.groupby(cols, observed=True, sort=False).agg(n=("_w", "size"),
                                                             weighted_n=("_w", "sum"))
    out = out.reset_index()
    total = float(w.sum())
    out["share"] = out["weighted_n"] / total if total > 0 else np.nan
    out["low_base"] = out["n"] < min_base
    out["n"] = out["n"].astype("int64")
    return config.sort_by_codes(out, cols)


def weight_diagnostics(survey: pd.DataFrame, by: str | Sequence[str] | None = "city", *,
                       weight: str = "weight", total: bool = True) -> pd.DataFrame:
    """Kish design effect of weighting, effective base and weight range, by domain.

    Parameters
    ----------
    survey : DataFrame
        Respondent rows.
    by : str, sequence of str or None
        Domain columns; ``None`` for the whole sample only.
    weight : str
        Sampling-weight column.
    total : bool, default True
        Append a row for the whole sample (``by`` columns set to ``"all"``).

    Returns
    -------
    DataFrame
        ``by..., n, weight_sum, weight_min, weight_max, max_min_ratio, cv, deff_kish,
        n_eff`` where ``cv`` is the coefficient of variation of the weights
        (population standard deviation over mean), ``deff_kish = 1 + cv**2 =
        n * sum(w**2) / sum(w)**2`` and ``n_eff = sum(w)**2 / sum(w**2)``.
    """
    cols = _by(by)
    w = _weights(survey, weight).to_numpy()

    def diag(x: np.ndarray) -> dict[str, float]:
        n, s, s2 = len(x), x.sum(), np.square(x).sum()
        deff = n * s2 / s**2
        return {"n": n, "weight_sum": s, "weight_min": x.min(), "weight_max": x.max(),
                "max_min_ratio": x.max() / x.min(), "cv": float(np.sqrt(max(deff - 1.0, 0.0))),
                "deff_kish": deff, "n_eff": s**2 / s2}

    rows = []
    if cols:
        keys = survey[cols].reset_index(drop=True)
        for key, idx in keys.groupby(cols, observed=True, sort=False).indices.items():
            key = key if isinstance(key, tuple) else (key,)
            rows.append({**dict(zip(cols, key, strict=True)), **diag(w[idx])})
    out = config.sort_by_codes(pd.DataFrame(rows), cols) if rows else pd.DataFrame()
    if total or not cols:
        tot = pd.DataFrame([{**{c: _ALL for c in cols}, **diag(w)}])
        out = pd.concat([out, tot], ignore_index=True) if len(out) else tot
    out["n"] = out["n"].astype("int64")
    return out


def missingness(survey: pd.DataFrame, items: Sequence[str] | None = None, *,
                codes: Sequence[int] = config.MISSING_CODES,
                threshold: float = MISSING_FLAG_SHARE) -> pd.DataFrame:
    """Share of missing answers by item among those asked; 98/99 count as missing.

    Who is asked follows the contract (:attr:`gotone_analysis.contract.Column.asked_of`):
    items asked of GoTone customers only (lever awareness and use, the nine rights) are
    counted on GoTone respondents; the performance items (``pq_*``), asked only of users
    of the service, are missing by design for everyone else, so a high share missing is
    not flagged for them. An item empty for everyone asked is always flagged, ``pq_*``
    included: no respondent answered it, so the question was not asked or its answers
    were lost.

    Parameters
    ----------
    survey : DataFrame
        Respondent rows (raw codes or with 98/99 already read as missing).
    items : sequence of str, optional
        Columns to check; default the contract's survey items present.
    codes : sequence of int
        Codes read as missing.
    threshold : float
        Share above which an item is flagged.

    Returns
    -------
    DataFrame
        ``item, asked_of, n, n_missing, share_missing, flagged`` (``n`` = respondents
        asked; ``flagged``: share missing above ``threshold`` for an item not missing by
        design, or no answer at all), the most missing first (ties by item name).
    """
    items = [c for c in (items if items is not None else SURVEY_ITEMS) if c in survey.columns]
    gotone = (survey["brand"].astype("string") == "gotone").fillna(False).to_numpy(bool) \
        if "brand" in survey.columns else np.ones(len(survey), dtype=bool)
    rows = []
    for item in items:
        asked_of = SURVEY.column(item).asked_of if item in SURVEY.names else "all"
        col = survey[item] if asked_of != "gotone" else survey.loc[gotone, item]
        n = len(col)
        k = int((col.isna() | col.isin(list(codes))).sum())
        rows.append({"item": item, "asked_of": asked_of, "n": n, "n_missing": k,
                     "share_missing": k / n if n else np.nan})
    out = pd.DataFrame(rows, columns=["item", "asked_of", "n", "n_missing", "share_missing"])
    empty = (out["n"] > 0) & (out["n_missing"] == out["n"])
    out["flagged"] = ((out["share_missing"] > threshold) & (out["asked_of"] != "users")) | empty
    return out.sort_values(["share_missing", "item"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def missing_by(survey: pd.DataFrame, by: str = "city", items: Sequence[str] | None = None, *,
               codes: Sequence[int] = config.MISSING_CODES) -> pd.DataFrame:
    """Share missing by item and domain (long table, for a heat map).

    Returns
    -------
    DataFrame
        ``by, item, n, n_missing, share_missing`` for every domain and item.
    """
    parts = []
    for key, grp in survey.groupby(by, observed=True, sort=False):
        tab = missingness(grp, items, codes=codes).drop(columns=["flagged", "asked_of"])
        tab.insert(0, by, key)
        parts.append(tab)
    if not parts:
        return pd.DataFrame(columns=[by, "item", "n", "n_missing", "share_missing"])
    return config.sort_by_codes(pd.concat(parts, ignore_index=True).sort_values([by, "item"]), [by])


def estimate_deffs(survey: pd.DataFrame, items: Sequence[str] = DEFF_ITEMS, *,
                   design: dict[str, str] | None = None) -> pd.DataFrame:
    """Design effects of the means of a few key items (full design).

    Parameters
    ----------
    survey : DataFrame
        Respondent rows.
    items : sequence of str
        Items whose weighted means are estimated (missing items are skipped).
    design : dict, optional
        Design keyword arguments; default the design of the frame under the one rule
        of the reports, :func:`gotone_analysis.survey.design_of` (the brand estimates
        use the same), so that these design effects describe the published estimates.

    Returns
    -------
    DataFrame
        ``variable, estimate, se, n, n_eff, deff`` from
        :func:`gotone_analysis.survey.estimate_many` (Taylor linearisation; a stratum
        left with one respondent in a domain's rows is handled with R's ``"adjust"``).
    """
    items = [c for c in items if c in survey.columns]
    kw = survey_design.design_of(survey) if design is None else dict(design)
    tab = survey_design.estimate_many(survey, items, lonely_psu="adjust", **kw)
    return tab[["variable", "estimate", "se", "n", "n_eff", "deff"]]


def compare_bases(current: pd.DataFrame, compare: pd.DataFrame | None,
                  by: str | Sequence[str] = "city") -> pd.DataFrame:
    """Unweighted bases of this wave against the comparison wave.

    Parameters
    ----------
    current, compare : DataFrame
        Respondent rows of the two waves; ``compare`` may be ``None`` (no data).

    Returns
    -------
    DataFrame
        ``by..., n, n_compare, change`` (``n_compare`` and ``change`` missing when
        there is no comparison wave or the domain is absent from it).
    """
    cols = _by(by)
    now = current.groupby(cols, observed=True).size().rename("n")
    if compare is not None and len(compare):
        before = compare.groupby(cols, observed=True).size().rename("n_compare")
    else:
        before = pd.Series(dtype="float64", name="n_compare")
    out = pd.concat([now, before], axis=1).reset_index()
    out.columns = [*cols, "n", "n_compare"]
    out["n"] = out["n"].astype("Int64")
    out["n_compare"] = out["n_compare"].astype("Int64")
    out["change"] = out["n"] - out["n_compare"]
    return config.sort_by_codes(out, cols)


def validation_summary(ds, quarters: Sequence[str]) -> pd.DataFrame:
    """Read and validate the inputs a report uses and list each with its outcome.

    Parameters
    ----------
    ds : gotone_analysis.io.Dataset
        The data set.
    quarters : sequence of str
        Survey waves to validate (missing waves are skipped).

    Returns
    -------
    DataFrame
        ``kind, path, rows, sha256, status, problems, detail``: one row per file read
        (``status`` "ok"), one per contract violation found (``status`` "failed",
        ``detail`` naming column and rule), in the order read, then one per warning
        (``status`` "warning": values possible but implausible against their file's own
        distribution, :meth:`gotone_analysis.io.Dataset.warnings`).
    """
    failed = []
    present = [q for q in quarters if q in ds.quarters()]
    loaders = [("survey", lambda: ds.survey(present))] if present else []
    loaders += [("kpi", ds.kpi), ("benchmark", ds.benchmark)]
    if (ds.root / "panel").is_dir():
        loaders.append(("panel", lambda: ds.panel_path(validate=True)))
    for kind, load in loaders:
        try:
            load()
        except DataError as exc:
            probs = exc.problems or [{"file": kind, "rule": str(exc)}]
            for p in probs:
                failed.append({"kind": kind, "path": p.get("file", ""), "rows": pd.NA,
                               "sha256": "", "status": "failed", "problems": p.get("count", 1),
                               "detail": " ".join(str(x) for x in (p.get("column"), p.get("rule"),
                                                                    p.get("detail")) if x)})
    src = ds.sources()
    ok = pd.DataFrame({"kind": src["kind"], "path": src["path"], "rows": src["rows"],
                       "sha256": src["sha256"], "status": "ok", "problems": 0,
                       "detail": src["encoding"].fillna("")})
    kinds = dict(zip(src["path"], src["kind"], strict=True))
    for w in ds.warnings():
        failed.append({"kind": kinds.get(w["file"], ""), "path": w["file"], "rows": pd.NA,
                       "sha256": "", "status": "warning", "problems": w.get("count", 1),
                       "detail": " ".join(str(x) for x in (w.get("column"), w.get("rule"),
                                                            w.get("detail")) if x)})
    out = pd.concat([ok, pd.DataFrame(failed, columns=ok.columns)], ignore_index=True) \
        if failed else ok
    out["rows"] = out["rows"].astype("Int64")
    out["problems"] = out["problems"].astype("int64")
    return out


def headline(survey: pd.DataFrame, weights: pd.DataFrame, bases_table: pd.DataFrame,
             missing: pd.DataFrame, validation: pd.DataFrame) -> dict[str, float | int]:
    """The numbers the data-quality report publishes.

    Parameters
    ----------
    survey : DataFrame
        Respondent rows of the scope.
    weights : DataFrame
        :func:`weight_diagnostics` with its total row.
    bases_table : DataFrame
        :func:`bases`.
    missing : DataFrame
        :func:`missingness`.
    validation : DataFrame
        :func:`validation_summary`.

    Returns
    -------
    dict
        ``respondents, weighted_total, deff_kish, n_eff, max_min_ratio,
        low_base_cells, items_flagged, max_share_missing, files_read, files_failed,
        input_warnings`` (``input_warnings``: the warnings of :func:`validation_summary`).
    """
    tot = weights.iloc[-1]
    return {
        "respondents": int(len(survey)),
        "weighted_total": float(tot["weight_sum"]),
        "deff_kish": float(tot["deff_kish"]),
        "n_eff": float(tot["n_eff"]),
        "max_min_ratio": float(tot["max_min_ratio"]),
        "low_base_cells": int(bases_table["low_base"].sum()),
        "items_flagged": int(missing["flagged"].sum()),
        "max_share_missing": float(missing["share_missing"].max()) if len(missing) else 0.0,
        "files_read": int((validation["status"] == "ok").sum()),
        "files_failed": int((validation["status"] == "failed").sum()),
        "input_warnings": int((validation["status"] == "warning").sum()),
    }


# --- display -------------------------------------------------------------------------------

_PERCENT = ("share", "share_missing")
_DECIMALS = {"weighted_n": 0, "weight_min": 1, "weight_max": 1, "max_min_ratio": 1, "cv": 2,
             "deff_kish": 2, "n_eff": 0, "estimate": 2, "se": 3, "deff": 2, "weight_sum": 0}


def view(table: pd.DataFrame, *, lang: str = "zh", columns: Sequence[str] | None = None,
         caption: str | None = None) -> Styler:
    """Format a quality table for readers: labels, fixed decimals, percentages.

    Parameters
    ----------
    table : DataFrame
        A table from this module.
    lang : {"zh", "en"}
        Language of headings and codes.
    columns : sequence of str, optional
        Columns to show (default all).
    caption : str, optional
        Caption under the table.

    Returns
    -------
    pandas.io.formats.style.Styler
        Index hidden; the input is not modified.
    """
    cols = list(columns) if columns is not None else list(table.columns)
    yes, no = labels.text("quality.yes", lang), ""
    total = labels.text("quality.total", lang)

    def cells(c: str):
        def fmt(t: pd.DataFrame, lang: str) -> list[str]:
            s = t[c]
            if c in ("city", "tier", "brand", "kind"):
                return [total if v == _ALL else labels.code_label(v, lang) for v in s]
            if c in _PERCENT:
                return ["—" if pd.isna(v) else f"{100 * v:.1f}%" for v in s]
            if c in _DECIMALS:
                d = _DECIMALS[c]
                return ["—" if pd.isna(v) else f"{v:,.{d}f}" for v in s]
            if c in ("low_base", "flagged"):
                return [yes if bool(v) else no for v in s]
            if c == "asked_of":
                return [labels.text(f"quality.asked_of.{v}", lang)
                        if labels.has(f"quality.asked_of.{v}") else str(v) for v in s]
            if c in ("n", "n_missing", "n_compare", "change", "rows", "problems"):
                return ["—" if pd.isna(v) else f"{int(v):,}" for v in s]
            if c == "sha256":
                return [str(v)[:16] for v in s]
            if c in ("item", "variable"):  # survey items by their question
                return [item_label(str(v), lang) for v in s]
            if c == "status":
                return [labels.text(f"workbook.value.check.{v}", lang)
                        if labels.has(f"workbook.value.check.{v}") else str(v) for v in s]
            return ["" if pd.isna(v) else str(v) for v in s]
        return fmt

    return reader_table(table, cols, lang=lang, formats={c: cells(c) for c in cols},
                        headings=("quality.column.",), caption=caption)


def wave_bases(ds, P) -> pd.DataFrame:
    """Bases of the report's wave against the comparison wave, for the run's scope.

    Parameters
    ----------
    ds : gotone_analysis.io.Dataset
        The data set.
    P : gotone_analysis.params.Params
        Checked parameters (quarter, comparison quarter, scope).

    Returns
    -------
    DataFrame
        :func:`compare_bases` by :func:`breakdown` of the scope; the comparison
        columns are missing when the data set has no survey for ``P.compare_to``.
    """
    current = P.scoped(ds.survey(P.quarter))
    previous = P.scoped(ds.survey(P.compare_to)) if P.compare_to in ds.quarters() else None
    return compare_bases(current, previous, by=breakdown(P.scope))
