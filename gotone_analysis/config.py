"""Configuration shipped with the package: cities, tiers, brands, levers, quarters, paths, reports.

Everything here is data about the business (from the 2010 "139" deck) or about the
suite's layout. Nothing here reads user data, and nothing here imports the rest of the
package (the 139 targets are read by :mod:`gotone_analysis.targets`). The zh/en names
kept with the codes are published to readers through the one catalog,
:mod:`gotone_analysis.labels`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# --- geography ---------------------------------------------------------------------

#: The nine city branches of China Mobile Fujian: code -> (中文, English).
CITIES: dict[str, tuple[str, str]] = {
    "fuzhou": ("福州", "Fuzhou"),
    "xiamen": ("厦门", "Xiamen"),
    "quanzhou": ("泉州", "Quanzhou"),
    "zhangzhou": ("漳州", "Zhangzhou"),
    "putian": ("莆田", "Putian"),
    "sanming": ("三明", "Sanming"),
    "nanping": ("南平", "Nanping"),
    "longyan": ("龙岩", "Longyan"),
    "ningde": ("宁德", "Ningde"),
}
CITY_CODES: tuple[str, ...] = tuple(CITIES)
PROVINCE = "province"
SCOPES: tuple[str, ...] = (PROVINCE, *CITY_CODES)

# --- brands and tiers ---------------------------------------------------------------

#: Brands in the survey: code -> (中文, English).
BRANDS: dict[str, tuple[str, str]] = {
    "gotone": ("全球通", "GoTone"),
    "mzone": ("动感地带", "M-Zone"),
    "easyown": ("神州行", "Easyown"),
    "competitor": ("竞争对手", "Competitor"),
}
BRAND_CODES: tuple[str, ...] = tuple(BRANDS)

#: Customer tiers: code -> (中文, English). GoTone uses the four card tiers; other
#: brands are classed mid/high-end or mass.
TIERS: dict[str, tuple[str, str]] = {
    "diamond": ("钻石卡", "Diamond"),
    "gold": ("金卡", "Gold"),
    "silver": ("银卡", "Silver"),
    "regular": ("普通", "Regular"),
    "mid_high": ("中高端", "Mid/high-end"),
    "mass": ("大众", "Mass"),
}
GOTONE_TIERS: tuple[str, ...] = ("diamond", "gold", "silver", "regular")
OTHER_TIERS: tuple[str, ...] = ("mid_high", "mass")
TIER_CODES: tuple[str, ...] = tuple(TIERS)
VIP_TIERS: tuple[str, ...] = ("diamond", "gold")

# --- the nine levers of the 139 plan -----------------------------------------------


@dataclass(frozen=True)
class Lever:
    """One of the nine levers of the 2010 "139" plan."""

    number: int
    code: str
    label_zh: str
    label_en: str
    slides: str


LEVERS: tuple[Lever, ...] = (
    Lever(1, "scale", "规模发展", "Scale development", "16-17"),
    Lever(2, "family", "家庭产品", "Family products", "18-20"),
    Lever(3, "roaming", "漫游产品", "Roaming products", "21-23"),
    Lever(4, "info", "信息产品", "Information products", "24-26"),
    Lever(5, "care", "客户经理关怀", "Customer-manager care", "27-29"),
    Lever(6, "points", "积分兑换", "Points redemption", "30-32"),
    Lever(7, "club", "俱乐部", "Clubs", "33-35"),
    Lever(8, "g3", "G3体验", "G3 experience", "36-38"),
    Lever(9, "eservice", "便捷服务", "Convenient (electronic) service", "39-41"),
)
LEVER_CODES: tuple[str, ...] = tuple(lv.code for lv in LEVERS)
#: Levers with a product a customer can know of and use (survey aw_<lever>/use_<lever>).
PRODUCT_LEVERS: tuple[str, ...] = tuple(c for c in LEVER_CODES if c != "scale")

#: Staggered roll-out of the care calls (slide 29): segment -> first month treated.
CARE_ROLLOUT: dict[str, str] = {
    "vip": "2010-03",
    "gotone_midhigh": "2010-06",
    "gotone_regular": "2010-09",
    "other_midhigh": "2010-12",
}
#: Care calls a year required by tier (slide 27-29); other brands' mid/high-end: 3.
CARE_CALLS_PER_YEAR: dict[str, int] = {
    "diamond": 9, "gold": 9, "silver": 6, "regular": 4, "mid_high": 3,
}

# --- brand equity ---------------------------------------------------------------------

#: Brand-equity components, in funnel order: code -> (中文, English).
BRAND_COMPONENTS: dict[str, tuple[str, str]] = {
    "awareness": ("认知", "Awareness"),
    "association": ("联想", "Association"),
    "preference": ("偏好", "Preference"),
    "loyalty": ("忠诚", "Loyalty"),
}

# --- the order readers see codes in ------------------------------------------------

#: The deck's order of the codes of a column: scopes (the province, then the cities as
#: the deck lists them), tiers (diamond, gold, silver, regular, then other brands'
#: classes), brands, levers 1 to 9, brand components. Every table a reader sees lists
#: codes in this order (:func:`code_order`, :func:`order_key`), never alphabetically.
CODE_ORDERS: dict[str, tuple[str, ...]] = {
    "scope": SCOPES,
    "city": (PROVINCE, *CITY_CODES),
    "tier": (*TIER_CODES, "all"),
    "brand": BRAND_CODES,
    "lever": ("goal", *LEVER_CODES),
    "component": tuple(BRAND_COMPONENTS),
    "term": ("total", *TIER_CODES, *CITY_CODES),
}


def code_order(column: str, codes) -> list:
    """``codes`` (each once) in the deck's order of ``column`` (:data:`CODE_ORDERS`);
    codes the deck does not order follow, as text in alphabetical order."""
    order = {c: i for i, c in enumerate(CODE_ORDERS.get(column, ()))}
    return sorted(dict.fromkeys(codes), key=lambda c: (order.get(c, len(order)), str(c)))


def order_key(column: str):
    """A ``key=`` for :meth:`pandas.DataFrame.sort_values` that puts the codes of
    ``column`` in the deck's order (:data:`CODE_ORDERS`; other values after them, as
    text); None for a column without a deck's order."""
    order = CODE_ORDERS.get(column)
    if order is None:
        return None
    def key(s: pd.Series) -> pd.Series:
        ranks = {c: i for i, c in enumerate(code_order(s.name, pd.unique(s)))}
        return s.map(ranks)
    return key


def sort_by_codes(frame: pd.DataFrame, by) -> pd.DataFrame:
    """``frame`` sorted (stably) by the columns ``by``, codes in the deck's order
    (:func:`order_key`) and other columns as they sort; index 0..n-1."""
    by = [by] if isinstance(by, str) else list(by)
    if not by or frame.empty:
        return frame.reset_index(drop=True)
    keys = {c: order_key(c) for c in by}
    return frame.sort_values(by, key=lambda s: keys[s.name](s) if keys.get(s.name) else s,
                             kind="stable").reset_index(drop=True)


# --- survey codes -----------------------------------------------------------------------

#: Survey codes meaning "refused" / "don't know": always read as missing, never 0.
MISSING_CODES: tuple[int, ...] = (98, 99)

QUARTER_RE = re.compile(r"^(?P<year>\d{4})Q(?P<q>[1-4])$")
MONTH_RE = re.compile(r"^(?P<year>\d{4})-(?P<m>0[1-9]|1[0-2])$")


def parse_quarter(text: str) -> pd.Period:
    """Return the quarter ``YYYYQn`` as a :class:`pandas.Period`; raise ``ValueError``."""
    if not isinstance(text, str) or not QUARTER_RE.match(text):
        raise ValueError(f"quarter must look like 2010Q4 (YYYYQn with n in 1-4), got {text!r}")
    return pd.Period(text, freq="Q")


def quarter_str(period: pd.Period) -> str:
    """Format a quarterly period as ``YYYYQn``."""
    return f"{period.year}Q{period.quarter}"


def shift_quarter(quarter: str, n: int) -> str:
    """The quarter ``n`` quarters after ``quarter`` (negative: before)."""
    return quarter_str(parse_quarter(quarter) + n)


def parse_month(text: str) -> pd.Period:
    """Return the month ``YYYY-MM`` as a monthly :class:`pandas.Period`; raise ``ValueError``."""
    if not isinstance(text, str) or not MONTH_RE.match(text):
        raise ValueError(f"month must look like 2010-05 (YYYY-MM with MM in 01-12), got "
                         f"{text!r}")
    return pd.Period(text, freq="M")


def month_quarter(month: str) -> str:
    """The quarter ``YYYYQn`` holding the month ``YYYY-MM``."""
    return quarter_str(parse_month(month).asfreq("Q"))


def period_key(period: str) -> tuple[pd.Period, int]:
    """A sort key of a quarter ``YYYYQn`` or a month ``YYYY-MM``: by the month the period
    ends with, a quarter before its last month."""
    if MONTH_RE.match(period):
        return parse_month(period), 1
    return parse_quarter(period).asfreq("M", how="end"), 0


# --- paths --------------------------------------------------------------------------------


def project_root() -> Path:
    """The project root: ``$GOTONE_ROOT`` if set, else the folder holding ``pyproject.toml``
    above this package, else the current directory."""
    env = os.environ.get("GOTONE_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").exists():
        return here
    return Path.cwd()


def default_data_dir() -> Path:
    """Where the demo data set is generated by default (``data/demo``)."""
    return project_root() / "data" / "demo"


def default_output_dir() -> Path:
    """Where reports are published by default (``outputs``)."""
    return project_root() / "outputs"


# --- reports ----------------------------------------------------------------------------------

#: Report notebooks (``notebooks/<name>.ipynb``) in the order the batch lists them (and
#: runs them, except that a report of :data:`REPORT_NEEDS` waits for those it reads):
#: name -> (中文 title, English title).
REPORTS: dict[str, tuple[str, str]] = {
    "summary": ("本季概览：变化了什么、为什么", "Summary: what changed and why"),
    "data_quality": ("数据质量", "Data quality"),
    "brand_equity": ("品牌资产", "Brand equity"),
    "satisfaction": ("满意度", "Satisfaction"),
    "program_effects": ("项目成效", "Program effects"),
    "scorecard_139": ("139 工程目标记分卡", "139 scorecard"),
}

#: Reports that read other reports' published metrics (of the same quarter and scope):
#: the batch runs them after those, and not at all when one of those failed.
REPORT_NEEDS: dict[str, tuple[str, ...]] = {
    "summary": ("satisfaction", "brand_equity", "program_effects", "scorecard_139"),
    "monthly_summary": ("scorecard_139",),
}

#: Report notebooks a monthly run (``gotone run --month``) publishes, in the order the
#: batch lists them: name -> (中文 title, English title). The scorecard is the quarterly
#: one scored as of the month's end; the monthly summary runs only monthly.
MONTHLY_REPORTS: dict[str, tuple[str, str]] = {
    "monthly_summary": ("本月概览：139 工程月度进展", "Monthly summary: the 139 plan this month"),
    "scorecard_139": REPORTS["scorecard_139"],
}

#: The input files each report reads, by kind of the data contract (``survey``, ``kpi``,
#: ``benchmark``, ``panel``); for the survey, which waves: ``survey:through`` every wave
#: up to and including the report's quarter (its trends, year-ago and year-to-date
#: comparisons), ``survey:compare`` the quarter and its comparison quarter,
#: ``survey:quarter`` the quarter alone. A report of :data:`REPORT_NEEDS` reads the files
#: of the reports it needs; a report not listed here reads every input. The run card
#: lists these files, the kernel's data set refuses any other
#: (:meth:`gotone_analysis.io.Dataset.limit`), and the batch reuses a published report
#: only while they are unchanged (:mod:`gotone_analysis.runner.reuse`).
REPORT_INPUTS: dict[str, tuple[str, ...]] = {
    "data_quality": ("survey:compare", "kpi", "benchmark", "panel"),
    "brand_equity": ("survey:through", "benchmark"),
    "satisfaction": ("survey:through", "benchmark"),
    "program_effects": ("survey:quarter", "panel"),
    "scorecard_139": ("survey:through", "kpi"),
}


@dataclass(frozen=True)
class Reads:
    """The inputs a report reads (:func:`report_reads`)."""

    #: Kinds of input (``survey``, ``kpi``, ``benchmark``, ``panel``).
    kinds: frozenset[str]
    #: Survey waves up to and including this one (``None``: no such rule).
    through: str | None = None
    #: Further survey waves it reads.
    waves: frozenset[str] = frozenset()
    #: Every survey wave (a report the suite does not know).
    every_wave: bool = False

    def wave(self, quarter: str) -> bool:
        """Whether the survey file of ``quarter`` is read.

        Returns
        -------
        bool
        """
        if "survey" not in self.kinds:
            return False
        if self.every_wave or quarter in self.waves:
            return True
        return self.through is not None and parse_quarter(quarter) <= parse_quarter(self.through)


def report_reads(report: str, quarter: str, compare_to: str | None = None) -> Reads:
    """What ``report`` of ``quarter`` reads (:data:`REPORT_INPUTS`).

    Parameters
    ----------
    report : str
        A report name.
    quarter : str
        Its quarter, ``YYYYQn``.
    compare_to : str, optional
        Its comparison quarter (``YYYYQn``).

    Returns
    -------
    Reads
        The kinds of input and the survey waves it reads. A report of
        :data:`REPORT_NEEDS` reads what the reports it needs read; one in neither
        mapping reads everything.
    """
    if report in REPORT_NEEDS and report not in REPORT_INPUTS:
        parts = [report_reads(n, quarter, compare_to) for n in REPORT_NEEDS[report]]
        through = [r.through for r in parts if r.through]
        return Reads(kinds=frozenset().union(*(r.kinds for r in parts)),
                     through=max(through, key=parse_quarter) if through else None,
                     waves=frozenset().union(*(r.waves for r in parts)),
                     every_wave=any(r.every_wave for r in parts))
    rules = REPORT_INPUTS.get(report)
    if rules is None:
        return Reads(kinds=frozenset({"survey", "kpi", "benchmark", "panel"}), every_wave=True)
    kinds, waves, through = set(), set(), None
    for rule in rules:
        kind, _, which = rule.partition(":")
        kinds.add(kind)
        if which == "through":
            through = quarter
        elif which == "compare":
            waves |= {quarter} | ({compare_to} if compare_to else set())
        elif which == "quarter":
            waves.add(quarter)
    return Reads(kinds=frozenset(kinds), through=through, waves=frozenset(waves))

# --- the brand influence index -------------------------------------------------------------

#: How the four brand-equity components are scored per respondent on 0-100, and how the
#: influence index (影响力) combines them. The headquarters formula is not public; this
#: is the suite's documented, configurable stand-in:
#:
#: * awareness   = 100 x (0.4 x unaided + 0.6 x aided awareness), both 0/1
#: * association = mean of the five image items img_1..img_5, (x - 1) / 9 x 100
#: * preference  = (pref_score - 1) / 9 x 100
#: * loyalty     = 0.5 x (loy_stay - 1) / 9 x 100 + 0.5 x ltr / 10 x 100
#: * influence   = weighted mean of the four components (weights below)
#:
#: A component is missing for a respondent when any of its items is missing (for
#: association: when fewer than 3 of the 5 image items are answered; the mean of the
#: answered ones is used otherwise); the influence index is missing when any component is.
BRAND_INDEX_SPEC: dict = {
    "awareness": {"items": {"aw_unaided": 0.4, "aw_aided": 0.6}, "scale": (0, 1)},
    "association": {"mean_of": ("img_1", "img_2", "img_3", "img_4", "img_5"),
                    "min_answered": 3, "scale": (1, 10)},
    "preference": {"items": {"pref_score": 1.0}, "scale": (1, 10)},
    "loyalty": {"items": {"loy_stay": 0.5, "ltr": 0.5}, "scale": {"loy_stay": (1, 10),
                                                                  "ltr": (0, 10)}},
    "influence_weights": {"awareness": 0.25, "association": 0.25, "preference": 0.25,
                          "loyalty": 0.25},
}
