"""Tests for gotone_analysis.labels: one zh/en catalog, complete, no key defined twice."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gotone_analysis import config, labels
from gotone_analysis.errors import UsageError

PACKAGE = Path(labels.__file__).resolve().parent.parent


def test_every_key_has_both_languages_and_is_defined_once():
    seen: dict[str, str] = {}
    for name, section in labels.sections().items():
        for key, pair in section.items():
            assert key not in seen, f"{key} in {seen.get(key)} and {name}"
            seen[key] = name
            assert isinstance(pair, tuple) and len(pair) == 2, key
            assert all(isinstance(t, str) and t.strip() for t in pair), key
    assert set(seen) == set(labels.catalog())
    # a section module named like a function of the package does not replace it
    assert all(callable(getattr(labels, name)) for name in ("sections", "text", "merge"))
    assert {"common", "brand_equity", "data_quality", "report"} <= set(labels.sections())


def test_a_key_defined_twice_or_lacking_a_language_is_refused():
    with pytest.raises(labels.CatalogError, match="'x.a' is defined twice.*'one'.*'two'"):
        labels.merge({"one": {"x.a": ("甲", "A")}, "two": {"x.a": ("乙", "B")}})
    with pytest.raises(labels.CatalogError, match="non-empty"):
        labels.merge({"one": {"x.a": ("甲", "")}})
    with pytest.raises(labels.CatalogError, match="pair"):
        labels.merge({"one": {"x.a": ("甲",)}})


def test_codes_are_named_from_the_catalog():
    assert labels.code_label("xiamen", "zh") == "厦门"
    assert labels.code_label("gotone", "en") == "GoTone"
    assert labels.code_label("diamond", "zh") == "钻石卡"
    assert labels.code_label("care", "en") == "Customer-manager care"
    assert labels.code_label("influence", "zh") == "影响力"
    assert labels.code_label("province", "en") == "Province"
    assert labels.code_label("no_such_code", "en") == "no_such_code"
    for code in (*config.CITY_CODES, *config.BRAND_CODES, *config.TIER_CODES,
                 *config.LEVER_CODES, *config.BRAND_COMPONENTS):
        assert labels.has(f"code.{code}"), code
    for name in config.REPORTS:
        assert labels.has(f"report.title.{name}"), name
    assert labels.code_label("ningde", "en") == "Ningde"


def test_text_fills_fields_and_refuses_unknown_keys_and_languages():
    assert labels.text("column.ci", "en", level=labels.level_text(0.9)) == "90% interval"
    assert labels.level_text(0.975) == "97.5%"
    with pytest.raises(KeyError, match="no label"):
        labels.text("column.no_such", "zh")
    with pytest.raises(UsageError, match="lang must be one of zh, en"):
        labels.text("column.n", "de")


def _cjk_literals(path: Path) -> list[tuple[int, str]]:
    """String literals (not docstrings) holding Chinese characters."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docstrings and any("\u4e00" <= ch <= "\u9fff" for ch in n.value)]


def test_reports_print_no_chinese_text_from_outside_the_catalog():
    # business data (config: names kept with their codes; contract; the readers of
    # vendor files; the demo generator) and the catalog (labels/, each report's
    # catalog.py) may hold Chinese; nothing that prints may
    allowed = {"config.py", "contract.py", "io.py"}
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("labels", "demo", "io") or rel.name in allowed \
                or (rel.parts[0] == "reports" and rel.name == "catalog.py"):
            continue
        found = _cjk_literals(path)
        if found:
            offenders[rel.as_posix()] = found
    assert offenders == {}
