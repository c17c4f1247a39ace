"""Report parameters: declared in one notebook cell, checked before any kernel starts.

Every report notebook opens with one cell tagged ``parameters`` that assigns literal
defaults to the names in :data:`PARAMETERS`. Two callers check values against it:

* the batch runner, through :func:`check_run_parameters`, before papermill starts a
  kernel (papermill itself only warns about unknown names);
* the notebook's own second cell, through :func:`check_parameters`, so an analyst who
  edits the parameters cell in JupyterLab gets the same messages.

Both raise :class:`~gotone_analysis.errors.UsageError` with a message naming the
parameter; the command line turns it into exit status 2.

The checked :class:`Params` carry the report-wide policy (``P.policy``, a
:class:`gotone_analysis.policy.Policy`: minimum base, level, p-value adjustment,
significance level and the random seed) that the estimators and views accept as
``policy=``, and the one resolver of comparisons, :func:`resolve_comparison`, used by
the estimators too. ``seed`` is the seed of every random draw of a report
(``P.rng()``); ``engine`` chooses the engine that queries the customer panel.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import config, labels
from .errors import UsageError
from .policy import MIN_BASE, Policy

#: The parameters every report notebook declares, with their documented defaults.
PARAMETERS: dict[str, Any] = {
    "quarter": "2010Q4",
    "scope": config.PROVINCE,
    "data_dir": "",
    "compare_to": "previous",
    "lang": "zh",
    "min_base": MIN_BASE,
    "seed": 20100330,
    "engine": "duckdb",
}

#: The parameter a notebook that can also run monthly (:data:`gotone_analysis.config.MONTHLY_REPORTS`)
#: declares besides :data:`PARAMETERS`: ``month`` ``YYYY-MM`` scores as of that month's end;
#: ``""`` (its default) runs the quarter.
MONTH_PARAMETERS: dict[str, Any] = {"month": ""}

LANGS: tuple[str, ...] = labels.LANGS

#: Engines that can query the customer panel (``engine`` parameter).
ENGINES: tuple[str, ...] = ("duckdb", "spark")

#: Named comparisons: keyword -> quarters back (labelled ``params.compare.<keyword>`` in
#: the catalog :mod:`gotone_analysis.labels`).
COMPARISONS: dict[str, int] = {"previous": 1, "year_ago": 4}
#: The same keywords for a monthly run: months back (labelled
#: ``params.compare.<keyword>_month``).
MONTH_COMPARISONS: dict[str, int] = {"previous": 1, "year_ago": 12}

_MISSING = object()


@dataclass(frozen=True)
class Params:
    """Checked parameters of one report run.

    Attributes
    ----------
    quarter : str
        Survey wave, ``YYYYQn``.
    scope : str
        ``"province"`` or a city code from :data:`gotone_analysis.config.CITY_CODES`.
    data_dir : pathlib.Path
        Resolved data folder.
    compare_to : str
        The comparison quarter, resolved to ``YYYYQn``.
    compare_label : str
        How reports name the comparison, in ``lang`` (e.g. ``"上季度"``).
    lang : str
        ``"zh"`` or ``"en"``.
    min_base : int
        Unweighted base below which a cell is suppressed.
    seed : int
        Seed of every random draw of the report (:meth:`rng`, ``policy.seed``).
    engine : str
        Engine that queries the customer panel, ``"duckdb"`` or ``"spark"``.
    warnings : tuple of str
        Problems that do not stop the run (e.g. no survey data for the comparison
        quarter), in ``lang``; the run card shows them.
    month : str
        A monthly run's month ``YYYY-MM`` (``""`` for a quarter's run); ``quarter`` is
        then the quarter holding it and ``compare_to`` an earlier month.
    """

    quarter: str
    scope: str
    data_dir: Path
    compare_to: str
    compare_label: str
    lang: str
    min_base: int
    seed: int
    engine: str = "duckdb"
    warnings: tuple[str, ...] = field(default=())
    month: str = ""

    @property
    def period(self) -> str:
        """What the run reports on: the month of a monthly run, else the quarter."""
        return self.month or self.quarter

    def as_of(self) -> dict[str, str]:
        """What a scorecard is scored as of, as keyword arguments.

        Returns
        -------
        dict
            ``{"month": month}`` for a monthly run, else ``{"quarter": quarter}``.
        """
        return {"month": self.month} if self.month else {"quarter": self.quarter}

    @property
    def policy(self) -> Policy:
        """The report-wide policy: this run's minimum base and seed, the suite's level
        (95 %), p-value adjustment (Benjamini-Hochberg over a table's marks, Holm over a
        page's effect claims) and significance level (5 %).

        Returns
        -------
        gotone_analysis.policy.Policy
        """
        return Policy(min_base=self.min_base, seed=self.seed)

    def rng(self):
        """A random generator seeded with :attr:`seed`: the source of every random draw.

        Returns
        -------
        numpy.random.Generator
            ``numpy.random.default_rng(seed)``, a new one each call (same draws).
        """
        return self.policy.rng()

    @property
    def synthetic(self) -> bool:
        """``True`` when the data folder's ``MANIFEST.json`` says it is synthetic demo data
        (read by :class:`gotone_analysis.io.Dataset`, the one reader of the manifest)."""
        return self.open_dataset().synthetic

    @property
    def year(self) -> int:
        """Calendar year of the report's quarter."""
        return config.parse_quarter(self.quarter).year

    @property
    def quarter_number(self) -> int:
        """Quarter of the year (1-4) of the report's quarter."""
        return config.parse_quarter(self.quarter).quarter

    @property
    def year_ago(self) -> str:
        """The same quarter a year earlier, ``YYYYQn``."""
        return config.shift_quarter(self.quarter, -4)

    @property
    def scope_label(self) -> str:
        """The scope's name in ``lang`` (全省 / Province or the city)."""
        return labels.code_label(self.scope, self.lang)

    @property
    def has_comparison(self) -> bool:
        """Whether survey data for the comparison quarter is present."""
        return self.compare_to in survey_quarters(self.data_dir)

    def as_dict(self) -> dict[str, Any]:
        """The parameters as plain values, in :data:`PARAMETERS` order (a monthly run's
        ``month`` first), for display."""
        return {
            **({"month": self.month} if self.month else {}),
            "quarter": self.quarter,
            "scope": self.scope,
            "data_dir": self.data_dir.name or str(self.data_dir),
            "compare_to": self.compare_to,
            "lang": self.lang,
            "min_base": self.min_base,
            "seed": self.seed,
            "engine": self.engine,
        }

    def open_dataset(self):
        """Open the data folder.

        Returns
        -------
        gotone_analysis.io.Dataset
            The lazily loading dataset of :func:`gotone_analysis.io.open_dataset`.
        """
        from . import io

        return io.open_dataset(self.data_dir)

    def scoped(self, df: pd.DataFrame, column: str = "city") -> pd.DataFrame:
        """Restrict a table to this run's scope.

        Parameters
        ----------
        df : DataFrame
            Rows with a city column.
        column : str, default "city"
            Name of the city column.

        Returns
        -------
        DataFrame
            ``df`` itself for the province, else the rows of the scope's city.
        """
        if self.scope == config.PROVINCE:
            return df
        if column not in df.columns:
            raise KeyError(f"cannot restrict to {self.scope}: no column {column!r}")
        return df.loc[df[column] == self.scope]


# --- checks -----------------------------------------------------------------------------


def check_parameters(
    *,
    quarter: Any = _MISSING,
    scope: Any = _MISSING,
    data_dir: Any = _MISSING,
    compare_to: Any = _MISSING,
    lang: Any = _MISSING,
    min_base: Any = _MISSING,
    seed: Any = _MISSING,
    engine: Any = _MISSING,
    require_data: bool = True,
    month: Any = "",
    **unknown: Any,
) -> Params:
    """Check the parameters of a report run and resolve them.

    Parameters
    ----------
    quarter, scope, data_dir, compare_to, lang, min_base, seed, engine
        The values of the notebook's parameters cell (see :data:`PARAMETERS`). All
        are required; ``data_dir=""`` means the demo data set.
    month : str, optional
        A month ``YYYY-MM`` (:data:`MONTH_PARAMETERS`): the run scores as of its end;
        ``quarter`` is then the quarter holding it (the value given is not used),
        ``compare_to`` is resolved in months (:func:`resolve_month_comparison`) and no
        survey file is required (the batch checks the month's KPI counts,
        :func:`gotone_analysis.runner.plan.check_month_inputs`).
    require_data : bool, default True
        Check that survey data for ``quarter`` is present in ``data_dir``.
    **unknown
        Any other name is an error.

    Returns
    -------
    Params
        The checked, resolved parameters.

    Raises
    ------
    UsageError
        Naming every parameter that is unknown, missing, of the wrong type or out of
        range, or the quarter that has no survey data.
    """
    given = {"quarter": quarter, "scope": scope, "data_dir": data_dir,
             "compare_to": compare_to, "lang": lang, "min_base": min_base, "seed": seed,
             "engine": engine}
    problems: list[str] = []
    if unknown:
        problems.append(_unknown_message(unknown))
    missing = [k for k, v in given.items() if v is _MISSING]
    if missing:
        problems.append("missing parameter(s): " + ", ".join(missing))
    for name, value in given.items():
        if value is not _MISSING:
            msg = _type_problem(name, value, PARAMETERS[name])
            if msg:
                problems.append(msg)
    if not isinstance(month, str):
        problems.append(f"parameter month must be str (like '2010-05'), got "
                        f"{type(month).__name__} {month!r}")
    elif month:
        try:
            given["quarter"] = config.month_quarter(month)
        except ValueError as exc:
            problems.append(f"parameter month: {exc}")
    if problems:
        raise UsageError("; ".join(problems))
    if month:
        return _resolve_month(given, month)
    return _resolve(given, require_data=require_data)


def _resolve_month(given: dict[str, Any], month: str) -> Params:
    """A monthly run's parameters: the quarterly checks, comparisons in months."""
    base = _resolve({**given, "compare_to": "previous"}, require_data=False)
    compare_to, label = resolve_month_comparison(month, given["compare_to"], base.lang)
    return Params(quarter=base.quarter, scope=base.scope, data_dir=base.data_dir,
                  compare_to=compare_to, compare_label=label, lang=base.lang,
                  min_base=base.min_base, seed=base.seed, engine=base.engine, month=month)


def resolve_month_comparison(month: str, compare_to: str, lang: str = "zh"
                             ) -> tuple[str, str]:
    """Resolve a monthly run's ``compare_to`` to a month and its label.

    Parameters
    ----------
    month : str
        The report month, ``YYYY-MM``.
    compare_to : str
        ``"previous"`` (the month before), ``"year_ago"`` (the same month a year
        before) or an earlier month ``YYYY-MM``.
    lang : {"zh", "en"}
        Language of the label.

    Returns
    -------
    tuple of str
        ``(comparison month, label)``, e.g. ``("2010-04", "上月")``.

    Raises
    ------
    UsageError
        When ``compare_to`` is neither keyword nor a month before ``month``.
    """
    this = config.parse_month(month)
    if compare_to in MONTH_COMPARISONS:
        return (str(this - MONTH_COMPARISONS[compare_to]),
                labels.text(f"params.compare.{compare_to}_month", lang))
    try:
        other = config.parse_month(compare_to)
    except ValueError:
        raise UsageError("parameter compare_to of a monthly run must be 'previous', "
                         f"'year_ago' or a month YYYY-MM, got {compare_to!r}") from None
    if other >= this:
        raise UsageError(f"parameter compare_to must be a month before {month}, "
                         f"got {compare_to!r}")
    return compare_to, compare_to


def _unknown_message(unknown: Mapping[str, Any]) -> str:
    names = ", ".join(sorted(unknown))
    return f"unknown parameter(s): {names} (expected: {', '.join(PARAMETERS)})"


def _type_problem(name: str, value: Any, default: Any) -> str | None:
    """A message when ``value`` does not have the type of the literal ``default``."""
    want = type(default)
    ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok and want is str and isinstance(value, Path) and name == "data_dir":
        ok = True
    if ok:
        return None
    return (f"parameter {name} must be {want.__name__} (like {default!r}), "
            f"got {type(value).__name__} {value!r}")


def _resolve(given: dict[str, Any], *, require_data: bool) -> Params:
    problems: list[str] = []
    quarter = given["quarter"]
    try:
        config.parse_quarter(quarter)
    except ValueError as exc:
        problems.append(f"parameter quarter: {exc}")
    scope = given["scope"]
    if scope not in config.SCOPES:
        problems.append(f"parameter scope must be one of {', '.join(config.SCOPES)}, got {scope!r}")
    lang = given["lang"]
    if lang not in LANGS:
        problems.append(f"parameter lang must be one of {', '.join(LANGS)}, got {lang!r}")
    min_base = given["min_base"]
    if min_base < 1:
        problems.append(f"parameter min_base must be >= 1, got {min_base!r}")
    seed = given["seed"]
    if seed < 0:
        problems.append(f"parameter seed must be >= 0, got {seed!r}")
    engine = given["engine"]
    if engine not in ENGINES:
        problems.append(f"parameter engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    raw_dir = given["data_dir"]
    data_dir = (Path(raw_dir) if str(raw_dir) else config.default_data_dir()).expanduser()
    data_dir = data_dir.resolve()
    if not data_dir.is_dir():
        problems.append(f"parameter data_dir: no such folder {str(raw_dir) or data_dir.name!r}"
                        + ("" if str(raw_dir) else " (run `gotone demo-data` or `make demo`)"))
    compare_to, compare_label = given["compare_to"], ""
    if not problems:
        try:
            compare_to, compare_label = resolve_comparison(quarter, compare_to, lang)
        except UsageError as exc:
            problems.append(str(exc))
    if problems:
        raise UsageError("; ".join(problems))

    warnings: list[str] = []
    present = survey_quarters(data_dir)
    if require_data and quarter not in present:
        have = ", ".join(present) if present else "none"
        raise UsageError(f"parameter quarter: no survey data for {quarter} in data_dir "
                         f"{data_dir.name!r} (quarters present: {have})")
    if compare_to not in present:
        warnings.append(labels.text("params.no_comparison_data", lang, quarter=compare_to,
                                    label=compare_label))
    return Params(quarter=quarter, scope=scope, data_dir=data_dir, compare_to=compare_to,
                  compare_label=compare_label, lang=lang, min_base=int(min_base),
                  seed=int(seed), engine=engine, warnings=tuple(warnings))


def resolve_comparison(quarter: str, compare_to: str, lang: str = "zh") -> tuple[str, str]:
    """Resolve ``compare_to`` to a quarter and its label: the one resolver of comparisons.

    Parameters
    ----------
    quarter : str
        The report quarter, ``YYYYQn``.
    compare_to : str
        ``"previous"``, ``"year_ago"`` or an earlier quarter ``YYYYQn``.
    lang : {"zh", "en"}
        Language of the label.

    Returns
    -------
    tuple of str
        ``(comparison quarter, label)``, e.g. ``("2010Q3", "上季度")``.

    Raises
    ------
    UsageError
        When ``compare_to`` is neither keyword nor a quarter before ``quarter``.
    """
    if compare_to in COMPARISONS:
        return (config.shift_quarter(quarter, -COMPARISONS[compare_to]),
                labels.text(f"params.compare.{compare_to}", lang))
    try:
        other = config.parse_quarter(compare_to)
    except ValueError:
        raise UsageError(
            "parameter compare_to must be 'previous', 'year_ago' or a quarter YYYYQn, "
            f"got {compare_to!r}") from None
    if other >= config.parse_quarter(quarter):
        raise UsageError(f"parameter compare_to must be a quarter before {quarter}, "
                         f"got {compare_to!r}")
    return compare_to, compare_to


def survey_quarters(data_dir: Path) -> tuple[str, ...]:
    """The quarters with a survey file in ``data_dir/survey``.

    Survey files carry their wave in the name (``survey_2010Q4.csv``, ``2010q4`` too; any
    format :mod:`gotone_analysis.io` reads). The files and quarters are found exactly as
    :func:`gotone_analysis.io.open_dataset` finds them (:func:`~gotone_analysis.io.data_files`
    and :func:`~gotone_analysis.io.quarter_from_name`), but this looks at names only and
    reads nothing, so it is cheap enough to run before any kernel starts.

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder.

    Returns
    -------
    tuple of str
        Sorted quarters ``YYYYQn``.
    """
    from .io import data_files, quarter_from_name

    found = {quarter_from_name(f) for f in data_files(Path(data_dir) / "survey")}
    return tuple(sorted(found - {None}))


# --- the notebook's parameters cell ------------------------------------------------------


def parse_quarters(text: str, data_dir: Path | str | None = None) -> list[str]:
    """Resolve the batch's ``--quarter``: one quarter, a range or ``all``.

    Parameters
    ----------
    text : str
        ``YYYYQn`` (that quarter), ``YYYYQn:YYYYQn`` (the quarters of that range, ends
        included, that the survey files hold) or ``all`` (every quarter the survey
        files hold). A comma-separated list of these is accepted too.
    data_dir : path, optional
        Data folder whose ``survey/`` files say which quarters exist (needed for a
        range or ``all``).

    Returns
    -------
    list of str
        Quarters ``YYYYQn``, sorted, without repeats.

    Raises
    ------
    UsageError
        For a malformed quarter, a range whose end precedes its start, or a range or
        ``all`` that holds no surveyed quarter.
    """
    items = [x.strip() for x in str(text).split(",") if x.strip()]
    if not items:
        raise UsageError("parameter quarter: give YYYYQn, a range YYYYQn:YYYYQn or all")
    present = survey_quarters(Path(data_dir)) if data_dir is not None else ()
    chosen: set[str] = set()
    for item in items:
        if item.lower() == "all":
            if not present:
                raise UsageError("parameter quarter: all, but the data folder has no "
                                 "survey files")
            chosen.update(present)
            continue
        ends = item.split(":")
        try:
            periods = [config.parse_quarter(e.strip().upper()) for e in ends]
        except ValueError as exc:
            raise UsageError(f"parameter quarter: {exc}") from None
        if len(periods) == 1:
            chosen.add(config.quarter_str(periods[0]))
            continue
        if len(periods) != 2 or periods[1] < periods[0]:
            raise UsageError(f"parameter quarter: a range is FIRST:LAST with FIRST not "
                             f"after LAST, got {item!r}")
        inside = [q for q in present
                  if periods[0] <= config.parse_quarter(q) <= periods[1]]
        if not inside:
            raise UsageError(f"parameter quarter: no survey data for any quarter of {item} "
                             f"(quarters present: {', '.join(present) or 'none'})")
        chosen.update(inside)
    return sorted(chosen, key=config.parse_quarter)


def kpi_months(data_dir: Path | str) -> tuple[str, ...]:
    """The months the KPI files of ``data_dir`` hold (any city), sorted.

    Reads the KPI files once (:meth:`gotone_analysis.io.Dataset.kpi`, validated against
    the data contract); no ``kpi/`` folder gives none.

    Returns
    -------
    tuple of str
        Months ``YYYY-MM``.
    """
    from .io import open_dataset

    if not (Path(data_dir) / "kpi").is_dir():
        return ()
    months = open_dataset(Path(data_dir)).kpi()["month"].astype(str)
    return tuple(sorted(set(months), key=config.parse_month))


def _span(months: tuple[str, ...]) -> str:
    return f"{months[0]} to {months[-1]}" if months else "none"


def parse_months(text: str, data_dir: Path | str | None = None) -> list[str]:
    """Resolve the batch's ``--month``: one month, a range, a list or ``all``.

    Parameters
    ----------
    text : str
        ``YYYY-MM`` (that month), ``YYYY-MM:YYYY-MM`` (the months of that range, ends
        included, that the KPI files hold) or ``all`` (every month the KPI files hold); a
        comma-separated list of these too.
    data_dir : path, optional
        Data folder whose ``kpi/`` files say which months exist.

    Returns
    -------
    list of str
        Months ``YYYY-MM``, sorted, without repeats.

    Raises
    ------
    UsageError
        For a malformed month (``2010-13``), a range whose end precedes its start, a
        month the KPI files do not hold, or a range or ``all`` that holds none.
    """
    items = [x.strip() for x in str(text).split(",") if x.strip()]
    if not items:
        raise UsageError("parameter month: give YYYY-MM, a range YYYY-MM:YYYY-MM or all")
    for item in items:
        for end in ([] if item.lower() == "all" else item.split(":")):
            try:
                config.parse_month(end.strip())
            except ValueError as exc:
                raise UsageError(f"parameter month: {exc}") from None
    present = kpi_months(data_dir) if data_dir is not None else ()
    chosen: set[str] = set()
    for item in items:
        if item.lower() == "all":
            if not present:
                raise UsageError("parameter month: all, but the data folder has no KPI counts")
            chosen.update(present)
            continue
        periods = [config.parse_month(e.strip()) for e in item.split(":")]
        if len(periods) == 1:
            if data_dir is not None and str(periods[0]) not in present:
                raise UsageError(f"parameter month: no KPI counts for {periods[0]} in the data "
                                 f"folder (months present: {_span(present)})")
            chosen.add(str(periods[0]))
            continue
        if len(periods) != 2 or periods[1] < periods[0]:
            raise UsageError(f"parameter month: a range is FIRST:LAST with FIRST not after "
                             f"LAST, got {item!r}")
        inside = [m for m in present if periods[0] <= config.parse_month(m) <= periods[1]]
        if not inside:
            raise UsageError(f"parameter month: no KPI counts for any month of {item} "
                             f"(months present: {_span(present)})")
        chosen.update(inside)
    return sorted(chosen, key=config.parse_month)


def read_parameters_cell(notebook: Path) -> dict[str, Any]:
    """Read the declared parameters of a notebook.

    Parameters
    ----------
    notebook : pathlib.Path
        An ``.ipynb`` file with exactly one cell tagged ``parameters``.

    Returns
    -------
    dict
        Name -> literal default value, in the cell's order.

    Raises
    ------
    UsageError
        When the notebook has no or several ``parameters`` cells, or the cell holds
        anything other than assignments of literals to names.
    """
    notebook = Path(notebook)
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read notebook {notebook.name}: {exc}") from None
    cells = [c for c in nb.get("cells", [])
             if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise UsageError(f"notebook {notebook.name} must have exactly one cell tagged "
                         f"'parameters', found {len(cells)}")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise UsageError(f"notebook {notebook.name}: parameters cell is not valid "
                         f"Python: {exc}") from None
    declared: dict[str, Any] = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, value = node.target.id, node.value
        else:
            raise UsageError(f"notebook {notebook.name}: the parameters cell may only assign "
                             f"literal values to names (line {node.lineno})")
        try:
            declared[name] = ast.literal_eval(value)
        except ValueError:
            raise UsageError(f"notebook {notebook.name}: parameter {name} must have a literal "
                             f"default (line {node.lineno})") from None
    return declared


def check_run_parameters(notebook: Path, values: Mapping[str, Any], *,
                         require_data: bool = True) -> Params:
    """Check the values a batch passes to a notebook, before a kernel starts.

    Parameters
    ----------
    notebook : pathlib.Path
        The report notebook.
    values : mapping
        Parameter name -> value, as papermill would inject them.
    require_data : bool, default True
        Check that survey data for the quarter is present.

    Returns
    -------
    Params
        The resolved parameters (as the notebook's second cell will compute them).

    Raises
    ------
    UsageError
        Naming the notebook and every parameter that the notebook does not declare
        (unknown), that is required but neither declared nor given (missing), whose
        type differs from the declared default, or whose value is invalid.
    """
    notebook = Path(notebook)
    declared = read_parameters_cell(notebook)
    problems = []
    unknown = sorted(set(values) - set(declared))
    if unknown:
        problems.append("unknown parameter(s): " + ", ".join(unknown)
                        + f" (declared: {', '.join(declared)})")
    not_declared = [k for k in PARAMETERS if k not in declared]
    if not_declared:
        problems.append("missing parameter(s) in the parameters cell: " + ", ".join(not_declared))
    for name, value in values.items():
        if name in declared:
            msg = _type_problem(name, value, declared[name])
            if msg:
                problems.append(msg)
    if problems:
        raise UsageError(f"{notebook.stem}: " + "; ".join(problems))
    merged = {**declared, **values}
    monthly = {k: merged[k] for k in MONTH_PARAMETERS if k in merged}
    try:
        return check_parameters(require_data=require_data,
                                **{k: merged[k] for k in PARAMETERS}, **monthly)
    except UsageError as exc:
        raise UsageError(f"{notebook.stem}: {exc}") from None
