"""Catalog section: names of the business codes, reader-table headings and notes, comparisons.

The names of cities, brands, tiers, levers and brand-equity components are business
data kept with their codes in :mod:`gotone_analysis.config` (the input readers also
use them to recognise vendor values); this section publishes them as ``code.<code>``
so that reports look every name up in the one catalog.
"""

from __future__ import annotations

from .. import config


def _codes() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for table in (config.CITIES, config.BRANDS, config.TIERS, config.BRAND_COMPONENTS):
        out.update({f"code.{code}": pair for code, pair in table.items()})
    out.update({f"code.{lv.code}": (lv.label_zh, lv.label_en) for lv in config.LEVERS})
    out[f"code.{config.PROVINCE}"] = ("全省", "Province")
    return out


SECTION: dict[str, tuple[str, str]] = {
    **_codes(),
    # headings of the reader tables (gotone_analysis.tables)
    "column.quarter": ("季度", "Quarter"),
    "column.year": ("年度", "Year"),
    "column.scope": ("范围", "Scope"),
    "column.city": ("城市", "City"),
    "column.tier": ("客户层级", "Tier"),
    "column.brand": ("品牌", "Brand"),
    "column.component": ("指标", "Measure"),
    "column.stage": ("阶段", "Stage"),
    "column.measure": ("口径", "Measure"),
    "column.estimate": ("得分", "Score"),
    "column.se": ("标准误", "SE"),
    "column.ci": ("{level} 置信区间", "{level} interval"),
    "column.n": ("样本量", "Base (n)"),
    "column.n_eff": ("有效样本量", "Effective base"),
    "column.deff": ("设计效应", "Design effect"),
    "column.estimate_ref": ("对比值", "Comparison"),
    "column.se_ref": ("对比值标准误", "Comparison SE"),
    "column.n_ref": ("对比样本量", "Comparison base"),
    "column.diff": ("变化", "Change"),
    "column.diff_se": ("变化的标准误", "SE of change"),
    "column.p_value": ("p 值", "p"),
    "column.p_adj": ("校正后 p 值", "Adjusted p"),
    "column.compare_quarter": ("对比季度", "Compared with"),
    "column.compare_year": ("对比年度", "Compared with"),
    # notes under the reader tables
    "note.suppressed": ("{dash}：样本量不足 {min_base}，不予显示。",
                        "{dash}: base below {min_base}, not shown."),
    "note.suppressed_generic": ("{dash}：样本量不足，不予显示。",
                                "{dash}: base too small, not shown."),
    "note.marks": ("{up}/{down}：在 {alpha:.0%} 水平上显著上升/下降或高于/低于参照（已做多重比较校正）；"
                   "无标记的变化在抽样误差范围内。",
                   "{up}/{down}: significantly up/down or above/below the reference at the "
                   "{alpha:.0%} level (adjusted for multiple comparisons); unmarked changes "
                   "are within sampling error."),
    # units of numbers in reader text (gotone_analysis.tables)
    "unit.points": ("{value} 个百分点", "{value} pp"),
    "unit.wan": ("{value} 万", "{value} ten thousand"),
    "unit.yi": ("{value} 亿", "{value} hundred million"),
    "unit.million": ("{value} 百万", "{value} million"),
    "unit.billion": ("{value} 十亿", "{value} billion"),
    # figures (gotone_analysis.plots)
    "plot.interval": ("{level} 置信区间", "{level} interval"),
    "plot.score_axis": ("得分 (0–100)", "Score (0–100)"),
    # comparisons (gotone_analysis.params)
    "params.compare.previous": ("上季度", "previous quarter"),
    "params.compare.year_ago": ("去年同期", "same quarter last year"),
    "params.compare.previous_month": ("上月", "previous month"),
    "params.compare.year_ago_month": ("去年同月", "same month last year"),
    "params.no_comparison_data": ("没有 {quarter}（{label}）的调查数据，不作比较",
                                  "no survey data for {quarter} ({label}); comparisons are "
                                  "left out"),
}
