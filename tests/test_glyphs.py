"""Chinese glyphs in figures come from the font shipped by ``mplfonts``, none falls back.

Checks that the registered font is the one matplotlib finds for the figures' family,
that it has a glyph for every character of every Chinese text of the catalog (its
``cmap``, read with fontTools), and that drawing a figure with Chinese text raises no
missing-glyph warning.
"""

from __future__ import annotations

import io
import string
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager

from gotone_analysis import labels, plots
from gotone_analysis.plots import style


@pytest.fixture(scope="module")
def font():
    name = style.setup_style()
    path = style.font_path()
    assert Path(path).is_file(), path
    with TTFont(path, fontNumber=0, lazy=True) as f:
        cmap = f.getBestCmap()
    return name, path, cmap


def _chinese_texts() -> list[str]:
    return [labels.text(k, "zh") for k in labels.catalog()]


def test_matplotlib_finds_the_shipped_font(font):
    name, path, _ = font
    assert plt.rcParams["font.sans-serif"][0] == name
    found = font_manager.findfont(font_manager.FontProperties(family=name),
                                  fallback_to_default=False)
    assert Path(found).resolve() == Path(path).resolve()


def test_the_font_has_every_character_of_the_catalog(font):
    _, _, cmap = font
    chars = {c for t in _chinese_texts() for c in t if not c.isspace()}
    chars -= set("{}")  # format fields
    assert len(chars) > 500
    missing = sorted(c for c in chars if ord(c) not in cmap)
    assert not missing, "".join(missing)
    assert ord("\u0378") not in cmap  # an unassigned code point: the check can fail


def test_drawing_chinese_text_raises_no_missing_glyph_warning(font):
    title = labels.text("plot.satisfaction.waterfall_title", "zh", before="2010Q3",
                        after="2010Q4")
    cities = [labels.code_label(c, "zh") for c in ("fuzhou", "xiamen", "quanzhou", "ningde")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = style.new_axes(None, (5, 3))
        ax.bar(cities, [80.1, 79.4, 81.0, 78.2])
        ax.set_title(title)
        ax.set_ylabel(labels.text("plot.score_axis", "zh"))
        ax.set_xlabel("".join(sorted({c for t in _chinese_texts()[:200] for c in t
                                      if c not in string.printable}))[:60])
        buf = io.BytesIO()
        ax.figure.savefig(buf, format="png")
        plt.close(ax.figure)
    glyph = [str(w.message) for w in caught if "glyph" in str(w.message).lower()
             or "missing from font" in str(w.message).lower()]
    assert not glyph, glyph
    assert buf.tell() > 5_000


def test_a_missing_glyph_would_be_caught():
    """The warning the test above listens for is the one matplotlib gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.set_title("满意度", fontfamily="DejaVu Sans")
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    assert any("missing from font" in str(w.message).lower() for w in caught)
    plots.setup_style()
