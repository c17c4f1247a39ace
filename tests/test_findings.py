"""The claim ledger: every sentence a report prints, with the keys, direction and rule it
rests on, published in ``metrics.json`` and the workbook; no metric key in the reader's text.

The unit tests build claims by hand; the page tests read the shared demo batches
(``demo_batches`` in ``conftest.py``: the province in Chinese, Xiamen in English).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from gotone_analysis import config, findings
from gotone_analysis.compare import MARK_DOWN, MARK_UP
from gotone_analysis.findings import Claim, findings_records, findings_table, plain_sentence
from gotone_analysis.policy import Policy
from gotone_analysis.reports.brand_equity import sentences as brand_sentences
from gotone_analysis.reports.brand_equity import tables as brand
from gotone_analysis.workbook import column_label, sheet_label

#: The reports of a scope, each with its ledger.
REPORTS = tuple(config.REPORTS)


def test_the_ledger_has_its_columns_and_refuses_an_unknown_direction_or_rule():
    claims = [Claim("moved", "**Awareness** rose &amp; stayed", ("brand_equity.a",), "up",
                    "beyond_sampling_error"),
              Claim("steady", "Nothing else moved.", (), "none", "beyond_sampling_error")]
    table = findings_table(claims, scope="xiamen", quarter="2010Q4")
    assert list(table.columns) == list(findings.COLUMNS)
    assert table["sentence"].tolist() == ["Awareness rose & stayed", "Nothing else moved."]
    assert table["keys"].tolist() == ["brand_equity.a", ""]
    records = findings_records(table)
    assert records[0]["keys"] == ["brand_equity.a"] and records[1]["keys"] == []
    assert {r["scope"] for r in records} == {"xiamen"}
    with pytest.raises(ValueError, match="direction"):
        findings_table([Claim("x", "y", (), "sideways", "min_base")], scope="s", quarter="q")
    with pytest.raises(ValueError, match="rule"):
        findings_table([Claim("x", "y", (), "none", "because")], scope="s", quarter="q")


def test_problems_finds_an_unpublished_key_and_a_direction_against_its_number():
    metrics = {"brand_equity": {"a": 2.0, "b": -1.0}}
    good = [{"kind": "k", "sentence": "s", "keys": ["brand_equity.a"], "direction": "up",
             "rule": "beyond_sampling_error"},
            {"kind": "k", "sentence": "s", "keys": [], "direction": "down",
             "rule": "beyond_sampling_error"}]
    assert findings.problems(good, metrics) == []
    assert findings.problems([{**good[0], "direction": "down"}], metrics)
    assert findings.problems([{**good[0], "keys": ["brand_equity.c"]}], metrics)
    assert findings.problems([{**good[0], "keys": ["satisfaction.a"]}], metrics)
    assert findings.problems([{**good[0], "rule": "hunch"}], metrics)


@pytest.fixture
def changes() -> pd.DataFrame:
    return pd.DataFrame({
        "quarter": "2010Q4", "component": ["awareness", "loyalty", "influence"],
        "estimate": [90.0, 70.0, 80.0], "compare_quarter": "2010Q3",
        "diff": [2.5, -1.5, 0.2], "p_value": [0.001, 0.01, 0.6],
        "p_adj": [0.003, 0.015, 0.6], "mark": [MARK_UP, MARK_DOWN, ""],
        "suppressed": [False, False, True], "n": [500, 400, 12],
    })


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_brand_sentences_are_their_claims(changes, lang):
    said: list[Claim] = []
    text = brand_sentences.brand_narrative(changes, lang, policy=Policy(min_base=30),
                                           published="change", claims=said)
    assert [line.removeprefix("- ") for line in text.splitlines()] == [c.sentence for c in said]
    assert [c.kind for c in said] == ["moved", "moved", "suppressed"]
    assert [c.direction for c in said] == ["up", "down", "none"]
    assert said[0].keys[0] == "brand_equity.awareness_change"
    metrics = {"brand_equity": brand.headline(changes)}
    records = findings_records(findings_table(said, scope="province", quarter="2010Q4"))
    assert findings.problems(records, metrics) == []
    # the same sentences on a table the report does not publish name no key
    other: list[Claim] = []
    brand_sentences.brand_narrative(changes, lang, policy=Policy(min_base=30), claims=other)
    assert [c.sentence for c in other] == [c.sentence for c in said]
    assert all(not c.keys for c in other)


# --- the published pages of the demo batches ---------------------------------------------------


def _scopes(batches) -> list[Path]:
    return sorted(p.parent for out in batches.values()
                  for p in out.glob("2010Q4/*/metrics.json"))


def _visible(page: str) -> str:
    """The text a reader sees: no style or script, no tag (so no attribute), entities read."""
    page = re.sub(r"<(style|script)\b.*?</\1\s*>", " ", page, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _printed(notebook: Path) -> tuple[list[str], list[str]]:
    """The lines of every Markdown output of an executed notebook, and its bullets."""
    nb = nbformat.read(str(notebook), as_version=4)
    lines = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            md = out.get("data", {}).get("text/markdown")
            if md:
                lines += [line for line in md.splitlines() if line.strip()]
    bullets = [plain_sentence(line[2:]) for line in lines if line.startswith("- ")]
    return [plain_sentence(line.removeprefix("- ")) for line in lines], bullets


def test_every_report_publishes_the_sentences_it_prints_as_its_ledger(demo_batches):
    checked = set()
    for folder in _scopes(demo_batches):
        metrics = json.loads((folder / "metrics.json").read_text("utf-8"))
        sheets = pd.read_excel(folder / "tables.xlsx", sheet_name=None)
        for name in REPORTS:
            ledger = metrics[name]["findings"]
            assert isinstance(ledger, list), name
            assert findings.problems(ledger, metrics) == [], (folder.name, name)
            assert {r["scope"] for r in ledger} <= {folder.name}
            said = [r["sentence"] for r in ledger]
            if name == "summary":   # made as HTML: each sentence is a list item
                page = (folder / "summary.html").read_text("utf-8")
                items = re.findall(r'<li class="finding[^"]*"[^>]*>(.*?)</li>', page, re.S)
                assert [_visible(re.sub(r'<a class="source".*?</a>', "", i)) for i in items] \
                    == [" ".join(s.split()) for s in said]
            else:
                lines, bullets = _printed(folder / f"{name}.ipynb")
                assert set(bullets) <= set(said), (name, set(bullets) - set(said))
                assert [line for line in lines if line in said] == said, name
            # the workbook holds the same ledger on a sheet of its own, headed in the language
            lang = folder.parent.parent.name
            sheet = sheets[sheet_label(name, "findings", lang)[:31]]
            # (an empty ledger: one row saying the sheet has no rows this quarter)
            assert len(sheet) == (len(ledger) if ledger else 1)
            assert list(sheet.columns) == [column_label(c, name, lang) for c in findings.COLUMNS]
            if ledger:
                checked.add(name)
    assert checked >= {"summary", "brand_equity", "satisfaction", "program_effects",
                       "scorecard_139"}


#: Notebook parameters shown on the run card (a scorecard publishes ``compare_to`` too).
_PARAMETERS = frozenset({"quarter", "scope", "data_dir", "compare_to", "lang", "min_base",
                         "seed", "engine"})


def test_no_reader_page_shows_a_metric_key(demo_batches):
    pages = 0
    for folder in _scopes(demo_batches):
        metrics = json.loads((folder / "metrics.json").read_text("utf-8"))
        # keys that read as identifiers (one-word keys such as "satisfaction" are words)
        keys = {f"{r}.{k}" for r, m in metrics.items() for k in m}
        keys |= {k for m in metrics.values() for k in m if "_" in k} - _PARAMETERS
        pattern = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(
            re.escape(k) for k in sorted(keys, key=len, reverse=True)) + r")(?![A-Za-z0-9_])")
        for page in sorted(folder.glob("*.html")):
            if page.name.endswith(".error.html"):
                continue
            shown = pattern.findall(_visible(page.read_text("utf-8")))
            assert not shown, (page.name, sorted(set(shown))[:10])
            pages += 1
    assert pages >= 12


def test_each_summary_sentence_links_to_an_anchor_of_its_report(demo_batches):
    links = 0
    for folder in _scopes(demo_batches):
        page = (folder / "summary.html").read_text("utf-8")
        items = re.findall(r'<li class="finding[^"]*"[^>]*>.*?</li>', page, re.S)
        assert items
        for item in items:
            found = re.findall(r'<a class="source" href="([\w.]+\.html)#([\w-]+)"', item)
            assert len(found) == 1, item
            target, anchor = found[0]
            assert f'id="{anchor}"' in (folder / target).read_text("utf-8"), (target, anchor)
            links += 1
        for target, anchor in re.findall(r'<td class=""><a href="([\w.]+\.html)#([\w-]+)"',
                                         page):
            assert f'id="{anchor}"' in (folder / target).read_text("utf-8")
    assert links >= 10
