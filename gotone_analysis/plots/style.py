"""The look of every figure: the CJK font, colours, mark colours and a fresh axes.

Chinese labels need a CJK font: :func:`setup_style` registers the Noto Sans CJK SC font
shipped with ``mplfonts`` (idempotent); :func:`new_axes` calls it, so every plotting
function that draws through it is styled. The marks are those of
:mod:`gotone_analysis.compare`, coloured by :data:`MARK_COLORS`.
"""

from __future__ import annotations

from importlib import resources

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes

from ..compare import MARK_DOWN, MARK_UP
from ..timings import watch_figures

__all__ = ["CJK_FONT_FILE", "COLORS", "MARK_COLORS", "font_path", "mark_text", "new_axes",
           "setup_style", "show_laid_out"]

#: File name of the CJK font (inside the ``mplfonts`` package) used for every figure.
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"

#: Colours: the brand line, its interval, rises, falls, neutral text, benchmark.
COLORS: dict[str, str] = {
    "main": "#1f4e79",
    "band": "#9dc3e6",
    "up": "#2e7d32",
    "down": "#c62828",
    "neutral": "#555555",
    "benchmark": "#888888",
}

#: Colour of each significance mark.
MARK_COLORS: dict[str, str] = {MARK_UP: COLORS["up"], MARK_DOWN: COLORS["down"]}

_STYLE_DONE: dict[str, str] = {}

#: zlib level of the pages' PNG figures: 1 encodes a chart in about half the time of
#: the default 6, at about the same size (flat colours compress well either way);
#: the pixels are the same.
PNG_COMPRESS_LEVEL = 1


def _inline_png_options() -> None:
    """In a Jupyter kernel, render the inline figures with :data:`PNG_COMPRESS_LEVEL`."""
    if _STYLE_DONE.get("inline"):
        return
    _STYLE_DONE["inline"] = "done"
    try:
        from IPython import get_ipython
        from matplotlib_inline.config import InlineBackend
    except ImportError:
        return
    if get_ipython() is None or "inline" not in plt.get_backend():
        return
    config = InlineBackend.instance()
    kwargs = dict(config.print_figure_kwargs)
    kwargs["pil_kwargs"] = {**kwargs.get("pil_kwargs", {}),
                            "compress_level": PNG_COMPRESS_LEVEL}
    config.print_figure_kwargs = kwargs  # its observer updates the PNG formatter


def font_path() -> str:
    """The path of the CJK font file inside ``mplfonts``.

    Returns
    -------
    str
    """
    return str(resources.files("mplfonts").joinpath("fonts", CJK_FONT_FILE))


def setup_style() -> str:
    """Register the CJK font and make it the first sans-serif font; idempotent.

    The font file is registered by path with
    :meth:`matplotlib.font_manager.FontManager.addfont` (no system font cache needed),
    ``font.sans-serif`` gets its family name first and ``axes.unicode_minus`` is turned
    off so minus signs render with the CJK font.

    Returns
    -------
    str
        The family name of the registered font (``"Noto Sans CJK SC"``).
    """
    watch_figures()  # in a batch's kernel, matplotlib's drawing after the cell is timed
    _inline_png_options()
    name = _STYLE_DONE.get("name")
    if name is None:
        path = font_path()
        font_manager.fontManager.addfont(path)
        name = font_manager.FontProperties(fname=path).get_name()
        _STYLE_DONE["name"] = name
    current = list(plt.rcParams["font.sans-serif"])
    if not current or current[0] != name:
        plt.rcParams["font.sans-serif"] = [name, *[f for f in current if f != name]]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    return name


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """The axes to draw on: ``ax``, or a new figure's of ``figsize``; style set up.

    Returns
    -------
    matplotlib.axes.Axes
    """
    setup_style()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def show_laid_out(fig) -> bool:
    """Show a figure that sets its own margins, rendered once, in a Jupyter kernel.

    Jupyter's inline backend renders every figure with ``bbox_inches="tight"``: it draws
    the figure once to measure it and again to render it, which for a grid of many
    panels doubles the seconds. A figure whose margins are fixed
    (``subplots_adjust``) needs no measuring: it is rendered here once, at its own size
    and dpi, shown as the same PNG output, and closed so the backend does not render it
    again. Outside a kernel with the inline backend nothing happens.

    Returns
    -------
    bool
        True when the figure was shown (and closed) here.
    """
    import io

    try:
        from IPython import get_ipython
    except ImportError:
        return False
    if get_ipython() is None or "inline" not in plt.get_backend():
        return False
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches=None, facecolor="white",
                pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    display(Image(data=buf.getvalue(), format="png"))
    plt.close(fig)
    return True


def mark_text(value: object) -> str:
    """A mark cell as text: the mark, or ``""`` for a missing one.

    Returns
    -------
    str
    """
    return value if isinstance(value, str) else ""
