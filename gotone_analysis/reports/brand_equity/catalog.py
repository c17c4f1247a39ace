"""Catalog section: brand-equity codes, funnel figures and the sentences of the brand narrative.

The ``narrative.*`` texts are the word table of
:func:`gotone_analysis.reports.brand_equity.sentences.brand_narrative`.
"""

from __future__ import annotations

SECTION: dict[str, tuple[str, str]] = {
    # codes of gotone_analysis.reports.brand_equity.tables (components, funnel stages and measures, benchmark)
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
    # component and city figures
    "plot.brand.change_axis": ("较 {quarter} 的变化（分）", "Change since {quarter} (points)"),
    "plot.brand.change_axis_any": ("较对比季度的变化（分）",
                                   "Change since the comparison quarter (points)"),
    "plot.brand.score_axis_cut": ("得分（0–100，纵轴不从 0 开始）",
                                  "Score (0–100; the axis does not start at 0)"),
    "plot.brand.vs_province_axis": ("与全省之差（分）", "Difference from the province (points)"),
    "plot.brand.city_heatmap_title": (
        "各城市与全省之差：颜色为差值；格内上为城市得分，下为差值",
        "Cities against the province: colour = difference; in each cell the city's score, "
        "below it the difference"),
    "plot.brand.city_dots_title": ("{city}与全省之差（点为差值，线为置信区间；分项下为{city}得分）",
                                   "{city} against the province (dot = difference, line = "
                                   "interval; {city}'s score under each component)"),
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
    # headings and notes of the notebook (labels.section)
    'section.brand_equity.key_points': (
        '要点',
        'Key points'),
    'section.brand_equity.key_points.note': (
        '本季度与对比期相比、与全网均值相比的显著变化（已做多重比较校正；样本量不足的单元格不予显示）。',
        'Significant moves against the comparison quarter and the network average (adjusted for multiple comparisons; cells with too small a base are not shown).'),
    'section.brand_equity.influence_trend': (
        '品牌影响力趋势',
        'Influence trend'),
    'section.brand_equity.influence_trend.note': (
        '影响力指数（0–100）及其 95% 置信区间；▲/▼ 表示较上一季度显著变化。',
        'The influence index (0–100) with its 95% interval; ▲/▼ mark a significant change from the quarter before.'),
    'section.brand_equity.components_and_their_change': (
        '四要素及变化',
        'Components and their change'),
    'section.brand_equity.components_and_their_change.note': (
        '认知、联想、偏好、忠诚与影响力，与对比季度比较。',
        'Awareness, association, preference, loyalty and influence against the comparison quarter.'),
    'section.brand_equity.against_the_same_quarter_a_year_earlier': (
        '与去年同期比较',
        'Against the same quarter a year earlier'),
    'section.brand_equity.against_the_same_quarter_a_year_earlier.note': (
        '本季度与去年同一季度比较（剔除季节因素）。',
        'This quarter against the same quarter of the year before (free of seasonality).'),
    'section.brand_equity.year_to_date': (
        '年度累计',
        'Year to date'),
    'section.brand_equity.year_to_date.note': (
        '本年度截至本季度各波次合并（各波次等权），与上年同期比较。',
        "This year's waves up to this quarter pooled (each wave weighted equally), against the same period of the year before."),
    'section.brand_equity.against_the_network_average': (
        '与全网均值比较',
        'Against the network average'),
    'section.brand_equity.by_city': (
        '分城市',
        'By city'),
    'section.brand_equity.by_city.note': (
        '各城市得分（全省设计下的子域估计）；▲/▼ 表示显著高于/低于全省。',
        'City scores (domains of the provincial design); ▲/▼ mark a city significantly above/below the province.'),
    'section.brand_equity.by_tier_and_brand': (
        '分客户层级与品牌',
        'By tier and brand'),
    'section.brand_equity.brand_funnel': (
        '品牌漏斗',
        'Brand funnel'),
    'section.brand_equity.brand_funnel.note': (
        '认知（提示）→ 正面联想 → 偏好 → 忠诚：各阶段到达率及阶段间转化率。',
        'Aware (prompted) → positive association → preferring → loyal: reach of each stage and conversion from the stage before.'),
    'section.brand_equity.published_numbers': (
        '发布',
        'Published numbers'),
}
