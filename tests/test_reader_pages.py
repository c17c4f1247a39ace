"""What a manager reads on the published pages of the demo batches (``demo_batches``: the
province in Chinese, Xiamen in English): numbers fit for a reader, codes in the deck's
order and by the deck's names, the run details folded at the end, an index of pages.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from test_language import visible_text

from gotone_analysis import config, labels

#: Visible text a reader must never see: a negative zero, a missing value as code.
_NEGATIVE_ZERO = re.compile(r"(?<![\w.])[-−]0(?:\.0+)?(?![\d.])")
_MISSING = re.compile(r"\b(?:nan|NaN|None)\b(?! of)")  # "None of the drivers" is English
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.S)


def _pages(out: Path) -> list[Path]:
    return sorted([out / "index.html", *out.glob("2010Q4/*/*.html")])


def _cells(table: str) -> list[str]:
    return [visible_text(c) for c in _CELL.findall(table)]


def test_no_negative_zero_nor_missing_value_as_code_on_any_page(demo_batches):
    for lang, out in demo_batches.items():
        pages = _pages(out)
        assert len(pages) >= 7
        for page in pages:
            text = visible_text(page.read_text(encoding="utf-8"))
            assert not _NEGATIVE_ZERO.findall(text), (lang, page.name, _around(
                _NEGATIVE_ZERO, text))
            assert not _MISSING.findall(text), (lang, page.name, _around(_MISSING, text))


def _around(rx: re.Pattern, text: str) -> list[str]:
    return [text[max(m.start() - 60, 0):m.end() + 20] for m in rx.finditer(text)][:3]


def test_percentage_points_in_the_pages_language(demo_batches):
    zh = " ".join(visible_text(p.read_text("utf-8")) for p in _pages(demo_batches["zh"]))
    assert "个百分点" in zh and not re.search(r"\d pp\b", zh)
    en = " ".join(visible_text(p.read_text("utf-8")) for p in _pages(demo_batches["en"]))
    assert re.search(r"\d pp\b", en) and "个百分点" not in en


def _in_order(seq: list[str], order: dict[str, int]) -> bool:
    """Each run of names follows ``order``; a new run starts at the first name."""
    return all(order[a] <= order[b] or order[b] == 0 for a, b in zip(seq, seq[1:], strict=False))


def test_tiers_and_cities_in_the_decks_order_in_every_table(demo_batches):
    for lang, out in demo_batches.items():
        idx = labels.LANGS.index(lang)
        tiers = {config.TIERS[t][idx]: i for i, t in enumerate(config.GOTONE_TIERS)}
        cities = {config.CITIES[c][idx]: i for i, c in enumerate(config.CITY_CODES)}
        seen = 0
        for page in _pages(out):
            for table in _TABLE.findall(page.read_text(encoding="utf-8")):
                cells = _cells(table)
                for order in (tiers, cities):
                    seq = [c for c in cells if c in order]
                    seen += len(set(seq)) == len(order)
                    assert _in_order(seq, order), (lang, page.name, seq[:12])
        assert seen >= 2, lang  # tables that list every tier or city were checked
    # the satisfaction's segments by tier: diamond, gold, silver, regular
    page = (demo_batches["zh"] / "2010Q4/province/satisfaction.html").read_text("utf-8")
    cells = [c for t in _TABLE.findall(page) for c in _cells(t)]
    assert [c for c in cells if c in ("钻石卡", "金卡", "银卡", "普通")][:4] == \
        ["钻石卡", "金卡", "银卡", "普通"]


def test_each_lever_has_the_decks_name(demo_batches):
    zh = " ".join(visible_text(p.read_text("utf-8")) for p in _pages(demo_batches["zh"]))
    assert "家庭产品" in zh and "客户经理关怀" in zh
    assert "亲情产品" not in zh and "关怀回访" not in zh
    en = " ".join(visible_text(p.read_text("utf-8")) for p in _pages(demo_batches["en"]))
    assert "Customer-manager care" in en and "Care calls" not in en


def test_the_run_details_are_folded_at_the_end_in_words(demo_batches):
    raw = {"province", "xiamen", "demo", "duckdb", "zh", "en"}
    for lang, out in demo_batches.items():
        for page in sorted(out.glob("2010Q4/*/*.html")):
            if page.name.endswith(".error.html"):
                continue
            markup = page.read_text(encoding="utf-8")
            main = markup[markup.index("<main"):markup.rindex("</main>")]
            start = main.rindex("<details")
            details = main[start:]
            # the last thing of the page, closed, after every heading of the page
            assert details.startswith("<details>"), (page.name, details[:40])
            assert not re.search(r"<h[1-3]\b", details) and "<details" not in details[8:]
            summary = visible_text(re.search(r"<summary>(.*?)</summary>", details, re.S)[1])
            assert summary == labels.text("report.run_details", lang)
            # the parameters in words: no code of scope, data, language or engine
            params = _cells(_TABLE.search(details)[0])
            values = set(params[1::2])
            assert not values & raw, (page.name, values & raw)
            assert labels.text("report.data.demo", lang) in values
            # the page opens on its title and the synthetic-data banner, not on the card
            text = visible_text(markup)
            assert text.index(labels.text("report.synthetic_banner", lang)) < 200
            assert text.index(labels.text("report.contents", lang)) < text.index(summary)
            assert text.count(summary) == 1


def test_the_index_links_pages_and_folds_its_status_log(demo_batches):
    for lang, out in demo_batches.items():
        index = (out / "index.html").read_text(encoding="utf-8")
        links = re.findall(r'href="([^"]+)"', index)
        assert links and all(h.endswith(".html") for h in links), links
        assert "<details><summary>" in index and "<details open" not in index
        finished = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC[+-]\d\d:\d\d",
                              html.unescape(index))
        assert finished, lang


#: A code of the data contract or of a statistic shown as it is stored: snake_case words
#: (``use_care``, ``on_track``, ``aw_aided``) or a model formula's term (``C(tier)[T.gold]``).
_SNAKE = re.compile(r"(?<![\w./#-])[a-z][a-z0-9]*_[a-z0-9_]+(?![\w./(-])")
_FORMULA = re.compile(r"\bC\(\w+\)|\[T\.\w+\]")


def test_no_raw_code_nor_formula_term_on_any_page(demo_batches):
    codes = {*config.CITY_CODES, *config.TIER_CODES, *config.LEVER_CODES, config.PROVINCE}
    for lang, out in demo_batches.items():
        for page in _pages(out):
            markup = page.read_text(encoding="utf-8")
            # the run details name files and packages; they are not the reader's text
            main = markup.split("<!-- gotone:run-details -->")[0]
            text = visible_text(main)
            assert not _SNAKE.findall(text), (lang, page.name, _around(_SNAKE, text))
            assert not _FORMULA.findall(text), (lang, page.name, _around(_FORMULA, text))
            if lang == "zh":  # a Chinese page names cities, tiers and levers in Chinese
                words = set(re.findall(r"(?<![\w.])[a-z]+(?![\w.])", text))
                assert not words & codes, (page.name, sorted(words & codes))
