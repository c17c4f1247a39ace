"""Section headings of the report notebooks, in the report's language.

A markdown cell of a notebook is one text for every run, so it cannot follow the
``lang`` parameter: the notebooks print each heading (and the note under it) with
:func:`section`, from the catalog keys ``section.<report>.<name>`` and
``section.<report>.<name>.note`` (section ``labels/sections.py``).
"""

from __future__ import annotations

from .. import labels

__all__ = ["section"]


def section(name: str, lang: str = "zh", level: int = 2, **fields: object) -> str:
    """A heading and its note as Markdown, in ``lang``.

    Parameters
    ----------
    name : str
        ``<report>.<name>``: the catalog key without its ``section.`` prefix.
    lang : {"zh", "en"}
        Language.
    level : int, default 2
        Heading level (``##``).
    **fields
        Values for ``str.format`` fields of the texts.

    Returns
    -------
    str
        ``"## <heading>"``, followed by a blank line and the note when the catalog has
        one (``section.<name>.note``).

    Raises
    ------
    KeyError
        When the catalog has no heading ``section.<name>``.
    """
    key = f"section.{name}"
    out = "#" * int(level) + " " + labels.text(key, lang, **fields)
    if labels.has(f"{key}.note"):
        out += "\n\n" + labels.text(f"{key}.note", lang, **fields)
    return out
