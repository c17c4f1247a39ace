"""Catalog section: the satisfaction report's codes, headings, figure labels and sentences.

Codes are those of :mod:`gotone_analysis.reports.satisfaction.tables` (the score and its
drivers), of the decompositions (parts and the ``(intercept)`` / ``(controls)`` terms),
of the importance–performance quadrants and periods. The ``narrative.satisfaction.*``
texts are the word table of :mod:`gotone_analysis.reports.satisfaction.sentences`.
"""

from __future__ import annotations

SECTION: dict[str, tuple[str, str]] = {
    # the score and its drivers (gotone_analysis.reports.satisfaction.tables.DRIVERS)
    "code.satisfaction": ("满意度", "Satisfaction"),
    "code.image": ("品牌形象", "Brand image"),
    "code.value": ("价值感知", "Value for money"),
    "code.pq_network": ("网络质量", "Network quality"),
    "code.pq_tariff": ("资费", "Tariffs"),
    "code.pq_hall": ("营业厅服务", "Service halls"),
    "code.pq_hotline": ("客服热线", "Hotline"),
    # parts and terms of the decompositions
    "code.gap": ("变化", "Change"),
    "code.change": ("变化", "Change"),
    "code.endowments": ("驱动因素表现变化", "Driver performance"),
    "code.coefficients": ("驱动因素作用变化", "Driver weights"),
    "code.interaction": ("交互项", "Interaction"),
    "code.composition": ("客户结构变化", "Segment mix"),
    "code.within": ("群体内部变化", "Within segments"),
    "code.total": ("合计", "Total"),
    "code.(intercept)": ("基线水平", "Baseline level"),
    "code.(controls)": ("客户结构（城市、层级）", "Segment mix (city, tier)"),
    # constructs of the ECSI model (gotone_analysis.reports.satisfaction.tables.ECSI_BLOCKS)
    "code.expectation": ("顾客预期", "Expectation"),
    "code.quality": ("感知质量", "Perceived quality"),
    "code.complaints": ("投诉", "Complaints"),
    # importance-performance
    "code.keep_up": ("继续保持", "Keep up"),
    "code.concentrate_here": ("重点改进", "Concentrate here"),
    "code.low_priority": ("次要", "Low priority"),
    "code.possible_overkill": ("可能过度投入", "Possible overkill"),
    "code.current": ("本季度", "This quarter"),
    "code.comparison": ("对比季度", "Comparison quarter"),
    # headings of the satisfaction tables
    "column.part": ("组成部分", "Part"),
    "column.term": ("因素", "Term"),
    "column.driver": ("驱动因素", "Driver"),
    "column.period": ("时期", "Period"),
    "column.importance": ("重要性 (%)", "Importance (%)"),
    "column.performance": ("表现 (0–100)", "Performance (0–100)"),
    "column.quadrant": ("象限", "Quadrant"),
    "column.network": ("全网均值", "Network"),
    "column.lead": ("领先全网（分）", "Lead over network (points)"),
    "column.contribution": ("对变化的贡献（分）", "Contribution to the change (points)"),
    "column.segment": ("细分维度", "Segment"),
    "column.share_before": ("对比期占比 (%)", "Share before (%)"),
    "column.share_after": ("本期占比 (%)", "Share now (%)"),
    "column.change_share": ("占变化的份额", "Share of the change"),
    "column.change_share_ci_low": ("份额区间下限", "Share, interval low"),
    "column.change_share_ci_high": ("份额区间上限", "Share, interval high"),
    "column.mean_before": ("对比期满意度", "Satisfaction before"),
    "column.mean_after": ("本期满意度", "Satisfaction now"),
    "column.status": ("状态", "Status"),
    "column.variable": ("指标", "Measure"),
    "column.n_before": ("对比期样本量", "Base before"),
    "column.n_after": ("本期样本量", "Base now"),
    "column.min_base": ("最低样本量", "Minimum base"),
    "column.n_current": ("本期完整样本量", "Complete base now"),
    "column.construct": ("结构变量", "Construct"),
    "column.source": ("自", "From"),
    "column.target": ("至", "To"),
    "column.coefficient": ("路径系数", "Path coefficient"),
    "column.index": ("指数 (0–100)", "Index (0–100)"),
    "column.r2": ("R²", "R²"),
    "code.estimated": ("已估计", "Estimated"),
    "code.not_estimated": ("未估计（样本量不足）", "Not estimated (base too small)"),
    # figures (gotone_analysis.plots.satisfaction)
    "plot.satisfaction.index_title": ("满意度指数", "Satisfaction index"),
    "plot.satisfaction.lead_over": ("领先全网 {lead}", "{lead} over the network"),
    "plot.satisfaction.lead_under": ("落后全网 {lead}", "{lead} below the network"),
    "plot.satisfaction.waterfall_title": ("满意度变化的分解（{before} → {after}）",
                                          "What the change is made of ({before} → {after})"),
    "plot.satisfaction.points_axis": ("分 (0–100)", "Points (0–100)"),
    "plot.satisfaction.ipa_title": ("重要性–表现矩阵", "Importance–performance"),
    "plot.satisfaction.importance_axis": ("重要性（占 R² 的比例，%）",
                                          "Importance (share of R², %)"),
    "plot.satisfaction.performance_axis": ("表现 (0–100)", "Performance (0–100)"),
    "plot.satisfaction.arrow": ("箭头：自对比季度 {quarter} 的位置", "Arrows: from {quarter}"),
    "plot.satisfaction.not_estimated": ("样本量不足 {min_base}，未估计驱动因素模型",
                                        "Base below {min_base}: driver model not estimated"),
    "plot.satisfaction.suppressed": ("样本量不足，不予显示", "Base too small, not shown"),
    # notes
    "note.satisfaction.not_estimated": (
        "本范围内完整回答的受访者不足 {min_base} 人（本季度 {n_after}，对比季度 {n_before}），"
        "驱动因素模型不予估计，以免把抽样噪声当作结论。",
        "Fewer than {min_base} complete respondents in this scope ({n_after} this quarter, "
        "{n_before} in the comparison quarter): the driver model is not estimated rather "
        "than printing noise."),
    "note.satisfaction.ecsi_not_estimated": (
        "本范围内完整回答 ECSI 全部题目的受访者不足 {min_base} 人（本季度 {n}），"
        "满意度指数模型不予估计，以免把抽样噪声当作结论。",
        "Fewer than {min_base} respondents in this scope answered every ECSI item ({n} "
        "this quarter): the satisfaction-index model is not estimated rather than "
        "printing noise."),
    # headings of the ECSI section (the notebook prints them with narrative.section)
    "section.satisfaction.satisfaction_index_model": ("满意度指数模型（ECSI）",
                                                      "Satisfaction index model (ECSI)"),
    "section.satisfaction.satisfaction_index_model.note": (
        "ECSI 偏最小二乘路径模型（形象、预期、感知质量、价值、满意度、投诉、忠诚度）：标准化路径系数"
        "及其 95% 自助法置信区间（按设计分层重抽样）、各内生结构变量的 R²，以及按非标准化外部权重"
        "计算的 0–100 结构变量指数。模型中的满意度指数是由三道满意度题目加权估计的潜变量得分，"
        "与上文的满意度得分（三题中至少两题作答者的简单平均）不是同一个量，两者数值可以不同。",
        "The ECSI partial-least-squares path model (image, expectation, perceived quality, "
        "value, satisfaction, complaints, loyalty): standardised path coefficients with "
        "95% design-based bootstrap intervals, the R² of each endogenous construct, and "
        "the 0–100 construct indices from the unstandardised outer weights. The model's "
        "satisfaction index is a latent score weighting the three satisfaction items; it is "
        "not the satisfaction score above (the plain mean of the items, for respondents who "
        "answered at least two of the three), and the two can differ."),
    "note.satisfaction.controls": (
        "驱动因素的作用在同一城市、同一客户层级内估计；客户结构的影响单列为“客户结构”。",
        "Driver effects are estimated within city and tier cells; the effect of the "
        "segment mix is its own term (“Segment mix”)."),
    # the satisfaction narrative: sentences
    "narrative.satisfaction.level": (
        "**满意度** {estimate:.1f}（{level} 置信区间 {lo:.1f}–{hi:.1f}，样本量 {n}）。",
        "**Satisfaction** {estimate:.1f} ({level} interval {lo:.1f}–{hi:.1f}, base {n})."),
    "narrative.satisfaction.lead": (
        "比全网均值 {network:.1f} 高 {lead:.1f} 分（显著）。",
        "{lead:.1f} points above the network average of {network:.1f} (significant)."),
    "narrative.satisfaction.behind": (
        "比全网均值 {network:.1f} 低 {lead:.1f} 分（显著）。",
        "{lead:.1f} points below the network average of {network:.1f} (significant)."),
    "narrative.satisfaction.level_with_network": (
        "与全网均值 {network:.1f} 的差异在抽样误差范围内。",
        "The difference from the network average of {network:.1f} is within sampling "
        "error."),
    "narrative.satisfaction.moved": (
        "**{name}** 较 {what} {verb} {d:.1f} 分，至 {estimate:.1f}（校正后 p {ptxt}）。",
        "**{name}** {verb} by {d:.1f} points since {what}, to {estimate:.1f} (adjusted "
        "p {ptxt})."),
    "narrative.satisfaction.steady": (
        "**{name}** 与 {what} 相比的变化（{diff:+.1f} 分）在抽样误差范围内，数据不足以认定真实变化。",
        "**{name}**: the change since {what} ({diff:+.1f} points) is within sampling "
        "error; the data do not establish a real change."),
    "narrative.satisfaction.drivers_moved": (
        "显著变化的驱动因素：{items}。",
        "Drivers that moved significantly: {items}."),
    "narrative.satisfaction.drivers_steady": (
        "各驱动因素的变化均在抽样误差范围内。",
        "None of the drivers moved beyond sampling error."),
    "narrative.satisfaction.item": ("{name} {diff:+.1f}", "{name} {diff:+.1f}"),
    "narrative.satisfaction.item_share": (
        "{name} {diff:+.1f} 分（占变化的 {share:.0%}，{level} 区间 {lo:.0%}–{hi:.0%}）",
        "{name} {diff:+.1f} points ({share:.0%} of the change, {level} interval "
        "{lo:.0%} to {hi:.0%})"),
    "narrative.satisfaction.explained_by": (
        "以下驱动因素的表现变化对这一变化有显著贡献（区间不含 0）：{items}。",
        "These drivers' change in performance contributes to the change significantly "
        "(intervals exclude 0): {items}."),
    "narrative.satisfaction.explained_mainly": (
        "变化主要来自{name}（其份额及份额区间的下限均超过一半）。",
        "The change comes mainly from {name} (its share, and the lower bound of the "
        "share's interval, are above one half)."),
    "narrative.satisfaction.list_sep": ("、", ", "),
    "narrative.satisfaction.explained_none": (
        "没有哪个驱动因素的表现变化显著地解释了这一变化。",
        "No driver's change in performance explains the move significantly."),
    "narrative.satisfaction.no_driver_model": (
        "完整回答的受访者不足 {min_base} 人，驱动因素模型未估计，无法说明变化的原因。",
        "Fewer than {min_base} complete respondents: the driver model is not estimated "
        "and the reasons for the change are not stated."),
    "narrative.satisfaction.segments": (
        "按{segment}看：结构变化贡献 {composition:+.1f} 分，群体内部变化贡献 {within:+.1f} 分{sig}。",
        "By {segment}: the mix contributes {composition:+.1f} points and change within "
        "segments {within:+.1f} points{sig}."),
    "narrative.satisfaction.segments_sig_mix": ("（结构变化显著）", " (the mix is significant)"),
    "narrative.satisfaction.segments_sig_within": ("（群体内部变化显著）",
                                                   " (the change within segments is "
                                                   "significant)"),
    "narrative.satisfaction.segments_sig_both": ("（两者均显著）", " (both significant)"),
    "narrative.satisfaction.segments_none": ("（均在抽样误差范围内）",
                                             " (both within sampling error)"),
    "narrative.satisfaction.suppressed": (
        "样本量不足 {min_base}，满意度不予显示，也不作结论。",
        "The base is below {min_base}: satisfaction is not shown and no finding is "
        "stated."),
    "narrative.satisfaction.segments_suppressed": (
        "{k} 个{segment}细分的样本量不足 {min_base}，不予单独显示。",
        "{k} {segment} segment(s) with a base below {min_base} are not shown on their "
        "own."),
    "narrative.satisfaction.rose": ("显著上升", "rose significantly"),
    "narrative.satisfaction.fell": ("显著下降", "fell significantly"),
    "narrative.satisfaction.no_compare": ("没有 {what} 的可比数据。",
                                          "No comparable data for {what}."),
    # headings and notes of the notebook (labels.section)
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
}
