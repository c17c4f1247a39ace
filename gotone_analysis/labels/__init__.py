"""The one zh/en catalog of every label, title, column heading and fixed sentence.

Every text a report prints in a language is looked up here: :func:`text` for a key
of the catalog, :func:`code_label` for the name of a code (city, brand, tier, lever,
brand component, funnel stage, report). A key maps to a pair ``(中文, English)``;
both are required and non-empty, and a key may be defined in one section only
(:func:`catalog` raises :class:`CatalogError` otherwise, and ``tests/test_labels.py``
checks the shipped catalog).

Keys are dotted, the first part naming what the text is:

* ``code.<code>``: the name of a code (:func:`code_label`);
* ``column.<column>``: the heading of a column of the reader tables
  (``quality.column.<column>`` for the data-quality tables);
* ``note.*``, ``plot.*``, ``narrative.*``, ``report.*``, ``params.*``: notes under
  tables, figure labels, generated sentences, run card and batch pages, parameter
  messages.

A text may hold ``str.format`` fields (``{level}``, ``{min_base}`` ...), filled from
the keyword arguments of :func:`text`; a number that rounds to zero is shown without a
sign (``0.0``, never ``-0.0``) and a missing number (NaN) as "—".

Adding a section
----------------
A report's texts live with the report: ``gotone_analysis/reports/<report>/catalog.py``
holds ``SECTION: dict[str, tuple[str, str]] = {"<key>": ("中文", "English"), ...}`` and is
found automatically (section name: the report's). Texts shared by every report are the
modules of this package (any module name not starting with ``_``). Sections are merged
into the catalog in name order; nothing else needs editing; a key already defined by
another section is an error naming both sections.

The notebooks print their headings with :func:`section` (catalog keys
``section.<report>.<name>`` and ``section.<report>.<name>.note``): a markdown cell is one
text for every run and could not follow the ``lang`` parameter.
"""

from __future__ import annotations

import html
import importlib
import math
import numbers
import pkgutil
import re
import string
from collections.abc import Mapping
from functools import cache

from ..errors import UsageError

__all__ = [
    "LANGS",
    "CatalogError",
    "anchor",
    "catalog",
    "check_lang",
    "code_label",
    "has",
    "level_text",
    "plain",
    "section",
    "sections",
    "text",
]

#: The package whose report folders each hold a ``catalog`` section.
REPORTS_PACKAGE = "gotone_analysis.reports"

#: The report languages, in the order of the pairs of the catalog.
LANGS: tuple[str, ...] = ("zh", "en")


class CatalogError(ValueError):
    """A section of the catalog is malformed, or two sections define the same key."""


def check_lang(lang: str) -> int:
    """The position of ``lang`` in the catalog's pairs.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    int
        0 for ``"zh"``, 1 for ``"en"``.

    Raises
    ------
    UsageError
        For any other language.
    """
    if lang not in LANGS:
        raise UsageError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return LANGS.index(lang)


def _discover() -> dict[str, Mapping[str, tuple[str, str]]]:
    found: list[tuple[str, str]] = [
        (info.name, f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    reports = importlib.import_module(REPORTS_PACKAGE)
    found += [(info.name, f"{REPORTS_PACKAGE}.{info.name}.catalog")
              for info in pkgutil.iter_modules(reports.__path__)
              if info.ispkg and not info.name.startswith("_")]
    out: dict[str, Mapping[str, tuple[str, str]]] = {}
    for name, module_name in sorted(found):
        if name in out:
            raise CatalogError(f"two catalog sections are named {name!r}")
        section = getattr(importlib.import_module(module_name), "SECTION", None)
        if not isinstance(section, Mapping):
            raise CatalogError(f"labels section {name!r} ({module_name}) has no SECTION dict")
        out[name] = section
    return out


def sections() -> dict[str, Mapping[str, tuple[str, str]]]:
    """The sections of the catalog: module name -> its ``SECTION`` dict.

    Returns
    -------
    dict
        Every module of this package (names not starting with ``_``) and the ``catalog``
        module of every report folder (named after the report), in name order.

    Raises
    ------
    CatalogError
        When a section module has no ``SECTION`` dict.
    """
    return _discover()


def merge(parts: Mapping[str, Mapping[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """Merge sections into one catalog, checking every entry.

    Parameters
    ----------
    parts : mapping
        Section name -> ``{key: (中文, English)}``.

    Returns
    -------
    dict
        Key -> ``(中文, English)``.

    Raises
    ------
    CatalogError
        When a key is defined by two sections, or an entry is not a pair of two
        non-empty strings (a language is missing).
    """
    merged: dict[str, tuple[str, str]] = {}
    origin: dict[str, str] = {}
    for name, section in parts.items():
        for key, pair in section.items():
            if key in merged:
                raise CatalogError(f"label {key!r} is defined twice: in section "
                                   f"{origin[key]!r} and in {name!r}")
            if (not isinstance(pair, tuple) or len(pair) != len(LANGS)
                    or not all(isinstance(t, str) and t.strip() for t in pair)):
                raise CatalogError(f"label {key!r} in section {name!r} must be a pair "
                                   f"(中文, English) of non-empty strings, got {pair!r}")
            merged[key] = pair
            origin[key] = name
    return merged


@cache
def catalog() -> dict[str, tuple[str, str]]:
    """The whole catalog, assembled once from :func:`sections`.

    Returns
    -------
    dict
        Key -> ``(中文, English)``.
    """
    return _merge(_discover())


def has(key: str) -> bool:
    """Whether ``key`` is in the catalog."""
    return key in catalog()


def text(key: str, lang: str = "zh", **fields: object) -> str:
    """The text of ``key`` in ``lang``, with ``fields`` filled in.

    Parameters
    ----------
    key : str
        A key of the catalog, e.g. ``"column.estimate"``.
    lang : {"zh", "en"}
        Language.
    **fields
        Values for the ``str.format`` fields of the text; without any the text is
        returned as it is.

    Returns
    -------
    str
        The text.

    Raises
    ------
    KeyError
        For a key the catalog does not have.
    """
    idx = check_lang(lang)
    try:
        pair = catalog()[key]
    except KeyError:
        raise KeyError(f"no label {key!r} in the catalog") from None
    return _READER_FORMAT.vformat(pair[idx], (), fields) if fields else pair[idx]


class _ReaderFormatter(string.Formatter):
    """``str.format`` as readers read numbers: a number that rounds to zero has no sign
    (``0.0``, never ``-0.0`` or ``+0.0``), a missing one (NaN) is "—", never ``nan``."""

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
            if math.isnan(float(value)):
                return MISSING
            shown = format(value, format_spec)
            if shown[:1] in "+-" and shown[1:2].isdigit() and not _NONZERO.search(shown):
                return shown[1:]
            return shown
        return super().format_field(value, format_spec)


#: Shown for a missing number in a catalog text.
MISSING = "—"
_NONZERO = re.compile(r"[1-9]")
_READER_FORMAT = _ReaderFormatter()


def code_label(code: object, lang: str = "zh") -> str:
    """The name of a code in ``lang``: city, brand, tier, lever, component, stage, report.

    Parameters
    ----------
    code : object
        A code such as ``"xiamen"``, ``"gotone"``, ``"diamond"``, ``"care"``,
        ``"influence"``, ``"province"``.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
        The label (``code.<code>`` of the catalog); a code the catalog does not name is
        returned unchanged, as text.
    """
    idx = check_lang(lang)
    pair = catalog().get(f"code.{code}")
    return pair[idx] if pair is not None else str(code)


def anchor(name: str) -> str:
    """The id of a report section on its page: ``sec-<report>-<name>``.

    Parameters
    ----------
    name : str
        ``<report>.<name>`` as :func:`section` takes it.

    Returns
    -------
    str
        An HTML id that does not depend on the language or the heading's wording.
    """
    return "sec-" + str(name).replace(".", "-")


def section(name: str, lang: str = "zh", level: int = 2, **fields: object) -> str:
    """A notebook heading and its note as Markdown, in ``lang``.

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
        An empty element whose id is the section's stable anchor (:func:`anchor`: the
        same in both languages, so a sentence elsewhere can link to the section), then
        ``"## <heading>"``, followed by a blank line and the note when the catalog has
        one (``section.<name>.note``).

    Raises
    ------
    KeyError
        When the catalog has no heading ``section.<name>``.
    """
    key = f"section.{name}"
    out = f'<div id="{anchor(name)}"></div>\n\n' + "#" * int(level) + " " \
        + text(key, lang, **fields)
    if has(f"{key}.note"):
        out += "\n\n" + text(f"{key}.note", lang, **fields)
    return out


def plain(value: object) -> str:
    """A free text from data or configuration (a file name, a target's label, a note) made
    safe to print in a generated sentence: ``&``, ``<`` and ``>`` escaped, so Markdown and
    HTML show it as the characters it holds and never as markup.

    Returns
    -------
    str
    """
    return html.escape(str(value), quote=False)


def level_text(level: float) -> str:
    """A confidence level as a percentage for headings: 0.95 -> ``"95%"``, 0.975 -> ``"97.5%"``."""
    return f"{float(level) * 100:.6g}%"


_merge = merge
