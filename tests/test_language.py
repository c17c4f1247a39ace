"""One language a page: ``--lang en`` English throughout, ``--lang zh`` Chinese throughout.

The visible text of every page of the demo batches (``demo_batches``: the province in
Chinese, Xiamen in English) is read as a reader sees it (no scripts, styles or inline
images); an English page may hold less than 1 % CJK characters, a Chinese page none of
the English headings of the catalog. The notebooks have no markdown cells, whose text
could not follow the ``lang`` parameter.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from gotone_analysis import labels

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_HIDDEN_RE = re.compile(r"<(script|style|title)\b.*?</\1\s*>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")


def visible_text(markup: str) -> str:
    """The text a reader sees: no scripts, styles, tags or attributes (so no inline images)."""
    text = _TAG_RE.sub(" ", _HIDDEN_RE.sub(" ", markup))
    return re.sub(r"\s+", " ", html.unescape(text)).replace("¶", "").strip()


def cjk_share(text: str) -> float:
    """CJK characters as a share of the non-space characters of ``text``."""
    chars = [c for c in text if not c.isspace()]
    return sum(bool(CJK_RE.match(c)) for c in chars) / max(len(chars), 1)


def _pages(out: Path) -> list[Path]:
    return sorted([out / "index.html", *(p for p in out.glob("2010Q4/*/*.html"))])


def test_the_measure_counts_what_a_reader_sees():
    page = ('<html><head><style>.a{font-family:"微软雅黑"}</style></head><body>'
            '<img src="data:image/png;base64,5Lit5paH" alt=""><p>Satisfaction 满意</p></body>'
            "</html>")
    assert visible_text(page) == "Satisfaction 满意"
    assert cjk_share(visible_text(page)) == pytest.approx(2 / 14)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_print_their_headings_from_the_catalog(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert not [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    for cell in nb["cells"]:
        for name in re.findall(r'narrative\.section\("([\w.]+)"', "".join(cell["source"])):
            assert labels.has(f"section.{name}"), name


def test_english_pages_are_english(demo_batches):
    pages = _pages(demo_batches["en"])
    assert len(pages) >= 7
    shares = {p.name: cjk_share(visible_text(p.read_text(encoding="utf-8"))) for p in pages}
    assert all(s < 0.01 for s in shares.values()), shares
    summary = visible_text((demo_batches["en"] / "2010Q4/xiamen/summary.html").read_text("utf-8"))
    assert "Key points" in summary and "Where to act" in summary
    assert "Synthetic demo data" in summary


def test_chinese_pages_have_no_english_headings(demo_batches):
    english = {labels.text(k, "en") for k in labels.catalog()
               if k.startswith(("section.", "summary.heading.", "report.title."))
               and not k.endswith(".note")}
    english = {t for t in english if re.search(r"[A-Za-z]{3}", t) and t not in
               {labels.text(k, "zh") for k in labels.catalog()}}
    pages = _pages(demo_batches["zh"])
    assert len(pages) >= 7
    for page in pages:
        text = visible_text(page.read_text(encoding="utf-8"))
        assert cjk_share(text) > 0.05, page.name
        headings = re.findall(r"<h[1-3]\b[^>]*>(.*?)</h[1-3]>", page.read_text("utf-8"), re.S)
        shown = {visible_text(h) for h in headings}
        assert not shown & english, (page.name, shown & english)
    summary = visible_text((demo_batches["zh"] / "2010Q4/province/summary.html")
                           .read_text("utf-8"))
    assert "变化了什么、为什么" in summary and "合成演示数据" in summary
    assert "Synthetic demo data" not in summary
