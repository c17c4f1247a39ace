"""What a batch runs: the (report, scope, quarter) tasks, checked and in order.

* :func:`default_notebook_dir`, :func:`parse_scopes` and :func:`find_reports` resolve
  which notebooks and scopes a batch runs;
* :func:`plan_runs` checks every notebook's parameters and :func:`check_inputs` every
  input file, before any kernel starts or anything is written; a monthly batch
  (``--month``) runs :func:`monthly_reports` of :func:`plan_months`, and
  :func:`check_month_inputs` refuses a month whose KPI counts miss a city;
* :func:`make_tasks` turns the plan into :class:`Task` objects, each naming this
  machine's folders as published files show them (:func:`path_redactions`), and
  :func:`start_order` is the order the batch submits them in.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import batch_prep, config
from ..errors import UsageError
from ..params import check_run_parameters, read_parameters_cell

#: Environment variable naming another folder of report notebooks (tests, development).
NOTEBOOKS_ENV = "GOTONE_NOTEBOOKS"


@dataclass(frozen=True)
class Task:
    """One notebook run: a report for a scope."""

    report: str
    scope: str
    quarter: str
    notebook: Path
    parameters: dict[str, Any]
    staging: Path
    cache_dir: Path
    lang: str
    cell_timeout: int | None = None
    #: Published name of the notebook (``notebooks/<report>.ipynb``).
    notebook_name: str = ""
    #: This machine's folders -> neutral names, for everything published.
    redactions: tuple[tuple[str, str], ...] = ()
    #: The batch's output folder (a report reading other reports' published metrics
    #: finds them there, through ``$GOTONE_OUTPUT_DIR``).
    out_dir: Path | None = None
    #: Whether the kernel reads and writes the batch's shared results
    #: (:mod:`gotone_analysis.cache`); False computes everything in the kernel.
    use_cache: bool = True



def default_notebook_dir() -> Path:
    """The report notebooks shipped with the project (``notebooks/``)."""
    return config.project_root() / "notebooks"


def parse_scopes(text: str | Sequence[str]) -> list[str]:
    """Resolve ``province``, ``all`` or a comma-separated list of scopes.

    Returns
    -------
    list of str
        Scopes in :data:`gotone_analysis.config.SCOPES` order, without repeats.

    Raises
    ------
    UsageError
        Naming any unknown scope.
    """
    items = [s.strip() for s in (text.split(",") if isinstance(text, str) else text)]
    items = [s for s in items if s]
    if not items:
        raise UsageError("parameter scope: give province, all or city codes")
    if "all" in items:
        return list(config.SCOPES)
    unknown = [s for s in items if s not in config.SCOPES]
    if unknown:
        raise UsageError(f"parameter scope: unknown scope(s) {', '.join(unknown)} "
                         f"(choose from all, {', '.join(config.SCOPES)})")
    return [s for s in config.SCOPES if s in items]


def find_reports(notebook_dir: Path, names: str | Sequence[str] | None = None) -> list[str]:
    """The report notebooks to run.

    Parameters
    ----------
    notebook_dir : pathlib.Path
        Folder of ``<report>.ipynb`` files.
    names : str or sequence of str, optional
        Comma-separated or listed report names; default every notebook in the folder.

    Returns
    -------
    list of str
        Report names, in :data:`gotone_analysis.config.REPORTS` order then by name.

    Raises
    ------
    UsageError
        When a named report has no notebook, or the folder has none.
    """
    notebook_dir = Path(notebook_dir)
    present = sorted(p.stem for p in notebook_dir.glob("*.ipynb") if not p.name.startswith("."))
    if names is None:
        chosen = present
    else:
        chosen = [n.strip() for n in (names.split(",") if isinstance(names, str) else names)]
        chosen = [n for n in chosen if n]
        missing = [n for n in chosen if n not in present]
        if missing:
            raise UsageError(f"parameter reports: no notebook for {', '.join(missing)} "
                             f"(available: {', '.join(present) or 'none'})")
    if not chosen:
        raise UsageError(f"no report notebooks in {notebook_dir.name}/")
    order = list(config.REPORTS)
    return sorted(set(chosen), key=lambda n: (order.index(n) if n in order else len(order), n))



def plan_runs(notebook_dir: Path, names: Sequence[str], scopes: Sequence[str],
              quarters: Sequence[str], *, data_dir: Path, compare_to: str, lang: str,
              min_base: int | None = None, seed: int | None = None,
              engine: str | None = None,
              month: str | None = None) -> list[tuple[str, str, dict[str, Any], Path]]:
    """Every (report, scope, quarter) run of a batch, its parameters checked.

    Parameters
    ----------
    notebook_dir : pathlib.Path
        Folder of the report notebooks.
    names, scopes, quarters : sequence of str
        Reports (:func:`find_reports`), scopes (:func:`parse_scopes`) and quarters.
    data_dir : pathlib.Path
        The data folder (passed to the notebooks as an absolute path).
    compare_to, lang, min_base, seed, engine
        Notebook parameters; ``None`` keeps the notebook's default.
    month : str, optional
        A monthly run's month (:func:`plan_months`), passed as the ``month`` parameter.

    Returns
    -------
    list of tuple
        ``(report, scope, parameters, notebook path)`` by quarter, report, scope.

    Raises
    ------
    UsageError
        For any bad parameter of any notebook, before anything starts or is written.
    """
    base = {"data_dir": str(data_dir.expanduser().resolve()),
            "compare_to": compare_to, "lang": lang}
    if min_base is not None:
        base["min_base"] = min_base
    if seed is not None:
        base["seed"] = seed
    if engine is not None:
        base["engine"] = engine
    if month is not None:
        base["month"] = month
    plan: list[tuple[str, str, dict[str, Any], Path]] = []
    for q in quarters:
        for name in names:
            for sc in scopes:
                values = {**base, "quarter": q, "scope": sc}
                check_run_parameters(notebook_dir / f"{name}.ipynb", values,
                                     require_data=month is None)
                values = _without_defaults(notebook_dir / f"{name}.ipynb", values)
                plan.append((name, sc, values, notebook_dir / f"{name}.ipynb"))
    return plan


#: Parameters left out of a run when their value is the notebook's own default.
OPTIONAL_PARAMETERS = ("min_base", "seed", "engine")


def _without_defaults(notebook: Path, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without the optional parameters that equal the notebook's defaults:
    naming a default (``--engine duckdb``) makes the same run, the same executed notebook
    and so the same reuse decision as leaving it out."""
    declared = read_parameters_cell(notebook)
    return {k: v for k, v in values.items()
            if k not in OPTIONAL_PARAMETERS or k not in declared or v != declared[k]}


def quarterly_reports(names: Sequence[str], chosen: bool = False) -> list[str]:
    """The reports of a quarterly batch: ``names`` without those that run only monthly.

    Parameters
    ----------
    names : sequence of str
        :func:`find_reports`.
    chosen : bool
        The names were asked for (``--reports``): a monthly-only one is then an error.

    Raises
    ------
    UsageError
        Naming a monthly-only report asked for, or when none is left.
    """
    only = [n for n in names if n in config.MONTHLY_REPORTS and n not in config.REPORTS]
    if chosen and only:
        raise UsageError(f"parameter reports: {', '.join(only)} runs with --month only")
    return [n for n in names if n not in only]


def monthly_reports(names: Sequence[str], chosen: bool = False) -> list[str]:
    """The reports of a monthly batch (:data:`gotone_analysis.config.MONTHLY_REPORTS`).

    Parameters
    ----------
    names : sequence of str
        :func:`find_reports`.
    chosen : bool
        The names were asked for (``--reports``): one that cannot run monthly is then an
        error; otherwise the others are left out.

    Returns
    -------
    list of str
        In :data:`gotone_analysis.config.MONTHLY_REPORTS` order.

    Raises
    ------
    UsageError
        Naming a report asked for that has no monthly run, or when none is left.
    """
    order = list(config.MONTHLY_REPORTS)
    other = [n for n in names if n not in order]
    if chosen and other:
        raise UsageError(f"parameter reports: {', '.join(other)} has no monthly run "
                         f"(with --month: {', '.join(order)})")
    kept = sorted((n for n in names if n in order), key=order.index)
    if not kept:
        raise UsageError(f"parameter month: no monthly report notebook ({', '.join(order)})")
    return kept


def plan_months(notebook_dir: Path, names: Sequence[str], scopes: Sequence[str],
                months: Sequence[str], *, data_dir: Path, compare_to: str, lang: str,
                min_base: int | None = None, seed: int | None = None,
                engine: str | None = None) -> list[tuple[str, str, dict[str, Any], Path]]:
    """Every (report, scope, month) run of a monthly batch, its parameters checked.

    As :func:`plan_runs`, with each run's ``month`` (``YYYY-MM``) and ``quarter`` the
    quarter holding it; ``compare_to`` is resolved in months
    (:func:`gotone_analysis.params.resolve_month_comparison`). No survey file is
    required (:func:`check_month_inputs` checks the KPI counts).

    Returns
    -------
    list of tuple
        ``(report, scope, parameters, notebook path)`` by month, report, scope.

    Raises
    ------
    UsageError
        For any bad parameter of any notebook, before anything starts or is written.
    """
    plan: list[tuple[str, str, dict[str, Any], Path]] = []
    for month in months:
        quarter = config.month_quarter(month)
        for name, sc, values, nb in plan_runs(notebook_dir, names, scopes, [quarter],
                                              data_dir=data_dir, compare_to=compare_to,
                                              lang=lang, min_base=min_base, seed=seed,
                                              engine=engine, month=month):
            plan.append((name, sc, values, nb))
    return plan


def check_month_inputs(data_dir: Path, months: Sequence[str], scopes: Sequence[str]) -> None:
    """Refuse months whose KPI counts miss a city the scopes need, before any kernel.

    The province needs every city; a city itself. A month is scored from the counts of
    every month from January of its year (year-to-date sums) to it, so each of those
    months must hold a row for each city needed.

    Raises
    ------
    DataError
        Naming every month and city without KPI counts (the KPI files are read as
        :meth:`gotone_analysis.io.Dataset.kpi` reads them).
    """
    from .. import io
    from ..errors import DataError

    kpi = io.open_dataset(Path(data_dir)).kpi()
    held = set(zip(kpi["month"].astype(str), kpi["city"].astype(str), strict=True))
    cities = (list(config.CITY_CODES) if config.PROVINCE in scopes
              else [s for s in config.CITY_CODES if s in scopes])
    missing: dict[str, list[str]] = {}
    for month in months:
        end = config.parse_month(month)
        for p in [m for m in (end - k for k in range(end.month)) if m.year == end.year]:
            for city in cities:
                if (str(p), city) not in held:
                    missing.setdefault(month, [])
                    if f"{city} ({p})" not in missing[month]:
                        missing[month].append(f"{city} ({p})")
    if missing:
        lines = [f"  - {m}: no KPI counts for {', '.join(c)}" for m, c in missing.items()]
        raise DataError("kpi/: the month(s) cannot be scored, KPI rows are missing for a "
                        "city (a month needs every month from January of its year):\n"
                        + "\n".join(lines),
                        [{"file": "kpi/", "column": "city", "rule": "month without a city",
                          "count": len(c), "rows": [], "message": f"{m}: {', '.join(c)}"}
                         for m, c in missing.items()])


def check_inputs(data_dir: Path, checked: dict | None = None) -> list[str]:
    """Validate every input of ``data_dir`` against the contract, before any kernel.

    The batch calls this before it starts a kernel or writes anything, so bad input
    stops the whole run with one message (every problem of every input: file, column,
    rule, rows) and leaves the output folder untouched. Every survey, KPI and benchmark
    file is read and validated in full, the survey waves must share one design
    (:func:`gotone_analysis.schema.check_waves`), and the customer panel gets the quick
    checks of :func:`gotone_analysis.schema.validate_panel` (columns, codes, months
    without a gap, numeric ranges, partition folders: a few aggregate scans in DuckDB).
    The panel's costly checks (the duplicate-key scan, the soft plausibility rules) run
    once per batch while the kernels work (:func:`gotone_analysis.batch_prep.prepare_batch`).

    Parameters
    ----------
    data_dir : Path
        The data folder.
    checked : dict, optional
        Receives what the checks found that later work builds on: ``"panel"``, the quick
        validation's result (for ``validate_panel(..., checked=...)``, which then adds
        only the costly checks).

    Returns
    -------
    list of str
        The warnings found (values implausible against their file's own distribution),
        one line each; they do not stop the batch.

    Raises
    ------
    DataError
        Listing every problem found.
    UsageError
        When the data folder is missing.
    """
    from .. import io, schema
    from ..errors import DataError

    root = Path(data_dir)
    ds = io.open_dataset(root)
    checks = [ds.survey]
    checks += [load for kind, load in (("kpi", ds.kpi), ("benchmark", ds.benchmark))
               if (root / kind).is_dir()]
    found = checked if checked is not None else {}
    if (root / "panel").is_dir():
        def panel() -> None:
            found["panel"] = schema.validate_panel(root / "panel", file="panel/", quick=True)

        checks.append(panel)
    problems: list[schema.Problem] = []
    for check in checks:
        try:
            check()
        except DataError as exc:
            if not exc.problems:
                raise
            problems += [schema.Problem(**p) for p in exc.problems]
    schema.raise_if_errors(problems)
    return [schema.Problem(**w).line() for w in ds.warnings()]


def path_redactions(data_dir: Path, out_dir: Path) -> tuple[tuple[str, str], ...]:
    """This machine's folders and the names published files use for them.

    Returns
    -------
    tuple of (str, str)
        Folder (as given and resolved) -> neutral name: the data folder ``<data>``, the
        output folder ``<output>``, the project and the folder holding the package
        ``<project>``, Python's prefixes ``<python>`` and the home folder ``~``; for
        :func:`gotone_analysis.report.redact_paths`.
    """
    pairs = [(data_dir, "<data>"), (out_dir, "<output>"), (config.project_root(), "<project>"),
             (Path(__file__).resolve().parents[2], "<project>")]
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        pairs.append((Path(prefix), "<python>"))
    with contextlib.suppress(RuntimeError, KeyError):
        pairs.append((Path.home(), "~"))
    out: list[tuple[str, str]] = []
    for folder, label in pairs:
        for variant in {str(folder), str(folder.resolve())}:
            if variant not in ("", "/") and variant not in (o[0] for o in out):
                out.append((variant, label))
    return tuple(out)


def _period(values: dict[str, Any]) -> str:
    """What a run reports on, as its folders are named: its month, else its quarter."""
    return values.get("month") or values["quarter"]


def _notebook_name(notebook: Path) -> str:
    """A notebook's name as published: relative to the project, else ``<folder>/<name>``."""
    try:
        return notebook.resolve().relative_to(config.project_root()).as_posix()
    except ValueError:
        return f"{notebook.parent.name}/{notebook.name}"



def make_tasks(plan: Sequence[tuple[str, str, dict[str, Any], Path]], *, run_dir: Path,
               cache_dir: Path, out_dir: Path, data_dir: Path, lang: str,
               cell_timeout: int | None = None, use_cache: bool = True) -> list[Task]:
    """The batch's tasks, one per planned run (:func:`plan_runs`), in the plan's order.

    Each task stages its files in ``<run_dir>/<quarter>/<scope>/`` (a monthly run's in
    ``<run_dir>/<YYYY-MM>/<scope>/``, its ``quarter`` the month) and carries the
    batch's folders as published files name them (:func:`path_redactions`).

    Returns
    -------
    list of Task
    """
    redactions = path_redactions(data_dir.expanduser().resolve(), out_dir)
    return [Task(report=name, scope=sc, quarter=_period(values), notebook=nb_path,
                 parameters=values, staging=run_dir / _period(values) / sc,
                 cache_dir=cache_dir,
                 lang=lang, cell_timeout=cell_timeout, notebook_name=_notebook_name(nb_path),
                 redactions=redactions, out_dir=out_dir, use_cache=use_cache)
            for name, sc, values, nb_path in plan]


def start_order(tasks: Sequence[Task]) -> list[Task]:
    """The order the batch submits its tasks in: the panel's readers last.

    The other reports run while the batch process validates the panel once
    (:func:`gotone_analysis.batch_prep.prepare_batch`).

    Returns
    -------
    list of Task
        ``tasks`` with those of :data:`gotone_analysis.batch_prep.PANEL_REPORTS` moved to
        the end, each group in its original order.
    """
    return sorted(tasks, key=lambda t: t.report in batch_prep.PANEL_REPORTS)
