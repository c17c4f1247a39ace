"""The package's layout rules: every module says what it holds, no private cross-imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import gotone_analysis

PACKAGE = Path(gotone_analysis.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))
SIBLINGS = sorted({p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir()
                                                            if (p / "__init__.py").exists()})


def test_every_module_opens_with_a_docstring():
    missing = [p.relative_to(PACKAGE).as_posix() for p in MODULES
               if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert missing == []


def test_no_module_imports_another_modules_private_names():
    offenders = []
    attr = re.compile(rf"(?<![\w.])({'|'.join(map(re.escape, SIBLINGS))})\._[a-z]\w*")
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                offenders += [f"{path.name}: from {'.' * node.level}{node.module} import {a.name}"
                              for a in node.names if a.name.startswith("_")
                              and a.name != "__version__"]
        offenders += [f"{path.name}: {m.group(0)}" for m in attr.finditer(text)]
    assert offenders == []


def test_the_packages_are_where_the_readme_says():
    for name in ("labels", "plots", "io", "reports", "runner"):
        assert (PACKAGE / name / "__init__.py").is_file(), name
    for name in ("provenance", "report", "pages", "publish", "cli", "lab"):
        assert (PACKAGE / f"{name}.py").is_file(), name
    layout = (PACKAGE.parent / "README.md").read_text(encoding="utf-8").split("### Layout", 1)[1]
    for name in ("labels/", "reports/", "plots/", "io/", "provenance", "pages", "publish"):
        assert name in layout, name


TESTS = PACKAGE.parent / "tests"


def test_no_test_uses_a_private_name_of_the_package():
    offenders = []
    attr = re.compile(r"\b(?:gotone_analysis(?:\.\w+)*|[a-z_]+)\._[a-z]\w*")
    package_modules = {p.stem for p in MODULES} | {p.name for p in PACKAGE.rglob("*")
                                                  if (p / "__init__.py").exists()}
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "gotone_analysis"):
                offenders += [f"{path.name}: from {node.module} import {a.name}"
                              for a in node.names if a.name.startswith("_")
                              and not a.name.startswith("__")]
                aliases |= {a.asname or a.name for a in node.names}
            elif isinstance(node, ast.Import):
                aliases |= {(a.asname or a.name).split(".")[0] for a in node.names
                            if a.name.startswith("gotone_analysis")}
            elif (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                  and not node.attr.startswith("__")
                  and isinstance(node.value, ast.Name)
                  and node.value.id in (aliases & (package_modules | {"gotone_analysis"}))
                  | (aliases - package_modules)):
                offenders.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    assert offenders == [], attr.pattern


#: Modules that hold the report-wide policy; no other module writes an interval level,
#: a significance level or a normal quantile as a literal.
POLICY_MODULE = PACKAGE / "policy.py"


def test_no_literal_interval_level_or_quantile_outside_the_policy_module():
    rules = [
        (re.compile(r"norm\.ppf|\bppf\("), "a normal quantile (policy.quantile)"),
        (re.compile(r"\b1\.96\b|\b1\.645\b|\b2\.576\b"), "a literal z value"),
        (re.compile(r"\blevel\w*\s*(?::\s*[\w| ]+)?=\s*0?\.\d"), "a literal interval level"),
        (re.compile(r"\balpha\w*\s*:\s*[\w| ]+=\s*0?\.\d|\b[A-Z_]*ALPHA\w*\s*(?::[^=]+)?=\s*0?\.\d"),
         "a literal significance level"),
        (re.compile(r"\b(?:min_base|MIN_BASE)\w*\s*(?::\s*[\w| ]+)?=\s*\d"),
         "a literal minimum base"),
    ]
    offenders = []
    for path in MODULES:
        if path == POLICY_MODULE or "demo" in path.relative_to(PACKAGE).parts:
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, what in rules:
                if pattern.search(code):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{no}: {what}: {line.strip()}")
    assert offenders == []


def test_the_rule_above_would_catch_a_literal(tmp_path):
    # the literal checks are only worth having if they match what they forbid
    samples = ["def f(x, level: float = 0.95):", "q = norm.ppf(0.975)", "z = 1.96 * se",
               "ALPHA = 0.05", "PRETEST_ALPHA = 0.05", "def g(alpha: float = 0.1):",
               "min_base: int = 30"]
    rules = [re.compile(r"norm\.ppf|\bppf\("), re.compile(r"\b1\.96\b"),
             re.compile(r"\blevel\w*\s*(?::\s*[\w| ]+)?=\s*0?\.\d"),
             re.compile(r"\balpha\w*\s*:\s*[\w| ]+=\s*0?\.\d|\b[A-Z_]*ALPHA\w*\s*(?::[^=]+)?=\s*0?\.\d"),
             re.compile(r"\b(?:min_base|MIN_BASE)\w*\s*(?::\s*[\w| ]+)?=\s*\d")]
    assert all(any(r.search(s) for r in rules) for s in samples)


#: Folders and modules whose pieces each stay under about 600 lines.
SIZE_LIMIT = 620


def test_report_panel_runner_and_scorecard_modules_stay_small():
    watched = [p for p in MODULES
               if p.relative_to(PACKAGE).parts[0] in ("reports", "panel", "runner")]
    assert watched, "the report, panel and runner folders are where the README says"
    big = {p.relative_to(PACKAGE).as_posix(): n for p in watched
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > SIZE_LIMIT}
    assert big == {}


def test_every_report_has_its_folder_and_notebooks_import_no_other_report():
    from gotone_analysis import config

    notebooks = PACKAGE.parent / "notebooks"
    for name in config.REPORTS:
        folder = PACKAGE / "reports" / name
        assert (folder / "__init__.py").is_file() and (folder / "catalog.py").is_file(), name
        text = (notebooks / f"{name}.ipynb").read_text(encoding="utf-8")
        others = set(re.findall(r"gotone_analysis\.reports\.(\w+)", text)) - {name}
        assert others == set(), (name, others)


def test_compute_modules_never_import_matplotlib():
    compute = [p for p in MODULES if p.stem in ("tables", "status", "actuals", "projection",
                                                "scores")
               and p.parent.parent.name == "reports"]
    compute += [p for p in MODULES if p.relative_to(PACKAGE).parts[0] in
                ("drivers", "effects", "panel")]
    compute += [PACKAGE / f"{m}.py" for m in ("survey", "compare", "policy", "replicates")]
    assert len(compute) > 10
    def imports(path: Path) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        names |= {f"{n.module}.{a.name}" for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom) for a in n.names}
        return names

    offenders = [p.relative_to(PACKAGE).as_posix() for p in compute
                 if any("matplotlib" in m or m.endswith(("plots", "figures")) or ".plots." in m
                        for m in imports(p))]
    assert offenders == []


def _module_name(path: Path) -> str:
    """The dotted name of a module file of the package (a package: its ``__init__.py``)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, from every import statement anywhere in it.

    A relative import is resolved against the module's package; importing a package counts
    as importing its ``__init__.py``; ``from package import name`` counts as importing the
    submodule ``name`` when there is one, else the package.
    """
    names = {_module_name(p): p for p in MODULES}
    root = PACKAGE.name
    graph: dict[str, set[str]] = {name: set() for name in names}

    def target(dotted: str) -> str | None:
        while dotted and dotted not in names:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported = [a.name for a in node.names if a.name.split(".")[0] == root]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = ".".join(base[:len(base) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                elif node.module and node.module.split(".")[0] == root:
                    base = node.module
                else:
                    continue
                imported = [f"{base}.{a.name}" if f"{base}.{a.name}" in names else base
                            for a in node.names]
            else:
                continue
            graph[name] |= {t for t in map(target, imported) if t is not None}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[tuple[list[str], set[str]]]:
    """The import circles of ``graph``: each strongly connected part that has one, as one
    shortest cycle through it (from its first module) and the part's modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    parts: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.add(w)
                if w == v:
                    break
            if len(part) > 1 or v in graph[v]:
                parts.append(part)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for part in parts:
        start = min(part)
        paths = {start: [start]}
        frontier = [start]
        while frontier:
            reached = []
            for v in frontier:
                for w in sorted(graph[v] & part):
                    if w not in paths:
                        paths[w] = paths[v] + [w]
                        reached.append(w)
            frontier = reached
        closing = min((len(paths[v]), v) for v in part if start in graph[v])[1]
        cycles.append((paths[closing] + [start], part))
    return sorted(cycles, key=lambda c: c[0])


def test_no_import_circles():
    circles = [" -> ".join(cycle) + (f"  (the circle takes in {', '.join(sorted(part))})"
                                     if len(part) > len(cycle) - 1 else "")
               for cycle, part in _cycles(_import_graph())]
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_every_notebook_is_valid_with_stable_cell_ids_and_no_outputs():
    # a notebook without cell ids gets new random ones every run (nbformat 4.5), so the
    # published copy of identical inputs would differ from run to run
    import warnings

    import nbformat

    for path in sorted((PACKAGE.parent / "notebooks").glob("*.ipynb")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), path.name
        ids = [c.get("id") for c in nb.cells]
        assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids), path.name
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name
