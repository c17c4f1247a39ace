"""Panel queries: the panel as an Ibis table, and its aggregates computed in the engine.

Every aggregate here builds one Ibis expression, lets the engine aggregate it and returns
only the aggregates, as a tidy pandas DataFrame; the unit rows never reach pandas. The
same call gives the same numbers on both engines: engines return counts and sums only,
and every ratio (mean, variance, rate, hazard) is formed afterwards from those sums, so
that Spark's ANSI division by zero and DuckDB's ``inf`` never enter a result.

Public: :data:`LEVERS`, :data:`MONTH_ORIGIN`, :func:`panel_table`, :func:`source_folder`,
:func:`month_number`, :func:`execute`, :func:`materialized`, :func:`key_columns`, :func:`group_moments`,
:func:`participation`, :func:`churn_hazard`, :func:`segment_month_summary`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..timings import timed
from .engine import connect

__all__ = [
    "LEVERS",
    "MONTH_ORIGIN",
    "churn_hazard",
    "execute",
    "group_moments",
    "key_columns",
    "materialized",
    "month_number",
    "panel_table",
    "participation",
    "segment_month_summary",
    "source_folder",
]

#: Levers with a monthly participation flag ``part_<lever>`` in the panel.
LEVERS = ("care", "points", "club", "family")
#: First month of :func:`month_number` (month 0).
MONTH_ORIGIN = "2008-01"


def _panel_folder(data) -> Path:
    if hasattr(data, "panel_path"):  # an io.Dataset: validated once, recorded on its run card
        return Path(data.panel_path())
    p = Path(data)
    if (p / "panel").is_dir():
        p = p / "panel"
    if not p.is_dir() or not any(p.rglob("*.parquet")):
        raise UsageError(f"no panel Parquet files under {p.name or p}/ "
                         "(expected panel/month=YYYY-MM/*.parquet)")
    return p


def panel_table(data, *, engine: str = "duckdb", con=None):
    """Return the customer panel of a data folder as an Ibis table (nothing is loaded).

    Parameters
    ----------
    data : str, Path or gotone_analysis.io.Dataset
        A data folder holding ``panel/``, the panel folder itself
        (``month=YYYY-MM/*.parquet``, hive-partitioned), or a ``Dataset`` (its
        ``panel_path()``: validated against the contract the first time).
    engine : {"duckdb", "spark"}, default "duckdb"
        Engine used when ``con`` is not given.
    con : ibis.BaseBackend, optional
        A connection from :func:`connect` (to share it between tables).

    Returns
    -------
    ibis.expr.types.Table
        The panel columns of :data:`gotone_analysis.contract.PANEL`; ``month`` and
        ``care_start`` as text ``'YYYY-MM'``.

    Raises
    ------
    UsageError
        No panel files, unknown engine.
    """
    folder = _panel_folder(data)
    if con is None:
        con = connect(engine)
    if con.name == "duckdb":
        t = con.read_parquet(str(folder / "**" / "*.parquet"), hive_partitioning=True,
                             hive_types_autocast=False, union_by_name=True)
    elif con.name == "pyspark":
        t = con.read_parquet(str(folder), basePath=str(folder), mergeSchema="false")
    else:
        raise UsageError(f"unsupported Ibis backend {con.name!r} for the panel")
    out = t.mutate(month=t.month.cast("string"))
    _SOURCES[id(out)] = (out, folder)
    return out


#: Tables made by :func:`panel_table` -> (the table, its panel folder), by identity.
_SOURCES: dict[int, tuple[Any, Path]] = {}


def source_folder(table) -> Path | None:
    """The panel folder that a table made by :func:`panel_table` reads.

    Parameters
    ----------
    table : ibis Table
        A table returned by :func:`panel_table` (not one derived from it).

    Returns
    -------
    pathlib.Path or None
        The ``panel/`` folder, or None for any other table. The batch's shared results
        (:mod:`gotone_analysis.cache`) are keyed by that folder's files.
    """
    hit = _SOURCES.get(id(table))
    return hit[1] if hit is not None and hit[0] is table else None


def month_number(month):
    """Months since 2008-01 (0-based), as :func:`gotone_analysis.demo.model.month_index`.

    Parameters
    ----------
    month : ibis string expression, pandas Series or str
        Month(s) as ``'YYYY-MM'``.

    Returns
    -------
    ibis integer expression, pandas Series (``Int64``, missing stays missing) or int
        ``(year - 2008) * 12 + month - 1``.
    """
    y0 = int(MONTH_ORIGIN[:4])
    if isinstance(month, str):
        return (int(month[:4]) - y0) * 12 + int(month[5:7]) - 1
    if isinstance(month, pd.Series):
        s = month.astype("string")
        return ((s.str.slice(0, 4).astype("Int64") - y0) * 12
                + s.str.slice(5, 7).astype("Int64") - 1)
    year = month.substr(0, 4).cast("int64")
    mon = month.substr(5, 2).cast("int64")
    return (year - y0) * 12 + mon - 1


# --- aggregates ------------------------------------------------------------------------------


def _as_table(table):
    import ibis

    if isinstance(table, pd.DataFrame):
        return ibis.memtable(table)
    return table


@timed("data")
def execute(expr) -> pd.DataFrame:
    """Run an Ibis expression in its engine.

    Parameters
    ----------
    expr : ibis expression
        A query built by the panel layer (an aggregate, usually).

    Returns
    -------
    pandas.DataFrame
        The result, with a fresh ``RangeIndex``.
    """
    df = expr.execute()
    return df.reset_index(drop=True)


@contextmanager
def materialized(expr, prefix: str = "gotone") -> Iterator[Any]:
    """An expression computed once into a temporary table while the block runs (DuckDB).

    On DuckDB the rows are stored in a temporary table of the connection (named
    ``<prefix>_<random>``), read by every query of the block and dropped after it; on
    another engine the expression itself is yielded (each query computes it).
    """
    import ibis

    con = ibis.get_backend(expr)
    if con.name != "duckdb":
        yield expr
        return
    import uuid

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    table = con.create_table(name, expr, temp=True)
    try:
        yield table
    finally:
        con.drop_table(name, force=True)


def key_columns(by) -> list[str]:
    """Grouping columns as a list.

    Parameters
    ----------
    by : str or sequence of str
        One column name, or several.

    Returns
    -------
    list of str
        ``[by]`` for a single name, else ``list(by)``.
    """
    return [by] if isinstance(by, str) else list(by)


def group_moments(table, *, by: str | Sequence[str] = ("segment", "month"),
                  values: Sequence[str] = ("arpu",)) -> pd.DataFrame:
    """Count, mean and variance of columns by group, computed in the engine.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        The panel (or any table); a DataFrame is queried through DuckDB.
    by : str or sequence of str, default ("segment", "month")
        Grouping columns.
    values : sequence of str, default ("arpu",)
        Numeric columns.

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by ``by``: the keys, ``n`` (rows), and for each value
        ``v``: ``v_n`` (non-missing), ``v_sum``, ``v_sumsq`` (sum of squares), ``v_mean``
        and ``v_var`` (variance with divisor ``v_n - 1``; NaN below two values). Counts
        ``int64``, the rest ``float64``.
    """
    t = _as_table(table)
    keys = key_columns(by)
    aggs = {"n": t.count()}
    for v in values:
        x = t[v].cast("float64")
        aggs[f"{v}_n"] = x.count()
        aggs[f"{v}_sum"] = x.sum()
        aggs[f"{v}_sumsq"] = (x * x).sum()
    out = execute(t.group_by(keys).aggregate(**aggs).order_by(keys))
    out["n"] = out["n"].astype("int64")
    for v in values:
        n = out[f"{v}_n"].astype("int64")
        s = out[f"{v}_sum"].astype("float64").where(n > 0, 0.0)
        ss = out[f"{v}_sumsq"].astype("float64").where(n > 0, 0.0)
        out[f"{v}_n"], out[f"{v}_sum"], out[f"{v}_sumsq"] = n, s, ss
        nf = n.astype("float64")
        out[f"{v}_mean"] = (s / nf).where(n > 0)
        out[f"{v}_var"] = ((ss - s * s / nf) / (nf - 1.0)).where(n > 1)
    return out


def participation(table, *, by: str | Sequence[str] = ("segment", "month"),
                  levers: Sequence[str] = LEVERS) -> pd.DataFrame:
    """Share of customer-months taking part in each lever, by group, in the engine.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        The panel (columns ``part_<lever>``, 0/1).
    by : str or sequence of str, default ("segment", "month")
        Grouping columns.
    levers : sequence of str, default :data:`LEVERS`
        Levers (``part_<lever>`` columns).

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per group and lever sorted by ``by`` then lever order: the keys,
        ``lever``, ``n`` (customer-months), ``n_part`` (taking part), ``rate``
        (``n_part / n``).
    """
    t = _as_table(table)
    keys = key_columns(by)
    aggs = {"n": t.count()}
    for lv in levers:
        aggs[f"p_{lv}"] = t[f"part_{lv}"].cast("int64").sum()
    wide = execute(t.group_by(keys).aggregate(**aggs).order_by(keys))
    parts = []
    for i, lv in enumerate(levers):
        d = wide[keys].copy()
        d["lever"] = lv
        d["n"] = wide["n"].astype("int64")
        d["n_part"] = wide[f"p_{lv}"].fillna(0).astype("int64")
        d["_order"] = i
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    out["rate"] = out["n_part"] / out["n"]
    out = out.sort_values([*keys, "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def churn_hazard(table, *, by: str | Sequence[str] = ("segment", "month")) -> pd.DataFrame:
    """Monthly churn hazard of the customers at risk, by group, in the engine.

    A customer is at risk in a month when the panel has a row for them in that month
    (a customer who left in an earlier month has none); ``churned = 1`` means they left
    at the end of the month. The hazard is ``churned / at_risk``.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        The panel.
    by : str or sequence of str, default ("segment", "month")
        Grouping columns (include ``month`` for a monthly hazard).

    Returns
    -------
    pandas.DataFrame
        One row per group sorted by ``by``: the keys, ``at_risk``, ``churned`` (both
        ``int64``) and ``hazard`` (``float64``).
    """
    t = _as_table(table)
    keys = key_columns(by)
    out = execute(t.group_by(keys).aggregate(at_risk=t.count(),
                                              churned=t.churned.cast("int64").sum())
                   .order_by(keys))
    out["at_risk"] = out["at_risk"].astype("int64")
    out["churned"] = out["churned"].fillna(0).astype("int64")
    out["hazard"] = out["churned"] / out["at_risk"]
    return out


def segment_month_summary(table, *, by: str | Sequence[str] = ("segment", "month"),
                          levers: Sequence[str] = LEVERS) -> pd.DataFrame:
    """Customers, churn, ARPU moments and participation by segment and month, in one query.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        The panel.
    by : str or sequence of str, default ("segment", "month")
        Grouping columns.
    levers : sequence of str, default :data:`LEVERS`
        Participation flags to count.

    Returns
    -------
    pandas.DataFrame
        One row per group sorted by ``by``: the keys, ``customers`` (customer-months),
        ``churned``, ``churn_hazard``, ``arpu_n``, ``arpu_sum``, ``arpu_sumsq``,
        ``arpu_mean``, ``arpu_var`` (divisor ``n - 1``), and for each lever ``n_<lever>``
        and ``rate_<lever>`` (share of the group's customer-months taking part).
    """
    t = _as_table(table)
    keys = key_columns(by)
    x = t.arpu.cast("float64")
    aggs = {"customers": t.count(), "churned": t.churned.cast("int64").sum(),
            "arpu_n": x.count(), "arpu_sum": x.sum(), "arpu_sumsq": (x * x).sum()}
    for lv in levers:
        aggs[f"n_{lv}"] = t[f"part_{lv}"].cast("int64").sum()
    out = execute(t.group_by(keys).aggregate(**aggs).order_by(keys))
    for c in ("customers", "churned", "arpu_n", *(f"n_{lv}" for lv in levers)):
        out[c] = out[c].fillna(0).astype("int64")
    n = out["arpu_n"].astype("float64")
    s = out["arpu_sum"].astype("float64").where(out["arpu_n"] > 0, 0.0)
    ss = out["arpu_sumsq"].astype("float64").where(out["arpu_n"] > 0, 0.0)
    out["arpu_sum"], out["arpu_sumsq"] = s, ss
    out["churn_hazard"] = out["churned"] / out["customers"]
    out["arpu_mean"] = (s / n).where(n > 0)
    out["arpu_var"] = ((ss - s * s / n) / (n - 1.0)).where(n > 1)
    for lv in levers:
        out[f"rate_{lv}"] = out[f"n_{lv}"] / out["customers"]
    order = [*keys, "customers", "churned", "churn_hazard", "arpu_n", "arpu_sum",
             "arpu_sumsq", "arpu_mean", "arpu_var",
             *(c for lv in levers for c in (f"n_{lv}", f"rate_{lv}"))]
    return out[order]
