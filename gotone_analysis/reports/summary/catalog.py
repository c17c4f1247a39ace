"""Catalog section: the one-page summary report (:mod:`gotone_analysis.reports.summary.tables`).

Headings, the headline numbers' names, the "based on" note and the sentences of
:func:`gotone_analysis.reports.summary.sentences.summary_sentences` (``narrative.summary.*``),
plus the section headings of every report notebook (``section.<report>.*``): a
notebook prints its headings from the catalog so that a page is in one language.
"""

from __future__ import annotations

SECTION: dict[str, tuple[str, str]] = {
    # the summary page
    "summary.heading.headline": ("关键指标", "Headline numbers"),
    "summary.heading.changed": ("其他结论", "Other findings"),
    "summary.heading.key_points": ("要点", "Key points"),
    "summary.print_more": ("其他结论及其依据：见本页的网页版和工作簿 tables.xlsx（结论与依据）。",
                           "Other findings and what they rest on: the web page and the "
                           "workbook tables.xlsx (Findings)."),
    "summary.column.change": ("较对比期变化", "Change since comparison"),
    "summary.column.target": ("139 目标", "139 target"),
    "summary.column.gap": ("与目标差距", "Gap to target"),
    "summary.column.moved": ("超出抽样误差", "Beyond sampling error"),
    "summary.change.steady": ("{value}（在抽样误差内）", "{value} (within sampling error)"),
    "summary.heading.levers": ("九大举措状态", "The nine levers"),
    "summary.heading.reports": ("详细报告", "Detailed reports"),
    "summary.intro": (
        "本页每句话都由各详细报告发布的指标生成；只陈述超出抽样误差的变化和经多重比较校正后"
        "仍显著的效应，样本量不足的部分不作为结论。每句话后链接到详细报告中它所依据的表格或图。",
        "Every sentence on this page is generated from the metrics the detailed reports "
        "published; only moves outside sampling error and effects still significant once "
        "adjusted for the number of comparisons are stated, and parts with too small a "
        "base are never findings. Each sentence links to the table or figure of the detailed "
        "report it rests on."),
    "summary.source": ("（见{report}：{section}）", "(see {report}: {section})"),
    "summary.no_findings": ("本季度没有超出抽样误差的变化可报告。",
                            "Nothing moved outside sampling error this quarter."),
    "summary.column.measure": ("指标", "Measure"),
    "summary.column.value": ("数值", "Value"),
    "summary.column.interval": ("95% 置信区间", "95% interval"),
    "summary.column.status": ("状态", "Status"),
    "summary.column.lever": ("举措", "Lever"),
    "summary.metric.influence": ("品牌影响力指数", "Brand influence index"),
    "summary.metric.satisfaction": ("满意度指数", "Satisfaction index"),
    "summary.metric.satisfaction_lead": ("满意度领先全网", "Satisfaction lead over the network"),
    "summary.metric.gotone_customers": ("全球通客户数", "GoTone customers"),
    "summary.metric.target_share": ("目标市场份额", "Target-market share"),
    "summary.metric.purity": ("目标市场纯度", "Purity"),
    "summary.not_available": ("—", "—"),
    "summary.suppressed": ("样本量不足", "base too small"),
    # where to act (reports/summary/act.py)
    "summary.heading.act": ("优先行动", "Where to act"),
    "summary.act.none": ("所有举措均已达成或有望达成，暂无需优先行动的举措。",
                         "Every lever is met or on track: none needs acting on first."),
    "summary.act.column.lever": ("举措", "Lever"),
    "summary.act.column.target": ("差距最大的目标", "Target furthest from its value"),
    "summary.act.column.city": ("差距最大的城市", "City adding most to the gap"),
    "summary.act.column.evidence": ("证据", "What the evidence says"),
    "summary.act.target": ("{name}：{actual}（目标 {target}）",
                           "{name}: {actual} (target {target})"),
    "summary.act.evidence.not_established": (
        "已评估：效应经多重比较校正后不能认定", "Evaluated: no effect established once "
        "adjusted for the page's comparisons"),
    "summary.act.evidence.none": ("尚无证据：本季未评估此举措的效果",
                                  "No evidence yet: the lever's effect is not evaluated"),
    "summary.act.effect.did": ("客户经理关怀使{outcome}平均变化 {value}（95% 区间 {lo} 至 {hi}）",
                               "Customer-manager care changed {outcome} by {value} "
                               "(95% interval {lo} to {hi})"),
    "summary.act.effect.panel.up": ("参与月份{outcome}高 {value}（95% 区间 {lo} 至 {hi}，同一客户前后对比）",
                                    "{outcome} {value} higher in months with the lever "
                                    "(95% interval {lo} to {hi}, same customers)"),
    "summary.act.effect.panel.down": ("参与月份{outcome}低 {value}（95% 区间 {lo} 至 {hi}，同一客户前后对比）",
                                      "{outcome} {value} lower in months with the lever "
                                      "(95% interval {lo} to {hi}, same customers)"),
    "summary.act.effect.survey.up": ("使用者{outcome}比可比未使用者高 {value}（95% 区间 {lo} 至 {hi}，"
                                     "比较而非因果）",
                                     "Users' {outcome} {value} above comparable non-users' "
                                     "(95% interval {lo} to {hi}; a comparison, not a cause)"),
    "summary.act.effect.survey.down": ("使用者{outcome}比可比未使用者低 {value}（95% 区间 {lo} 至 {hi}，"
                                       "比较而非因果）",
                                       "Users' {outcome} {value} below comparable non-users' "
                                       "(95% interval {lo} to {hi}; a comparison, not a cause)"),
    "summary.act.unit.yuan": ("{value:.1f} 元", "{value:.1f} yuan"),
    "summary.act.unit.score": ("{value:.1f} 分", "{value:.1f} points"),
    "summary.act.unit.pp": ("{value:.2f} 个百分点", "{value:.2f} pp"),
    # sentences (narrative.summary)
    "narrative.summary.satisfaction_level": (
        "满意度指数为 {estimate:.1f}（{level} 置信区间 {lo:.1f}–{hi:.1f}）",
        "The satisfaction index stands at {estimate:.1f} ({level} interval "
        "{lo:.1f}–{hi:.1f})"),
    "narrative.summary.lead": ("，领先全网均值 {lead:.1f} 分，超出抽样误差。",
                               ", {lead:.1f} points above the network average, outside "
                               "sampling error."),
    "narrative.summary.behind": ("，落后全网均值 {lead:.1f} 分，超出抽样误差。",
                                 ", {lead:.1f} points below the network average, outside "
                                 "sampling error."),
    "narrative.summary.level_with_network": ("，与全网均值的差距在抽样误差范围内。",
                                             ", level with the network average within "
                                             "sampling error."),
    "narrative.summary.no_network": ("。", "."),
    "narrative.summary.satisfaction_moved.up": (
        "满意度自 {compare} 以来上升 {diff:.1f} 分，超出抽样误差（{level} 置信区间 "
        "{lo:+.1f} 至 {hi:+.1f}）。",
        "Satisfaction rose {diff:.1f} points since {compare}, outside sampling error "
        "({level} interval {lo:+.1f} to {hi:+.1f})."),
    "narrative.summary.satisfaction_moved.down": (
        "满意度自 {compare} 以来下降 {diff:.1f} 分，超出抽样误差（{level} 置信区间 "
        "{lo:+.1f} 至 {hi:+.1f}）。",
        "Satisfaction fell {diff:.1f} points since {compare}, outside sampling error "
        "({level} interval {lo:+.1f} to {hi:+.1f})."),
    "narrative.summary.satisfaction_steady": (
        "满意度与 {compare} 相比的差异在抽样误差范围内：数据不足以认定有变化（不等于没有变化）。",
        "Satisfaction's difference from {compare} is within sampling error: the data do not "
        "establish a change (which is not to say there was none)."),
    "narrative.summary.drivers.up": (
        "表现提升对上升有显著贡献的驱动因素（变化分解中区间不含 0）：{drivers}。",
        "Drivers whose better performance contributed significantly to the rise (terms of "
        "the decomposition whose interval excludes zero): {drivers}."),
    "narrative.summary.drivers.down": (
        "表现下降对下降有显著贡献的驱动因素（变化分解中区间不含 0）：{drivers}。",
        "Drivers whose weaker performance contributed significantly to the fall (terms of "
        "the decomposition whose interval excludes zero): {drivers}."),
    "narrative.summary.drivers_main.up": (
        "上升主要来自{main}（其份额及份额区间的下限均超过一半）。",
        " The rise comes mainly from {main} (its share and the lower bound of the share's "
        "interval are above one half)."),
    "narrative.summary.drivers_main.down": (
        "下降主要来自{main}（其份额及份额区间的下限均超过一半）。",
        " The fall comes mainly from {main} (its share and the lower bound of the share's "
        "interval are above one half)."),
    "narrative.summary.segments.up": (
        "按{segment}分解，以下群体内部的变化对上升有显著贡献（区间不含 0）：{segments}。",
        "Split by {segment}, the change within these segments contributed significantly "
        "to the rise (intervals exclude zero): {segments}."),
    "narrative.summary.segments.down": (
        "按{segment}分解，以下群体内部的变化对下降有显著贡献（区间不含 0）：{segments}。",
        "Split by {segment}, the change within these segments contributed significantly "
        "to the fall (intervals exclude zero): {segments}."),
    "narrative.summary.segments_main.up": (
        "上升主要发生在{main}内部（其份额及份额区间的下限均超过一半）。",
        " The rise happened mainly within {main} (its share and the lower bound of the "
        "share's interval are above one half)."),
    "narrative.summary.segments_main.down": (
        "下降主要发生在{main}内部（其份额及份额区间的下限均超过一半）。",
        " The fall happened mainly within {main} (its share and the lower bound of the "
        "share's interval are above one half)."),
    "narrative.summary.share.up": (
        "{name}（占上升的 {share:.0%}，{level} 区间 {lo:.0%}–{hi:.0%}）",
        "{name} ({share:.0%} of the rise, {level} interval {lo:.0%} to {hi:.0%})"),
    "narrative.summary.share.down": (
        "{name}（占下降的 {share:.0%}，{level} 区间 {lo:.0%}–{hi:.0%}）",
        "{name} ({share:.0%} of the fall, {level} interval {lo:.0%} to {hi:.0%})"),
    "narrative.summary.mix": (
        "客户结构（按{segment}）的变化也有显著贡献：{mix:+.2f} 分。",
        "The change of the segment mix (by {segment}) also contributed significantly: "
        "{mix:+.2f} points."),
    "narrative.summary.influence_level": (
        "品牌影响力指数为 {estimate:.1f}（{level} 置信区间 {lo:.1f}–{hi:.1f}）",
        "The brand influence index stands at {estimate:.1f} ({level} interval "
        "{lo:.1f}–{hi:.1f})"),
    "narrative.summary.influence_moved.up": ("，自 {compare} 以来显著上升 {diff:.1f} 分。",
                                             ", up {diff:.1f} points since {compare}, "
                                             "outside sampling error."),
    "narrative.summary.influence_moved.down": ("，自 {compare} 以来显著下降 {diff:.1f} 分。",
                                               ", down {diff:.1f} points since {compare}, "
                                               "outside sampling error."),
    "narrative.summary.influence_steady": ("，与 {compare} 相比的差异在抽样误差范围内，数据不足以认定有变化。",
                                           "; its difference from {compare} is within "
                                           "sampling error (no change established)."),
    "narrative.summary.component_moved.up": (
        "{component}自 {compare} 以来显著上升 {diff:.1f} 分。",
        "{component} rose {diff:.1f} points since {compare}, outside sampling error."),
    "narrative.summary.component_moved.down": (
        "{component}自 {compare} 以来显著下降 {diff:.1f} 分。",
        "{component} fell {diff:.1f} points since {compare}, outside sampling error."),
    "narrative.summary.care_effect": (
        "客户经理关怀使{outcome}平均变化 {estimate}（{level} 置信区间 {lo} 至 {hi}；"
        "多重比较校正后 p {p_adj}）。",
        "Customer-manager care changed the {outcome} by {estimate} on average ({level} interval {lo} "
        "to {hi}; adjusted p {p_adj})."),
    "narrative.summary.care_assumption_ok": (
        "这一因果解读基于平行趋势假设（若没有回访，已推广与从未推广的客户群走势相同）；"
        "推广前未见差异（平行趋势检验 p = {p}）。",
        " Reading it as caused by the calls assumes parallel trends (without the calls, the "
        "segments rolled out would have moved like those never rolled out); before the "
        "roll-out they did (parallel-trends test p = {p})."),
    "narrative.summary.care_assumption_bad": (
        "这一因果解读基于平行趋势假设（若没有回访，已推广与从未推广的客户群走势相同），"
        "但推广前已有差异（平行趋势检验 p = {p}），需谨慎解读。",
        " Reading it as caused by the calls assumes parallel trends (without the calls, the "
        "segments rolled out would have moved like those never rolled out), but they "
        "already differed before the roll-out (parallel-trends test p = {p}): read it with "
        "care."),
    "narrative.summary.care_assumption_unknown": (
        "这一因果解读基于平行趋势假设（若没有回访，已推广与从未推广的客户群走势相同），"
        "其检验结果未发布。",
        " Reading it as caused by the calls assumes parallel trends (without the calls, the "
        "segments rolled out would have moved like those never rolled out); no test of it "
        "was published."),
    "narrative.summary.lever_survey": (
        "使用{lever}的客户比{adjusted_for}相同的未使用客户{outcome}{direction} {value}"
        "（{level} 置信区间 {lo} 至 {hi}；多重比较校正后 p {p_adj}）。",
        "Customers who use {lever} score {value} {direction} on {outcome} than non-users "
        "of the same {adjusted_for} ({level} interval {lo} to {hi}; adjusted p {p_adj})."),
    "narrative.summary.lever_panel": (
        "参与{lever}的月份，同一客户的{outcome}比其未参与的月份{direction} {value}"
        "（{level} 置信区间 {lo} 至 {hi}；多重比较校正后 p {p_adj}）。",
        "In the months customers take part in {lever}, their {outcome} is {value} "
        "{direction} than in their own months without it ({level} interval {lo} to {hi}; "
        "adjusted p {p_adj})."),
    "narrative.summary.higher": ("高", "higher"),
    "narrative.summary.lower": ("低", "lower"),
    "narrative.summary.held_unknown": ("可比", "comparable profile"),
    "narrative.summary.no_effect": (
        "以下效应经多重比较校正后不显著，数据不足以认定：{items}。",
        "For these, the data do not establish an effect once adjusted for the number of "
        "comparisons: {items}."),
    "narrative.summary.effects_family": (
        "项目成效页的 {n} 项效应作为一个整体做多重比较校正（{method}），校正后 p < {alpha} "
        "才认定；所列区间为未校正的 {level} 置信区间。",
        "The {n} effects of the program-effects page are tested as one family ({method}); "
        "only those with an adjusted p below {alpha} are stated, and the intervals shown "
        "are unadjusted {level} intervals."),
    "narrative.summary.effect_item": ("{lever}对{outcome}", "{lever} on {outcome}"),
    "narrative.summary.targets": (
        "139 工程的目标中有 {n_bad} 项需要关注：{items}。",
        "{n_bad} targets of the 139 plan need attention: {items}."),
    "narrative.summary.more": ("等（共 {n} 项，见记分卡）", " and {n} more (see the scorecard)"),
    "narrative.summary.outcome.churn": ("月流失率", "monthly churn"),
    "narrative.summary.outcome.arpu": ("ARPU", "ARPU"),
    "narrative.summary.outcome.satisfaction": ("满意度", "satisfaction"),
    "narrative.summary.outcome.loyalty": ("留网意愿", "intention to stay"),
    "narrative.summary.target_item": ("{label}（{status}）", "{label} ({status})"),
    "narrative.summary.targets_fine": ("所有可衡量的 139 目标均已达成或有望达成。",
                                       "Every measurable 139 target is met or on track."),
    "narrative.summary.targets_inconclusive": (
        "{n} 项 139 目标无定论，既不算达成也不算未达成（调查值在抽样误差范围内，或在分解城市目标的"
        "容差以内）：{items}。",
        "{n} targets of the 139 plan are inconclusive, neither met nor missed (a survey "
        "estimate within sampling error, or within the tolerance of an apportioned city "
        "target): {items}."),
    "narrative.summary.worse": (
        "与 {compare} 相比，{n} 项目标的状态变差（预测跨越了界限，或实际值的变化超出抽样误差）。",
        "Since {compare}, {n} targets changed status for the worse (the forecast crossed a "
        "boundary, or the actual moved beyond sampling error)."),
    "narrative.summary.none_worse": (
        "与 {compare} 相比，没有目标的状态变差。",
        "Since {compare}, no target changed status for the worse."),
    "narrative.summary.final": (
        "另有 {n} 项目标到期，状态由预测变为最终结果（预测与最终结果不可比，不计为变好或变差）。",
        " {n} targets reached their deadline and their forecast became a final verdict "
        "(neither better nor worse: a forecast and a verdict are not alike)."),
    "narrative.summary.list_sep": ("、", ", "),
    "narrative.summary.list_and": ("和", " and "),
    "narrative.summary.points": ("{value:+.2f} 个百分点", "{value:+.2f} percentage points"),
    "narrative.summary.yuan": ("{value:+.1f} 元", "{value:+.1f} yuan"),
    "narrative.summary.score": ("{value:+.1f} 分", "{value:+.1f} points"),
    "narrative.summary.score_abs": ("{value:.1f} 分", "{value:.1f} points"),
    "narrative.summary.yuan_abs": ("{value:.1f} 元", "{value:.1f} yuan"),
}
