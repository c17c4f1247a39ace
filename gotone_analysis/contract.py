"""The data contract as data: one :class:`Table` per input kind, one :class:`Column` each.

This module only *describes* the inputs (names, types, codes, ranges, keys). The
validators in :mod:`gotone_analysis.schema` enforce it and the demo generator in
:mod:`gotone_analysis.demo` writes to it, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import BRAND_CODES, CITY_CODES, GOTONE_TIERS, OTHER_TIERS, PRODUCT_LEVERS, TIER_CODES

#: Column types. ``code`` = string from ``allowed``; ``binary`` = 0/1 integer;
#: ``likert`` = integer scale (``min``..``max``) where 98/99 mean missing;
#: ``quarter`` = ``YYYYQn``; ``month`` = ``YYYY-MM``.
TYPES = ("str", "int", "float", "binary", "likert", "code", "quarter", "month")
#: Who an item is asked of (see :attr:`Column.asked_of`).
ASKED_OF = ("all", "gotone", "users")

# --- plausibility ------------------------------------------------------------------------------
# Hard bounds are errors (the run stops before any kernel); soft ones, measured against the
# file's own distribution, are warnings (printed by ``gotone validate`` and the batch, listed
# on the data-quality page) and never stop a run.

#: Highest plausible monthly spend of one mobile customer, yuan (billing ARPU): an error above.
ARPU_MAX = 100_000
#: A survey weight above this multiple of its wave's median weight is an error: no sampling
#: design gives one respondent the weight of a thousand typical ones.
WEIGHT_MAX_MEDIAN_MULTIPLE = 1_000
#: A survey weight above this multiple of its wave's median weight is a warning (a weight
#: that large dominates its domain's estimates; trimming is the usual remedy).
WEIGHT_WARN_MEDIAN_MULTIPLE = 50
#: ``(q, k)``: a panel ARPU above ``k`` times the panel's own ``q``-quantile is a warning.
ARPU_WARN_QUANTILE = (0.9999, 10.0)


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    type: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    #: 98/99 (refused / don't know) are read as missing before range checks.
    missing_codes: bool = False
    #: values must be strictly greater than ``min`` (e.g. sampling weights > 0).
    positive: bool = False
    #: who is asked the item: ``all`` respondents, ``gotone`` customers only, or ``users``
    #: of the service only (missing by design for everyone else).
    asked_of: str = "all"
    description: str = ""
    #: personal or identifying data (a phone number, a respondent id, a customer key):
    #: read and validated, never analysed, published or kept in a batch's cache.
    personal: bool = False
    #: plausibility, an error: values above this multiple of the file's median.
    max_median_multiple: float | None = None
    #: plausibility, a warning: values above this multiple of the file's median.
    warn_median_multiple: float | None = None
    #: plausibility, a warning: ``(q, k)``, values above ``k`` times the file's
    #: ``q``-quantile.
    warn_quantile_multiple: tuple[float, float] | None = None
    #: a column of the survey design (clusters, finite population correction): filled on
    #: every row of a wave or on none, and in every wave read together or in none.
    design: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown column type {self.type!r} for {self.name}")
        if self.asked_of not in ASKED_OF:
            raise ValueError(f"unknown asked_of {self.asked_of!r} for {self.name}")


@dataclass(frozen=True)
class Table:
    """One input kind: its columns, its unique key and cross-column rules."""

    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: (numerator, denominator) pairs of count columns: numerator <= denominator.
    ratios: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    description: str = ""
    #: A ``month`` column whose months must run without a gap from the first to the last.
    gapless: str | None = None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def personal(self) -> tuple[str, ...]:
        """The personal and identifying columns (:attr:`Column.personal`)."""
        return tuple(c.name for c in self.columns if c.personal)

    @property
    def design(self) -> tuple[str, ...]:
        """Names of the survey-design columns (:attr:`Column.design`)."""
        return tuple(c.name for c in self.columns if c.design)


def _likert(name: str, lo: int = 1, hi: int = 10, *, nullable: bool = True, desc: str = "",
            required: bool = True, asked_of: str = "all") -> Column:
    return Column(name, "likert", required=required, nullable=nullable, min=lo, max=hi,
                  missing_codes=True, description=desc, asked_of=asked_of)


def _binary(name: str, *, nullable: bool = True, desc: str = "", required: bool = True,
            asked_of: str = "all") -> Column:
    return Column(name, "binary", required=required, nullable=nullable, min=0, max=1,
                  missing_codes=True, description=desc, asked_of=asked_of)


def _count(name: str, desc: str = "") -> Column:
    return Column(name, "int", min=0, description=desc)


# --- survey --------------------------------------------------------------------------------

IMAGE_ITEMS = tuple(f"img_{i}" for i in range(1, 6))
#: Attribute performance items (1-10, missing where not applicable).
PERFORMANCE_ITEMS = (
    "pq_network", "pq_tariff", "pq_hall", "pq_hotline", "pq_manager", "pq_points",
    "pq_club", "pq_family", "pq_roaming", "pq_info", "pq_eservice",
)
VALUE_ITEMS = ("val_price", "val_quality")

SURVEY = Table(
    kind="survey",
    key=("resp_id",),
    description="Quarterly brand and satisfaction survey, one row per respondent.",
    columns=(
        Column("resp_id", "str", personal=True, description="respondent id, unique in the file"),
        Column("quarter", "quarter", description="survey wave, YYYYQn"),
        Column("city", "code", allowed=CITY_CODES),
        Column("brand", "code", allowed=BRAND_CODES),
        Column("tier", "code", allowed=TIER_CODES,
               description=f"GoTone: {', '.join(GOTONE_TIERS)}; others: {', '.join(OTHER_TIERS)}"),
        Column("stratum", "str", description="sampling stratum (city x tier)"),
        Column("weight", "float", min=0, positive=True, description="sampling weight, > 0",
               max_median_multiple=WEIGHT_MAX_MEDIAN_MULTIPLE,
               warn_median_multiple=WEIGHT_WARN_MEDIAN_MULTIPLE),
        Column("stratum_pop", "float", required=False, nullable=True, min=1, design=True,
               description="population size of the stratum (finite population correction)"),
        Column("psu", "str", required=False, nullable=True, design=True,
               description="primary sampling unit"),
        Column("cust_key", "str", required=False, nullable=True, personal=True,
               description="pseudonymous key linking to the customer panel"),
        Column("phone", "str", required=False, nullable=True, personal=True,
               description="respondent's mobile number, as the fieldwork vendor records "
                           "it (personal data: read, never analysed or published)"),
        Column("gender", "code", required=False, nullable=True, allowed=("M", "F")),
        Column("age_band", "code", required=False, nullable=True,
               allowed=("18-24", "25-34", "35-44", "45-54", "55+")),
        Column("tenure_years", "int", required=False, nullable=True, min=0, max=30),
        Column("arpu", "float", required=False, nullable=True, min=0, max=ARPU_MAX,
               description="monthly spend (yuan) from billing"),
        _binary("aw_unaided", desc="unaided brand awareness"),
        _binary("aw_aided", desc="aided brand awareness"),
        *(_likert(n, desc="brand image / association item") for n in IMAGE_ITEMS),
        _likert("pref_score", desc="brand preference"),
        _likert("loy_stay", desc="intention to stay"),
        _likert("ltr", 0, 10, desc="likelihood to recommend (NPS item)"),
        _likert("sat_overall", desc="overall satisfaction"),
        _likert("sat_expect", desc="satisfaction against expectation"),
        _likert("sat_ideal", desc="distance to the ideal operator"),
        _likert("exp_overall", desc="expected quality before using"),
        *(_likert(n, desc="value perception") for n in VALUE_ITEMS),
        _binary("complaint", desc="complained in the last 3 months"),
        *(_likert(n, desc="attribute performance, missing where not applicable",
                  asked_of="users") for n in PERFORMANCE_ITEMS),
        *(_binary(f"aw_{lv}", desc=f"aware of the {lv} lever's products", asked_of="gotone")
          for lv in PRODUCT_LEVERS),
        *(_binary(f"use_{lv}", desc=f"used the {lv} lever's products", asked_of="gotone")
          for lv in PRODUCT_LEVERS),
        Column("rights_aware", "int", nullable=True, min=0, max=9, missing_codes=True,
               asked_of="gotone",
               description="number of the nine GoTone rights the respondent knows (0-9)"),
    ),
)

# --- KPI -----------------------------------------------------------------------------------

KPI = Table(
    kind="kpi",
    key=("month", "city"),
    description="Monthly BI-system counts by city. Counts only: rates are derived.",
    columns=(
        Column("month", "month"),
        Column("city", "code", allowed=CITY_CODES),
        _count("gotone_customers", "GoTone customers at month end"),
        _count("gotone_midhigh", "GoTone customers who are genuinely mid/high value (purity)"),
        _count("target_customers", "customers in the target market (all brands)"),
        _count("gotone_in_target", "GoTone customers in the target market (share)"),
        _count("target_arpu200", "target-market customers with ARPU >= 200 yuan"),
        _count("gotone_arpu200", "of which GoTone"),
        _count("target_arpu120", "target-market customers with 120 <= ARPU < 200 yuan"),
        _count("gotone_arpu120", "of which GoTone"),
        _count("midhigh_customers", "mid/high-end customers, all brands (KPI)"),
        _count("midhigh_bundled", "of which bundled"),
        _count("core_base", "core customers at the start of the year"),
        _count("core_retained", "of which still customers at month end"),
        _count("new_vip", "new diamond/gold VIP customers in the month"),
        _count("family_users", "GoTone customers using >= 1 family product"),
        _count("roaming_business_users", "GoTone customers using a roaming business product"),
        _count("roaming_service_users", "GoTone customers using a roaming service product"),
        _count("info_users", "GoTone customers using >= 1 designated information product"),
        _count("info_two_users", "customers using >= 2 designated information products"),
        _count("care_target", "GoTone customers due care calls this year"),
        _count("care_covered", "of which called at least once this year"),
        _count("care_attained", "of which at their tier's call frequency to date"),
        _count("care_calls", "care calls made in the month"),
        _count("care_other_target", "non-GoTone mid/high-end customers due care calls"),
        _count("care_other_covered", "of which with >= 3 calls a year to date"),
        _count("points_redeemed", "points redeemed in the month"),
        _count("points_redeemed_e", "of which through electronic channels"),
        _count("points_due", "points due to expire in the month"),
        _count("points_expired", "of which expired (清零)"),
        _count("redeemers_ytd", "GoTone customers who redeemed points this year"),
        _count("club_users_ytd", "GoTone customers with >= 1 club experience this year"),
        _count("g3_users", "GoTone customers who experienced G3 services"),
        _count("ebill_users", "GoTone customers on e-bill"),
        _count("transactions", "service transactions in the month"),
        _count("e_transactions", "of which through electronic channels"),
    ),
    ratios=(
        ("gotone_midhigh", "gotone_customers"),
        ("gotone_in_target", "target_customers"),
        ("gotone_arpu200", "target_arpu200"),
        ("gotone_arpu120", "target_arpu120"),
        ("midhigh_bundled", "midhigh_customers"),
        ("core_retained", "core_base"),
        ("family_users", "gotone_customers"),
        ("roaming_business_users", "gotone_customers"),
        ("roaming_service_users", "gotone_customers"),
        ("info_users", "gotone_customers"),
        ("care_covered", "care_target"),
        ("care_attained", "care_covered"),
        ("care_other_covered", "care_other_target"),
        ("points_redeemed_e", "points_redeemed"),
        ("points_expired", "points_due"),
        ("redeemers_ytd", "gotone_customers"),
        ("club_users_ytd", "gotone_customers"),
        ("g3_users", "gotone_customers"),
        ("ebill_users", "gotone_customers"),
        ("e_transactions", "transactions"),
    ),
)

# --- customer panel ----------------------------------------------------------------------------

PANEL_SEGMENTS = ("vip", "gotone_midhigh", "gotone_regular", "other_midhigh", "other_mass")

PANEL = Table(
    kind="panel",
    key=("cust_key", "month"),
    gapless="month",
    description="Customer-month panel; Parquet partitioned by month, queried in DuckDB.",
    columns=(
        Column("cust_key", "str", personal=True, description="pseudonymous customer key"),
        Column("month", "month"),
        Column("city", "code", allowed=CITY_CODES),
        Column("brand", "code", allowed=BRAND_CODES[:3]),
        Column("tier", "code", allowed=TIER_CODES),
        Column("segment", "code", allowed=PANEL_SEGMENTS,
               description="care roll-out segment (slide 29)"),
        Column("arpu", "float", min=0, max=ARPU_MAX, warn_quantile_multiple=ARPU_WARN_QUANTILE,
               description="monthly spend, yuan"),
        _binary("churned", nullable=False, desc="left at the end of this month"),
        Column("care_start", "month", nullable=True,
               description="month the customer's segment entered the care roll-out; empty if never"),
        _binary("part_care", nullable=False, desc="received a care call this month"),
        _binary("part_points", nullable=False, desc="redeemed points this month"),
        _binary("part_club", nullable=False, desc="used a club product this month"),
        _binary("part_family", nullable=False, desc="has a family product this month"),
    ),
)

# --- network benchmark --------------------------------------------------------------------------

BENCHMARK_METRICS = ("influence", "awareness", "association", "preference", "loyalty",
                     "satisfaction")

BENCHMARK = Table(
    kind="benchmark",
    key=("quarter", "metric"),
    description="Network-wide (all-province) GoTone averages, 0-100.",
    columns=(
        Column("quarter", "quarter"),
        Column("metric", "code", allowed=BENCHMARK_METRICS),
        Column("value", "float", min=0, max=100),
    ),
)

TABLES: dict[str, Table] = {t.kind: t for t in (SURVEY, KPI, PANEL, BENCHMARK)}
