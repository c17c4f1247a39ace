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
