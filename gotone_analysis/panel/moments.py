"""Per-cohort moments of a balanced panel for the staggered difference-in-differences.

:func:`cohort_moments` reduces a long panel (an Ibis table, computed in its engine, or a
pandas DataFrame, the unit-level reference path) to per-cohort sums and cross-products
of the outcome by pair of periods; every ATT(g, t) without covariates is linear in them.
On DuckDB the query runs under a lowered ``memory_limit``
(:data:`MOMENTS_MEMORY_LIMIT`; sizes parsed by :func:`limit_bytes`).

Public: :data:`MOMENTS_MEMORY_LIMIT`, :func:`cohort_moments`, :func:`limit_bytes`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import UsageError
from . import queries
from .engine import engine_name

__all__ = [
    "MOMENTS_MEMORY_LIMIT",
    "cohort_moments",
    "limit_bytes",
]

#: DuckDB memory cap while :func:`cohort_moments` runs (its joins spill beyond it).
MOMENTS_MEMORY_LIMIT = "2GB"


def _pairs(k: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(k) for b in range(a, k)]


def _tidy_moments(cohorts, n, sums, cross, periods, dropped: int) -> pd.DataFrame:
    """Long frame (cohort, time_a, time_b, n, sum_a, sum_b, sum_ab) from per-cohort arrays."""
    k = len(periods)
    ia, ib = np.array(_pairs(k)).T if k else (np.array([], int), np.array([], int))
    per = np.asarray(periods, dtype=object)
    frames = []
    for c, nc, s, x in zip(cohorts, n, sums, cross, strict=True):
        frames.append(pd.DataFrame({
            "cohort": [c] * len(ia), "time_a": per[ia], "time_b": per[ib],
            "n": np.full(len(ia), int(nc), dtype="int64"),
            "sum_a": s[ia].astype("float64"), "sum_b": s[ib].astype("float64"),
            "sum_ab": x[ia, ib].astype("float64"),
        }))
    cols = ["cohort", "time_a", "time_b", "n", "sum_a", "sum_b", "sum_ab"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out = out.sort_values(["cohort", "time_a", "time_b"], kind="stable").reset_index(drop=True)
    out.attrs["dropped_units"] = int(dropped)
    return out


def _restore_dtype(values: pd.Series, like: pd.Series):
    """Per-period labels back in the dtype of the input column."""
    try:
        return values.astype(like.dtype)
    except (TypeError, ValueError):
        return values


def _cohort_moments_pandas(df: pd.DataFrame, unit, time, cohort, outcome, periods):
    """Unit-level reference path: pivot to units x periods in numpy, then sums and X'X."""
    d = df[[unit, time, cohort, outcome]]
    if periods is None:
        periods = sorted(d[time].dropna().unique().tolist())
    periods = list(periods)
    d = d[d[time].isin(periods)]
    codes, uniques = pd.factorize(d[unit], sort=False)
    col = pd.Index(periods).get_indexer(d[time])
    y = np.full((len(uniques), len(periods)), np.nan)
    vals = pd.to_numeric(d[outcome], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    y[codes, col] = vals
    coh = np.empty(len(uniques), dtype=object)
    coh[codes] = d[cohort].to_numpy(dtype=object)
    keep = ~np.isnan(y).any(axis=1) & pd.notna(coh)
    dropped = int((~keep).sum())
    y, coh = y[keep], coh[keep]
    coh_s = pd.Series(coh)
    groups = sorted(pd.unique(coh_s.dropna()).tolist())
    cohorts, ns, sums, cross = [], [], [], []
    for g in groups:
        yg = y[(coh_s == g).to_numpy()]
        cohorts.append(g)
        ns.append(len(yg))
        sums.append(yg.sum(axis=0))
        cross.append(yg.T @ yg)
    out = _tidy_moments(cohorts, ns, sums, cross, periods, dropped)
    out["cohort"] = _restore_dtype(out["cohort"], d[cohort])
    for c in ("time_a", "time_b"):
        out[c] = _restore_dtype(out[c], d[time])
    return out


def _wide_by_join(t, unit, time, cohort, outcome, periods, by):
    """The balanced units in wide form (DuckDB's plan): each period's rows, joined.

    Each period's rows (non-missing outcome) become one relation ``(unit, by.., y_i)``;
    the inner join of the ``k`` relations on the unit (and ``by``) keeps one row per
    unit with an outcome in every period. A filter ``time == p`` on a column of the
    files lets the engine skip the files and row groups of other periods (hive
    partitions, Parquet statistics), so each relation reads only its own period.
    """
    t = t.filter(t[outcome].notnull())
    keys = [unit, *by]
    wide = None
    for i, p in enumerate(periods):
        s = t.filter(t[time] == p)
        cols = {c: s[c] for c in keys}
        cols[f"y{i}"] = s[outcome].cast("float64")
        if i == 0:
            cols["_cohort"] = s[cohort]
        part = s.select(**cols)
        wide = part if wide is None else wide.join(part, keys)
    return wide


def _wide_by_group(t, unit, time, cohort, outcome, periods, by):
    """The same wide rows by ``GROUP BY unit`` (Spark's plan).

    One conditional aggregate per period gives each unit's outcome in that period (the
    sum over its rows of ``time == p ? y : 0``, exact); a unit with ``k`` outcomes is
    balanced. A distributed engine aggregates this in partial sums on every executor,
    where ``k`` joins would each shuffle (or broadcast) a whole period.
    """
    y = t[outcome].cast("float64")
    per_unit = {"_cohort": t[cohort].max(), "_seen": y.count()}
    for i, p in enumerate(periods):
        per_unit[f"y{i}"] = (t[time] == p).ifelse(y, 0.0).sum()
    u = t.group_by([unit, *by]).aggregate(**per_unit)
    return u.filter(u._seen == len(periods))


def _moment_sums(wide, k: int) -> dict:
    """Count, sums and sums of products of the outcome columns ``y0..y{k-1}``."""
    aggs = {"_n": wide.count()}
    for i in range(k):
        aggs[f"s{i}"] = wide[f"y{i}"].sum()
    for a, b in _pairs(k):
        aggs[f"x{a}_{b}"] = (wide[f"y{a}"] * wide[f"y{b}"]).sum()
    return aggs


def _moments_query(t, unit, time, cohort, outcome, periods, by, chunk: int, chunks: int):
    """One engine query: per-cohort sums and cross-products for one chunk of the units."""
    if chunks > 1:
        h = t[unit].hash() % chunks
        t = t.filter(((h + chunks) % chunks) == chunk)
    wide_rows = _wide_by_join if engine_name(t) == "duckdb" else _wide_by_group
    wide = wide_rows(t, unit, time, cohort, outcome, periods, by)
    return queries.execute(wide.group_by([*by, "_cohort"])
                           .aggregate(**_moment_sums(wide, len(periods))))


@contextlib.contextmanager
def _memory_capped(t, limit: str | None):
    """DuckDB's ``memory_limit`` lowered to ``limit`` (never raised) while the block runs."""
    import ibis

    con = ibis.get_backend(t)
    if limit is None or con.name != "duckdb":
        yield
        return
    raw = con.con
    before = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    raw.execute(f"SET memory_limit = '{_smaller_limit(before, limit)}'")
    try:
        yield
    finally:
        raw.execute(f"SET memory_limit = '{before}'")


_UNITS = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def limit_bytes(text: str) -> float:
    """Bytes in a memory size such as DuckDB's ``memory_limit`` setting.

    Parameters
    ----------
    text : str
        A number and a unit: ``B``, ``KB``, ``MB``, ``GB``, ``TB`` (powers of 1000) or
        ``KiB``, ``MiB``, ``GiB``, ``TiB`` (powers of 1024), any case; no unit means bytes
        (``"2GB"``, ``"953.6 MiB"``).

    Returns
    -------
    float
        The size in bytes.

    Raises
    ------
    UsageError
        Not a memory size.
    """
    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(text))
    if not m:
        raise UsageError(f"not a memory size: {text!r} (e.g. '2GB')")
    unit = (m.group(2) or "B").upper()
    if unit not in _UNITS:
        raise UsageError(f"not a memory size: {text!r} (e.g. '2GB')")
    return float(m.group(1)) * _UNITS[unit]


def _smaller_limit(current: str, cap: str) -> str:
    return cap if limit_bytes(cap) < limit_bytes(current) else current


def cohort_moments(table, *, unit: str, time: str, cohort: str, outcome: str,
                   periods: Sequence | None = None, by: str | Sequence[str] | None = None,
                   chunks: int | None = None,
                   memory_limit: str | None = MOMENTS_MEMORY_LIMIT,
                   total: str | None = None) -> pd.DataFrame:
    """Per-cohort sums and cross-products of a balanced panel's outcome, by pair of periods.

    Every ATT(g, t) of a staggered difference-in-differences without covariates, and the
    covariance of their influence functions, are linear in these moments (a long
    difference ``Y_t - Y_b`` and a product of two such differences expand into sums of
    ``Y`` and of ``Y_a * Y_b``). On an Ibis table the engine computes them in one query.
    On DuckDB the rows of each period (outcome present) are joined on the unit, which
    leaves the balanced units in wide form; on Spark ``GROUP BY unit`` with one
    conditional aggregate per period gives the same wide rows (partial sums on every
    executor instead of ``k`` shuffled joins, which exhaust a local driver's memory on
    the full panel). ``GROUP BY cohort`` then gives the sums and sums of products; only
    one row per cohort comes back (and one count of the distinct units).
    When ``time`` is a column of the files (``'YYYY-MM'`` text, the panel's ``month``),
    each period's relation reads only that period's files and row groups; a computed
    period column (``month_number(month)``) makes every period scan all of them, several
    times slower on the full panel.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        Long panel, one row per unit and period. A DataFrame is computed in pandas and
        numpy (the unit-level reference path).
    unit, time, cohort, outcome : str
        Column names: unit key; period (integers, or ``'YYYY-MM'`` text); first treated
        period (0 = never treated), constant within a unit; numeric outcome. One row
        per unit and period (the panel's key).
    periods : sequence, optional
        Periods to use (default: every distinct ``time`` value of the table).
    by : str or sequence of str, optional
        Columns (e.g. ``"city"``) that split the panel into separate panels computed in
        the same query: the moments of each group are those of its rows alone, as if
        the table had been filtered to the group first (a unit whose ``by`` value
        changes between periods is balanced in no group).
    chunks : int, optional
        Split the units (by a hash of ``unit``) into this many queries run one after
        the other and add their moments (default one query). Ignored for a DataFrame.
    memory_limit : str or None, default :data:`MOMENTS_MEMORY_LIMIT`
        On DuckDB, the connection's ``memory_limit`` is lowered to this while the
        query runs (the joins spill to the connection's temporary folder beyond it;
        the full-scale panel then peaks at about 2.4 GB instead of 3.4 GB, a few
        seconds slower); None leaves it.
    total : str, optional
        With one ``by`` column: the moments of the whole panel too, as a first group
        whose ``by`` value is ``total`` (exactly those of the call without ``by``). On
        DuckDB (one chunk) the whole panel and its groups come from one join of the
        periods on the unit alone and one pass over the units and their groups (a unit
        seen in two groups counts in the whole panel only), where two calls would join
        the periods twice and count the units twice.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per cohort and pair of periods ``time_a <= time_b`` (sorted by
        ``cohort, time_a, time_b``): ``cohort``, ``time_a``, ``time_b``, ``n`` (balanced
        units of the cohort), ``sum_a`` (sum of ``Y[time_a]``), ``sum_b``, ``sum_ab``
        (sum of ``Y[time_a] * Y[time_b]``; a sum of squares when the periods are equal).
        Only units with a non-missing outcome in every period are kept (a balanced panel,
        as R ``did`` by default); ``attrs["dropped_units"]`` counts the others (and
        units with a missing cohort, which are left out). Cohorts
        with no balanced unit have no rows. Sums are ``float64``. With ``by``, the
        ``by`` columns come first (sorted by them, then as above) and a column
        ``dropped_units`` gives each group's own count (``attrs`` has the total).
    """
    by = queries.key_columns(by) if by is not None else []
    if total is not None:
        if len(by) != 1:
            raise UsageError("cohort_moments: total needs exactly one by column")
        return _with_total(table, unit=unit, time=time, cohort=cohort, outcome=outcome,
                           periods=periods, by=by[0], chunks=chunks,
                           memory_limit=memory_limit, total=total)
    if isinstance(table, pd.DataFrame):
        if not by:
            return _cohort_moments_pandas(table, unit, time, cohort, outcome, periods)
        return _moments_by_group_pandas(table, unit, time, cohort, outcome, periods, by)
    t = table
    periods = _engine_periods(t, time, periods)
    if not periods:
        return _tidy_moments([], [], [], [], [], 0)
    k = len(periods)
    t = t.filter(t[time].isin(periods))
    chunks = 1 if chunks is None else int(chunks)
    with _memory_capped(t, memory_limit):
        parts = [_moments_query(t, unit, time, cohort, outcome, periods, by, i, chunks)
                 for i in range(chunks)]
        if by:
            units = queries.execute(t.group_by(by).aggregate(_units=t[unit].nunique()))
        else:
            units = queries.execute(t.aggregate(_units=t[unit].nunique()))
    keys = [*by, "_cohort"]
    res = parts[0] if len(parts) == 1 else \
        pd.concat(parts).groupby(keys, dropna=False, as_index=False).sum(min_count=1)
    res = res[res["_cohort"].notna() & (res["_n"].fillna(0) > 0)]
    schema = table.schema()
    if not by:
        out = _moments_frame(res, k, periods, int(units["_units"].sum()))
        return _typed(out, schema, cohort, time)
    frames, dropped = [], 0
    for key, grp in units.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        sel = np.ones(len(res), dtype=bool)
        for c, v in zip(by, key, strict=True):
            sel &= (res[c] == v).to_numpy() if pd.notna(v) else res[c].isna().to_numpy()
        one = _moments_frame(res[sel], k, periods, int(grp["_units"].sum()))
        dropped += one.attrs["dropped_units"]
        frames.append(_with_group(one, by, key))
    out = _by_frame(frames, by, dropped)
    return _typed(out, schema, cohort, time)


def _engine_periods(t, time: str, periods: Sequence | None) -> list:
    """The periods asked for, or every distinct ``time`` of the engine table, sorted."""
    if periods is None:
        got = queries.execute(t.select(time).distinct())[time]
        return sorted(got.dropna().tolist())
    return list(periods)


def _with_total(table, *, unit, time, cohort, outcome, periods, by: str, chunks,
                memory_limit, total: str) -> pd.DataFrame:
    """:func:`cohort_moments` with ``total``: the whole panel as a first group."""
    kw = {"unit": unit, "time": time, "cohort": cohort, "outcome": outcome,
          "chunks": chunks, "memory_limit": memory_limit}
    one_join = (not isinstance(table, pd.DataFrame) and engine_name(table) == "duckdb"
                and (chunks is None or int(chunks) == 1))
    if not one_join:
        whole = cohort_moments(table, periods=periods, **kw)
        parts = cohort_moments(table, periods=periods, by=by, **kw)
        return _by_frame([_with_group(whole, [by], (total,)), parts], [by],
                         parts.attrs["dropped_units"])
    t = table
    periods = _engine_periods(t, time, periods)
    k = len(periods)
    if not k:
        return _by_frame([], [by], 0)
    t = t.filter(t[time].isin(periods))
    # the units and their groups, once: every count, and each unit's one group (a unit
    # seen in two groups is balanced in none, as a join on the group would find)
    with _memory_capped(t, memory_limit), \
            queries.materialized(t.group_by([unit, by]).aggregate(), "gotone_units") as pairs:
        units = queries.execute(pairs.group_by(by).aggregate(_units=pairs.count()))
        every = queries.execute(pairs.aggregate(_units=pairs[unit].nunique()))
        one = pairs.group_by(unit).aggregate(_k=pairs.count(), _g=pairs[by].max())
        one = one.filter(one._k == 1).select(unit, "_g")
        wide = _wide_by_join(t, unit, time, cohort, outcome, periods, [])
        wide = wide.left_join(one, unit)
        res = queries.execute(wide.group_by(["_g", "_cohort"])
                              .aggregate(**_moment_sums(wide, k)))
    res = res[res["_cohort"].notna() & (res["_n"].fillna(0) > 0)]
    sums = [c for c in res.columns if c not in ("_g", "_cohort")]
    whole = res.groupby("_cohort", as_index=False)[sums].sum(min_count=1)
    frames = [_with_group(_moments_frame(whole, k, periods, int(every["_units"].sum())),
                          [by], (total,))]
    grouped = res[res["_g"].notna()]
    dropped = 0
    for key, grp in units.groupby(by, sort=True, dropna=False):
        # a unit without a group is in none (as a join on the group never matches NULL)
        sel = (grouped["_g"] == key).to_numpy() if pd.notna(key) else \
            np.zeros(len(grouped), dtype=bool)
        one = _moments_frame(grouped[sel], k, periods, int(grp["_units"].sum()))
        dropped += one.attrs["dropped_units"]
        frames.append(_with_group(one, [by], (key,)))
    out = _by_frame(frames, [by], dropped)
    return _typed(out, table.schema(), cohort, time)


def _moments_frame(res: pd.DataFrame, k: int, periods, units: int) -> pd.DataFrame:
    """The tidy moments of one panel from its per-cohort engine row(s)."""
    dropped = units - int(res["_n"].sum())
    res = res.sort_values("_cohort", kind="stable")
    sums, cross = [], []
    for _, row in res.iterrows():
        sums.append(np.array([row[f"s{i}"] for i in range(k)], dtype="float64"))
        x = np.zeros((k, k))
        for a, b in _pairs(k):
            x[a, b] = x[b, a] = row[f"x{a}_{b}"]
        cross.append(x)
    return _tidy_moments(res["_cohort"].tolist(), res["_n"].astype("int64").tolist(), sums,
                         cross, periods, dropped)


def _typed(out: pd.DataFrame, schema, cohort: str, time: str) -> pd.DataFrame:
    """Cohort and period columns back in the engine column's types."""
    try:
        out["cohort"] = out["cohort"].astype(schema[cohort].to_pandas())
        for c in ("time_a", "time_b"):
            out[c] = out[c].astype(schema[time].to_pandas())
    except (TypeError, ValueError, KeyError):
        pass
    return out


def _with_group(one: pd.DataFrame, by, key) -> pd.DataFrame:
    """One group's moments with its ``by`` values and dropped count as columns."""
    one.insert(0, "dropped_units", int(one.attrs["dropped_units"]))
    for c, v in reversed(list(zip(by, key, strict=True))):
        one.insert(0, c, v)
    return one


def _by_frame(frames, by, dropped: int) -> pd.DataFrame:
    cols = [*by, "dropped_units", "cohort", "time_a", "time_b", "n", "sum_a", "sum_b",
            "sum_ab"]
    frames = [f for f in frames if not f.empty]
    out = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    out.attrs["dropped_units"] = int(dropped)
    return out


def _moments_by_group_pandas(df, unit, time, cohort, outcome, periods, by):
    """The unit-level path of ``cohort_moments(by=...)``: each group's rows alone."""
    if periods is None:
        periods = sorted(df[time].dropna().unique().tolist())
    frames, dropped = [], 0
    for key, grp in df.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        one = _cohort_moments_pandas(grp, unit, time, cohort, outcome, periods)
        dropped += one.attrs["dropped_units"]
        frames.append(_with_group(one, by, key))
    return _by_frame(frames, by, dropped)
