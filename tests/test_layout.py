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
    for name in ("labels", "plots", "io", "reports"):
        assert (PACKAGE / name / "__init__.py").is_file(), name
    for name in ("provenance", "report", "pages", "publish", "runner", "cli", "lab"):
        assert (PACKAGE / f"{name}.py").is_file(), name
    layout = (PACKAGE.parent / "README.md").read_text(encoding="utf-8").split("### Layout", 1)[1]
    for name in ("labels/", "reports/", "plots/", "io/", "provenance", "pages", "publish"):
        assert name in layout, name


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
