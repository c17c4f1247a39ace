"""Catalog section: the headings and notes of the report notebooks.

A notebook prints each heading with :func:`gotone_analysis.narrative.section`
(``section.<report>.<name>`` is the heading, ``section.<report>.<name>.note`` the
note under it), so a page is in one language: a markdown cell could not switch.
"""

from __future__ import annotations

SECTION: dict[str, tuple[str, str]] = {
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
    'section.data_quality.bases': (
        '样本量',
        'Bases'),
    'section.data_quality.bases.note': (
        '未加权样本量、加权样本量与加权占比；样本量低于最小基数的格子标为“样本不足”。',
        'Unweighted and weighted bases and weighted shares; cells below the minimum base are marked.'),
    'section.data_quality.weight_diagnostics': (
        '权重诊断',
        'Weight diagnostics'),
    'section.data_quality.weight_diagnostics.note': (
        '加权造成的设计效应（Kish：1 + 权重变异系数²）与有效样本量。',
        'Kish design effect of weighting (1 + CV² of the weights) and effective base.'),
    'section.data_quality.design_effects_of_key_estimates': (
        '关键估计的设计效应',
        'Design effects of key estimates'),
    'section.data_quality.design_effects_of_key_estimates.note': (
        '分层抽样与加权合计的设计效应（泰勒线性化）。',
        'Design effects of stratification and weighting together (Taylor linearisation).'),
    'section.data_quality.missingness': (
        '缺失值',
        'Missingness'),
    'section.data_quality.missingness.note': (
        '98/99（拒答、不知道）按缺失计。服务感知题（pq_*）未使用该服务时本应缺失。',
        "Codes 98/99 (refused, don't know) count as missing; pq_* items are missing where the service was not used."),
    'section.data_quality.bases_against_the_comparison_quarter': (
        '样本量变化',
        'Bases against the comparison quarter'),
    'section.data_quality.validation_summary': (
        '数据校验',
        'Validation summary'),
    'section.data_quality.validation_summary.note': (
        '读取并按数据约定校验的每个文件。',
        'Every file read and validated against the data contract.'),
    'section.program_effects.key_points': (
        '要点',
        'Key points'),
    'section.program_effects.key_points.note': (
        '各项举措的效应：关怀回访按客户群分批推广（双重差分），其余举措为参与者与可比非参与者之差；只有置信区间不含 0 的效应才被认定。',
        'What each lever did: care calls by their staggered roll-out (difference-in-differences), the other levers as participants against comparable non-participants; an effect is claimed only where its interval excludes zero.'),
    'section.program_effects.care_calls_event_study': (
        '关怀回访：事件研究',
        'Care calls: event study'),
    'section.program_effects.care_calls_event_study.note': (
        '按推广后月数汇总的效应及其 95% 置信区间；推广前各月接近 0 说明对照组可比（平行趋势）。',
        'Effects by months since the roll-out with 95% intervals; estimates near zero before the roll-out show that the comparison segments are comparable (parallel trends).'),
    'section.program_effects.points_clubs_family_products_arpu': (
        '积分、俱乐部、亲情产品：ARPU',
        'Points, clubs, family products: ARPU'),
    'section.program_effects.points_clubs_family_products_arpu.note': (
        '简单对比（参与月与未参与月之差）与调整后效应（同一客户参与月与未参与月之差）。',
        "Naive comparison (participating against other customer-months) and the adjusted effect (each customer's months with and without the lever)."),
    'section.program_effects.satisfaction_and_loyalty_survey': (
        '满意度与留网意愿（调查）',
        'Satisfaction and loyalty (survey)'),
    'section.program_effects.overlap_and_balance': (
        '重叠与平衡',
        'Overlap and balance'),
    'section.program_effects.overlap_and_balance.note': (
        '倾向得分在参与者与其他客户中的分布（修剪规则见表注），以及加权前后的标准化差异（|差异| < 0.1 视为平衡）。',
        'The propensity score among participants and others (the trimming rule under the table), and standardised differences before and after weighting (|difference| < 0.1 counts as balanced).'),
    'section.program_effects.published_numbers': (
        '发布',
        'Published numbers'),
    'section.satisfaction.key_points': (
        '要点',
        'Key points'),
    'section.satisfaction.key_points.note': (
        '满意度（0–100）所处水平、与全网均值的差距、与对比季度相比是否显著变化，以及由哪些驱动因素和客户细分解释（只陈述显著的变化；样本量不足的部分不予显示）。',
        'Where satisfaction (0–100) stands, its lead over the network, whether it moved significantly since the comparison quarter, and which drivers and segments explain it (only significant moves are stated; parts with too small a base are not shown).'),
    'section.satisfaction.satisfaction_index_trend': (
        '满意度指数趋势',
        'Satisfaction index trend'),
    'section.satisfaction.satisfaction_index_trend.note': (
        '满意度指数（三项满意度题目的均值，0–100）及其 95% 置信区间，虚线为全网均值。',
        'The satisfaction index (mean of the three satisfaction items, 0–100) with its 95% interval; the dashed line is the network average.'),
    'section.satisfaction.what_moved': (
        '变化了什么',
        'What moved'),
    'section.satisfaction.what_moved.note': (
        '满意度与各驱动因素（0–100）本季度与对比季度比较；▲/▼ 表示显著变化（已做多重比较校正）。',
        'Satisfaction and each driver (0–100) this quarter against the comparison quarter; ▲/▼ mark significant changes (adjusted for multiple comparisons).'),
    'section.satisfaction.what_the_change_is_made_of': (
        '变化的分解',
        'What the change is made of'),
    'section.satisfaction.what_the_change_is_made_of.note': (
        'Oaxaca–Blinder 分解（以对比季度为基准）：各驱动因素表现变化的贡献、驱动因素作用（系数）变化和交互项；误差线为 95% 自助法置信区间（按设计分层重抽样）。',
        "Oaxaca–Blinder decomposition (the comparison quarter as reference): the contribution of each driver's change in performance, of the change in driver weights (coefficients) and the interaction; error bars are 95% design-based bootstrap intervals."),
    'section.satisfaction.importance_and_performance': (
        '重要性–表现',
        'Importance and performance'),
    'section.satisfaction.importance_and_performance.note': (
        '各驱动因素对满意度的重要性（Shapley 分解占 R² 的比例）与表现（0–100）；箭头自对比季度的位置指向本季度。',
        "Each driver's importance for satisfaction (Shapley share of R²) against its performance (0–100); arrows run from the comparison quarter's position to this quarter's."),
    'section.satisfaction.which_segments_explain_the_move': (
        '客户细分的解释',
        'Which segments explain the move'),
    'section.satisfaction.which_segments_explain_the_move.note': (
        'Kitagawa 分解：满意度变化 = 客户结构变化 + 各细分群体内部的变化（两部分之和恰为总变化）。',
        'Kitagawa decomposition: the change = change of segment mix + change within segments (the two add up to the change exactly).'),
    'section.satisfaction.published_numbers': (
        '发布',
        'Published numbers'),
    'section.scorecard_139.key_points': (
        '要点',
        'Key points'),
    'section.scorecard_139.key_points.note': (
        '每项 139 目标与其实际值比较，并预测到期限（90% 预测区间）；期限已到的目标按期限时的实际值判定。',
        'Every 139 target against its actual, projected to its deadline (90% prediction interval); a target whose deadline has passed is judged on its actual at the deadline.'),
    'section.scorecard_139.the_nine_levers_at_a_glance': (
        '九大举措一览',
        'The nine levers at a glance'),
    'section.scorecard_139.the_nine_levers_at_a_glance.note': (
        '每项举措一盏灯（取其目标中最差的状态）：绿色为已达成或有望达成，黄色为存在风险，红色为进度落后或未达成，灰色为无法衡量。',
        'One light a lever (the worst status among its targets): green met or on track, amber at risk, red off track or missed, grey not measurable.'),
    'section.scorecard_139.each_target_s_series': (
        '各目标走势',
        "Each target's series"),
    'section.scorecard_139.each_target_s_series.note': (
        '月度 KPI（调查指标为季度）、目标线、期限，以及期限未到的目标的预测及其 90% 预测区间。',
        'Monthly KPI values (survey metrics by wave), the target line, the deadline, and for targets not yet due the projection with its 90% prediction interval.'),
    'section.scorecard_139.status_changes': (
        '状态变化',
        'What changed since the comparison quarter'),
    'section.scorecard_139.cities_by_lever': (
        '分城市、分举措',
        'Cities by lever'),
    'section.scorecard_139.cities_by_lever.note': (
        '各城市（城市报告为本城市）每项举措中已达成或有望达成的目标比例；全省报告另列各城市对全省差距的贡献。',
        "For each city (in a city's report, the city itself) and lever, the share of its measurable targets met or on track; the province report adds where the province gaps come from."),
    'section.scorecard_139.published_numbers': (
        '发布',
        'Published numbers'),
}
