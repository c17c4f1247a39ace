"""Catalog section: brand-equity codes, funnel figures and the sentences of the brand narrative.

The ``narrative.*`` texts are the word table of
:func:`gotone_analysis.narrative.brand_narrative`.
"""

from __future__ import annotations

SECTION: dict[str, tuple[str, str]] = {
    # codes of gotone_analysis.brand (components, funnel stages and measures, benchmark)
    "code.influence": ("影响力", "Influence"),
    "code.aware": ("认知（提示）", "Aware (prompted)"),
    "code.associated": ("正面联想", "Positive association"),
    "code.preferring": ("偏好", "Preferring"),
    "code.loyal": ("忠诚", "Loyal"),
    "code.reach": ("到达率", "Reach"),
    "code.conversion": ("转化率", "Conversion"),
    "code.benchmark": ("全网均值", "Network average"),
    # funnel figure
    "plot.funnel.conversion": ("转化", "conversion"),
    "plot.funnel.share_axis": ("占本品牌客户比例 (%)", "Share of the brand's customers (%)"),
    # the brand narrative: words
    "narrative.up": ("显著上升", "rose significantly"),
    "narrative.down": ("显著下降", "fell significantly"),
    "narrative.higher": ("显著高于", "significantly above"),
    "narrative.lower": ("显著低于", "significantly below"),
    "narrative.points": ("分", "points"),
    "narrative.province": ("全省", "the province"),
    "narrative.benchmark": ("全网均值", "the network average"),
    # the brand narrative: sentences
    "narrative.domain_name": ("{where} · {name}", "{where} – {name}"),
    "narrative.move_time": ("**{name}** {estimate:.1f}，较 {what} {verb} {d:.1f} {points}"
                            "（校正后 p {ptxt}）",
                            "**{name}** {estimate:.1f}, {verb} by {d:.1f} {points} since "
                            "{what} (adjusted p {ptxt})"),
    "narrative.move_diff": ("**{name}** {estimate:.1f}，{verb}{what} {d:.1f} {points}"
                            "（校正后 p {ptxt}）",
                            "**{name}** {estimate:.1f}, {verb} {what} by {d:.1f} {points} "
                            "(adjusted p {ptxt})"),
    "narrative.none_time": ("在 {alpha:.0%} 显著性水平下（已做多重比较校正），与 {what} 相比没有"
                            "指标发生显著变化；差异均在抽样误差范围内，不应解读为真实变化。",
                            "At the {alpha:.0%} level (adjusted for multiple comparisons) "
                            "nothing moved significantly since {what}; the differences are "
                            "within sampling error and should not be read as real changes."),
    "narrative.none_diff": ("在 {alpha:.0%} 显著性水平下（已做多重比较校正），与{what}相比没有"
                            "显著差异；差异均在抽样误差范围内，不应解读为真实差别。",
                            "At the {alpha:.0%} level (adjusted for multiple comparisons) "
                            "nothing differs significantly from {what}; the differences are "
                            "within sampling error and should not be read as real "
                            "differences."),
    "narrative.rest_time": ("其余指标的变化不显著（在抽样误差范围内）。",
                            "The other changes are not significant (within sampling error)."),
    "narrative.rest_diff": ("其余差异不显著（在抽样误差范围内）。",
                            "The other differences are not significant (within sampling "
                            "error)."),
    "narrative.no_compare": ("没有{what}的可比数据。", "No comparable data for {what}."),
    "narrative.suppressed": ("{k} 个单元格样本量不足 {min_base}，不予显示（以“—”标注）。",
                             "{k} cell(s) with a base below {min_base} are not shown "
                             "(marked “—”)."),
    "narrative.suppressed_all": ("所有单元格样本量不足 {min_base}，不予显示（以“—”标注）。",
                                 "Every cell has a base below {min_base} and is not shown "
                                 "(marked “—”)."),
    "narrative.untested": ("{k} 个单元格无法检验（缺少可比数据或无抽样变异）。",
                           "{k} cell(s) could not be tested (no comparable data or no "
                           "sampling variation)."),
}
