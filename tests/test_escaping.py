"""Every reader string is text, never markup: tables, sentences and a published page.

A file name, a target's label or any other free text may hold ``<``, ``&`` or quotes;
the one table renderer (:func:`gotone_analysis.tables.styled`) and the sentences that
quote free text escape it, so a page never carries a live element or event handler
that came from the data.
"""

from __future__ import annotations

import io
import shutil
from html.parser import HTMLParser

import pandas as pd
import pytest

from gotone_analysis import labels, tables

MARKUP = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


class _Live(HTMLParser):
    """Elements and attributes that would run or load: script, iframe, an image that is not
    an inline figure, on* handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src") or ""
        if tag in ("script", "iframe", "object", "embed") or (
                tag == "img" and not src.startswith("data:image/")):  # figures are inline
            self.found.append(tag)
        self.found += [f"{tag}[{k}]" for k, _ in attrs if k.lower().startswith("on")]


def live_markup(html: str) -> list[str]:
    parser = _Live()
    parser.feed(html)
    return parser.found


def test_the_probe_finds_live_markup():
    assert live_markup(f"<td>{MARKUP}</td>") == ["img", "img[onerror]", "script"]
    assert live_markup("<td>&lt;script&gt;</td>") == []


def test_every_reader_table_escapes_cells_headings_and_notes():
    from gotone_analysis.reports.data_quality import tables as quality
    from gotone_analysis.reports.program_effects import view

    frame = pd.DataFrame({"city": ["xiamen"], "estimate": [1.0], "se": [0.1], "n": [40],
                          "ci_low": [0.8], "ci_high": [1.2], "component": ["influence"],
                          MARKUP: [MARKUP]})
    htmls = [
        tables.format_table(frame, columns=["city", "estimate", "ci", MARKUP],
                            caption=MARKUP).to_html(),
        tables.crosstab(frame.assign(city=MARKUP), "city", "component").to_html(),
        tables.reader_table(frame, [MARKUP], note=MARKUP).to_html(),
        view.reader_table(frame.assign(lever=MARKUP), lang="en",
                             columns=["lever", "estimate", MARKUP], note=MARKUP).to_html(),
        quality.view(pd.DataFrame({"kind": ["kpi"], "path": [f"kpi/kpi_2008{MARKUP}.csv"],
                                   "rows": [108], "status": ["ok"]}), lang="zh").to_html(),
    ]
    for html in htmls:
        assert live_markup(html) == [], html[-400:]
        assert "onerror" in html  # the text is kept, as text


def test_scorecard_table_and_sentences_quote_a_label_as_text():
    from gotone_analysis.reports.scorecard_139 import sentences, view

    row = {"target_id": "core_retention", "lever": "scale", "label": f"核心客户保有率{MARKUP}",
           "direction": ">=", "target": 0.9, "deadline": "2010Q4", "actual": 0.85,
           "actual_low": 0.85, "actual_high": 0.85, "gap": -0.05, "projected": float("nan"),
           "projected_low": float("nan"), "projected_high": float("nan"),
           "status": "missed", "source": "kpi", "unit": "rate"}
    card = pd.DataFrame([row])
    assert live_markup(view.reader_table(card, lang="zh").to_html()) == []
    text = sentences.target_sentence(card.iloc[0], "zh", quarter="2010Q4")
    assert "onerror" in text and live_markup(text) == []
    assert labels.plain("a < b & c") == "a &lt; b &amp; c"


def test_a_file_name_with_markup_is_text_on_the_published_page(small_demo, tmp_path):
    from gotone_analysis.runner import run_batch

    data = tmp_path / "data"
    shutil.copytree(small_demo, data, ignore=shutil.ignore_patterns("panel"))
    (data / "kpi" / "kpi_2008.csv").rename(data / "kpi" / f"kpi_2008{MARKUP[:30]}.csv")
    result = run_batch("2010Q4", "province", reports=["data_quality"], jobs=1, data_dir=data,
                       out_dir=tmp_path / "out", progress=False, stream=io.StringIO())
    if result.exit_code == 2:
        pytest.fail(f"the renamed file was refused: {result.error}")
    assert result.exit_code == 0, result.table()
    page = (tmp_path / "out" / "2010Q4" / "province" / "data_quality.html").read_text("utf-8")
    assert "onerror" in page  # the file is listed
    assert live_markup(page) == []
