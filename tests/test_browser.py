"""Every reader page of the demo batch in a real browser: headless Chromium, network off.

Per page: it loads, logs no console error, requests nothing but itself (and its inline
``data:`` images), every image decodes (natural width > 0) and every table-of-contents
link points to an element of the page. A screenshot of each summary page is kept as a
test artefact: ``summary-<lang>-<scope>.png`` in ``$GOTONE_TEST_ARTEFACTS`` when set, else
in ``browser/`` of the pytest base folder (of the xdist worker; the paths are printed).

Chromium is Debian's ``chromium``; ``make test`` installs it when it is missing and the
tests run as root (as in CI). Without it the test fails as root and is skipped, with the
reason, otherwise.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fixtures.browser import Browser, chromium_path, is_root

#: Folder for the screenshots (e.g. a CI artefact folder); default the pytest basetemp.
ARTEFACTS_ENV = "GOTONE_TEST_ARTEFACTS"

_IMAGES = """Promise.all([...document.images].map(img => img.decode()
    .then(() => ({src: img.src.slice(0, 30), width: img.naturalWidth}),
          () => ({src: img.src.slice(0, 30), width: img.naturalWidth}))))"""
_TOC = """[...document.querySelectorAll('nav.gotone-toc a')].map(a => {
    const id = a.getAttribute('href').slice(1);
    let found = document.getElementById(id);
    if (!found) { try { found = document.getElementById(decodeURIComponent(id)); }
                  catch (e) { found = null; } }
    return {href: id, found: !!found};
})"""


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        if is_root():
            pytest.fail("chromium is not installed: run make test (it installs Debian's "
                        "chromium as root)")
        pytest.skip("chromium is not installed and the tests do not run as root, so they "
                    "cannot install it: apt-get install -y chromium")
    with Browser(path) as b:
        yield b


def _reader_pages(batches):
    return sorted(p for out in batches.values() for p in out.glob("2010Q4/*/*.html")
                  if not p.name.endswith(".error.html"))


def test_every_reader_page_in_a_browser(browser, demo_batches, tmp_path_factory):
    pages = _reader_pages(demo_batches)
    names = {p.stem for p in pages}
    assert {"summary", "data_quality", "brand_equity", "satisfaction", "program_effects",
            "scorecard_139"} <= names
    problems = {}
    shots = []
    for path in pages:
        page = browser.open(path.as_uri())
        try:
            found = []
            errors = page.console_errors()
            if errors:
                found.append(f"console errors: {errors[:3]}")
            outside = [u for u in page.requests()
                       if not (u == path.as_uri() or u.startswith("data:"))]
            if outside:
                found.append(f"requests leaving the file: {outside[:3]}")
            images = page.evaluate(_IMAGES)
            broken = [i for i in images if not i["width"]]
            if broken:
                found.append(f"images that do not decode: {broken[:3]}")
            if path.stem not in ("data_quality", "summary") and not images:
                found.append("no images")
            toc = page.evaluate(_TOC)
            if not toc:
                found.append("no table of contents")
            dangling = [t["href"] for t in toc if not t["found"]]
            if dangling:
                found.append(f"contents links to nothing: {dangling[:3]}")
            if page.evaluate("document.readyState") != "complete":
                found.append("did not finish loading")
            if path.stem == "summary":
                lang = path.parents[2].name
                folder = (Path(os.environ[ARTEFACTS_ENV]) if os.environ.get(ARTEFACTS_ENV)
                          else tmp_path_factory.getbasetemp() / "browser")
                shot = folder / f"summary-{lang}-{path.parent.name}.png"
                page.screenshot(shot)
                shots.append(shot)
        finally:
            page.close()
        if found:
            problems[f"{path.parents[2].name}/{path.parent.name}/{path.name}"] = found
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)
    assert shots and all(s.stat().st_size > 10_000 for s in shots)
    print("summary screenshots:", *shots)


def test_the_browser_is_really_offline(browser, tmp_path):
    """The check can fail: a page that loads something from the network is caught."""
    page_file = tmp_path / "leaky.html"
    page_file.write_text('<!DOCTYPE html><html><body><img src="https://example.org/x.png">'
                         "<script>console.error('boom')</script></body></html>",
                         encoding="utf-8")
    page = browser.open(page_file.as_uri())
    try:
        assert any(u.startswith("https://example.org/") for u in page.requests())
        assert any("boom" in e for e in page.console_errors())
        assert page.evaluate(_IMAGES)[0]["width"] == 0
    finally:
        page.close()


_FIRST_SCREEN = """(() => {
    const bottom = el => el ? el.getBoundingClientRect().bottom + window.scrollY : null;
    const q = s => document.querySelector(s);
    const details = q('.gotone-run-details details');
    const first = q('section.first');
    return {headline: bottom(q('#summary-headline + table')), levers: bottom(q('ul.levers')),
            act: bottom(q('table.act') || q('p.act-none')),
            key_points: document.querySelectorAll('section.first li.finding').length,
            details_open: details ? details.open : null,
            details_after: details && first ? (first.compareDocumentPosition(details) & 4) > 0
                                            : null};
})()"""


def test_the_summary_answers_on_the_first_screen_and_prints_on_one_page(browser,
                                                                        demo_batches):
    pages = [p for p in _reader_pages(demo_batches) if p.stem == "summary"]
    assert pages
    for path in pages:
        page = browser.open(path.as_uri())
        try:
            page.viewport(1280, 800)
            seen = page.evaluate(_FIRST_SCREEN)
            where = f"{path.parents[2].name}/{path.parent.name}"
            for block in ("headline", "levers", "act"):
                assert seen[block] is not None and seen[block] <= 800, (where, block, seen)
            assert 3 <= seen["key_points"] <= 5, (where, seen)
            assert seen["details_open"] is False and seen["details_after"], (where, seen)
            assert page.pdf_pages() == 1, where
        finally:
            page.close()
